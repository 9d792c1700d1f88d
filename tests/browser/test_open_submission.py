"""Open written submissions in a real browser: someone who could not attend writes in French
with the keyboard alone, confirms through the e-mailed link, and every page of the journey
passes axe-core in English and Arabic.

The 2024 demo keeps its real dates (closed by now), so the journey uses the rehearsal copy.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from consulta.feedback.models import Channel, Respondent
from consulta.feedback.submissions import (
    confirm_open_submission,
    confirmation_token,
    counted_respondents,
    start_open_submission,
)
from tests.browser.conftest import Visit, assert_no_serious_violation, translated
from tests.browser.test_participant_journey import choose_with_arrows, tab_to, type_into

EMAIL = "awa.ndiaye@example.org"
ORGANISATION = "Association des familles de migrants disparus"


def path_in(language, name, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def test_someone_writes_in_french_by_keyboard_and_confirms_through_the_emailed_link(
    site, rehearsal, new_page
):
    page = new_page(locale="fr")
    page.goto(site.url + path_in("fr", "open-submission", rehearsal.slug))
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    def field(label):
        return page.get_by_label(translated(label, "fr"), exact=True)

    # About you, by keyboard.
    type_into(page, field("E-mail"), EMAIL)
    type_into(page, field("Organisation"), ORGANISATION)
    choose_with_arrows(page, field("Stakeholder group"), "migrant_led")
    choose_with_arrows(page, field("Country"), "SN")
    # The page's language is proposed for the e-mail.
    expect(field("Preferred language")).to_have_value("fr")
    consent = field("I agree to the privacy notice")
    tab_to(page, consent)
    page.keyboard.press("Space")
    expect(consent).to_be_checked()

    # MM-1: Tab enters the support scale on its first point; arrows move to "agree".
    first_point = page.locator('input[name="MM-1-support"][value="1"]')
    agree = page.locator('input[name="MM-1-support"][value="4"]')
    tab_to(page, first_point)
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(agree).to_be_checked()
    type_into(
        page,
        page.get_by_label(translated("Comment on %(code)s", "fr") % {"code": "MM-1"}),
        "Un seul point de contact pour les familles.",
    )
    send = page.get_by_role("button", name=translated("Send my submission", "fr"), exact=True)
    tab_to(page, send)
    page.keyboard.press("Enter")

    # "Check your e-mail", in French.
    page.wait_for_url(site.url + path_in("fr", "open-submission-sent", rehearsal.slug))
    expect(page.get_by_role("status").get_by_role("heading")).to_have_text(
        translated("Check your e-mail", "fr")
    )
    respondent = Respondent.objects.get(channel=Channel.OPEN_SUBMISSION)
    assert respondent.confirmed_at is None
    assert (respondent.stakeholder_group, respondent.country) == ("migrant_led", "SN")
    (answer,) = respondent.answers.all()
    assert (answer.recommendation.code, answer.support) == ("MM-1", 4)

    # The e-mail's link, opened, shows a button; only pressing it confirms.
    (message,) = [m for m in mail.outbox if EMAIL in m.to]
    found = re.search(r"https?://\S+/submit/confirm/[^/\s]+/", message.body)
    assert found, message.body
    link = found.group(0)
    assert link.startswith(f"{site.url}/fr/")
    page.goto(link)
    respondent.refresh_from_db()
    assert respondent.confirmed_at is None
    confirm = page.get_by_role("button", name=translated("Confirm my submission", "fr"), exact=True)
    tab_to(page, confirm)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(
        translated("Thank you: your submission now counts.", "fr")
    )
    expect(page.get_by_role("main")).not_to_contain_text(EMAIL)
    expect(page.get_by_role("main")).not_to_contain_text(ORGANISATION)
    respondent.refresh_from_db()
    assert respondent.confirmed_at is not None
    assert respondent in counted_respondents(rehearsal)


# Accessibility.

LANGUAGES = ["en", "ar"]


def a_submission(rehearsal) -> Respondent:
    return start_open_submission(
        rehearsal,
        {
            "email": "layla.haddad@example.org",
            "organisation": "Arab Network for Migrants' Rights",
            "stakeholder_group": "civil_society",
            "country": "JO",
            "language": "ar",
            "attribution": "chatham_house",
            "consent": True,
        },
        {rehearsal.recommendations.get(code="HA-1"): {"support": 5}},
        submission_key="accessibility-check-key-01",
    )


def confirm_path(rehearsal, language, *, confirmed=False) -> str:
    respondent = a_submission(rehearsal)
    if confirmed:
        confirm_open_submission(respondent)
    return path_in(
        language, "open-submission-confirm", rehearsal.slug, confirmation_token(respondent)
    )


def send_empty(page, language):
    page.get_by_role("button", name=translated("Send my submission", language), exact=True).click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#answers_error")).to_be_visible()


PAGES = {
    "form": Visit(lambda r, d, lang: path_in(lang, "open-submission", r.slug)),
    "form with errors": Visit(
        lambda r, d, lang: path_in(lang, "open-submission", r.slug), send_empty
    ),
    "check your e-mail": Visit(lambda r, d, lang: path_in(lang, "open-submission-sent", r.slug)),
    "confirm": Visit(lambda r, d, lang: confirm_path(r, lang)),
    "confirmed": Visit(lambda r, d, lang: confirm_path(r, lang, confirmed=True)),
    "closed": Visit(lambda r, d, lang: path_in(lang, "open-submission", d.slug)),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_the_open_submission_pages_have_no_serious_accessibility_violation(
    name, language, site, rehearsal, demo_2024, new_page
):
    assert_no_serious_violation(name, PAGES[name], language, site, rehearsal, demo_2024, new_page)
