"""Nothing runs in a real browser: Chromium opens every page that shows the XSS payloads of
tests/security/payloads.py (seeded through the write paths by tests/security/seed.py) and a
participant saves payloads through the JavaScript answer form, whose word diff is inserted
into the page. A dialog, `window.__xss` being set, or a script blocked by the page's policy
fails the test.

The pages are opened with the Content-Security-Policy bypassed: the policy would stop an
injected script, and this test is about escaping, which must hold without it.
"""

import re

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from consulta.demo import DEMO_FILE
from consulta.feedback.submissions import confirmation_token
from consulta.registrations.actions import register_participant
from consulta.registrations.links import personal_token
from tests.security.payloads import PAYLOADS
from tests.security.seed import seed

WATCH = """
window.__dialogs = [];
document.addEventListener('securitypolicyviolation', e => {
  if (e.effectiveDirective.startsWith('script')) (window.__blocked = window.__blocked || []).push(e.effectiveDirective);
});
"""


@pytest.fixture
def seeded(transactional_db):
    organiser = get_user_model().objects.create_superuser(
        "xss.organiser", "xss.organiser@secretariat.example", "a long test password"
    )
    seeded = seed(yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")), organiser)
    seeded.organiser = organiser
    return seeded


def watched_page(new_page, site, user=None):
    page = new_page(bypass_csp=True)
    page.context.add_init_script("sessionStorage.setItem('consulta-zone-proposed', '1')")
    page.context.add_init_script(WATCH)
    dialogs = []

    def refuse(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    if user is not None:
        client = Client()
        client.force_login(user)
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site.url}]
        )
    return page, dialogs


def assert_nothing_ran(page, dialogs, where):
    page.wait_for_timeout(150)  # autofocus, onload and animation handlers fire by now
    assert dialogs == [], f"{where}: a dialog opened: {dialogs}"
    assert page.evaluate("window.__xss") is None, f"{where}: a payload set window.__xss"
    assert page.evaluate("window.__blocked || []") == [], f"{where}: an injected script"


def visit(page, dialogs, url):
    response = page.goto(url)
    assert response is not None and response.status < 400, f"{url}: {response and response.status}"
    assert_nothing_ran(page, dialogs, url)


def test_no_payload_runs_on_the_public_and_participant_pages(seeded, site, new_page):
    page, dialogs = watched_page(new_page, site)
    slug = seeded.consultation.slug
    urls = [f"/en/c/{slug}/", f"/en/c/{slug}/s/africa/", f"/en/c/{slug}/s/europe/"]
    for registration in seeded.registrations[:6]:
        token = personal_token(registration)
        urls += [
            f"/en/r/{token}/",
            f"/en/r/{token}/feedback/",
            f"/en/r/{token}/feedback/summary/",
            f"/en/r/{token}/feedback/p/MM/",
        ]
    urls.append(f"/en/c/{slug}/submit/confirm/{confirmation_token(seeded.open_respondents[-1])}/")
    for url in urls:
        visit(page, dialogs, site.url + url)
    expect(page.locator("body")).not_to_be_empty()


def test_no_payload_runs_on_the_organiser_pages(seeded, site, new_page):
    page, dialogs = watched_page(new_page, site, user=seeded.organiser)
    slug = seeded.consultation.slug
    codes = list(seeded.consultation.recommendations.values_list("code", flat=True)[:3])
    urls = [f"/en/manage/{slug}/registrations/?page={n}" for n in (1, 2, 3, 4)]
    urls += [f"/en/manage/{slug}/feedback/?recommendation={code}" for code in codes]
    urls += [
        f"/en/manage/{slug}/s/africa/capture/",
        f"/en/manage/{slug}/synthesis/",
        f"/en/manage/{slug}/synthesis/r/{codes[0]}/",
        f"/en/manage/{slug}/revisions/",
        f"/en/manage/{slug}/revisions/{codes[0]}/",
        f"/en/manage/{slug}/revisions/{codes[0]}/versions/",
        f"/en/manage/{slug}/report/",
    ]
    for url in urls:
        visit(page, dialogs, site.url + url)
    # The payloads are on the pages, as text.
    page.goto(site.url + urls[0])
    expect(page.get_by_text(PAYLOADS[0]).first).to_be_visible()


def test_payloads_saved_through_the_javascript_answer_form_run_nothing(rehearsal, site, new_page):
    session = rehearsal.sessions.get(key="africa")
    registration = register_participant(
        session,
        {
            "given_name": PAYLOADS[0],
            "family_name": PAYLOADS[12],
            "email": "payload@example.org",
            "organisation": PAYLOADS[20],
            "stakeholder_group": "civil_society",
            "country": "KE",
            "language": "en",
            "attribution": "organisation",
        },
    ).registration
    page, dialogs = watched_page(new_page, site)
    token = personal_token(registration)
    visit(page, dialogs, f"{site.url}/en/r/{token}/feedback/p/MM/")

    article = page.locator("article#rec-MM-1")
    article.get_by_label("Comment").fill(PAYLOADS[13])
    article.get_by_label("Proposed rewording").fill(f"{PAYLOADS[1]} {PAYLOADS[17]} {PAYLOADS[41]}")
    article.get_by_role("button", name=re.compile(r"^Save\b")).click()
    expect(article.get_by_role("status")).to_have_text("Saved")
    expect(article.locator(".diff")).to_contain_text("<script>alert(1)</script>")
    assert_nothing_ran(page, dialogs, "after saving through the answer form")

    visit(page, dialogs, f"{site.url}/en/r/{token}/feedback/summary/")
    expect(page.get_by_text(PAYLOADS[13]).first).to_be_visible()
    visit(page, dialogs, f"{site.url}/en/r/{token}/")
