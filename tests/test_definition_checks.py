"""A bad definition file loads nothing and names every problem by its path in the file."""

import pytest
from django.core.management import CommandError, call_command

from consulta.consultations.models import Consultation, Organisation, Recommendation
from consulta.definitions.exporter import dump, export_consultation
from consulta.definitions.loader import load_text
from consulta.definitions.schema import DefinitionError
from consulta.meetings.models import ProgrammeItem, Session
from tests.conftest import as_yaml

pytestmark = pytest.mark.django_db


def problems_of(document) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(document) if isinstance(document, dict) else document)
    return [str(problem) for problem in caught.value.problems]


def assert_nothing_written():
    assert Consultation.objects.count() == 0
    assert Organisation.objects.count() == 0
    assert Session.objects.count() == 0
    assert Recommendation.objects.count() == 0


def test_a_session_that_ends_before_it_starts_is_refused(demo_document):
    demo_document["sessions"][2]["end"] = "2024-02-01 08:30"
    (problem,) = problems_of(demo_document)
    assert problem.startswith("sessions[2].end: ends (2024-02-01T08:30:00+01:00) before")
    assert_nothing_written()


def test_unknown_time_zones_are_refused_where_they_are_written(demo_document):
    demo_document["sessions"][1]["timezone"] = "America/Panama City"
    problems = problems_of(demo_document)
    assert problems == [
        "sessions[1].timezone: unknown time zone 'America/Panama City'; use an IANA name "
        "such as Europe/Paris or Asia/Bangkok"
    ]
    demo_document["timezone"] = "CET+1"
    assert any(
        p.startswith("timezone: unknown time zone 'CET+1'") for p in problems_of(demo_document)
    )
    assert_nothing_written()


def test_languages_outside_the_five_are_refused(demo_document):
    demo_document["sessions"][0]["languages"] = ["fr", "de"]
    demo_document["pillars"][0]["recommendations"][0]["text"]["pt"] = "Texto"
    problems = problems_of(demo_document)
    assert (
        "sessions[0].languages[1]: 'de' is not a supported language; use one of en, fr, es, ar, ru"
        in problems
    )
    assert any(p.startswith("pillars[0].recommendations[0].text.pt: 'pt' is not") for p in problems)
    assert_nothing_written()


def test_english_wording_is_required(demo_document):
    del demo_document["pillars"][1]["recommendations"][0]["title"]["en"]
    assert problems_of(demo_document) == [
        "pillars[1].recommendations[0].title.en: the English text is required"
    ]
    assert_nothing_written()


def test_a_recommendation_code_used_twice_is_refused(demo_document):
    first = demo_document["pillars"][0]["recommendations"][0]["code"]
    demo_document["pillars"][1]["recommendations"][0]["code"] = first
    assert problems_of(demo_document) == [
        f"pillars[1].recommendations[0].code: {first} is already used by pillars[0].recommendations[0]"
    ]
    assert_nothing_written()


def test_framework_objectives_must_exist(demo_document):
    demo_document["pillars"][0]["recommendations"][1]["objectives"] = [8, 24]
    demo_document["framework"]["related"].append(99)
    problems = problems_of(demo_document)
    assert (
        "pillars[0].recommendations[1].objectives[1]: objective 24 does not exist in framework gcm (1–23)"
        in problems
    )
    assert any(p.startswith("framework.related[6]: objective 99 does not exist") for p in problems)
    assert_nothing_written()


def test_two_sessions_for_the_same_region_may_not_overlap(demo_document):
    europe = demo_document["sessions"][4]
    demo_document["sessions"].append(
        {
            **europe,
            "key": "europe-2",
            "start": "2024-02-02 16:00",
            "end": "2024-02-02 17:30",
            "programme": [],
        }
    )
    (problem,) = problems_of(demo_document)
    assert problem.startswith(
        "sessions[5].start: overlaps sessions[4] (Europe, 2024-02-02T14:00:00+01:00"
    )
    assert_nothing_written()


def test_sessions_of_one_region_need_distinct_keys(demo_document):
    europe = demo_document["sessions"][4]
    demo_document["sessions"].append(
        {**europe, "start": "2024-02-09 14:00", "end": "2024-02-09 16:30"}
    )
    (problem,) = problems_of(demo_document)
    assert problem.startswith("sessions[5].key: session key")
    assert "need a distinct `key`" in problem


