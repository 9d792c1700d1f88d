"""Load benchmark: answers through the API and the HTML form, then the public consultation page.

    .venv/bin/python bench/load.py [--clients 48] [--duration 30] [--form-share 0.25]
                                   [--page-clients 32] [--page-duration 20] [--workers N]

Starts its own PostgreSQL cluster and `consulta serve` on loopback (see _harness.py), loads
the demo, creates participants, then:

1. `--clients` participants answer for `--duration` seconds, each one answer at a time:
   most through `PUT /api/v1/me/answers/{code}` with an Idempotency-Key, `--form-share` of
   them through the HTML form (POST /en/r/<token>/feedback/a/<code>/ with its submission key,
   answered by a redirect). Throughput counts acknowledged answers (200 / 302).
2. The database must hold exactly the acknowledged answers, each once.
3. `--page-clients` visitors read the public consultation page for `--page-duration` seconds.

Targets on the 2-core machine the project is built on: at least 500 answers per second with
p99 ≤ 250 ms, and at least 1,000 consultation pages per second. The load clients run on the
same 2 cores (one Python process), so the figures are a floor.
"""

import argparse
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from _harness import (
    SLUG,
    Cleanup,
    Consulta,
    CpuMeter,
    Postgres,
    database_report,
    latency_summary,
    machine_load,
    machine_speed,
    page_load,
    say,
    stored_check,
    submission_load,
    table,
)

ANSWERS_TARGET = 500
P99_TARGET_MS = 250
PAGES_TARGET = 1000


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=48, help="concurrent participants")
    parser.add_argument("--duration", type=float, default=30, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=5, help="seconds before measuring")
    parser.add_argument("--participants", type=int, default=0, help="default 4 per client")
    parser.add_argument("--form-share", type=float, default=0.25, help="clients using the form")
    parser.add_argument("--page-clients", type=int, default=32)
    parser.add_argument("--page-duration", type=float, default=20)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--worker-class", default="gthread")
    return parser.parse_args()


def cpu_per_answer(cpu: CpuMeter, accepted: int) -> str:
    parts = [f"{name} {used / max(accepted, 1) * 1000:.2f}" for name, used in cpu.used.items()]
    return ", ".join(parts) + " ms"


def submissions_report(tally, seconds: float, cpu: CpuMeter) -> tuple[str, bool]:
    accepted = tally.statuses[200] + tally.statuses[302]
    rate = accepted / seconds
    latency = latency_summary(tally.latencies)
    errors = {k: v for k, v in tally.statuses.items() if k not in (200, 302)}
    ok = rate >= ANSWERS_TARGET and latency["p99"] <= P99_TARGET_MS
    rows = [
        ("requests", f"{sum(tally.statuses.values())}"),
        (
            "accepted (200 API, 302 form)",
            f"{accepted} ({tally.statuses[200]} API, {tally.statuses[302]} form)",
        ),
        (
            "errors by status",
            ", ".join(f"{k}: {v}" for k, v in sorted(errors.items(), key=str)) or "none",
        ),
        ("retries", f"{tally.retries}"),
        ("throughput", f"{rate:,.0f} answers/s (target ≥ {ANSWERS_TARGET})"),
        (
            "latency p50 / p95 / p99",
            f"{latency['p50']:.1f} / {latency['p95']:.1f} / {latency['p99']:.1f} ms (p99 target ≤ {P99_TARGET_MS})",
        ),
        ("latency mean / max", f"{latency['mean']:.1f} / {latency['max']:.1f} ms"),
        ("CPU per answer", cpu_per_answer(cpu, accepted)),
        ("verdict", "meets the targets" if ok else "MISSES the targets"),
    ]
    return table(rows, f"Answers, {seconds:.0f} s measured"), ok


def pages_report(tally, seconds: float, path: str) -> tuple[str, bool]:
    served = tally.statuses[200]
    rate = served / seconds
    latency = latency_summary(tally.latencies)
    errors = {k: v for k, v in tally.statuses.items() if k != 200}
    ok = rate >= PAGES_TARGET and not errors
    rows = [
        ("page", path),
        ("requests", f"{sum(tally.statuses.values())}"),
        ("errors by status", ", ".join(f"{k}: {v}" for k, v in errors.items()) or "none"),
        ("throughput", f"{rate:,.0f} pages/s (target ≥ {PAGES_TARGET})"),
        (
            "latency p50 / p95 / p99",
            f"{latency['p50']:.1f} / {latency['p95']:.1f} / {latency['p99']:.1f} ms",
        ),
        ("verdict", "meets the target" if ok else "MISSES the target"),
    ]
    return table(rows, f"Public consultation page, {seconds:.0f} s measured"), ok


def main() -> int:
    args = arguments()
    participants = args.participants or 4 * args.clients
    database = Postgres()
    server = Consulta(
        database, workers=args.workers, threads=args.threads, worker_class=args.worker_class
    )
    with Cleanup(database.remove, server.stop):
        say(f"machine: {machine_speed()}")
        say(f"PostgreSQL {database.bin.parent.name} on 127.0.0.1:{database.port} ({database.root})")
        database.create()
        say(f"demo and {participants} participants")
        setup = server.prepare(participants)
        say(
            f"consulta serve: {args.workers} workers × {args.threads} threads ({args.worker_class})"
        )
        server.start()
        say(
            f"{args.clients} clients answering for {args.warmup:.0f} + {args.duration:.0f} s; {machine_load()}"
        )
        cpu = CpuMeter(
            {"Consulta": server.process.pid, "PostgreSQL": database.pid(), "clients": os.getpid()}
        )
        tally, seconds = asyncio.run(
            submission_load(
                server.port,
                setup,
                clients=args.clients,
                duration=args.duration,
                warmup=args.warmup,
                form_share=args.form_share,
                cpu=cpu,
            )
        )
        load_after_answers = machine_load()
        answers, answers_ok = submissions_report(tally, seconds, cpu)
        stored, stored_ok = database_report(stored_check(database, tally.acknowledged))
        path = f"/en/c/{SLUG}/"
        say(f"{args.page_clients} visitors reading {path} for {args.page_duration:.0f} s")
        page_tally, page_seconds = asyncio.run(
            page_load(
                server.port, path, clients=args.page_clients, duration=args.page_duration, warmup=2
            )
        )
        pages, pages_ok = pages_report(page_tally, page_seconds, path)
        print()
        print(answers)
        print(f"({load_after_answers} at the end)\n")
        print(stored + "\n")
        print(pages)
        print(f"({machine_load()} at the end)")
        for mode, method, status, body in tally.refusals:
            print(f"refused ({mode}, {method}): {status} {body.decode(errors='replace')[:1500]}")
    return 0 if answers_ok and stored_ok and pages_ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: the cluster and the server were stopped and removed")
