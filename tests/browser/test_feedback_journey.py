"""A registered participant gives feedback through their personal link, in a real browser.

Wanjiru (civil society, Kenya) registered for the Africa session of the rehearsal (open,
its sessions two to three weeks ahead). She answers two recommendations, one with a proposed
rewording, compares recommendations two by two, changes an answer and reads her summary.
With JavaScript an answer is saved without the page reloading; without it, the page comes
back at the recommendation.
"""

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from consulta.feedback import actions as feedback
from consulta.feedback.models import Answer, PairwiseChoice
from consulta.registrations import actions as registrations
from consulta.registrations.links import personal_token
from tests.browser.conftest import describe_violations, run_axe, translated
from tests.conftest import participant


def feedback_url(site, name, token, *args, language="en") -> str:
    with translation.override(language):
        return site.url + reverse(f"participant_feedback:{name}", args=[token, *args])


@pytest.fixture
def wanjiru(rehearsal):
    session = rehearsal.sessions.get(key="africa")
    return registrations.register_participant(session, participant()).registration


def recommendation(page, code):
    return page.locator(f"article#rec-{code}")


def save_button(article):
    return article.get_by_role("button", name=re.compile(r"^Save\b"))


def current_answer(registration, code) -> Answer:
    return Answer.objects.get(
        respondent__registration=registration, recommendation__code=code, is_current=True
    )


def test_a_participant_answers_prioritises_and_changes_an_answer_without_reloads(
    site, rehearsal, wanjiru, new_page
):
    token = personal_token(wanjiru)
    page = new_page()

    # 1. The overview leads to the pillar's page.
    page.goto(feedback_url(site, "overview", token))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your feedback on the draft recommendations"
    )
    progress = page.get_by_role("table")
    expect(progress.get_by_role("row", name=re.compile("Missing migrants"))).to_contain_text(
        "0 of 6"
    )
    progress.get_by_role("link", name="Missing migrants").click()
    pillar_url = feedback_url(site, "pillar", token, "MM")
    page.wait_for_url(pillar_url)
    page.evaluate("window.stillTheSamePage = true")

    # 2. MM-1: support, priority and a rewording. Saved without the page reloading.
    mm1 = recommendation(page, "MM-1")
    expect(mm1.locator(".badge")).to_have_text("Illustrative")
    current_text = rehearsal.recommendations.get(code="MM-1").text_en
    first_word = current_text.split()[0]
    rewording = current_text.replace(first_word, "All", 1)
    mm1.get_by_role("group", name="How much do you support it?").get_by_label(
        "Agree", exact=True
    ).check()
    mm1.get_by_role("group", name="How high a priority is it?").get_by_label("High").check()
    mm1.get_by_label("Proposed rewording").fill(rewording)
    save_button(mm1).click()
    expect(mm1.get_by_role("status")).to_have_text("Saved")
    assert page.url == pillar_url
    assert page.evaluate("window.stillTheSamePage") is True
    # The rewording is shown against the current text, at once.
    expect(mm1.locator(".diff del")).to_contain_text(first_word)
    expect(mm1.locator(".diff ins")).to_contain_text("All")
    expect(mm1.locator(".diff del .visually-hidden")).to_have_text("removed: ")

    # Changing it again on the same page makes a new version (the form got a fresh key).
    mm1.get_by_label("Essential").check()
    expect(mm1.get_by_role("status")).to_have_text("")
    save_button(mm1).click()
    expect(mm1.get_by_role("status")).to_have_text("Saved")
    assert current_answer(wanjiru, "MM-1").priority == 4
    assert Answer.objects.filter(recommendation__code="MM-1").count() == 2

    # 3. MM-2: a comment only.
    mm2 = recommendation(page, "MM-2")
    mm2.get_by_label("Comment").fill("Families need news, whatever the outcome.")
    mm2.get_by_role("group", name="How much do you support it?").get_by_label(
        "Strongly agree"
    ).check()
    save_button(mm2).click()
    expect(mm2.get_by_role("status")).to_have_text("Saved")
    assert page.evaluate("window.stillTheSamePage") is True
    assert current_answer(wanjiru, "MM-2").comment == "Families need news, whatever the outcome."

    # 4. Three pairwise choices: one of each button.
    page.get_by_role("navigation", name="Your feedback").get_by_role(
        "link", name="Which should come first?"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Which should come first in the final report?"
    )
    count = page.locator("#choice-count")
    expect(count).to_have_text("You have made 0 choices.")
    question = page.get_by_role("form", name="Which should come first in the final report?")
    question.locator("button.pair-choice").first.click()
    expect(count).to_have_text("You have made 1 choice.")
    expect(page.get_by_role("status")).to_have_text(
        "Your choice is recorded. Here is another pair."
    )
    question.locator("button.pair-choice").last.click()
    expect(count).to_have_text("You have made 2 choices.")
    question.get_by_role("button", name="Can't decide").click()
    expect(count).to_have_text("You have made 3 choices.")
    choices = list(PairwiseChoice.objects.order_by("pk"))
    assert len(choices) == 3
    assert choices[0].chosen_id == choices[0].first_id
    assert choices[1].chosen_id == choices[1].second_id
    assert choices[2].chosen is None

    # 5. From the summary, change the answer on MM-1.
    page.get_by_role("link", name="Your answers").click()
    summary_item = recommendation(page, "MM-1")
    expect(summary_item.locator(".answer-support")).to_have_text("Agree")
    summary_item.get_by_role("link", name=re.compile("Change your answer")).click()
    page.wait_for_url(re.compile(r"/feedback/p/MM/#rec-MM-1$"))
    mm1 = recommendation(page, "MM-1")
    expect(mm1.get_by_label("Agree", exact=True)).to_be_checked()
    expect(mm1.get_by_label("Proposed rewording")).to_have_value(rewording)
    mm1.get_by_label("Strongly disagree").check()
    mm1.get_by_label("Comment").fill("On reflection, no.")
    save_button(mm1).click()
    expect(mm1.get_by_role("status")).to_have_text("Saved")

    # 6. The summary shows the latest answer.
    page.goto(feedback_url(site, "summary", token))
    summary_item = recommendation(page, "MM-1")
    expect(summary_item.locator(".answer-support")).to_have_text("Strongly disagree")
    expect(summary_item.locator(".answer-priority")).to_have_text("Essential")
    expect(summary_item.locator(".answer-comment")).to_have_text("On reflection, no.")
    expect(summary_item.locator(".diff ins")).to_contain_text("All")
    expect(recommendation(page, "MM-2").locator(".answer-comment")).to_have_text(
        "Families need news, whatever the outcome."
    )
    expect(recommendation(page, "HA-1")).to_contain_text("Not answered")
    assert Answer.objects.filter(recommendation__code="MM-1", is_current=False).count() == 2


