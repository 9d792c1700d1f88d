"""axe-core on every public page, in English and in Arabic (right to left): no serious or
critical WCAG 2.x A/AA violation.

The pages send a Content-Security-Policy with `script-src 'self'`, which would block the
injected axe-core script: these tests' browser contexts bypass the CSP (`bypass_csp=True`).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from consulta.registrations import actions
from consulta.registrations.links import personal_token
from tests.browser.conftest import describe_violations, run_axe, translated

LANGUAGES = ["en", "ar"]


@dataclass
class Visit:
    """How to reach a page: its address, and what to do there before axe looks."""

    path: Callable  # (rehearsal, demo_2024, language) -> path
    then: Callable | None = None  # (page, language) -> None


def path_in(language, name, *args, query=""):
    with translation.override(language):
        return reverse(name, args=args) + query


def register_path(rehearsal, language, query=""):
    return path_in(language, "register", rehearsal.slug, "asia-pacific", query=query)


def submit_empty(page, language):
    page.get_by_role("button", name=translated("Register", language), exact=True).click()
    expect(page.locator("#error-summary")).to_be_visible()


def personal_path(rehearsal, language):
    session = rehearsal.sessions.get(key="asia-pacific")
    registration = actions.register_participant(
        session,
        {
            "given_name": "Layla",
            "family_name": "Haddad",
            "email": "layla.haddad@example.org",
            "organisation": "Arab Network for Migrants' Rights",
            "stakeholder_group": "civil_society",
            "country": "JO",
            "language": "en",
            "needs": "",
            "attribution": "chatham_house",
            "timezone": "Asia/Amman",
        },
    ).registration
    return path_in(language, "personal", personal_token(registration))


PAGES = {
    "home": Visit(lambda r, d, lang: path_in(lang, "home")),
    "consultation": Visit(lambda r, d, lang: path_in(lang, "consultation", r.slug)),
    "consultation, zone chosen": Visit(
        lambda r, d, lang: path_in(lang, "consultation", r.slug, query="?tz=Asia/Bangkok")
    ),
    "consultation, unknown zone refused": Visit(
        lambda r, d, lang: path_in(lang, "consultation", r.slug, query="?tz=Mars/Olympus")
    ),
    "session": Visit(lambda r, d, lang: path_in(lang, "session", r.slug, "asia-pacific")),
    "register form": Visit(lambda r, d, lang: register_path(r, lang)),
    "register form with errors": Visit(lambda r, d, lang: register_path(r, lang), submit_empty),
    "check your e-mail": Visit(lambda r, d, lang: register_path(r, lang, query="?sent=1")),
    "registration closed": Visit(lambda r, d, lang: register_path(d, lang)),
    "privacy": Visit(lambda r, d, lang: path_in(lang, "privacy")),
    "personal page": Visit(lambda r, d, lang: personal_path(r, lang)),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_has_no_serious_accessibility_violation(
    name, language, site, rehearsal, demo_2024, new_page
):
    visit = PAGES[name]
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
