"""Ceiling benchmark: how much of an answer's time is the web framework's, on this machine.

    .venv/bin/python bench/ceiling.py [--clients 48] [--duration 20]

Participants answer through the API for `--duration` seconds twice, on one PostgreSQL
cluster, one after the other, each time new ones (as many, none of whom answered before, so
both runs save the same mix of first answers and changes):

1. Consulta under `consulta serve`, as bench/load.py drives it (API only);
2. a bare WSGI app (_bare_answers.py) under gunicorn with the same workers and threads, doing
   exactly the answer's database work through the same functions, without URL routing,
   middleware or django-ninja.

The second figure is what the answer's own work (the token read, the recommendation, the
earlier versions, the write) allows here, with the same HTTP server and clients: a ceiling no
change to the web layer can pass. If it is below bench/load.py's target, the target needs less
database work per answer, not a lighter web layer.
"""

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from _harness import (
    Cleanup,
    Consulta,
    Postgres,
    Tally,
    database_report,
    latency_summary,
    machine_load,
    machine_speed,
    say,
    stop_server,
    stored_check,
    submission_load,
    table,
)

GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")


class BareApp:
    """_bare_answers.py under gunicorn, configured as `server` (workers, threads, port)."""

    def __init__(self, server: Consulta):
        self.server = server
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        server = self.server
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "--bind",
                f"127.0.0.1:{server.port}",
                "--workers",
                str(server.workers),
                "--threads",
                str(server.threads),
                "--worker-class",
                server.worker_class,
                "--log-level",
                "error",
                "_bare_answers:application",
            ],
            env=server.env | {"PYTHONPATH": os.path.dirname(os.path.abspath(__file__))},
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
                return
            except OSError:
                time.sleep(0.3)
        sys.exit("the bare app did not start in a minute")

    def stop(self) -> None:
        stop_server(self.process)


def run(port, setup, args) -> tuple[Tally, float, str]:
    tally, seconds = asyncio.run(
        submission_load(
            port, setup, clients=args.clients, duration=args.duration, warmup=5, form_share=0
        )
    )
    return tally, tally.statuses[200] / seconds, machine_load()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument(
        "--participants",
        type=int,
        default=0,
        help="default 4 per client; many more: first answers only",
    )
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    database = Postgres()
    server = Consulta(database, workers=args.workers, threads=args.threads, worker_class="gthread")
    bare = BareApp(server)
    with Cleanup(database.remove, server.stop, bare.stop):
        say(f"machine: {machine_speed()}")
        database.create()
        participants = args.participants or 4 * args.clients
        everyone = server.prepare(2 * participants)
        halves = [everyone["tokens"][:participants], everyone["tokens"][participants:]]
        acknowledged = set()
        figures = []
        runs = (("Consulta (consulta serve)", server), ("bare WSGI app", bare))
        for (name, app), tokens in zip(runs, halves, strict=True):
            setup = everyone | {"tokens": tokens}
            app.start()
            say(f"{name}: {args.clients} API clients for 5 + {args.duration:.0f} s")
            tally, rate, load = run(server.port, setup, args)
            app.stop()
            acknowledged |= tally.acknowledged
            latency = latency_summary(tally.latencies)
            errors = sum(n for status, n in tally.statuses.items() if status != 200)
            figures.append(
                (
                    name,
                    f"{rate:,.0f} answers/s, p50 {latency['p50']:.0f} ms, "
                    f"p99 {latency['p99']:.0f} ms, {errors} errors ({load} at the end)",
                )
            )
        stored, exact = database_report(stored_check(database, acknowledged))
        print()
        print(table(figures, f"Answers through the API, {args.duration:.0f} s each"))
        print()
        print(stored)
    return 0 if exact else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: the cluster and the servers were stopped and removed")
