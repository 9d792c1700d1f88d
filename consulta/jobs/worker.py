"""The loop behind `consulta worker`: take the next due task from the database queue, run it,
print one line about the job, and between tasks run the jobs' sweep (`actions.sweep`).

It reuses django_tasks_db's worker for claiming and running a task and adds what Consulta
needs around it: the line per job, the sweep, `--once`, and a clean stop. The first SIGTERM or
SIGINT lets the running job finish and then stops; a second one stops at once (the attempt is
then counted as failed by a later sweep and retried).
"""

import signal
import time
from collections.abc import Callable

from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from consulta.jobs import actions
from consulta.jobs.models import Job
from consulta.jobs.presentation import job_line
from consulta.jobs.tasks import run_job

SWEEP_EVERY = 30  # seconds
SLEEP_STEP = 0.1  # seconds: how quickly an idle worker notices a stop signal


class Worker(DatabaseWorker):
    def __init__(
        self, *, say: Callable[[str], None], once: bool, interval: float, backend_name: str
    ):
        super().__init__(
            queue_names=["*"],
            interval=interval,
            batch=once,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        self.say = say
        self.once = once
        self.processed = 0
        self._swept_at = 0.0
        self._previous_handlers = {}

    # Signals: finish the job in hand, then stop; a second signal stops at once.

    def shutdown(self, signum, frame) -> None:
        if not self.running:
            self.reset_signals()
            raise KeyboardInterrupt
        self.say(f"{signal.strsignal(signum)}: stopping once the current job is done.")
        self.running = False

    def configure_signals(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous_handlers[sig] = signal.signal(sig, self.shutdown)

    def reset_signals(self) -> None:
        for sig, handler in self._previous_handlers.items():
            signal.signal(sig, handler)
        self._previous_handlers = {}

    # The loop.

    def run(self) -> None:
        self.configure_signals()
        try:
            while self.running:
                # Drop a connection the database closed or that outlived its age. (Not inside
                # a transaction, where a test runs it: closing would end the test's.)
                if not connection.in_atomic_block:
                    close_old_connections()
                self._sweep()
                task_result = self._claim_next()
                if task_result is not None:
                    self.run_task(task_result)
                    continue
                if self.once:
                    break
                self._idle()
        finally:
            self.reset_signals()

    def _sweep(self) -> None:
        if self.once or time.monotonic() - self._swept_at >= SWEEP_EVERY:
            self._swept_at = time.monotonic()
            touched = actions.sweep()
            if touched:
                self.say(f"{touched} job(s) recovered and queued again.")

    def _claim_next(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as error:
                # SQLite is busy with another writer: try again on the next turn.
                if not is_locked_database_exception(error):
                    raise
                task_result = None
        return task_result

    def _idle(self) -> None:
        waited = 0.0
        while self.running and waited < self.interval:
            time.sleep(SLEEP_STEP)
            waited += SLEEP_STEP

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        self.processed += 1
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        if db_task_result.task_path != run_job.module_path:
            self.say(f"{stamp} task {db_task_result.task_path}: {db_task_result.status.lower()}")
            return
        (job_id,) = db_task_result.args_kwargs["args"]
        job = Job.objects.filter(pk=job_id).first()
        if job is None:
            self.say(f"{stamp} job {job_id}: no longer exists")
        elif db_task_result.status == "SUCCESSFUL" and db_task_result.return_value is None:
            self.say(f"{stamp} job {job_id}: not due, or already run (a duplicate in the queue)")
        else:
            self.say(f"{stamp} {job_line(job)}")
