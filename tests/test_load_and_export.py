"""Loading is idempotent, export round-trips, and a past round can be moved to new dates."""

import json
from datetime import date

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consulta.consultations.models import Consultation, Recommendation, RecommendationVersion
from consulta.definitions.exporter import dump, export_consultation
from consulta.definitions.loader import load_text
from consulta.definitions.schema import DefinitionError
from consulta.demo import DEMO_FILE, DEMO_SLUG
from consulta.meetings.models import ProgrammeItem, Session
from consulta.registrations import actions
from tests.conftest import as_yaml, participant

pytestmark = pytest.mark.django_db


def snapshot():
    """Every row that a load writes, with its primary key, to prove nothing moved."""
    return {
        "sessions": list(Session.objects.order_by("pk").values()),
        "items": list(ProgrammeItem.objects.order_by("pk").values()),
        "recommendations": list(Recommendation.objects.order_by("pk").values()),
        "versions": list(RecommendationVersion.objects.order_by("pk").values()),
        "consultations": list(Consultation.objects.order_by("pk").values()),
    }


def test_loading_the_same_file_twice_changes_nothing(demo):
    before = snapshot()
    with CaptureQueriesContext(connection) as queries:
        report = load_text(DEMO_FILE.read_text())
    assert not report.changed_anything()
    assert report.lines() == ["nothing changed"]
    assert snapshot() == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_export_then_load_into_an_empty_database_gives_the_same_export(demo):
    for fmt in ("yaml", "json"):
        first = dump(export_consultation(DEMO_SLUG), fmt)
        Consultation.objects.all().delete()
        load_text(first)
        second = dump(export_consultation(DEMO_SLUG), fmt)
        assert second == first


def test_the_export_gives_utc_and_organiser_times_and_clock_times(demo):
    data = json.loads(dump(export_consultation(DEMO_SLUG), "json"))
    asia = next(s for s in data["sessions"] if s["key"] == "asia-pacific")
    assert asia["start"] == "2024-02-01T08:00:00Z"
    assert asia["end"] == "2024-02-01T10:30:00Z"
    assert asia["local_start"] == "2024-02-01T09:00:00+01:00"
    assert asia["timezone"] == "Europe/Paris"
    assert [i["starts_at"] for i in asia["programme"]] == [
        "09:00",
        "09:05",
        "09:20",
        "09:35",
        "10:20",
    ]
    assert asia["programme"][-1]["ends_at"] == "10:30"
    assert data["framework"]["primary"] == [8]
    assert len(data["framework"]["objectives"]) == 23
    assert [p["code"] for p in data["pillars"]] == ["MM", "HA"]
    assert data["pillars"][0]["recommendations"][0]["code"] == "MM-1"


def test_the_export_command_writes_yaml_or_json(demo, capsys):
    call_command("export", DEMO_SLUG, "--format", "json")
    assert json.loads(capsys.readouterr().out)["slug"] == DEMO_SLUG
    call_command("export", DEMO_SLUG)
    assert yaml.safe_load(capsys.readouterr().out)["sessions"][0]["key"] == "africa"


def test_a_changed_file_updates_only_what_changed(demo, demo_document):
    demo_document["sessions"][4]["capacity"] = 300
    demo_document["sessions"] = demo_document["sessions"][1:]
    report = load_text(as_yaml(demo_document))
    assert report.updated["sessions"] == 1
    assert report.deleted["sessions"] == 1
    assert report.created["sessions"] == 0
    assert not Session.objects.filter(key="africa").exists()
    assert Session.objects.get(key="europe").capacity == 300


def test_a_recommendation_left_out_of_the_file_is_withdrawn_not_deleted(demo, demo_document):
    demo_document["pillars"][1]["recommendations"].pop()
    load_text(as_yaml(demo_document))
    withdrawn = Recommendation.objects.filter(status=Recommendation.Status.WITHDRAWN)
    assert [r.code for r in withdrawn] == ["HA-4"]
    assert withdrawn[0].versions.count() == 1


def test_a_past_round_moves_to_new_dates_keeping_weekdays_and_clock_times(demo):
    report = load_text(
        DEMO_FILE.read_text(), shift_to=date(2026, 12, 7), slug="missing-migrants-2026"
    )
    copy = report.consultation
    assert copy.slug == "missing-migrants-2026"
    assert Consultation.objects.get(slug=DEMO_SLUG).sessions.count() == 5
    local = [s.local_start().strftime("%a %Y-%m-%d %H:%M") for s in copy.sessions.all()]
    assert local == [
        "Mon 2026-12-07 14:00",
        "Mon 2026-12-07 17:00",
        "Thu 2026-12-10 09:00",
        "Thu 2026-12-10 14:00",
        "Fri 2026-12-11 14:00",
    ]
    assert copy.opens_on == date(2026, 11, 16)
    assert copy.recommendations.count() == demo.recommendations.count()


def test_a_shift_target_on_another_weekday_moves_to_the_next_matching_day(demo):
    copy = load_text(DEMO_FILE.read_text(), shift_to=date(2026, 12, 9), slug="next").consultation
    first = copy.sessions.order_by("starts_at").first()
    assert first.local_start().strftime("%a %Y-%m-%d %H:%M") == "Mon 2026-12-14 14:00"


def test_the_load_command_reports_what_it_did(db, capsys, tmp_path):
    call_command("load", str(DEMO_FILE))
    out = capsys.readouterr().out
    assert out.startswith(f"Loaded {DEMO_SLUG}")
    assert "sessions: 5 created, 0 updated, 0 deleted" in out
    assert out.count("60 minutes are unscheduled") == 5
    call_command("load", str(DEMO_FILE), "--shift-to", "2027-01-11", "--slug", "round-2027")
    assert Consultation.objects.filter(slug="round-2027").exists()


def test_a_session_with_registrations_cannot_be_removed_by_a_file(
    demo, demo_document, before_the_sessions
):
    actions.register_participant(demo.sessions.get(key="africa"), participant())
    demo_document["sessions"] = demo_document["sessions"][1:]
    demo_document["title"] = "Changed"
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(demo_document))
    assert [str(p) for p in caught.value.problems] == [
        "sessions: session 'africa' has registrations and cannot be removed; keep it in the "
        "file with `status: cancelled` instead"
    ]
    assert Session.objects.filter(key="africa").exists()
    assert Consultation.objects.get(slug=DEMO_SLUG).title != "Changed"
