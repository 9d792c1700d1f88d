"""Background jobs: e-mails go through the database queue and `consulta worker`; a failing one
is retried with backoff, then shown as failed to organisers, who can retry it.

These tests switch from the suite's immediate queue to the database queue and run the worker
with `--once` under a stopped clock, moving the clock past each retry delay.
"""

import io
import json
import os
import signal
import smtplib
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from lxml import html as lxml_html

from consulta.jobs import actions
from consulta.jobs.models import Job
from consulta.registrations.actions import register_participant
from consulta.registrations.models import Registration
from tests.conftest import participant

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RETRY_DELAYS = (60, 300, 1800, 7200)


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient, naming them as real servers do."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {address: (550, b"mailbox unavailable") for m in messages for address in m.to}
        )


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.JOBS_RETRY_DELAYS = RETRY_DELAYS


@pytest.fixture
def refusing_mail(settings):
    settings.EMAIL_BACKEND = "tests.test_jobs.RefusingBackend"
    return settings


@pytest.fixture
def run_worker(django_capture_on_commit_callbacks):
    """`consulta worker --once`; what it queues on commit (a retry) is queued, as it would be
    outside the test's transaction."""

    def run() -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("worker", "--once", stdout=out)
        return out.getvalue()

    return run


def register(demo, capture) -> Registration:
    session = demo.sessions.get(key="asia-pacific")
    with capture(execute=True):
        register_participant(session, participant())
    return Registration.objects.get()


def job_row(client, job, status=""):
    page = client.get(reverse("jobs") + (f"?status={status}" if status else ""))
    assert page.status_code == 200
    tree = lxml_html.fromstring(page.content)
    (row,) = tree.xpath(f'//tr[@data-job="{job.pk}"]')
    return page.content.decode(), " ".join(row.text_content().split())


def test_the_worker_sends_a_queued_confirmation(
    demo,
    before_the_sessions,
    database_queue,
    django_capture_on_commit_callbacks,
    mailoutbox,
    run_worker,
):
    registration = register(demo, django_capture_on_commit_callbacks)
    assert not mailoutbox, "queued, not sent during the request"
    job = Job.objects.get()
    assert (job.kind, job.object_id, job.status) == (
        "registration-confirmation",
        registration.pk,
        Job.Status.PENDING,
    )
    (queued,) = DBTaskResult.objects.all()
    assert "wanjiru" not in json.dumps(queued.args_kwargs), "the queue holds ids, not addresses"

    output = run_worker()

    (message,) = mailoutbox
    assert message.to == ["wanjiru@example.org"]
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 1)
    assert (
        f"job {job.pk} Registration confirmation e-mail (registration {registration.pk}): "
        "done on attempt 1 of 5"
    ) in output
    assert "wanjiru" not in output.lower()
    assert run_worker() == "", "nothing is left to do"
    assert len(mailoutbox) == 1


