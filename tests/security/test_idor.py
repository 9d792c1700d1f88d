"""Changing an id, a code or a slug in an address or a form reaches nobody else's data.

The cast: Wanjiru (Africa) and Jonas (Europe) in the demo consultation; a second consultation
("other round") whose recommendation ZZ-9 exists only there, with its own participant;
Kofi, who moderates the Africa session only; Lena, who organises the other round only.
"""

import copy

import pytest
import yaml
from django.contrib.auth import get_user_model

from consulta.access.actions import grant_organiser
from consulta.definitions.loader import load_text
from consulta.feedback import actions
from consulta.feedback.models import Answer, CapturedPoint, PairwiseChoice, SessionModerator
from consulta.registrations.links import personal_token
from tests.conftest import register

KEY = "k" * 32


@pytest.fixture
def other_round(demo_document, demo, before_the_sessions):
    document = copy.deepcopy(demo_document)
    document["slug"] = "other-round"
    document["pillars"][0]["recommendations"][0]["code"] = "ZZ-9"
    return load_text(yaml.safe_dump(document, allow_unicode=True)).consultation


@pytest.fixture
def wanjiru(demo, before_the_sessions):
    return register(demo.sessions.get(key="africa"), "Wanjiru", "Kamau", "wanjiru@example.org")


@pytest.fixture
def jonas(demo, before_the_sessions):
    registration = register(demo.sessions.get(key="europe"), "Jonas", "Berg", "jonas@example.eu")
    actions.save_answer(
        actions.respondent_for_registration(registration),
        demo.recommendations.get(code="MM-1"),
        {"support": 1, "comment": "Jonas's private concern"},
        submission_key="jonas-1",
    )
    return registration


@pytest.fixture
def outsider(other_round):
    return register(other_round.sessions.get(key="africa"), "Olu", "Ade", "olu@example.org")


def answer_url(registration, code):
    return f"/en/r/{personal_token(registration)}/feedback/a/{code}/"


def test_a_participant_cannot_answer_another_consultations_recommendation(
    client, wanjiru, other_round
):
    response = client.post(
        answer_url(wanjiru, "ZZ-9"), {"support": "5", "comment": "x", "submission_key": KEY}
    )

    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_ids_slipped_into_the_answer_form_are_ignored(client, wanjiru, jonas):
    theirs = Answer.objects.get()
    response = client.post(
        answer_url(wanjiru, "MM-1"),
        {
            "support": "5",
            "comment": "mine",
            "submission_key": KEY,
            "respondent": theirs.respondent_id,
            "respondent_id": theirs.respondent_id,
            "registration": jonas.pk,
            "answer": theirs.pk,
            "id": theirs.pk,
        },
    )

    assert response.status_code in (200, 302)
    theirs.refresh_from_db()
    assert (theirs.support, theirs.comment, theirs.is_current) == (
        1,
        "Jonas's private concern",
        True,
    )
    mine = Answer.objects.get(comment="mine")
    assert mine.respondent.registration == wanjiru


def test_a_participants_pages_show_nothing_of_another_participant(client, wanjiru, jonas):
    token = personal_token(wanjiru)
    for page in ("", "feedback/", "feedback/summary/", "feedback/p/MM/"):
        body = client.get(f"/en/r/{token}/{page}").content.decode()
        assert "Jonas" not in body and "private concern" not in body, page


def test_pairwise_choices_naming_another_consultations_recommendation_record_nothing(
    client, wanjiru, other_round
):
    client.post(
        f"/en/r/{personal_token(wanjiru)}/feedback/prioritise/",
        {"first": "MM-1", "second": "ZZ-9", "chosen": "ZZ-9", "submission_key": KEY},
    )

    assert not PairwiseChoice.objects.exists()


def test_the_api_gives_a_participant_their_own_answers_only(client, wanjiru, jonas, other_round):
    mine = {"HTTP_X_PERSONAL_TOKEN": personal_token(wanjiru)}

    listed = client.get("/api/v1/me/answers", **mine)
    foreign = client.put(
        "/api/v1/me/answers/ZZ-9",
        '{"support": 5}',
        content_type="application/json",
        **mine,
    )

    assert listed.status_code == 200
    assert "private concern" not in listed.content.decode()
    assert foreign.status_code in (404, 422)
    assert Answer.objects.count() == 1


