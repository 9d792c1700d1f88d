"""Background jobs: e-mails and report renderings run outside the request, retried on failure.

The queue is django-tasks' database backend (`django_tasks_db`) on Consulta's own database,
run by `consulta worker`; the database is the only thing the web and worker processes share.
The library runs tasks but does not retry them, so Consulta carries one task, `run_job(job_id)`,
and keeps its own `Job` row per piece of work: its kind, the primary key it is about (never an
e-mail address), its status and attempts, the next attempt's time and the last error (with any
e-mail address blotted out). `actions` is the only code that changes a job; `kinds` lists what
can run as a job; `worker` is the loop behind `consulta worker`.
"""
