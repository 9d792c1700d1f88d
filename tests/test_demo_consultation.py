"""The built-in demo expresses the information note exactly."""

from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from consulta.consultations.models import ServedObjective
from consulta.demo import DEMO_SLUG

pytestmark = pytest.mark.django_db


def test_the_five_sessions_start_at_the_notes_times_in_utc(demo):
    assert demo.slug == DEMO_SLUG
    starts = [
        (s.region, s.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ"))
        for s in demo.sessions.all()
    ]
    assert starts == [
        ("Africa", "2024-01-29T13:00Z"),
        ("Latin America and the Caribbean", "2024-01-29T16:00Z"),
        ("Asia-Pacific", "2024-02-01T08:00Z"),
        ("Arab States", "2024-02-01T13:00Z"),
        ("Europe", "2024-02-02T13:00Z"),
    ]
    assert {(s.ends_at - s.starts_at).seconds // 60 for s in demo.sessions.all()} == {150}


def test_each_session_keeps_the_notes_languages_and_platform(demo):
    languages = {s.key: s.languages for s in demo.sessions.all()}
    assert languages == {
        "africa": ["fr", "en"],
        "lac": ["es", "en"],
        "asia-pacific": ["en"],
        "arab-states": ["en", "ar"],
        "europe": ["en", "ru"],
    }
    assert {s.platform for s in demo.sessions.all()} == {"Zoom"}


def test_the_asia_pacific_session_is_afternoon_in_bangkok_and_evening_in_fiji(demo):
    session = demo.sessions.get(key="asia-pacific")
    assert session.starts_at.astimezone(ZoneInfo("Asia/Bangkok")).strftime("%H:%M") == "15:00"
    assert session.starts_at.astimezone(ZoneInfo("Pacific/Fiji")).strftime("%H:%M") == "20:00"
    assert session.local_start().strftime("%a %H:%M") == "Thu 09:00"
    lac = demo.sessions.get(key="lac")
    assert lac.starts_at.astimezone(ZoneInfo("America/Panama")).strftime("%H:%M") == "11:00"


def test_programme_items_get_clock_times_from_the_session_start(demo):
    afternoon = demo.sessions.get(key="africa")
    zone = afternoon.zone()
    times = [f"{start.astimezone(zone):%H:%M}" for _, start, _ in afternoon.schedule()]
    assert times == ["14:00", "14:05", "14:20", "14:35", "15:20"]
    morning = demo.sessions.get(key="asia-pacific")
    times = [f"{start.astimezone(zone):%H:%M}" for _, start, _ in morning.schedule()]
    assert times == ["09:00", "09:05", "09:20", "09:35", "10:20"]


def test_every_session_warns_of_sixty_unscheduled_minutes(demo):
    for session in demo.sessions.all():
        assert session.programme_warnings() == [
            "the programme lasts 90 minutes in a 150-minute slot: 60 minutes are unscheduled"
        ]


def test_the_programme_follows_the_note(demo):
    session = demo.sessions.get(key="africa")
    items = [(i.duration_minutes, i.title, i.role) for i in session.programme.all()]
    assert [d for d, _, _ in items] == [5, 15, 15, 45, 10]
    assert items[0][2] == "UNNM Secretariat"
    assert items[3][1] == "Discussion" and items[3][2] == "Moderator: UNNM Secretariat"


def test_the_mandate_co_leads_objectives_and_timeline_are_there(demo):
    assert "76" in demo.mandate
    assert sorted(o.short_name for o in demo.co_leads.all()) == ["ICRC", "IFRC", "IOM", "UNHCR"]
    assert demo.framework.objectives.count() == 23
    served = {(s.objective.number, s.role) for s in demo.served_objectives.all()}
    assert {n for n, role in served if role == ServedObjective.Role.PRIMARY} == {8}
    assert {n for n, role in served if role == ServedObjective.Role.RELATED} == {
        3,
        7,
        12,
        13,
        15,
        23,
    }
    assert demo.aims.count() == 2
    dated = [(e.starts_on.isoformat(), e.place) for e in demo.timeline.all() if e.starts_on]
    assert [d for d, _ in dated] == ["2023-03-23", "2023-06-08", "2023-08-29", "2023-09-29"]
    assert any("Nairobi" in place for _, place in dated)
    assert demo.timeline.count() == 8


def test_the_recommendations_are_labelled_illustrative_and_fall_back_to_english(demo):
    recommendations = list(demo.recommendations.all())
    assert 8 <= len(recommendations) <= 12
    assert {r.pillar.code for r in recommendations} == {"MM", "HA"}
    assert all(r.illustrative for r in recommendations)
    assert all("Illustrative" in r.text_en for r in recommendations)
    untranslated = [r for r in recommendations if not r.title_fr]
    assert untranslated, "the demo should show the English fallback somewhere"
    title, language = untranslated[0].title_in("fr")
    assert (title, language) == (untranslated[0].title_en, "en")
    translated = demo.recommendations.get(code="MM-1")
    assert translated.title_in("ar")[1] == "ar"
