"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser for the whole test session, a fresh context (cookies, storage, locale, time zone)
for every test. Nothing is downloaded: Playwright launches /usr/bin/chromium, which `bin/setup`
installs from Debian's packages, and axe-core comes from node_modules (`bin/setup` runs npm).
"""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from consulta.definitions.loader import load_file
from consulta.demo import DEMO_FILE, REHEARSAL_SLUG

# Playwright's sync API runs an asyncio event loop in this thread; Django refuses ORM calls
# from a thread with a running loop unless told that this is deliberate (tests only).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's own waits: long enough for a slow CI machine, short enough to fail usefully.
TIMEOUT_MS = 15_000


def translated(text: str, language: str) -> str:
    """`text` as the app shows it in `language` (English until a translation exists)."""
    with translation.override(language):
        return gettext(text)


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run bin/setup (it installs Debian's chromium)")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser):
    """Opens pages, each in its own new context: `new_page(locale=…, timezone_id=…, …)`.

    Takes any option of `browser.new_context`; every context is closed after the test.
    """
    contexts = []

    def open_page(*, locale="en-GB", timezone_id="UTC", **options):
        context = browser.new_context(locale=locale, timezone_id=timezone_id, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def context_options() -> dict:
    """Options for the `page` fixture's context; override or parametrize it in a test module,
    e.g. `{"locale": "ar", "timezone_id": "Asia/Bangkok", "java_script_enabled": False}`."""
    return {}


@pytest.fixture
def page(new_page, context_options):
    """A page in a fresh context (English locale and UTC unless `context_options` say else)."""
    return new_page(**context_options)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The registration limit counts attempts per client in the cache: start every test at 0."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(live_server, settings):
    """The live server, with e-mailed links (SITE_URL) pointing at it."""
    settings.SITE_URL = live_server.url
    return live_server


@pytest.fixture
def demo_2024(transactional_db):
    """The 2024 consultation with its real dates (all sessions past: registration closed)."""
    return load_file(DEMO_FILE).consultation


@pytest.fixture
def rehearsal(transactional_db):
    """The demo moved so that its sessions start two to three weeks from today: open."""
    first_day = timezone.localdate() + timedelta(days=14)
    return load_file(DEMO_FILE, shift_to=first_day, slug=REHEARSAL_SLUG).consultation


def run_axe(page) -> list[dict]:
    """axe-core's serious and critical WCAG 2.x A/AA violations on the page as it is now.

    The page's Content-Security-Policy (script-src 'self') blocks an injected script: open
    the page in a context made with `bypass_csp=True`.
    """
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run bin/setup (it runs npm ci)")
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
        })"""
    )
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def describe_violations(violations: list[dict]) -> str:
    """One paragraph per violation: rule, what it asks, impact and the offending elements."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary']!r}")
    return "\n".join(lines)


@dataclass
class Visit:
    """How to reach a page: its address, and what to do there before axe looks."""

    path: Callable  # (rehearsal, demo_2024, language) -> path
    then: Callable | None = None  # (page, language) -> None


def assert_no_serious_violation(name, visit, language, site, rehearsal, demo_2024, new_page):
    """Open the page as `visit` says, in `language`, and fail on any serious or critical
    accessibility violation that axe finds."""
    page = new_page(locale=language, bypass_csp=True)
    # zone.js proposes the browser's zone once per browser session by sending the zone form;
    # mark it as done so that the page stays put while axe looks at it.
    page.context.add_init_script("sessionStorage.setItem('consulta-zone-proposed', '1')")
    response = page.goto(site.url + visit.path(rehearsal, demo_2024, language))
    assert response is not None and response.ok, f"{name}: HTTP {response and response.status}"
    expect(page.locator("html")).to_have_attribute("lang", language)
    if visit.then:
        visit.then(page, language)

    violations = run_axe(page)

    assert not violations, (
        f"{name} ({language}, {page.url}): {len(violations)} serious or critical "
        f"accessibility violation(s):\n{describe_violations(violations)}"
    )
