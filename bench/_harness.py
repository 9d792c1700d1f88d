"""What the serving benchmarks share: a throw-away PostgreSQL cluster, Consulta under
`consulta serve` on loopback, participants with personal tokens, a small HTTP client, and the
figures (throughput, latency percentiles, the database check).

Nothing here touches the machine's own PostgreSQL server: the cluster is created in a
temporary folder on a free port and removed at the end, also on Ctrl-C. Run as root, the
PostgreSQL programs run as the `postgres` user (initdb refuses root).
"""

import asyncio
import glob
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONSULTA = REPO / ".venv" / "bin" / "consulta"
SLUG = "missing-migrants-rehearsal"  # the demo's copy that is open for feedback


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def machine_load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def machine_speed() -> str:
    """How fast one core runs plain Python here: the answer figures are CPU-bound, so figures
    taken on two machines compare only beside this one."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return f"a Python loop of 10 million additions takes {time.perf_counter() - started:.2f} s"


def process_cpu_seconds() -> dict[int, tuple[int, float]]:
    """Every process's (parent, CPU seconds used so far, user and system), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    return found


class CpuMeter:
    """CPU seconds used by named process trees (a process and all its descendants) between
    `start()` and `stop()`: unlike throughput, the CPU an answer costs hardly changes when the
    machine's neighbours slow it down."""

    def __init__(self, roots: dict[str, int]):
        self.roots = roots
        self.used: dict[str, float] = {}

    def _sample(self) -> dict[str, float]:
        processes = process_cpu_seconds()
        trees = {}
        for name, root in self.roots.items():
            tree, grown = {root}, True
            while grown:
                more = {pid for pid, (parent, _) in processes.items() if parent in tree} - tree
                tree |= more
                grown = bool(more)
            trees[name] = tree
        totals = {}
        for name, tree in trees.items():
            # A tree holding another (the clients started the server) counts only its own.
            for other, other_tree in trees.items():
                if other != name and self.roots[other] in tree:
                    tree = tree - other_tree
            totals[name] = sum(processes[pid][1] for pid in tree if pid in processes)
        return totals

    def start(self) -> None:
        self._started = self._sample()

    def stop(self) -> None:
        ended = self._sample()
        self.used = {name: ended[name] - self._started[name] for name in self.roots}


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def postgres_bin() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        sys.exit("PostgreSQL's server programs are missing: apt-get install postgresql")
    return Path(found[-1]).parent


class Postgres:
    """A private cluster: `start()`, `stop()` (fast shutdown), `remove()`."""

    def __init__(self, *, port: int | None = None):
        self.bin = postgres_bin()
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="consulta-bench-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.running = False

    @property
    def url(self) -> str:
        return f"postgres://consulta@127.0.0.1:{self.port}/consulta"

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, cwd=self.root)

    def create(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "consulta",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "consulta", "consulta")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
            "-c max_connections=200 -c shared_buffers=256MB"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        self.running = True

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    def remove(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)

    def pid(self) -> int:
        """The postmaster's process id (its children serve the connections)."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def query(self, sql: str, *params, fetch: bool = True):
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://")) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if fetch else None


# ---------------------------------------------------------------------------------------------
# Consulta


def stop_server(process: subprocess.Popen | None) -> None:
    """SIGTERM (gunicorn finishes the requests in hand), SIGKILL after 30 s."""
    if process and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


class Consulta:
    """Consulta on the cluster: `prepare(n)` (schema, demo, n participants), `start()`, `stop()`."""

    def __init__(self, database: Postgres, *, workers: int, threads: int, worker_class: str):
        self.database = database
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads, self.worker_class = workers, threads, worker_class
        # Kept between runs: static files are collected (and compressed) only once.
        home = Path(tempfile.gettempdir()) / "consulta-bench-home"
        home.mkdir(exist_ok=True)
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")
        } | {
            "DJANGO_SETTINGS_MODULE": "consulta.settings",
            "DEBUG": "0",
            "HTTPS": "0",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DATABASE_URL": database.url,
            "CONSULTA_HOME": str(home),
            "LOG_LEVEL": "ERROR",
            # Generous: nobody is rate-limited in a benchmark.
            "REGISTRATIONS_PER_CLIENT_PER_HOUR": "1000000",
        }
        self.process: subprocess.Popen | None = None
        self.output = Path(tempfile.mkstemp(prefix="consulta-bench-serve-", suffix=".log")[1])

    def command(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [str(CONSULTA), *args], env=self.env, input=stdin, capture_output=True, text=True
        )
        if result.returncode:
            sys.exit(f"consulta {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def prepare(self, participants: int) -> dict:
        """Schema, the demo, and `participants` registrations spread over the sessions.

        Returns {"tokens": [...], "codes": [...], "pillar_of": {code: pillar}}.
        """
        self.command("demo", "--no-serve")
        script = PARTICIPANTS_SCRIPT.replace("SLUG", repr(SLUG)).replace("COUNT", str(participants))
        return json.loads(self.command("shell", "-c", script).strip().splitlines()[-1])

    def start(self) -> None:
        log = self.output.open("w")
        self.process = subprocess.Popen(
            [
                str(CONSULTA),
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--worker-class",
                self.worker_class,
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit("consulta serve stopped:\n" + self.output.read_text())
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        sys.exit("consulta serve did not answer /healthz in 5 minutes")

    def stop(self) -> None:
        stop_server(self.process)
        self.output.unlink(missing_ok=True)


PARTICIPANTS_SCRIPT = """
import json
from django.utils import timezone
from consulta.consultations.models import Consultation, Recommendation
from consulta.registrations.links import personal_token
from consulta.registrations.models import Registration

