"""The one task Consulta puts on the queue: one attempt of a job. The attempt's outcome is
recorded on the job (`actions.finish` / `actions.fail`), never raised: the queue's own record
then holds no error message, which could name a person."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.module_loading import import_string
from django_tasks import task, task_backends

from consulta.jobs import actions
from consulta.jobs.kinds import KINDS


class UnknownKind(Exception):
    """The job's kind is not one this version of Consulta knows."""


@task()
def run_job(job_id: int) -> str | None:
    """Run one attempt of job `job_id`; returns its status afterwards (None: not due)."""
    job = actions.start(job_id)
    if job is None:
        return None
    try:
        kind = KINDS.get(job.kind)
        if kind is None:
            raise UnknownKind(job.kind)
        import_string(kind.function)(job.object_id)
    except (ObjectDoesNotExist, UnknownKind) as error:
        actions.fail(job, error, permanent=True)
    except Exception as error:
        actions.fail(job, error)
    else:
        actions.finish(job)
    return job.status


def supports_defer() -> bool:
    """Whether the queue can hold a task until a given time (the database queue can; the
    immediate one, used by the tests, cannot)."""
    return task_backends[run_job.backend].supports_defer
