"""Live capture in a real browser: a moderator types three points with the keyboard alone
while a second moderator of the same session watches them arrive without reloading; axe finds
no serious or critical problem on the capture screen, in English and in Arabic.

Moderators are not staff: they log in on the capture login page (the admin's own login page
accepts staff accounts only). The rehearsal copy of the demo is open, so capture is open.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from consulta.feedback import actions
from consulta.feedback.models import CapturedPoint, SessionModerator
from tests.browser.conftest import describe_violations, run_axe, translated

PASSWORD = "a long moderator password"
# Polling runs every 5 seconds: a new point shows up on another screen within about 6.
ARRIVAL_MS = 7_000


def path_in(language, name, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def moderator(session, username):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    SessionModerator.objects.create(session=session, user=user)
    return user


def log_in(page, site, username, target) -> None:
    """Open `target`, get sent to the login page, log in with the keyboard, come back."""
    page.goto(f"{site.url}{target}")
    username_field = page.locator("#id_username")
    expect(username_field).to_be_focused()  # the login form focuses it by itself
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}{target}")


def focused(page, locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


@pytest.fixture
def africa(rehearsal):
    return rehearsal.sessions.get(key="africa")


def test_a_moderator_captures_three_points_by_keyboard_and_a_colleague_sees_them_arrive(
    site, africa, new_page
):
    moderator(africa, "kofi.moderator")
    moderator(africa, "fatou.rapporteur")
    target = path_in("en", "capture", africa.consultation.slug, africa.key)

    watcher = new_page()
    log_in(watcher, site, "fatou.rapporteur", target)
    watcher.evaluate("() => { window.stillTheSamePage = true; }")
    watcher_rows = watcher.locator("#points-body tr[data-point]")
    expect(watcher_rows).to_have_count(0)

    page = new_page()
    log_in(page, site, "kofi.moderator", target)
    note = page.locator("#id_note")
    recommendation = page.locator("#id_recommendation")
    group = page.locator("#id_stakeholder_group")
    country = page.locator("#id_country")
    expect(page.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    expect(note).to_be_focused()

    # 1. Topic, group and country by shortcut and Tab; the stance by Alt+2; saved by Ctrl+Enter.
    page.keyboard.press("Alt+R")
    expect(recommendation).to_be_focused()
    page.keyboard.press("ArrowDown")  # General -> MM-1
    expect(recommendation).to_have_value("MM-1")
    page.keyboard.press("Tab")
    assert focused(page, group)
    page.keyboard.press("ArrowDown")  # Choose a group -> Member State
    expect(group).to_have_value("member_state")
    page.keyboard.press("Alt+C")
    expect(country).to_be_focused()
    page.keyboard.type("Kenya")
    expect(country).to_have_value("KE")
    page.keyboard.press("Alt+N")
    expect(note).to_be_focused()
    page.keyboard.type("Families need one contact point per country.")
    page.keyboard.press("Enter")  # a new line in the note, not a submission
    page.keyboard.type("Mentioned twice.")
    expect(note).to_have_value("Families need one contact point per country.\nMentioned twice.")
    page.keyboard.press("Alt+2")
    expect(page.get_by_label("Concerns")).to_be_checked()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#points-count")).to_have_text("1")
    expect(page.get_by_role("status").first).to_contain_text("Point saved.")

    # 2. The next speaker on the same topic: only the note and the stance to give.
    expect(recommendation).to_have_value("MM-1")
    expect(group).to_have_value("member_state")
    expect(country).to_have_value("KE")
    expect(note).to_be_focused()
    expect(note).to_have_value("")
    page.keyboard.type("Supports a regional helpline.")
    page.keyboard.press("Alt+1")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#points-count")).to_have_text("2")

    # 3. Another topic, a question.
    expect(note).to_be_focused()
    page.keyboard.press("Alt+R")
    page.keyboard.press("ArrowDown")  # MM-1 -> MM-2
    expect(recommendation).to_have_value("MM-2")
    page.keyboard.press("Alt+N")
    page.keyboard.type("How will data protection work across borders?")
    page.keyboard.press("Alt+4")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#points-count")).to_have_text("3")

    rows = page.locator("#points-body tr[data-point]")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("How will data protection work across borders?")
    expect(rows.nth(0)).to_contain_text("MM-2")
    expect(rows.nth(0)).to_contain_text("Question")
    expect(rows.nth(1)).to_contain_text("Supports a regional helpline.")
    expect(rows.nth(2)).to_contain_text("Kenya")
    expect(rows.nth(2)).to_contain_text("Concerns")
    assert [p.stance for p in CapturedPoint.objects.order_by("pk")] == [
        "concerns",
        "supports",
        "question",
    ]

    # The colleague's screen caught up by itself, without reloading, and offers no edit link.
    expect(watcher_rows).to_have_count(3, timeout=ARRIVAL_MS)
    expect(watcher_rows.nth(0)).to_contain_text("How will data protection work across borders?")
    expect(watcher.locator("#points-count")).to_have_text("3")
    assert watcher.evaluate("() => window.stillTheSamePage === true")
    expect(watcher.locator("#points-body").get_by_role("link")).to_have_count(0)

    # A point of theirs shows up on the first screen in the same way.
    fatou = get_user_model().objects.get(username="fatou.rapporteur")
    actions.capture_point(
        africa,
        fatou,
        {
            "stakeholder_group": "academia",
            "country": "GH",
            "stance": "supports",
            "note": "<b>x</b>",
        },
        submission_key="fatou-1",
    )
    expect(rows).to_have_count(4, timeout=ARRIVAL_MS)
    expect(rows.nth(0).locator("td.note")).to_have_text("<b>x</b>")  # text, never markup
    expect(rows.nth(0).locator("b")).to_have_count(0)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_capture_screen_has_no_serious_accessibility_violation(
    site, africa, new_page, language
):
    user = moderator(africa, "kofi.moderator")
    actions.capture_point(
        africa,
        user,
        {"stakeholder_group": "civil_society", "country": "KE", "stance": "concerns", "note": "A"},
        submission_key="a11y-1",
    )
    page = new_page(locale=language, bypass_csp=True)
    target = path_in(language, "capture", africa.consultation.slug, africa.key)

    page.goto(f"{site.url}{target}")
    login_violations = run_axe(page)
    assert not login_violations, describe_violations(login_violations)

    log_in(page, site, "kofi.moderator", target)
    expect(page.locator("html")).to_have_attribute("lang", language)
    violations = run_axe(page)
    assert not violations, describe_violations(violations)

    # With every field in error, too.
    page.keyboard.press("Alt+N")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#note-error")).to_have_text(
        translated("Write a short note of the point made.", language)
    )
    violations = run_axe(page)
    assert not violations, describe_violations(violations)
