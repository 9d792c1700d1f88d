"""`consulta worker [--once] [--interval SECONDS]`: run the background jobs (e-mails, report
renderings) from the database queue, one line per job on standard output. Run one or more
beside the web server (systemd, a container); SIGTERM or Ctrl+C stops it after the job in hand.
`--once` runs what is due now and exits (tests, cron), printing nothing when nothing was due."""

from django.core.management.base import BaseCommand, CommandError
from django_tasks_db.backend import DatabaseBackend

from consulta.jobs.tasks import run_job
from consulta.jobs.worker import Worker


def positive_seconds(value: str) -> float:
    seconds = float(value)
    if not 0 < seconds <= 3600:
        raise ValueError(value)
    return seconds


class Command(BaseCommand):
    help = (
        "Run the background jobs (e-mails, report renderings) from the database queue until "
        "stopped (SIGTERM, Ctrl+C); --once runs what is due and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Run the jobs that are due now, then exit."
        )
        parser.add_argument(
            "--interval",
            type=positive_seconds,
            default=1.0,
            help="Seconds to wait when the queue is empty (default 1, at most 3600).",
        )

    def handle(self, *args, once, interval, **options):
        backend = run_job.get_backend()
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(
                f"The task queue ({type(backend).__name__}) is not the database queue: its "
                "jobs run without a worker. Set TASKS to django_tasks_db.DatabaseBackend."
            )

        def say(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        worker = Worker(say=say, once=once, interval=interval, backend_name=backend.alias)
        if not once:
            say("Worker started; SIGTERM or Ctrl+C stops it after the job in hand.")
        try:
            worker.run()
        except KeyboardInterrupt:
            say(f"Stopped at once, after {worker.processed} job(s).")
            return
        if not once:
            say(f"Worker stopped after {worker.processed} job(s).")
        elif worker.processed:
            say(f"Ran {worker.processed} job(s); nothing more is due.")