def test_without_javascript_a_saved_answer_brings_the_page_back_at_its_recommendation(
    site, rehearsal, wanjiru, new_page
):
    token = personal_token(wanjiru)
    page = new_page(java_script_enabled=False)
    page.goto(feedback_url(site, "pillar", token, "HA"))
    ha2 = recommendation(page, "HA-2")
    current_text = rehearsal.recommendations.get(code="HA-2").text_en
    ha2.get_by_label("Proposed rewording").fill(current_text + " Without delay.")
    ha2.get_by_label("Medium").check()
    save_button(ha2).click()
    page.wait_for_url(feedback_url(site, "pillar", token, "HA") + "#rec-HA-2")
    ha2 = recommendation(page, "HA-2")
    expect(ha2.get_by_role("status")).to_have_text("Saved")
    expect(ha2.locator(".diff ins")).to_contain_text("Without delay.")
    expect(ha2.get_by_label("Medium")).to_be_checked()
    assert current_answer(wanjiru, "HA-2").priority == 2


def test_a_closed_consultation_says_so_when_javascript_saves(site, rehearsal, wanjiru, new_page):
    token = personal_token(wanjiru)
    page = new_page()
    page.goto(feedback_url(site, "pillar", token, "MM"))
    feedback.close_consultation(rehearsal)
    mm3 = recommendation(page, "MM-3")
    mm3.get_by_label("Comment").fill("Too late?")
    save_button(mm3).click()
    expect(mm3.get_by_role("status")).to_have_text(
        "The consultation is closed: answers can no longer be changed."
    )
    assert not Answer.objects.exists()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_feedback_pages_pass_axe(site, rehearsal, wanjiru, new_page, language):
    respondent = feedback.respondent_for_registration(wanjiru)
    mm1 = rehearsal.recommendations.get(code="MM-1")
    feedback.save_answer(
        respondent,
        mm1,
        {"support": 4, "priority": 3, "proposed_text": "All " + mm1.text_en, "comment": "Yes."},
        submission_key=uuid.uuid4().hex,
    )
    token = personal_token(wanjiru)
    page = new_page(bypass_csp=True, locale=language)
    for name, args in [
        ("overview", []),
        ("pillar", ["MM"]),
        ("pillar", ["HA"]),
        ("summary", []),
        ("prioritise", []),
    ]:
        page.goto(feedback_url(site, name, token, *args, language=language))
        expect(page.locator("html")).to_have_attribute("lang", language)
        if language == "ar":
            expect(page.locator("html")).to_have_attribute("dir", "rtl")
            nav = page.get_by_role("navigation", name=translated("Your feedback", "ar"))
            expect(nav).to_be_visible()
        violations = run_axe(page)
        assert not violations, f"{name} {args} ({language}):\n{describe_violations(violations)}"
