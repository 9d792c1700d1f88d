"""Revisions in a real browser: a co-lead logs in on the login page for non-staff accounts,
revises a recommendation linking an answer, and reads the diff in the version history; axe
finds no serious or critical problem on any revision page, in English and in Arabic.

Until consulta.revisions is wired into consulta/settings.py and consulta/urls.py, run this
module with `--ds=tests.revisions_settings`.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from consulta.feedback.models import Answer
from consulta.revisions import actions
from consulta.revisions.models import PillarCoLead
from tests.browser.conftest import describe_violations, run_axe, translated
from tests.feedback_data import PLANTED_EMAILS, PLANTED_NAMES, populate

PASSWORD = "a long co-lead password"


def path_in(language, name, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


@pytest.fixture
def heard(demo_2024):
    moderator = get_user_model().objects.create_user("kofi.moderator", password=PASSWORD)
    return populate(demo_2024, moderator).consultation


@pytest.fixture
def kwame(heard):
    user = get_user_model().objects.create_user("kwame.colead", password=PASSWORD)
    PillarCoLead.objects.create(user=user, pillar=heard.pillars.get(code="MM"))
    return user


def log_in(page, site, target) -> None:
    """Open `target`, get sent to the login page, log in with the keyboard, come back."""
    page.goto(f"{site.url}{target}")
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type("kwame.colead")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}{target}")


def test_a_co_lead_revises_a_recommendation_and_reads_the_diff(site, heard, kwame, page):
    target = path_in("en", "revisions-revise", heard.slug, "MM-1")
    log_in(page, site, target)
    answer = (
        Answer.objects.filter(recommendation__code="MM-1", recommendation__consultation=heard)
        .exclude(proposed_text="")
        .first()
    )

    text = page.get_by_label("Text (English)")
    text.fill("States should fund forensic identification and coordinate search and rescue.")
    page.locator(f"#answer-{answer.pk}").check()
    page.get_by_label("Why does the text change?").fill("Two rewordings asked for funding.")
    page.get_by_role("button", name="Save as a new version").click()

    page.wait_for_url(f"{site.url}{path_in('en', 'revisions-versions', heard.slug, 'MM-1')}")
    expect(page.get_by_role("status")).to_contain_text("Saved as version 2")
    version_2 = page.locator("article", has=page.get_by_role("heading", name="Version 2"))
    expect(version_2.locator("ins").first).to_contain_text("fund forensic identification")
    expect(version_2).to_contain_text("Two rewordings asked for funding.")
    expect(version_2).to_contain_text("States should fund forensic identification.")
    content = page.content()
    for planted in [*PLANTED_NAMES, *PLANTED_EMAILS]:
        assert planted not in content


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_revision_pages_have_no_serious_accessibility_violation(
    site, heard, kwame, new_page, language
):
    mm2 = heard.recommendations.get(code="MM-2")
    texts = mm2.texts()
    texts["en"] = {**texts["en"], "text": "States should share data through one mechanism."}
    actions.revise_with_links(
        mm2,
        texts,
        by=kwame,
        rationale="Asked for in Africa.",
        answers=Answer.objects.filter(recommendation=mm2).exclude(comment="")[:2],
    )
    actions.keep_with_reason(heard.recommendations.get(code="MM-1"), by=kwame, reason="Agreed.")
    page = new_page(locale=language, bypass_csp=True)
    overview = path_in(language, "revisions", heard.slug)

    page.goto(f"{site.url}{overview}")
    violations = run_axe(page)  # the login page
    assert not violations, describe_violations(violations)

    log_in(page, site, overview)
    expect(page.locator("html")).to_have_attribute("lang", language)
    for target in (
        overview,
        path_in(language, "revisions-revise", heard.slug, "MM-2"),
        path_in(language, "revisions-versions", heard.slug, "MM-2"),
    ):
        page.goto(f"{site.url}{target}")
        violations = run_axe(page)
        assert not violations, f"{target}\n{describe_violations(violations)}"

    # The revision form with every error shown.
    page.goto(f"{site.url}{path_in(language, 'revisions-revise', heard.slug, 'MM-2')}")
    page.locator("#id_title_en").fill("")
    page.get_by_role("button", name=translated("Save as a new version", language)).click()
    expect(page.locator("#error-summary")).to_be_visible()
    violations = run_axe(page)
    assert not violations, describe_violations(violations)
