"""A participant's journey through the public pages, in a real browser.

Someone in Bangkok reads the consultation in Arabic, sees the sessions at their own clock time,
registers with the keyboard alone, finds the invitation in their e-mail and cancels through
their personal link. The 2024 demo keeps its real dates (registration closed), so the
registration part uses the rehearsal copy, moved two to three weeks ahead.
"""

import re
from datetime import UTC
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from consulta.registrations import actions
from consulta.registrations.links import personal_token
from consulta.registrations.models import Registration
from tests.browser.conftest import translated

BANGKOK = "Asia/Bangkok"
EMAIL = "somchai.participant@example.org"


def reverse_in(name, language, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def url(site, name, *args, language="en", query="") -> str:
    return f"{site.url}{reverse_in(name, language, *args)}{query}"


def label_in(label, language) -> str:
    """A model choice's label as the app shows it in `language`."""
    with translation.override(language):
        return str(label)


def tab_to(page, target, limit=120) -> None:
    """Press Tab until `target` has the focus, as a keyboard user does; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{target} was not reached with {limit} presses of Tab")


def type_into(page, field, text: str) -> None:
    tab_to(page, field)
    page.keyboard.type(text)
    expect(field).to_have_value(text)


def choose_with_arrows(page, select, value: str) -> None:
    """Tab to a <select> and pick `value` with the arrow keys, the list staying closed.

    (Typing the start of an option's name works for Latin letters only: Playwright cannot
    press Arabic keys, so arrows it is; a keyboard user may do the same.)
    """
    tab_to(page, select)
    values = select.evaluate("element => Array.from(element.options, o => o.value)")
    moves = values.index(value) - values.index(select.input_value())
    for _ in range(abs(moves)):
        page.keyboard.press("ArrowDown" if moves > 0 else "ArrowUp")
    expect(select).to_have_value(value)


def session_row(page, region: str):
    return page.locator("table.sessions tbody tr").filter(
        has=page.get_by_role("rowheader", name=region, exact=True)
    )


def bangkok_slot(session) -> str:
    """'15:00–17:30': the session's clock range in Bangkok, computed from the database."""
    zone = ZoneInfo(BANGKOK)
    return f"{session.starts_at.astimezone(zone):%H:%M}–{session.ends_at.astimezone(zone):%H:%M}"


def the_invitation(message) -> icalendar.Calendar:
    calendars = [a for a in message.attachments if a[0].endswith(".ics") or "text/calendar" in a[2]]
    assert len(calendars) == 1, f"expected one .ics attachment, got {message.attachments!r}"
    return icalendar.Calendar.from_ical(calendars[0][1])


def test_a_participant_in_bangkok_reads_in_arabic_registers_by_keyboard_and_cancels_by_link(
    site, demo_2024, rehearsal, new_page
):
    # The browser says Mexico City; the participant says Bangkok.
    page = new_page(locale="ar", timezone_id="America/Mexico_City")

    # 1. The 2024 consultation in Arabic is laid out right to left.
    page.goto(url(site, "consultation", demo_2024.slug, language="ar"))
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text(demo_2024.title)

    # 2. On the first visit the page proposes the browser's zone by itself (zone.js) ...
    zone_form = page.locator("#zone-form")
    expect(zone_form).to_have_attribute("data-chosen", "America/Mexico_City")
    # ... and the participant types theirs instead: the Asia-Pacific session of 1 February
    # 2024, 08:00 UTC, is at 15:00 in Bangkok (09:00 in Paris, the organiser's CET).
    zone_input = page.get_by_label(translated("Show times in my time zone", "ar"))
    zone_input.fill(BANGKOK)
    zone_input.press("Enter")
    page.wait_for_url(re.compile(r"[?&]tz=Asia%2FBangkok"))
    expect(zone_input).to_have_value(BANGKOK)
    asia_pacific = session_row(page, "Asia-Pacific")
    expect(asia_pacific).to_contain_text("15:00–17:30")
    expect(asia_pacific).to_contain_text("09:00–11:30")
    expect(asia_pacific).to_contain_text("CET")
    expect(html).to_have_attribute("dir", "rtl")

    # 3. The rehearsal is open. The chosen zone is remembered (a cookie): Bangkok times.
    session = rehearsal.sessions.get(key="asia-pacific")
    assert session.registration_open()
    page.goto(url(site, "consultation", rehearsal.slug, language="ar"))
    asia_pacific = session_row(page, "Asia-Pacific")
    expect(asia_pacific).to_contain_text(bangkok_slot(session))

    # 4. From here on, the keyboard only: Tab to the session's "Register" link, Enter.
    register_link = asia_pacific.locator(
        f'a[href="{reverse_in("register", "ar", rehearsal.slug, session.key)}"]'
    )
    # Screen-reader users hear which session the link is for.
    expect(register_link).to_have_accessible_name(re.compile("Asia-Pacific"))
    tab_to(page, register_link)
    page.keyboard.press("Enter")
    page.wait_for_url(url(site, "register", rehearsal.slug, session.key, language="ar"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main .lead")).to_contain_text(bangkok_slot(session))

    def field(label):
        return page.get_by_label(translated(label, "ar"), exact=True)

    type_into(page, field("Given name"), "Somchai")
    type_into(page, field("Family name"), "Participant")
    type_into(page, field("E-mail"), EMAIL)
    type_into(page, field("Organisation"), "Migrant Workers Rights Network")
    choose_with_arrows(page, field("Stakeholder group"), "civil_society")
    choose_with_arrows(page, field("Country"), "TH")
    # The session is held in English only: the one language offered, already chosen.
    expect(field("Preferred language")).to_have_value("en")
    type_into(page, field("Interpretation or accessibility needs"), "Captions, please")
    # The radio group: Tab lands on the chosen option (Chatham House); an arrow picks the next.
    chatham_house = page.locator('input[name="attribution"][value="chatham_house"]')
    organisation = page.locator('input[name="attribution"][value="organisation"]')
    expect(chatham_house).to_be_checked()
    tab_to(page, chatham_house)
    page.keyboard.press("ArrowDown")
    expect(organisation).to_be_checked()
    consent = field("I agree to the privacy notice")
    tab_to(page, consent)
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    tab_to(page, page.get_by_role("button", name=translated("Register", "ar"), exact=True))
    page.keyboard.press("Enter")

    # 5. "Check your e-mail", still in Arabic, still at Bangkok time.
    page.wait_for_url(re.compile(r"\?sent=1$"))
    status = page.get_by_role("status")
    expect(status.get_by_role("heading")).to_have_text(translated("Check your e-mail", "ar"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main .lead")).to_contain_text(bangkok_slot(session))

    registration = Registration.objects.get(session=session, email=EMAIL)
    assert registration.status == Registration.Status.CONFIRMED
    assert (registration.country, registration.stakeholder_group) == ("TH", "civil_society")
    assert registration.attribution == "organisation"
    assert registration.needs == "Captions, please"
    assert registration.timezone == BANGKOK

    # 6. The confirmation e-mail: Bangkok time in its text, and the invitation attached,
    # starting at the session's start in UTC.
    sent = [m for m in mail.outbox if EMAIL in m.to]
    assert len(sent) == 1, [m.subject for m in mail.outbox]
    message = sent[0]
    assert bangkok_slot(session) in message.body
    events = the_invitation(message).walk("VEVENT")
    assert len(events) == 1
    assert events[0].decoded("dtstart") == session.starts_at
    expected = session.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert events[0]["DTSTART"].to_ical().decode() == expected  # e.g. 20240201T080000Z

    # 7. The personal link in the e-mail opens the registration.
    found = re.search(r"https?://\S+/r/[^/\s]+/", message.body)
    assert found, f"no personal link in the e-mail:\n{message.body}"
    personal_link = found.group(0)
    assert personal_link.startswith(site.url)
    page.goto(personal_link)
    shown_in = page.locator("html").get_attribute("lang")
    registration_status = page.locator("#registration-status")
    expect(registration_status).to_have_text(
        label_in(Registration.Status.CONFIRMED.label, shown_in)
    )
    expect(page.get_by_role("main")).to_contain_text("Migrant Workers Rights Network")
    expect(page.get_by_role("main")).to_contain_text(bangkok_slot(session))

    # 8. Cancel, by keyboard: the status says so, on the page and in the database.
    cancel = page.get_by_role("button", name=translated("Cancel my registration", shown_in))
    tab_to(page, cancel)
    page.keyboard.press("Enter")
    expect(registration_status).to_have_text(
        label_in(Registration.Status.CANCELLED.label, shown_in)
    )
    expect(page.get_by_role("status")).to_have_text(
        translated("Your registration is cancelled.", shown_in)
    )
    expect(cancel).to_have_count(0)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_without_javascript_the_page_shows_utc_and_the_organisers_time_and_the_zone_form_works(
    site, demo_2024, new_page
):
    page = new_page(java_script_enabled=False, timezone_id=BANGKOK)
    page.goto(url(site, "consultation", demo_2024.slug))
    asia_pacific = session_row(page, "Asia-Pacific")
    expect(asia_pacific).to_contain_text("Thu 1 Feb 2024, 08:00–10:30 UTC (09:00–11:30 CET)")
    expect(page.locator("#tz-help")).to_contain_text(
        "Times are shown in UTC and in the organiser's time zone until you choose."
    )

    zone_input = page.get_by_label("Show times in my time zone")
    zone_input.fill(BANGKOK)
    page.get_by_role("button", name="Show times").click()
    expect(asia_pacific).to_contain_text("Thu 1 Feb 2024, 15:00–17:30 Bangkok (09:00–11:30 CET)")

    # The choice is kept: the session page shows the programme in both zones.
    page.get_by_role("link", name="Asia-Pacific", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Asia-Pacific session")
    expect(page.locator("dl.facts")).to_contain_text("15:00–17:30 Bangkok (09:00–11:30 CET)")
    expect(page.get_by_role("columnheader", name="Organiser's time")).to_be_visible()

    # A zone that does not exist is refused, and said so.
    zone_input = page.get_by_label("Show times in my time zone")
    zone_input.fill("Mars/Olympus_Mons")
    zone_input.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("“Mars/Olympus_Mons” is not a time zone")


def test_on_the_first_visit_the_page_shows_the_browsers_zone_without_being_asked(
    site, demo_2024, new_page
):
    page = new_page(timezone_id=BANGKOK)
    page.goto(url(site, "consultation", demo_2024.slug))
    expect(page.locator("#zone-form")).to_have_attribute("data-chosen", BANGKOK)
    expect(page.get_by_label("Show times in my time zone")).to_have_value(BANGKOK)
    expect(session_row(page, "Asia-Pacific")).to_contain_text("15:00–17:30 Bangkok")

    # Only once per browser session: with the choice forgotten (cookie gone), the page is
    # not sent again on its own; it shows UTC, the browser's zone ready in the form.
    page.context.clear_cookies()
    page.goto(url(site, "consultation", demo_2024.slug))
    expect(page.get_by_label("Show times in my time zone")).to_have_value(BANGKOK)
    expect(page.locator("#zone-form")).not_to_have_attribute("data-chosen", re.compile(".*"))
    expect(session_row(page, "Asia-Pacific")).to_contain_text("08:00–10:30 UTC")
    assert "tz=" not in page.url


def test_cancelling_again_from_a_second_tab_shows_the_cancelled_registration(
    site, rehearsal, new_page
):
    session = rehearsal.sessions.get(key="asia-pacific")
    registration = actions.register_participant(
        session,
        {
            "given_name": "Somchai",
            "family_name": "Participant",
            "email": EMAIL,
            "organisation": "Migrant Workers Rights Network",
            "stakeholder_group": "civil_society",
            "country": "TH",
            "language": "en",
            "attribution": "chatham_house",
            "timezone": BANGKOK,
        },
    ).registration
    link = url(site, "personal", personal_token(registration))
    first = new_page()
    second = first.context.new_page()
    first.goto(link)
    second.goto(link)
    first.get_by_role("button", name="Cancel my registration").click()
    expect(first.locator("#registration-status")).to_have_text("Cancelled")

    # The second tab still shows the button, and someone presses it.
    with second.expect_navigation() as navigation:
        second.get_by_role("button", name="Cancel my registration").click()
    # A second cancel (or an unknown action) once gave a server error.
    assert navigation.value.status < 500, f"HTTP {navigation.value.status} after a second cancel"
    expect(second.locator("#registration-status")).to_have_text("Cancelled")
