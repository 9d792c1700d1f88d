"""`consulta serve` runs Consulta under gunicorn with its static files, and /healthz answers.

One real server, started the way production starts it (DEBUG off, SQLite in a temporary
home), on a free loopback port.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

STARTUP_SECONDS = 180  # the first start collects and compresses the static files


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("consulta-home")
    inherited_by_tests = ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in inherited_by_tests}
    env |= {
        "DJANGO_SETTINGS_MODULE": "consulta.settings",
        "CONSULTA_HOME": str(home),
        "SECRET_KEY": "serve-test-" + "x" * 50,
        "HTTPS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    consulta = [sys.executable, "-m", "consulta.cli"]
    subprocess.run([*consulta, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    port = free_port()
    process = subprocess.Popen(
        [*consulta, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            fetch(base + "/healthz")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.communicate()[0]
                pytest.fail("consulta serve did not start:\n" + output)
            time.sleep(0.2)
    yield base, home, process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    process.stdout.close()


def test_healthz_says_the_database_answers(server):
    base, _, _ = server
    status, _, body = fetch(base + "/healthz")
    assert status == 200
    assert body == b'{"status": "ok", "database": "ok"}'


def test_pages_are_served_by_gunicorn_without_debug(server):
    base, _, _ = server
    status, headers, body = fetch(base + "/en/")
    assert status == 200
    assert headers["Server"].startswith("gunicorn")
    status, _, body = fetch(base + "/en/no-such-page/")
    assert status == 404
    assert b"Traceback" not in body


def test_static_files_are_collected_hashed_compressed_and_cached_for_good(server):
    base, home, _ = server
    page = fetch(base + "/en/")[2].decode()
    start = page.index("/static/front/consulta.")
    stylesheet = page[start : page.index('"', start)]
    assert stylesheet != "/static/front/consulta.css", "the name carries the file's hash"
    assert (home / "static" / stylesheet.removeprefix("/static/")).exists()
    status, headers, _ = fetch(base + stylesheet, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_serve_stops_cleanly_on_sigterm(server):
    _, _, process = server
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=30)[0]
    assert process.returncode == 0
    assert "with 1 workers × 2 threads (gthread)" in output
    assert "Traceback" not in output


def test_a_wrong_worker_count_is_named(tmp_path):
    env = os.environ | {"CONSULTA_HOME": str(tmp_path), "WEB_CONCURRENCY": "many"}
    result = subprocess.run(
        [sys.executable, "-m", "consulta.cli", "serve", "--no-collectstatic"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "WEB_CONCURRENCY='many' is not a whole number of workers" in result.stderr


def test_collected_files_stay_out_of_the_repository():
    assert "/static/" in Path(".gitignore").read_text().splitlines() or not Path("static").exists()
