"""The synthesis document counts what counts, split the ways the report needs."""

import pytest

from consulta.feedback import submissions
from consulta.synthesis.document import build_document
from tests.feedback_data import populate

pytestmark = pytest.mark.django_db


def by_code(document):
    return {r["code"]: r for r in document["recommendations"]}


def test_answers_are_split_by_channel_per_recommendation(demo, organiser, before_the_sessions):
    feedback = populate(demo, organiser)
    document = by_code(build_document(feedback.consultation))
    mm1 = {row["code"]: row["answers"] for row in document["MM-1"]["by_channel"]}
    assert mm1 == {"personal_link": 60, "open_submission": 0, "live_capture": 0, "import": 0}
    assert document["HA-1"]["answers"] == 0

    unconfirmed = feedback.consultation.respondents.get(channel="open_submission")
    submissions.confirm_open_submission(unconfirmed)
    document = by_code(build_document(feedback.consultation))
    mm1 = {row["code"]: row["answers"] for row in document["MM-1"]["by_channel"]}
    assert mm1["open_submission"] == 1
    assert document["MM-1"]["answers"] == 61


def test_the_report_states_each_recommendations_answers_by_channel(demo, organiser):
    from consulta.synthesis.report import render

    populate(demo, organiser)
    page = render(build_document(demo), "html").decode()
    assert "Answers by channel" in page
    assert "Personal link 60" in page
