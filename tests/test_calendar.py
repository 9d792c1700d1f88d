"""Calendar files: RFC 5545, stable UIDs, UTC times, and a SEQUENCE that follows changes."""

from datetime import UTC

import icalendar
import pytest

from consulta.definitions.loader import load_text
from consulta.meetings.models import Session
from tests.conftest import as_yaml

pytestmark = pytest.mark.django_db


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_the_consultation_feed_lists_every_session_in_utc(client, demo):
    calendar = parse(client.get(f"/c/{demo.slug}/calendar.ics"))
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["VERSION"] == "2.0"
    events = calendar.walk("VEVENT")
    starts = sorted(
        e.decoded("DTSTART").astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ") for e in events
    )
    assert starts == [
        "2024-01-29T13:00Z",
        "2024-01-29T16:00Z",
        "2024-02-01T08:00Z",
        "2024-02-01T13:00Z",
        "2024-02-02T13:00Z",
    ]
    assert all(e.decoded("DTSTART").tzinfo is not None for e in events)
    assert b"DTSTART:20240201T080000Z" in client.get(f"/c/{demo.slug}/calendar.ics").content


def test_the_uid_is_stable_across_downloads_and_languages(client, demo):
    first = parse(client.get(f"/c/{demo.slug}/s/asia-pacific/calendar.ics"))
    again = parse(client.get(f"/c/{demo.slug}/s/asia-pacific/calendar.ics?lang=ru"))
    (event,) = first.walk("VEVENT")
    (event_ru,) = again.walk("VEVENT")
    assert event["UID"] == event_ru["UID"] == "missing-migrants-2024.asia-pacific@127.0.0.1"


def test_the_summary_is_in_the_requested_language_and_the_description_has_the_programme(
    client, demo
):
    (event,) = parse(client.get(f"/c/{demo.slug}/s/africa/calendar.ics?lang=fr")).walk("VEVENT")
    assert "Africa" in str(event["SUMMARY"])
    description = str(event["DESCRIPTION"])
    assert "14:00–14:05 Opening remarks (UNNM Secretariat)" in description
    assert "14:35–15:20 Discussion (Moderator: UNNM Secretariat)" in description
    assert "/fr/c/missing-migrants-2024/s/africa/" in str(event["URL"])


def test_the_join_link_is_in_the_description_when_there_is_one(client, demo):
    Session.objects.filter(key="europe").update(join_url="https://zoom.example/j/123")
    (event,) = parse(client.get(f"/c/{demo.slug}/s/europe/calendar.ics")).walk("VEVENT")
    assert "https://zoom.example/j/123" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "https://zoom.example/j/123"


def test_the_sequence_increases_when_the_organiser_changes_a_session(client, demo, demo_document):
    def sequence():
        (event,) = parse(client.get(f"/c/{demo.slug}/s/arab-states/calendar.ics")).walk("VEVENT")
        return int(event["SEQUENCE"])

    assert sequence() == 0
    load_text(as_yaml(demo_document))
    assert sequence() == 0, "an unchanged file changes nothing"
    demo_document["sessions"][3]["end"] = "2024-02-01 17:00"
    load_text(as_yaml(demo_document))
    assert sequence() == 1
    demo_document["sessions"][3]["programme"][3]["duration"] = 60
    load_text(as_yaml(demo_document))
    assert sequence() == 2


def test_drafts_and_unknown_consultations_have_no_calendar(client, demo):
    assert client.get("/c/nothing-here/calendar.ics").status_code == 404
    assert client.get(f"/c/{demo.slug}/s/atlantis/calendar.ics").status_code == 404
    demo.status = "draft"
    demo.save()
    assert client.get(f"/c/{demo.slug}/calendar.ics").status_code == 404