@pytest.fixture
def kofi(demo, before_the_sessions, organiser):
    kofi = get_user_model().objects.create_user("kofi.moderator", password="a long password")
    SessionModerator.objects.create(session=demo.sessions.get(key="africa"), user=kofi)
    return kofi


@pytest.fixture
def points(demo, organiser, kofi):
    africa, europe = demo.sessions.get(key="africa"), demo.sessions.get(key="europe")
    values = {"stakeholder_group": "civil_society", "country": "KE", "stance": "supports"}
    return {
        "organisers_in_africa": actions.capture_point(
            africa, organiser, {**values, "note": "by the organiser"}, submission_key="p1"
        ),
        "in_europe": actions.capture_point(
            europe, organiser, {**values, "note": "in Europe"}, submission_key="p2"
        ),
    }


def test_a_moderator_cannot_edit_or_delete_someone_elses_point(client, kofi, points):
    client.force_login(kofi)
    point = points["organisers_in_africa"]
    base = f"/en/manage/missing-migrants-2024/s/africa/capture/{point.pk}"

    edit = client.post(f"{base}/edit/", {"note": "changed by Kofi", "stance": "concerns"})
    delete = client.post(f"{base}/delete/")

    assert edit.status_code == 403 and delete.status_code == 403
    point.refresh_from_db()
    assert point.note == "by the organiser"


def test_a_point_of_another_session_is_not_found_through_ones_own_session(client, kofi, points):
    client.force_login(kofi)
    point = points["in_europe"]

    for action in ("edit", "delete"):
        url = f"/en/manage/missing-migrants-2024/s/africa/capture/{point.pk}/{action}/"
        assert client.post(url).status_code == 404
    assert CapturedPoint.objects.filter(pk=point.pk, note="in Europe").exists()


def test_a_moderator_cannot_open_another_sessions_capture(client, kofi, points):
    client.force_login(kofi)

    assert client.get("/en/manage/missing-migrants-2024/s/europe/capture/").status_code == 403
    points_json = client.get("/en/manage/missing-migrants-2024/s/europe/capture/points.json")
    assert points_json.status_code == 403
    assert "in Europe" not in points_json.content.decode()


@pytest.fixture
def lena(other_round):
    lena = get_user_model().objects.create_user(
        "lena.organiser", password="a long password", is_staff=True
    )
    grant_organiser(other_round, lena)
    return lena


def test_an_organiser_of_one_consultation_reaches_nothing_of_another(client, lena, jonas, demo):
    client.force_login(lena)
    slug = demo.slug

    for page in ("", "registrations/", "feedback/", "synthesis/", "revisions/", "report/"):
        assert client.get(f"/en/manage/{slug}/{page}").status_code == 403, page
    assert client.get(f"/en/manage/{slug}/registrations.csv").status_code == 403


def test_ids_of_another_consultation_are_not_found_through_ones_own(
    client, lena, jonas, other_round
):
    client.force_login(lena)
    answer = Answer.objects.get()
    own = f"/en/manage/{other_round.slug}"

    hide = client.post(f"{own}/feedback/answer/{answer.pk}/hide/", {"reason": "spam"})
    mark = client.post(f"{own}/registrations/{jonas.pk}/attendance/", {"attended": "yes"})

    assert hide.status_code == 404 and mark.status_code == 404
    answer.refresh_from_db()
    jonas.refresh_from_db()
    assert answer.hidden_at is None
    assert jonas.attended is None


def test_an_organisers_api_token_reaches_only_their_consultations(client, lena, jonas, demo):
    from consulta.api.tokens import issue_token

    _token, secret = issue_token(lena, "lena's reports")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    for path in ("registrations", "feedback", "synthesis"):
        response = client.get(f"/api/v1/manage/consultations/{demo.slug}/{path}", **bearer)
        assert response.status_code in (403, 404), path
        assert "Jonas" not in response.content.decode()
