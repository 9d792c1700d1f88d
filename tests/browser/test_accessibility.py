"""axe-core on every public page, in English and in Arabic (right to left): no serious or
critical WCAG 2.x A/AA violation.

The pages send a Content-Security-Policy with `script-src 'self'`, which would block the
injected axe-core script: these tests' browser contexts bypass the CSP (`bypass_csp=True`).
"""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from consulta.registrations import actions
from consulta.registrations.links import personal_token
from tests.browser.conftest import Visit, assert_no_serious_violation, translated

LANGUAGES = ["en", "ar"]


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
    assert_no_serious_violation(name, PAGES[name], language, site, rehearsal, demo_2024, new_page)