consultation = Consultation.objects.get(slug=SLUG)
assert consultation.is_open(), "the rehearsal consultation must be open for feedback"
sessions = list(consultation.sessions.order_by("starts_at"))
now = timezone.now()
registrations = Registration.objects.bulk_create(
    Registration(
        session=sessions[i % len(sessions)], given_name=f"Bench {i}", family_name="Participant",
        email=f"bench-{i}@example.org", organisation="Benchmark", stakeholder_group="civil_society",
        country="KE", language="en", timezone="UTC", consented_at=now, status="confirmed",
        queued_at=now,
    )
    for i in range(COUNT)
)
live = consultation.recommendations.exclude(status=Recommendation.Status.WITHDRAWN)
print(json.dumps({
    "tokens": [personal_token(r) for r in registrations],
    "codes": [r.code for r in live.order_by("pk")],
    "pillar_of": {r.code: r.pillar.code for r in live.select_related("pillar")},
}))
"""


# ---------------------------------------------------------------------------------------------
# HTTP: a small keep-alive HTTP/1.1 client (Python clients are CPU hungry: this one is lean).


class HttpError(Exception):
    """The connection failed or closed mid-answer."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names, the last value of each
    body: bytes
    header_list: list[tuple[str, str]] = field(default_factory=list)  # every header, in order

    def cookies(self) -> dict[str, str]:
        """The cookies this response sets, by name."""
        return dict(
            re.match(r"\s*([^=]+)=([^;]*)", value).groups()
            for name, value in self.header_list
            if name == "set-cookie"
        )


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def request(self, method: str, path: str, headers=None, body: bytes = b"") -> Response:
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
            lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
            if body or method in ("POST", "PUT"):
                lines.append(f"Content-Length: {len(body)}")
            self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            status_line = await self.reader.readline()
            if not status_line:
                raise ConnectionResetError("closed by the server")
            status = int(status_line.split(b" ", 2)[1])
            header_list = []
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                header_list.append((name.strip().lower(), value.strip()))
            response_headers = dict(header_list)
            if "content-length" in response_headers:
                content = await self.reader.readexactly(int(response_headers["content-length"]))
            elif response_headers.get("transfer-encoding") == "chunked":
                content = b""
                while True:
                    size = int((await self.reader.readline()).strip(), 16)
                    content += await self.reader.readexactly(size + 2)
                    if size == 0:
                        break
            else:
                content = await self.reader.read()
                await self.close()
            if response_headers.get("connection", "").lower() == "close":
                await self.close()
            return Response(status, response_headers, content, header_list)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            await self.close()
            raise HttpError(str(error) or type(error).__name__) from None


# ---------------------------------------------------------------------------------------------
# Figures


