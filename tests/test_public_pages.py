"""What anyone sees without logging in: the consultation, its sessions in their zone, in
their language, with no organiser-only warning and no personal data."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from consulta.definitions.loader import load_text
from consulta.registrations import actions
from tests.conftest import as_yaml, participant

pytestmark = pytest.mark.django_db


def page(client, name, *args, language="en", **params):
    with translation.override(language):
        url = reverse(name, args=args)
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_consultation_page_shows_what_the_note_says(client, demo):
    html = page(client, "consultation", demo.slug)
    assert demo.title in html
    assert "30,000 deaths and disappearances" in html
    assert "Paragraph 76" in html
    assert "Present the draft recommendations" in html
    assert "Objective 8: Save lives and establish coordinated international efforts" in html
    assert "Objective 23: Strengthen international cooperation" in html
    assert "GCM Talk" in html and "Nairobi" in html
    assert "Missing Migrants Project" in html
    for code in ("MM-1", "MM-6", "HA-1", "HA-4"):
        assert f'id="rec-{code}"' in html
    assert "Illustrative: these texts were written for this demonstration" in html
    assert "ICRC" in html and "UNHCR" in html


def test_untranslated_recommendations_say_they_fall_back_to_english(client, demo):
    html = page(client, "consultation", demo.slug, language="fr")
    mm1 = html[html.index('id="rec-MM-1"') : html.index('id="rec-MM-2"')]
    mm5 = html[html.index('id="rec-MM-5"') : html.index('id="rec-MM-6"')]
    assert demo.recommendations.get(code="MM-1").title_fr in mm1
    assert "fallback" not in mm1
    assert 'class="fallback"' in mm5
    assert 'lang="en"' in mm5
    assert escape(demo.recommendations.get(code="MM-5").text_en) in mm5


def test_without_a_chosen_zone_times_are_in_utc_and_the_organisers(client, demo):
    html = page(client, "consultation", demo.slug)
    assert "Thu 1 Feb 2024, 08:00–10:30 UTC (09:00–11:30 CET)" in html
    assert "Times are shown in UTC and in the organiser" in html


def test_a_chosen_zone_is_used_and_remembered(client, demo):
    html = page(client, "consultation", demo.slug, tz="Asia/Bangkok")
    assert "Thu 1 Feb 2024, 15:00–17:30 Bangkok (09:00–11:30 CET)" in html
    assert 'value="Asia/Bangkok"' in html
    again = page(client, "session", demo.slug, "lac")
    assert "Mon 29 Jan 2024, 23:00–01:30 Bangkok (17:00–19:30 CET)" in again
    panama = page(client, "session", demo.slug, "lac", tz="America/Panama")
    assert "11:00–13:30" in panama


def test_an_unknown_zone_is_refused_with_a_message(client, demo):
    html = page(client, "consultation", demo.slug, tz="Mars/Olympus")
    assert "“Mars/Olympus” is not a time zone we know." in html
    assert "08:00–10:30 UTC" in html


def test_dates_are_written_in_the_page_language(client, demo):
    html = page(client, "consultation", demo.slug, language="es", tz="America/Panama")
    assert "lun 29 ene 2024, 11:00–13:30" in html
    russian = page(client, "consultation", demo.slug, language="ru")
    assert "чт 1 февр. 2024" in russian


def test_arabic_pages_are_right_to_left(client, demo):
    html = page(client, "consultation", demo.slug, language="ar")
    assert '<html lang="ar" dir="rtl">' in html
    english = page(client, "consultation", demo.slug, language="en")
    assert '<html lang="en" dir="ltr">' in english


def test_the_language_switcher_links_to_the_same_page_in_each_language(client, demo):
    html = page(client, "session", demo.slug, "europe")
    for code in ("en", "fr", "es", "ar", "ru"):
        assert f'href="/{code}/c/{demo.slug}/s/europe/" hreflang="{code}"' in html


def test_the_session_page_has_the_programme_in_both_zones_and_no_warning(client, demo):
    html = page(client, "session", demo.slug, "asia-pacific", tz="Asia/Bangkok")
    assert "15:00–15:05 Bangkok" in html and "09:00–09:05 CET" in html
    assert "16:20–16:30 Bangkok" in html and "10:20–10:30 CET" in html
    assert "Opening remarks" in html and "Moderator: UNNM Secretariat" in html
    assert "unscheduled" not in html


def test_seats_left_are_shown_when_a_session_has_a_capacity(client, demo, before_the_sessions):
    europe = demo.sessions.get(key="europe")
    europe.capacity = 40
    europe.save()
    actions.register_participant(europe, participant())
    html = page(client, "session", demo.slug, "europe")
    assert "<dd>39</dd>" in html


def test_drafts_are_not_public(demo, demo_document, organiser_client):
    demo_document |= {"slug": "draft-round", "status": "draft"}
    load_text(as_yaml(demo_document))
    client = Client()
    assert client.get("/en/c/draft-round/").status_code == 404
    assert client.get("/en/c/draft-round/s/africa/").status_code == 404
    assert organiser_client.get("/en/c/draft-round/").status_code == 200


def test_the_consultation_page_needs_the_same_queries_however_many_sessions(
    client, demo, demo_document, before_the_sessions
):
    url = reverse("consultation", args=[demo.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as five_sessions:
        client.get(url)
    europe = demo_document["sessions"][4]
    demo_document["sessions"] += [
        {
            **europe,
            "key": f"extra-{day}",
            "start": f"2024-02-{day} 14:00",
            "end": f"2024-02-{day} 16:30",
        }
        for day in range(10, 25)
    ]
    load_text(as_yaml(demo_document))
    for i, session in enumerate(demo.sessions.all()):
        actions.register_participant(session, participant(email=f"p{i}@example.org", language="en"))
    with CaptureQueriesContext(connection) as twenty_sessions:
        client.get(url)
    assert len(twenty_sessions) == len(five_sessions)
    session_url = reverse("session", args=[demo.slug, "extra-10"])
    with CaptureQueriesContext(connection) as one_session:
        client.get(session_url)
    assert len(one_session) <= 6


def test_pages_forbid_inline_scripts_and_outside_assets(client, demo):
    response = client.get(reverse("consultation", args=[demo.slug]))
    policy = response["Content-Security-Policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]
    assert "default-src 'self'" in policy
    html = response.content.decode()
    assert "<script>" not in html and "http://cdn" not in html and "https://cdn" not in html
    assert response["X-Frame-Options"] == "DENY"


def test_the_privacy_notice_says_who_sees_what(client):
    html = page(client, "privacy")
    assert "Only the organisers of the consultation see your name and e-mail address" in html