def test_a_programme_longer_than_its_slot_is_an_error(demo_document):
    demo_document["sessions"][3]["programme"] = [
        *demo_document["sessions"][3]["programme"],
        {"duration": 70, "title": "Working groups"},
    ]
    assert problems_of(demo_document) == [
        "sessions[3].programme: the programme lasts 160 minutes but the session slot is "
        "150 minutes (10 minutes over)"
    ]
    assert_nothing_written()


def test_mistakes_of_form_are_named_with_their_path(demo_document):
    del demo_document["title"]
    demo_document["sesions"] = []
    demo_document["sessions"][0]["capacity"] = "many"
    demo_document["sessions"][1]["start"] = "29 January"
    demo_document["sessions"][0]["join_url"] = "zoom.us/j/123"
    problems = problems_of(demo_document)
    assert "title: required" in problems
    assert "sesions: unknown field (check its spelling and the format in the README)" in problems
    assert any(p.startswith("sessions[0].capacity: ") for p in problems)
    assert any(p.startswith("sessions[1].start: ") for p in problems)
    assert (
        "sessions[0].join_url: must be a web address starting with http:// or https://" in problems
    )
    assert_nothing_written()


def test_every_problem_of_meaning_is_named_at_once(demo_document):
    demo_document["timezone"] = "Mars/Olympus"
    demo_document["sessions"][0]["languages"] = ["xx"]
    demo_document["co_leads"].append("NOBODY")
    problems = problems_of(demo_document)
    assert len(problems) >= 3
    assert {p.split(":")[0] for p in problems} >= {
        "timezone",
        "sessions[0].languages[0]",
        "co_leads[4]",
    }


def test_edited_computed_times_that_no_longer_match_are_refused(demo, demo_document):
    exported = export_consultation(demo.slug)
    exported["sessions"][0]["programme"][3]["starts_at"] = "14:40"
    exported["sessions"][2]["local_start"] = "2024-02-01T10:00:00+01:00"
    problems = problems_of(dump(exported, "yaml"))
    assert problems == [
        "sessions[0].programme[3].starts_at: 14:40 does not match the computed clock time 14:35; correct it or remove it",
        "sessions[2].local_start: 2024-02-01T10:00:00+01:00 does not match start/end; correct it or remove it",
    ]


def test_text_that_is_not_yaml_names_the_line():
    (problem,) = problems_of("slug: demo\ntitle: [unclosed\n")
    assert problem.startswith("not valid YAML or JSON at line 3")
    (problem,) = problems_of("- just\n- a list\n")
    assert "one mapping" in problem


def test_a_bad_file_leaves_an_existing_consultation_untouched(demo, demo_document):
    before = dump(export_consultation(demo.slug), "yaml")
    items_before = ProgrammeItem.objects.count()
    demo_document["title"] = "A new title that must not be saved"
    demo_document["sessions"][0]["region"] = "Sub-Saharan Africa"
    demo_document["pillars"][0]["recommendations"][0]["text"]["en"] = "Changed wording"
    demo_document["sessions"][4]["programme"].append({"duration": 120, "title": "Too long"})
    problems_of(demo_document)
    assert dump(export_consultation(demo.slug), "yaml") == before
    assert ProgrammeItem.objects.count() == items_before


def test_the_load_command_lists_every_problem_and_loads_nothing(demo_document, tmp_path):
    demo_document["sessions"][0]["end"] = "2024-01-29 13:00"
    demo_document["sessions"][1]["languages"] = ["pt"]
    path = tmp_path / "bad.yaml"
    path.write_text(as_yaml(demo_document))
    with pytest.raises(CommandError) as caught:
        call_command("load", str(path))
    message = str(caught.value)
    assert "nothing loaded, 2 problems" in message
    assert "sessions[0].end: ends" in message
    assert "sessions[1].languages[0]: 'pt' is not a supported language" in message
    assert_nothing_written()


def test_a_slug_that_consultas_own_pages_use_is_refused(demo_document):
    demo_document["slug"] = "capture"
    assert problems_of(demo_document) == [
        "slug: 'capture' is reserved for Consulta's own pages; choose another"
    ]
    assert_nothing_written()