@dataclass
class Tally:
    """What the clients saw: every request's status and latency, the acknowledged keys."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    acknowledged: set[str] = field(default_factory=set)
    retries: int = 0
    tracebacks: int = 0  # a 5xx whose body shows a traceback (must stay 0)
    bad_503: int = 0  # a 503 that is neither the API's JSON error nor the friendly page
    refusals: list = field(default_factory=list)  # a sample of other unexpected answers

    def record(self, status, seconds: float) -> None:
        self.statuses[status] += 1
        self.latencies.append(seconds)


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def latency_summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "p50": percentile(ordered, 0.50) * 1000,
        "p95": percentile(ordered, 0.95) * 1000,
        "p99": percentile(ordered, 0.99) * 1000,
        "max": (ordered[-1] * 1000) if ordered else float("nan"),
        "mean": (statistics.fmean(ordered) * 1000) if ordered else float("nan"),
    }


def table(rows: list[tuple[str, str]], title: str) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [title, "-" * len(title)]
    lines += [f"{name.ljust(width)}  {value}" for name, value in rows]
    return "\n".join(lines)


def stored_check(database: Postgres, acknowledged: set[str]) -> dict[str, int]:
    """Answers in the database against what the clients were told was saved."""
    rows = database.query(
        "SELECT submission_key, count(*) FROM feedback_answer WHERE submission_key LIKE 'bench-%%' "
        "GROUP BY submission_key"
    )
    stored = {key: count for key, count in rows}
    return {
        "acknowledged": len(acknowledged),
        "stored": len(stored),
        "acknowledged and stored": len(acknowledged & stored.keys()),
        "acknowledged, missing": len(acknowledged - stored.keys()),
        "stored twice or more": sum(1 for count in stored.values() if count > 1),
        "stored, never acknowledged": len(stored.keys() - acknowledged),
    }


def database_report(check: dict) -> tuple[str, bool]:
    ok = (
        check["acknowledged"] == check["acknowledged and stored"]
        and check["stored twice or more"] == 0
        and check["stored, never acknowledged"] == 0
    )
    rows = [(name, str(value)) for name, value in check.items()]
    rows.append(("verdict", "exactly the acknowledged answers, once each" if ok else "MISMATCH"))
    return table(rows, "Database check (every answer sent during the run)"), ok


class Cleanup:
    """Stops Consulta and removes the cluster on exit, Ctrl-C or SIGTERM."""

    def __init__(self, *steps):
        self.steps = list(steps)

    def __enter__(self):
        signal.signal(signal.SIGTERM, self._interrupted)
        return self

    def _interrupted(self, *_):
        raise KeyboardInterrupt

    def __exit__(self, *_):
        for step in reversed(self.steps):
            try:
                step()
            except Exception as error:  # keep cleaning up
                print(f"cleanup: {error}", file=sys.stderr)
        return False


# ---------------------------------------------------------------------------------------------
# Workloads


SUPPORT_VALUES = [0, 1, 2, 3, 4, 5, None]
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
RETRY_STATUSES = {500, 502, 503, 504}
REQUEST_TIMEOUT = 30.0


class Participant:
    """One client: a browser or an API client answering for its participants, one at a time."""

    def __init__(self, number: int, port: int, tokens: list[str], setup: dict, mode: str):
        self.number, self.tokens, self.mode = number, tokens, mode
        self.codes, self.pillar_of = setup["codes"], setup["pillar_of"]
        self.connection = Connection("127.0.0.1", port)
        self.cookies: dict[str, str] = {}
        self.form_token = ""
        self.sent = 0

    async def open_form(self) -> None:
        """A browser first loads a pillar page: CSRF cookie and the form's token."""
        token = self.tokens[0]
        pillar = self.pillar_of[self.codes[0]]
        response = await self.connection.request(
            "GET", f"/en/r/{token}/feedback/p/{pillar}/", {"Accept-Language": "en"}
        )
        self.cookies |= response.cookies()
        found = CSRF_FIELD.search(response.body)
        if response.status != 200 or not found:
            raise SystemExit(f"the pillar page answered {response.status} without a form")
        self.form_token = found.group(1).decode()

    def next_submission(self) -> tuple[str, str, str, dict, bytes, int]:
        """(key, method, path, headers, body, expected status) of the next answer to send."""
        n = self.sent
        self.sent += 1
        token = self.tokens[n % len(self.tokens)]
        code = self.codes[(n // len(self.tokens) + self.number) % len(self.codes)]
        key = f"bench-{secrets.token_hex(12)}"
        values = {
            "support": SUPPORT_VALUES[n % len(SUPPORT_VALUES)],
            "priority": 1 + n % 4,
            "comment": f"Benchmark comment {key[6:14]}: the wording should name the families.",
            "proposed_text": "",
        }
        if self.mode == "api":
            headers = {
                "X-Personal-Token": token,
                "Idempotency-Key": key,
                "Content-Type": "application/json",
                "Accept": "application/json",
            }
            body = json.dumps(values).encode()
            return key, "PUT", f"/api/v1/me/answers/{code}", headers, body, 200
        form = {
            "csrfmiddlewaretoken": self.form_token,
            "support": "" if values["support"] is None else str(values["support"]),
            "priority": str(values["priority"]),
            "comment": values["comment"],
            "proposed_text": "",
            "submission_key": key,
        }
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept-Language": "en",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = urllib.parse.urlencode(form).encode()
        return key, "POST", f"/en/r/{token}/feedback/a/{code}/", headers, body, 302

    def judge_failure(self, response: Response, tally: Tally) -> None:
        """A 5xx must never show a traceback; a 503 must be the API error or the plain page."""
        if b"Traceback" in response.body:
            tally.tracebacks += 1
        if response.status == 503:
            if self.mode == "api":
                try:
                    good = json.loads(response.body)["error"]["code"] == "unavailable"
                except (ValueError, KeyError, TypeError):
                    good = False
            else:
                good = b"Briefly unavailable" in response.body
            if not good:
                tally.bad_503 += 1

    async def submit(self, tally: Tally, measuring_from: float, give_up_at: float) -> None:
        """Send one answer; on 5xx or a broken connection send it again with the same key."""
        key, method, path, headers, body, expected = self.next_submission()
        delay = 0.1
        while True:
            started = time.perf_counter()
            try:
                response = await asyncio.wait_for(
                    self.connection.request(method, path, headers, body), REQUEST_TIMEOUT
                )
                status = response.status
            except (HttpError, TimeoutError):
                await self.connection.close()
                response, status = None, "connection error"
            if started >= measuring_from:
                tally.record(status, time.perf_counter() - started)
            if status == expected:
                tally.acknowledged.add(key)
                if response is not None and self.mode == "form":
                    self.cookies |= response.cookies()
                return
            if response is not None:
                self.judge_failure(response, tally)
            if status not in RETRY_STATUSES and status != "connection error":
                if response is not None and len(tally.refusals) < 5:
                    tally.refusals.append((self.mode, method, status, response.body[:2000]))
                return  # refused (4xx): counted, not retried
            if time.monotonic() > give_up_at:
                return
            tally.retries += 1
            await asyncio.sleep(delay * (0.5 + secrets.randbelow(1000) / 1000))
            delay = min(delay * 2, 1.0)


async def submission_load(
    port: int,
    setup: dict,
    *,
    clients: int,
    duration: float,
    warmup: float,
    form_share: float,
    during=None,
    cpu: CpuMeter | None = None,
) -> tuple[Tally, float]:
    """`clients` participants answering for `duration` seconds after `warmup`.

    Each client owns its participants (no two clients answer for the same person). Returns
    the tally and the measured seconds. `during(elapsed, tally)` is awaited once a second;
    `cpu` is started and stopped with the measured seconds.

    Clients arrive one by one over the first half of the warm-up, browsers and API clients
    interleaved, as people do, rather than all in the same millisecond. A kept-alive
    connection stays with the worker process that accepted it for the whole run, and a burst
    of simultaneous connections lands unevenly: once 32 of the 48 on one process and 16 on
    the other, whose clients then waited half as long as the first one's. The arrivals spread
    them as a steady stream of visitors would.
    """
    tokens = setup["tokens"]
    form_clients = round(clients * form_share)
    participants = [
        Participant(i, port, tokens[i::clients], setup, "form" if i < form_clients else "api")
        for i in range(clients)
    ]
    arrivals = sorted(
        participants,
        key=lambda p: (
            (p.number + 0.5) / form_clients
            if p.mode == "form"
            else (p.number - form_clients + 0.5) / (clients - form_clients)
        ),
    )
    spacing = warmup / 2 / clients
    tally = Tally()
    start = time.monotonic()
    measuring_from = time.perf_counter() + warmup
    stop_at = start + warmup + duration
    give_up_at = stop_at + 120  # retries go on after the end, so no acknowledged answer is lost

    async def client(participant: Participant, arrival: float):
        await asyncio.sleep(arrival)
        if participant.mode == "form":
            await participant.open_form()
        while time.monotonic() < stop_at:
            await participant.submit(tally, measuring_from, give_up_at)
        await participant.connection.close()

    async def ticker():
        while time.monotonic() < stop_at:
            await asyncio.sleep(1)
            await during(time.monotonic() - start - warmup, tally)

    async def metering():
        await asyncio.sleep(warmup)
        cpu.start()
        await asyncio.sleep(duration)
        cpu.stop()

    tasks = [client(p, n * spacing) for n, p in enumerate(arrivals)]
    if during is not None:
        tasks.append(ticker())
    if cpu is not None:
        tasks.append(metering())
    await asyncio.gather(*tasks)
    return tally, duration


async def page_load(
    port: int, path: str, *, clients: int, duration: float, warmup: float
) -> tuple[Tally, float]:
    """`clients` visitors reading `path` over and over (keep-alive), for `duration` seconds."""
    tally = Tally()
    measuring_from = time.perf_counter() + warmup
    stop_at = time.monotonic() + warmup + duration

    async def visitor():
        connection = Connection("127.0.0.1", port)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status = (await connection.request("GET", path, {"Accept-Language": "en"})).status
            except HttpError:
                status = "connection error"
            if started >= measuring_from:
                tally.record(status, time.perf_counter() - started)
        await connection.close()

    await asyncio.gather(*(visitor() for _ in range(clients)))
    return tally, duration
