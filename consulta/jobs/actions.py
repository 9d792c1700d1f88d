"""The one write path for jobs: enqueue, run one attempt, retry now, the worker's sweep, and
the report renderings that jobs prepare.

Retry policy: a failed attempt is tried again after 1 minute, 5 minutes, 30 minutes and
2 hours (`JOBS_RETRY_DELAYS`, in seconds), so five attempts in all; after the last one the job
stays "failed" with its error until an organiser retries it. A job about something that no
longer exists (a registration erased, say) fails at once: trying again cannot help. "Retry now"
makes one more attempt, at once; if it fails too, the job is failed again with the new error.
"""

import logging
import re
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consulta.jobs.kinds import KINDS, REPORT_RENDERING
from consulta.jobs.models import Job, RenderedReport

log = logging.getLogger(__name__)

DEFAULT_RETRY_DELAYS = (60, 300, 1800, 7200)
# A job still "running" after this long was left by a worker that stopped (killed, machine
# restarted): the attempt counts as failed and the job is retried like any other failure.
STALLED_AFTER = timedelta(hours=1)
# A due job that was never handed to the queue (a process stopped between its transaction's
# commit and the hand-over, or a backend that cannot defer retries) is queued by the worker's
# sweep once it has waited this long.
FORGOTTEN_AFTER = timedelta(minutes=1)
ERROR_LENGTH = 500
EMAIL_ADDRESS = re.compile(r"[^\s@<>\"'(),;:\[\]{}]+@[^\s@<>\"'(),;:\[\]{}]+")


class NotRetryable(Exception):
    """Only a failed job can be retried (someone else may have retried it already)."""


class WorkerStopped(Exception):
    """The attempt never finished: the worker running it stopped."""


