"""Every change to a recommendation's wording keeps the text it replaced."""

import pytest

from consulta.consultations import actions
from consulta.definitions.loader import load_text
from tests.conftest import as_yaml

pytestmark = pytest.mark.django_db


def test_a_new_recommendation_starts_with_its_first_version(demo):
    recommendation = demo.recommendations.get(code="MM-1")
    (version,) = recommendation.versions.all()
    assert version.number == 1
    assert version.texts["en"]["title"] == recommendation.title_en
    assert version.texts["fr"]["text"] == recommendation.text_fr


def test_revising_the_wording_keeps_the_old_text_who_and_why(demo, organiser):
    recommendation = demo.recommendations.get(code="MM-2")
    old_text = recommendation.text_en
    texts = recommendation.texts()
    texts["en"] = {**texts["en"], "text": "States should share data on missing migrants."}
    changed = actions.revise_recommendation(
        recommendation, texts, by=organiser, rationale="Shorter, after the Africa session"
    )
    assert changed
    recommendation.refresh_from_db()
    assert recommendation.text_en == "States should share data on missing migrants."
    first, second = recommendation.versions.order_by("number")
    assert first.texts["en"]["text"] == old_text
    assert second.number == 2
    assert second.changed_by == organiser
    assert second.rationale == "Shorter, after the Africa session"
    assert second.texts["en"]["text"] == "States should share data on missing migrants."


def test_saving_the_same_wording_makes_no_version(demo):
    recommendation = demo.recommendations.get(code="MM-3")
    assert not actions.revise_recommendation(recommendation, recommendation.texts(), rationale="x")
    assert recommendation.versions.count() == 1


def test_a_reloaded_file_with_new_wording_makes_a_version(demo, demo_document):
    demo_document["pillars"][1]["recommendations"][0]["text"]["fr"] = "Nouvelle formulation."
    report = load_text(as_yaml(demo_document))
    assert report.updated["recommendations"] == 1
    recommendation = demo.recommendations.get(code="HA-1")
    assert recommendation.versions.count() == 2
    latest = recommendation.current_version()
    assert latest.texts["fr"]["text"] == "Nouvelle formulation."
    assert latest.rationale == "Updated from a definition file"
    assert recommendation.versions.get(number=1).texts["fr"]["text"] != "Nouvelle formulation."
