"""Fault benchmark: the answer load of load.py with PostgreSQL stopped for ten seconds mid-run.

    .venv/bin/python bench/faults.py [--clients 48] [--duration 40] [--outage-at 10]
                                     [--outage 10] [--workers N]

Starts its own PostgreSQL cluster and `consulta serve` (see _harness.py; the machine's own
PostgreSQL is never touched), then `--clients` participants answer through the API and the
HTML form while the benchmark stops *its* cluster (`pg_ctl stop -m fast`) `--outage-at`
seconds into the run and starts it again `--outage` seconds later. Clients send an answer
again, with the same Idempotency-Key / submission key, after a 5xx or a broken connection
(backing off from 0.1 s to 1 s), as the API documentation asks.

It checks what a participant would notice:
- during the outage every refusal is a 503: JSON `{"error": {"code": "unavailable", …}}`
  from the API, the plain "Briefly unavailable" page from the form; never a 500, never a
  traceback; /healthz answers 503;
- Consulta recovers by itself once the database is back (no restart);
- every acknowledged answer is stored exactly once, nothing acknowledged is lost.
"""

import argparse
import asyncio
import os
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))

from _harness import (
    Cleanup,
    Consulta,
    Postgres,
    latency_summary,
    machine_load,
    say,
    stored_check,
    submission_load,
    table,
)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--duration", type=float, default=40, help="seconds of load")
    parser.add_argument("--outage-at", type=float, default=10, help="seconds into the load")
    parser.add_argument("--outage", type=float, default=10, help="seconds without PostgreSQL")
    parser.add_argument("--form-share", type=float, default=0.25)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=8)
    return parser.parse_args()


def healthz(base: str) -> int:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class Outage:
    """Stops the cluster at `at` seconds, starts it `length` seconds later; prints each second."""

    def __init__(self, database: Postgres, base: str, at: float, length: float):
        self.database, self.base, self.at, self.length = database, base, at, length
        self.stopped_at = self.started_at = None
        self.healthz_during = self.healthz_after = None
        self.before = {}
        self.accepted_before = 0

    async def __call__(self, elapsed: float, tally) -> None:
        accepted = tally.statuses[200] + tally.statuses[302]
        refused = tally.statuses[503]
        other = sum(v for k, v in tally.statuses.items() if k not in (200, 302, 503))
        state = "database down" if self.stopped_at and not self.started_at else ""
        if elapsed < 0:  # warming up
            return
        print(
            f"  {elapsed:5.1f} s  accepted {accepted - self.accepted_before:5d}/s  "
            f"503 so far {refused:6d}  other {other:4d}  {state}",
            flush=True,
        )
        self.accepted_before = accepted
        if self.stopped_at is None and elapsed >= self.at:
            self.before = dict(tally.statuses)
            await asyncio.to_thread(self.database.stop)
            self.stopped_at = time.monotonic()
            say("PostgreSQL stopped (pg_ctl stop -m fast)")
        elif self.stopped_at and self.started_at is None:
            if self.healthz_during is None:
                self.healthz_during = await asyncio.to_thread(healthz, self.base)
            if time.monotonic() - self.stopped_at >= self.length:
                await asyncio.to_thread(self.database.start)
                self.started_at = time.monotonic()
                self.during = {k: v - self.before.get(k, 0) for k, v in tally.statuses.items()}
                say("PostgreSQL started again")
        elif self.started_at and self.healthz_after is None:
            self.healthz_after = await asyncio.to_thread(healthz, self.base)


def main() -> int:
    args = arguments()
    participants = 4 * args.clients
    database = Postgres()
    server = Consulta(database, workers=args.workers, threads=args.threads, worker_class="gthread")
    with Cleanup(database.remove, server.stop):
        say(f"PostgreSQL on 127.0.0.1:{database.port} ({database.root})")
        database.create()
        say(f"demo and {participants} participants")
        setup = server.prepare(participants)
        say(f"consulta serve: {args.workers} workers × {args.threads} threads")
        server.start()
        outage = Outage(database, server.base, args.outage_at, args.outage)
        say(
            f"{args.clients} clients answering for {args.duration:.0f} s, PostgreSQL stopped "
            f"at {args.outage_at:.0f} s for {args.outage:.0f} s; {machine_load()}"
        )
        tally, seconds = asyncio.run(
            submission_load(
                server.port,
                setup,
                clients=args.clients,
                duration=args.duration,
                warmup=3,
                form_share=args.form_share,
                during=outage,
            )
        )
        check = stored_check(database, tally.acknowledged)

    during = getattr(outage, "during", {})
    latency = latency_summary(tally.latencies)
    five_hundreds = sum(v for k, v in tally.statuses.items() if k == 500)
    recovered = outage.healthz_after == 200 and during.get(503, 0) > 0
    lost = check["acknowledged, missing"]
    twice = check["stored twice or more"]
    ok = (
        five_hundreds == 0
        and tally.tracebacks == 0
        and tally.bad_503 == 0
        and outage.healthz_during == 503
        and recovered
        and lost == 0
        and twice == 0
        and check["stored, never acknowledged"] == 0
    )
    rows = [
        ("requests", str(sum(tally.statuses.values()))),
        ("by status", ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items(), key=str))),
        ("during the outage", ", ".join(f"{k}: {v}" for k, v in sorted(during.items(), key=str))),
        ("500 responses", str(five_hundreds)),
        ("tracebacks shown", str(tally.tracebacks)),
        ("503 not in the agreed shape", str(tally.bad_503)),
        ("/healthz during / after", f"{outage.healthz_during} / {outage.healthz_after}"),
        ("retries with the same key", str(tally.retries)),
        (
            "latency p50 / p99 / max",
            f"{latency['p50']:.0f} / {latency['p99']:.0f} / {latency['max']:.0f} ms",
        ),
        ("acknowledged", str(check["acknowledged"])),
        ("stored", str(check["stored"])),
        ("acknowledged but lost", str(lost)),
        ("stored twice or more", str(twice)),
        ("stored, never acknowledged", str(check["stored, never acknowledged"])),
        ("verdict", "every acknowledged answer stored once; 503s only" if ok else "FAILED"),
    ]
    print()
    print(
        table(rows, f"PostgreSQL stopped for {args.outage:.0f} s during {seconds:.0f} s of answers")
    )
    print(f"({machine_load()} at the end)")
    for mode, method, status, body in tally.refusals:
        print(f"refused ({mode}, {method}): {status} {body.decode(errors='replace')[:1500]}")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: the cluster and the server were stopped and removed")
