"""Export benchmark: the organiser's registrations export of 1,000,000 rows, in constant memory.

    .venv/bin/python bench/export.py [--rows 1000000] [--formats csv,xlsx]

Starts its own PostgreSQL cluster (see _harness.py), loads the demo, adds `--rows`
registrations to the rehearsal consultation in one SQL statement (copies of one registration
with their own name, e-mail and link), then asks for the export as an administrator would
(GET /en/manage/<slug>/registrations.csv, .xlsx) in a fresh process that reads the answer
chunk by chunk, and reports rows, bytes, time and that process's peak memory (RSS).
Target: peak RSS under 300 MB for 1,000,000 rows.
"""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from _harness import CONSULTA, SLUG, Cleanup, Consulta, Postgres, machine_load, say, table

PEAK_TARGET_MB = 300

# Columns copied from the template registration, except these, which each copy gets its own.
OWN_VALUES = {
    "given_name": "'Participant ' || g",
    "family_name": "'Number ' || g",
    "email": "'participant-' || g || '@example.org'",
    "link_nonce": "md5(g::text)",
}

EXPORT_SCRIPT = """
import json, resource, time
from django.contrib.auth import get_user_model
from django.test import Client
from django.conf import settings

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

admin = get_user_model().objects.filter(username="bench-admin").first() or (
    get_user_model().objects.create_superuser("bench-admin", "admin@example.org", None)
)
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(admin)
client.get("/en/manage/")  # imports every view: the memory the app needs before any export
before = peak_mb()
started = time.perf_counter()
response = client.get(f"/en/manage/SLUG/registrations.FORMAT")
first_byte = time.perf_counter() - started
size = lines = 0
body = response.streaming_content if response.streaming else [response.content]
for chunk in body:
    size += len(chunk)
    lines += chunk.count(b"\\n")
print(json.dumps({
    "status": response.status_code,
    "seconds": time.perf_counter() - started,
    "first_byte": first_byte,
    "bytes": size,
    "lines": lines,
    "peak_before_mb": before,
    "peak_mb": peak_mb(),
}))
"""


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,xlsx")
    return parser.parse_args()


def add_registrations(database: Postgres, rows: int) -> None:
    """`rows` copies of the rehearsal's first registration, each with its own person."""
    columns = [
        name
        for (name,) in database.query(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'registrations_registration' AND column_name <> 'id' "
            "ORDER BY ordinal_position"
        )
    ]
    values = ", ".join(OWN_VALUES.get(name, f"t.{name}") for name in columns)
    database.query(
        f"INSERT INTO registrations_registration ({', '.join(columns)}) "
        f"SELECT {values} FROM registrations_registration t, generate_series(1, %s) g "
        "WHERE t.id = (SELECT min(r.id) FROM registrations_registration r "
        "JOIN meetings_session s ON s.id = r.session_id "
        "JOIN consultations_consultation c ON c.id = s.consultation_id WHERE c.slug = %s)",
        rows,
        SLUG,
        fetch=False,
    )
    database.query("ANALYZE registrations_registration", fetch=False)


def export(server: Consulta, fmt: str) -> dict:
    script = EXPORT_SCRIPT.replace("SLUG", SLUG).replace("FORMAT", fmt)
    result = subprocess.run(
        [str(CONSULTA), "shell", "-c", script], env=server.env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"the {fmt} export failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    args = arguments()
    database = Postgres()
    server = Consulta(database, workers=1, threads=1, worker_class="gthread")
    results = {}
    with Cleanup(database.remove):
        say(f"PostgreSQL on 127.0.0.1:{database.port} ({database.root})")
        database.create()
        say("demo and one registration to copy")
        server.prepare(1)
        started = time.perf_counter()
        add_registrations(database, args.rows)
        say(f"{args.rows:,} registrations added in {time.perf_counter() - started:.0f} s")
        for fmt in args.formats.split(","):
            say(f"{fmt} export; {machine_load()}")
            results[fmt] = export(server, fmt)
    ok = True
    rows = []
    for fmt, result in results.items():
        fits = result["status"] == 200 and result["peak_mb"] < PEAK_TARGET_MB
        ok &= fits
        detail = f", {result['lines'] - 1:,} rows" if fmt == "csv" else ""
        rows += [
            (f"{fmt}: answer", f"{result['status']}, {result['bytes'] / 1e6:,.0f} MB{detail}"),
            (
                f"{fmt}: time",
                f"{result['seconds']:.1f} s (first byte after {result['first_byte']:.1f} s)",
            ),
            (
                f"{fmt}: peak RSS",
                f"{result['peak_mb']:.0f} MB (app loaded, before the export: "
                f"{result['peak_before_mb']:.0f} MB; "
                f"target < {PEAK_TARGET_MB} MB)",
            ),
        ]
    rows.append(("verdict", "constant memory" if ok else "MISSES the target"))
    print()
    print(table(rows, f"Registrations export, {args.rows + 1:,} registrations"))
    print(f"({machine_load()} at the end)")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: the cluster was stopped and removed")