def retry_delays() -> tuple[int, ...]:
    return tuple(getattr(settings, "JOBS_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


def describe_error(error: BaseException) -> str:
    """The error's class and message, short, with any e-mail address blotted out: mail servers
    put the recipient's address in their refusals, and this text is shown to organisers."""
    message = EMAIL_ADDRESS.sub("[e-mail address]", str(error)).strip()
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


# Enqueueing.


def enqueue(kind: str, object_id: int, *, consultation_id: int | None) -> Job:
    """A job of `kind` about `object_id` (a primary key, never an address), shown to the
    organisers of `consultation_id`, handed to the queue once the current transaction commits
    (so it never runs on data that were rolled back)."""
    (job,) = enqueue_many(kind, [object_id], consultation_id=consultation_id)
    return job


def enqueue_many(kind: str, object_ids: Iterable[int], *, consultation_id: int | None) -> list[Job]:
    if kind not in KINDS:
        raise ValueError(f"Unknown job kind {kind!r}.")
    attempts = len(retry_delays()) + 1
    with transaction.atomic():
        jobs = Job.objects.bulk_create(
            [
                Job(
                    kind=kind,
                    object_id=pk,
                    consultation_id=consultation_id,
                    max_attempts=attempts,
                )
                for pk in object_ids
            ]
        )
        ids = [job.pk for job in jobs]
        transaction.on_commit(lambda: [_hand_over(pk) for pk in ids])
    return jobs


def _hand_over(job_id: int) -> None:
    """Put the job's next attempt on the queue: at once, or deferred to its `run_after` when
    the backend can defer (otherwise the worker's sweep queues it when it is due)."""
    from consulta.jobs.tasks import run_job, supports_defer

    job = Job.objects.filter(pk=job_id, status=Job.Status.PENDING).first()
    if job is None:
        return
    now = timezone.now()
    task = run_job.using(priority=KINDS[job.kind].priority if job.kind in KINDS else 0)
    if job.run_after is not None and job.run_after > now:
        if not supports_defer():
            return
        task = task.using(run_after=job.run_after)
    with transaction.atomic():
        # Marked before the hand-over, in the same transaction: with the database queue both
        # are written together, and a backend that runs the job at once sees it marked.
        Job.objects.filter(pk=job.pk).update(queued_at=now)
        task.enqueue(job.pk)


# One attempt (called by the `run_job` task).


def start(job_id: int) -> Job | None:
    """Claim the job for one attempt; None when it is not due (already run, running, or
    queued twice)."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.PENDING:
            return None
        if job.run_after is not None and job.run_after > now:
            return None
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = now
        job.finished_at = None
        job.save(update_fields=["status", "attempts", "started_at", "finished_at"])
    return job


def finish(job: Job) -> None:
    job.status = Job.Status.DONE
    job.finished_at = timezone.now()
    job.run_after = None
    job.last_error = ""
    job.save(update_fields=["status", "finished_at", "run_after", "last_error"])
    log.info("%s done on attempt %s", job, job.attempts)


def fail(job: Job, error: BaseException, *, permanent: bool = False) -> None:
    """Record a failed attempt: retry after the policy's delay, or fail for good."""
    now = timezone.now()
    job.last_error = describe_error(error)
    job.finished_at = now
    delays = retry_delays()
    with transaction.atomic():
        if permanent or job.attempts >= job.max_attempts:
            job.status = Job.Status.FAILED
            job.run_after = None
        else:
            delay = delays[min(job.attempts, len(delays)) - 1] if delays else 0
            job.status = Job.Status.PENDING
            job.run_after = now + timedelta(seconds=delay)
            job.queued_at = None
            transaction.on_commit(lambda: _hand_over(job.pk))
        job.save(
            update_fields=[
                "status",
                "run_after",
                "queued_at",
                "last_error",
                "finished_at",
            ]
        )
    # The class name only: the message may name a person.
    log.warning(
        "%s failed on attempt %s of %s (%s)%s",
        job,
        job.attempts,
        job.max_attempts,
        type(error).__name__,
        "" if job.status == Job.Status.FAILED else f"; next attempt at {job.run_after:%H:%M:%S}",
    )


# Organisers.


def retry_now(job: Job) -> Job:
    """One more attempt of a failed job, at once."""
    with transaction.atomic():
        fresh = Job.objects.select_for_update().get(pk=job.pk)
        if fresh.status != Job.Status.FAILED:
            raise NotRetryable
        fresh.status = Job.Status.PENDING
        fresh.run_after = timezone.now()
        fresh.queued_at = None
        fresh.max_attempts = fresh.attempts + 1
        fresh.save(update_fields=["status", "run_after", "queued_at", "max_attempts"])
        transaction.on_commit(lambda: _hand_over(fresh.pk))
    return fresh


# The worker's sweep.


def sweep(*, now=None) -> int:
    """Fail the attempts that a stopped worker left "running" (they are then retried), and
    queue the due jobs that never reached the queue. Returns how many jobs it touched."""
    now = now or timezone.now()
    touched = 0
    stalled = Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=now - STALLED_AFTER)
    for job in stalled:
        fail(job, WorkerStopped("The worker stopped during this attempt."))
        touched += 1
    forgotten = Job.objects.filter(
        status=Job.Status.PENDING, queued_at__isnull=True, run_after__lte=now - FORGOTTEN_AFTER
    ).values_list("pk", flat=True)
    for pk in list(forgotten):
        _hand_over(pk)
        touched += 1
    return touched


# Report renderings.


@transaction.atomic
def request_report(consultation, fmt: str, language: str) -> RenderedReport:
    """Prepare the report in `fmt` and `language` in the background. Asking again while the
    same rendering is still waiting or running gives that one (a double click renders once)."""
    waiting = (
        RenderedReport.objects.select_for_update()
        .filter(
            consultation=consultation,
            format=fmt,
            language=language,
            job__status__in=[Job.Status.PENDING, Job.Status.RUNNING],
        )
        .first()
    )
    if waiting is not None:
        return waiting
    rendering = RenderedReport.objects.create(
        consultation=consultation, format=fmt, language=language
    )
    rendering.job = enqueue(REPORT_RENDERING, rendering.pk, consultation_id=consultation.pk)
    rendering.save(update_fields=["job"])
    return rendering


def store_report(rendering: RenderedReport, content: bytes) -> None:
    rendering.content = content
    rendering.size = len(content)
    rendering.rendered_at = timezone.now()
    rendering.save(update_fields=["content", "size", "rendered_at"])
