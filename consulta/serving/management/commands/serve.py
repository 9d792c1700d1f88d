"""`consulta serve`: the app under gunicorn, static files collected and served by WhiteNoise.

Workers are processes (default WEB_CONCURRENCY, else one per core, at least 2), each with
threads (`gthread`, default 8) so that clients keep their connection alive and a worker
waiting on the database serves others meanwhile. Measured on 2 cores: a few processes with
several threads each beat many single-threaded ones, whose kept-alive connections pile up on
whichever worker accepted them. Database connections stay open between requests
(DATABASE_CONN_MAX_AGE) and are checked before reuse, so a restarted database is picked up
without restarting Consulta. No access log by default: personal links carry a token.
"""

import json
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def default_workers() -> int:
    configured = os.environ.get("WEB_CONCURRENCY", "")
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise CommandError(f"WEB_CONCURRENCY={configured!r} is not a whole number of workers")
        return int(configured)
    return max(2, os.cpu_count() or 1)


def static_files_changed() -> bool:
    """Nothing collected yet, a file added or removed, or one newer than the last collection.

    Collecting compresses every file again (seconds of CPU), so a restart skips it when it
    would change nothing.
    """
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    try:
        collected = set(json.loads(manifest.read_text())["paths"])
    except (OSError, ValueError, KeyError):
        return True
    collected_at = manifest.stat().st_mtime
    found = [
        (path, storage) for finder in finders.get_finders() for path, storage in finder.list(None)
    ]
    if {path.replace(os.sep, "/") for path, _ in found} != collected:
        return True
    return any(
        storage.get_modified_time(path).timestamp() > collected_at for path, storage in found
    )


class Command(BaseCommand):
    help = "Serve Consulta in production with gunicorn (static files by WhiteNoise)."
    requires_system_checks = []  # `consulta check --deploy` is the place for them

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port or unix:PATH")
        parser.add_argument("--workers", type=int, default=None, help="worker processes")
        parser.add_argument("--threads", type=int, default=8, help="threads per worker")
        parser.add_argument(
            "--worker-class", default="gthread", help="gunicorn worker class (gthread, sync)"
        )
        parser.add_argument(
            "--timeout", type=int, default=30, help="seconds before a stuck worker is restarted"
        )
        parser.add_argument(
            "--access-log", default=None, help="file for gunicorn's access log ('-' for stdout)"
        )
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="static files are already collected"
        )

    def handle(self, *args, **options):
        workers = options["workers"] or default_workers()
        if workers < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1")
        if not options["no_collectstatic"] and static_files_changed():
            self.stdout.write("Collecting static files…")
            call_command("collectstatic", interactive=False, verbosity=0)
        # Everything (URLs, views, the API's schemas) is imported once here, before the workers
        # are forked: they start warm and share that memory. None may inherit a database
        # connection from this process.
        from django.urls import get_resolver

        from consulta.wsgi import application

        get_resolver().url_patterns  # noqa: B018 (imports every view)
        connections.close_all()
        config = {
            "bind": options["bind"],
            "workers": workers,
            "threads": options["threads"],
            "worker_class": options["worker_class"],
            "timeout": options["timeout"],
            "graceful_timeout": options["timeout"],
            "keepalive": 5,
            # Recycle workers now and then so slow leaks cannot grow without bound.
            "max_requests": 100_000,
            "max_requests_jitter": 10_000,
            "accesslog": options["access_log"],
            "errorlog": "-",
            "proc_name": "consulta",
            "preload_app": True,
        }
        self.stdout.write(
            f"Serving Consulta on {config['bind']} with {workers} workers × "
            f"{config['threads']} threads ({config['worker_class']})"
        )
        self.stdout.flush()
        run_gunicorn(config, application)


def run_gunicorn(config: dict, application) -> None:
    """gunicorn running `application` with `config`.

    Imported here: gunicorn reads WEB_CONCURRENCY when imported, and `default_workers` must
    name a bad value before gunicorn fails on it with a traceback.
    """
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            for name, value in config.items():
                if value is not None:
                    self.cfg.set(name, value)

        def load(self):
            return application

    Server().run()
