"""How a job reads, on the organisers' page and in the worker's output: its kind and the
primary key it is about, never a name or an address."""

from django.utils import timezone

from consulta.jobs.kinds import KINDS
from consulta.jobs.models import Job


def kind_label(job: Job) -> str:
    kind = KINDS.get(job.kind)
    return str(kind.label) if kind else job.kind


def subject(job: Job) -> str:
    kind = KINDS.get(job.kind)
    return f"{kind.subject if kind else 'object'} {job.object_id}"


def job_line(job: Job) -> str:
    """One line for the worker's output."""
    head = f"job {job.pk} {kind_label(job)} ({subject(job)})"
    if job.status == Job.Status.DONE:
        return f"{head}: done on attempt {job.attempts} of {job.max_attempts}"
    if job.status == Job.Status.FAILED:
        return f"{head}: failed after {job.attempts} attempt(s): {job.last_error}"
    if job.status == Job.Status.PENDING and job.attempts:
        when = timezone.localtime(job.run_after).strftime("%Y-%m-%d %H:%M:%S")
        return (
            f"{head}: attempt {job.attempts} of {job.max_attempts} failed: {job.last_error}; "
            f"next attempt at {when}"
        )
    return f"{head}: {job.status}"