def test_a_failing_email_is_retried_then_shown_as_failed_and_retry_now_sends_it(
    demo,
    before_the_sessions,
    database_queue,
    refusing_mail,
    django_capture_on_commit_callbacks,
    mailoutbox,
    organiser_client,
    run_worker,
):
    register(demo, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    for attempt, delay in enumerate(RETRY_DELAYS, start=1):
        output = run_worker()
        job.refresh_from_db()
        assert (job.status, job.attempts) == (Job.Status.PENDING, attempt)
        assert f"attempt {attempt} of 5 failed: SMTPRecipientsRefused" in output
        before_the_sessions.shift(delay - 1)
        assert run_worker() == "", "not retried before its delay"
        before_the_sessions.shift(1)
    output = run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.FAILED, 5)
    assert "failed after 5 attempt(s)" in output
    assert not mailoutbox

    page, row = job_row(organiser_client, job, "failed")
    assert "Failed" in row and "5 of 5" in row
    assert "SMTPRecipientsRefused" in row and "[e-mail address]" in row
    assert "wanjiru" not in page.lower() and "Kamau" not in page
    assert "Failed (1)" in page

    refusing_mail.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            reverse("job-retry", args=[job.pk]), {"next": reverse("jobs") + "?status=failed"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs") + "?status=failed"
    run_worker()
    (message,) = mailoutbox
    assert message.to == ["wanjiru@example.org"]
    job.refresh_from_db()
    assert (job.status, job.attempts, job.last_error) == (Job.Status.DONE, 6, "")
    _, row = job_row(organiser_client, job)
    assert "Done" in row and "6 of 6" in row


def test_only_a_failed_job_can_be_retried(
    demo, before_the_sessions, database_queue, django_capture_on_commit_callbacks, organiser_client
):
    register(demo, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    response = organiser_client.post(reverse("job-retry", args=[job.pk]), follow=True)
    assert "Only a failed job can be retried" in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.max_attempts) == (Job.Status.PENDING, 0, 5)


def test_an_email_about_a_registration_that_no_longer_exists_fails_at_once(
    demo,
    before_the_sessions,
    database_queue,
    django_capture_on_commit_callbacks,
    mailoutbox,
    run_worker,
):
    registration = register(demo, django_capture_on_commit_callbacks)
    registration.delete()
    output = run_worker()
    job = Job.objects.get()
    assert (job.status, job.attempts) == (Job.Status.FAILED, 1)
    assert "DoesNotExist" in job.last_error and "failed after 1 attempt(s)" in output
    assert not mailoutbox


def test_the_immediate_queue_of_the_tests_runs_the_job_on_commit(
    demo, before_the_sessions, django_capture_on_commit_callbacks, mailoutbox
):
    register(demo, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert Job.objects.get().status == Job.Status.DONE


def test_the_jobs_page_refuses_everyone_but_organisers(
    client, demo, before_the_sessions, database_queue, django_capture_on_commit_callbacks
):
    register(demo, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    job.status = Job.Status.FAILED
    job.save()

    anonymous = client.get(reverse("jobs"))
    assert anonymous.status_code == 302 and reverse("admin:login") in anonymous["Location"]

    staff = get_user_model().objects.create_user("ines.staff", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("jobs")).status_code == 403
    assert client.post(reverse("job-retry", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_the_organiser_home_links_to_the_jobs_page(organiser_client, demo):
    page = organiser_client.get(reverse("manage-home")).content.decode()
    assert f'href="{reverse("jobs")}"' in page


def test_a_job_left_running_by_a_stopped_worker_is_retried(
    demo,
    before_the_sessions,
    database_queue,
    django_capture_on_commit_callbacks,
    mailoutbox,
    run_worker,
):
    register(demo, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    # A worker claimed it, then was killed: the job and its queue entry stay "running".
    assert actions.start(job.pk) is not None
    DBTaskResult.objects.update(status="RUNNING")
    assert run_worker() == ""
    before_the_sessions.shift(actions.STALLED_AFTER.total_seconds() + 1)
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.PENDING, 1)
    assert "WorkerStopped" in job.last_error
    before_the_sessions.shift(RETRY_DELAYS[0])
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    assert len(mailoutbox) == 1


def test_a_job_never_handed_to_the_queue_is_queued_by_the_sweep(
    demo,
    before_the_sessions,
    database_queue,
    mailoutbox,
    run_worker,
):
    # The process stopped between the commit and the hand-over: no queue entry.
    session = demo.sessions.get(key="asia-pacific")
    register_participant(session, participant())
    assert not DBTaskResult.objects.exists()
    assert run_worker() == ""
    before_the_sessions.shift(actions.FORGOTTEN_AFTER.total_seconds() + 1)
    output = run_worker()
    assert "1 job(s) recovered" in output and "done on attempt 1 of 5" in output
    assert len(mailoutbox) == 1


def test_the_worker_stops_cleanly_on_sigterm(db, database_queue):
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    out = io.StringIO()
    try:
        call_command("worker", "--interval", "0.2", stdout=out)
    finally:
        timer.cancel()
    assert "stopping once the current job is done" in out.getvalue()
    assert out.getvalue().rstrip().endswith("Worker stopped after 0 job(s).")
    assert signal.getsignal(signal.SIGTERM) is before


def test_the_worker_needs_the_database_queue(db):
    with pytest.raises(CommandError, match="not the database queue"):
        call_command("worker", "--once")


def test_error_text_shown_to_organisers_has_no_address():
    error = smtplib.SMTPRecipientsRefused({"Ana.Perez+x@mail.example.org": (550, b"no")})
    text = actions.describe_error(error)
    assert "Ana.Perez" not in text and "[e-mail address]" in text
