"""The synthesis dashboard in a browser, in English and in Arabic (right to left): axe-core finds
no serious or critical WCAG 2.x A/AA violation on the dashboard or on a recommendation's page,
the charts show as labelled images, and a table cell leads to the answers behind it.

The pages send a Content-Security-Policy with `script-src 'self'`, which would block the
injected axe-core script: these tests' browser contexts bypass the CSP (`bypass_csp=True`).
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.conftest import describe_violations, run_axe, translated
from tests.feedback_data import populate

LANGUAGES = ["en", "ar"]


@pytest.fixture
def organiser(transactional_db):
    return get_user_model().objects.create_superuser(
        "amina.organiser", "amina@secretariat.example", "a long demo password"
    )


@pytest.fixture
def consultation(demo_2024, organiser):
    """The 2024 consultation with the known feedback of tests/feedback_data.py."""
    return populate(demo_2024, organiser).consultation


@pytest.fixture
def logged_in(new_page, site, organiser):
    """Opens a page whose browser context is logged in as the organiser."""

    def open_page(language: str):
        client = Client()
        client.force_login(organiser)
        page = new_page(locale=language, bypass_csp=True)
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site.url}]
        )
        page.context.add_init_script("sessionStorage.setItem('consulta-zone-proposed', '1')")
        return page

    return open_page


def path_in(language, name, *args):
    with translation.override(language):
        return reverse(name, args=args)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("which", ["dashboard", "recommendation"])
def test_the_synthesis_pages_have_no_serious_accessibility_violation(
    which, language, site, consultation, logged_in
):
    if which == "dashboard":
        path = path_in(language, "manage-synthesis", consultation.slug)
    else:
        path = path_in(language, "manage-synthesis-recommendation", consultation.slug, "MM-2")
    page = logged_in(language)
    response = page.goto(site.url + path)
    assert response is not None and response.ok, f"HTTP {response and response.status}"
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    title = "Support for each recommendation" if which == "dashboard" else "Support for %(code)s"
    support = page.get_by_role("img", name=translated(title, language) % {"code": "MM-2"})
    expect(support).to_be_visible()

    violations = run_axe(page)

    assert not violations, (
        f"{which} ({language}, {page.url}): {len(violations)} serious or critical "
        f"accessibility violation(s):\n{describe_violations(violations)}"
    )


def test_the_dashboard_shows_four_charts_and_leads_from_a_cell_to_its_answers(
    site, consultation, logged_in
):
    page = logged_in("en")
    page.goto(site.url + path_in("en", "manage-synthesis", consultation.slug))
    for title in (
        "Support for each recommendation",
        "Priorities: chance of being preferred and mean priority",
        "Share supporting, by region",
        "Participation by session",
    ):
        expect(page.get_by_role("img", name=title)).to_be_visible()

    table = page.get_by_role("table", name="Share supporting, by region: the numbers")
    row = table.get_by_role("row").filter(has_text="MM-2")
    row.get_by_role("link", name="0 % (20)", exact=True).click()

    expect(page.get_by_role("heading", level=3, name="20 answers counted")).to_be_visible()
    expect(page.get_by_label("Region (session)")).to_have_value("europe")
    expect(page.get_by_role("combobox", name="Recommendation")).to_have_value("MM-2")


def test_filtering_the_dashboard_by_region_states_the_filter_above_the_figures(
    site, consultation, logged_in
):
    page = logged_in("en")
    page.goto(site.url + path_in("en", "manage-synthesis", consultation.slug))
    page.get_by_role("combobox", name="Region").select_option("Europe")
    page.get_by_role("button", name="Apply").click()

    expect(page.locator("#active-filters")).to_contain_text("Region: Europe")
    expect(page.get_by_text("20 respondents")).to_be_visible()
