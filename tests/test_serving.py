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
from unittest import mock

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


# ---------------------------------------------------------------------------------------------
# Public pages kept a few seconds for anonymous visitors (in-process, Django's test client).


@pytest.fixture
def page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 5


def rename(consultation, title):
    type(consultation).objects.filter(pk=consultation.pk).update(title=title)


@pytest.mark.django_db
def test_anonymous_visitors_get_the_kept_page_until_it_expires(client, demo, page_cache):
    url = f"/en/c/{demo.slug}/"
    assert demo.title in client.get(url).content.decode()
    rename(demo, "A title changed a moment ago")
    assert demo.title in client.get(url).content.decode(), "kept for a few seconds"
    later = time.monotonic() + 6
    with mock.patch("consulta.serving.page_cache.time.monotonic", return_value=later):
        assert "A title changed a moment ago" in client.get(url).content.decode()


@pytest.mark.django_db
def test_each_language_and_time_zone_has_its_own_copy(client, demo, page_cache):
    english = client.get(f"/en/c/{demo.slug}/").content.decode()
    french = client.get(f"/fr/c/{demo.slug}/").content.decode()
    assert '<html lang="en"' in english and '<html lang="fr"' in french
    client.cookies["consulta_tz"] = "Asia/Bangkok"
    in_bangkok = client.get(f"/en/c/{demo.slug}/").content.decode()
    assert in_bangkok != english
    assert 'data-chosen="Asia/Bangkok"' in in_bangkok
    assert "data-chosen=" not in english


@pytest.mark.django_db
def test_signed_in_people_always_get_a_fresh_page(organiser_client, demo, page_cache):
    url = f"/en/c/{demo.slug}/"
    organiser_client.get(url)
    rename(demo, "A title changed a moment ago")
    assert "A title changed a moment ago" in organiser_client.get(url).content.decode()


@pytest.mark.django_db
def test_pages_with_a_form_token_are_never_kept(client, demo, page_cache, before_the_sessions):
    url = f"/en/c/{demo.slug}/s/africa/register/"
    first = client.get(url)
    client.cookies.clear()
    second = client.get(url)
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
