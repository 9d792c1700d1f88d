"""While the database cannot be reached, visitors get a 503 with Retry-After, never a 500.

The outage is simulated by making every new cursor fail the way psycopg does when the server
is stopped (django.db.OperationalError), after the test's data is in place.
"""

import json
import uuid
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, ProgrammingError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse
from django.utils import translation

from consulta.feedback.models import Answer
from consulta.registrations.links import personal_token
from consulta.serving.views import server_error
from tests.conftest import register

pytestmark = pytest.mark.django_db

MESSAGE = "The service is briefly unavailable; try again in a moment."


@pytest.fixture
def database_down():
    refused = OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
        "Connection refused"
    )
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=refused):
        yield


@pytest.fixture
def client():
    """A client that shows what a visitor would get instead of raising the server's error."""
    return Client(raise_request_exception=False)


def assert_unavailable_json(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert json.loads(response.content) == {
        "error": {"code": "unavailable", "message": MESSAGE, "fields": {}}
    }


def test_healthz_answers_ok_while_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert response["Retry-After"] == "5"


def test_healthz_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/").status_code == 301


def test_an_api_request_gets_503_json(client, demo, database_down):
    response = client.get(f"/api/v1/consultations/{demo.slug}")
    assert_unavailable_json(response)


def test_an_api_write_gets_503_json_and_nothing_is_stored(client, demo, before_the_sessions):
    registration = register(demo.sessions.get(key="africa"), "Wanjiru", "Kamau", "w@example.org")
    token = personal_token(registration)
    with mock.patch.object(
        BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError("refused")
    ):
        response = client.put(
            "/api/v1/me/answers/MM-1",
            data={"support": 4, "priority": 3, "comment": "", "proposed_text": ""},
            content_type="application/json",
            headers={"X-Personal-Token": token, "Idempotency-Key": uuid.uuid4().hex},
        )
    assert_unavailable_json(response)
    assert not Answer.objects.exists()


def test_the_answer_form_asking_for_json_gets_503_json(client, demo, before_the_sessions):
    registration = register(demo.sessions.get(key="africa"), "Wanjiru", "Kamau", "w@example.org")
    url = reverse("participant_feedback:answer", args=[personal_token(registration), "MM-1"])
    with mock.patch.object(
        BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError("refused")
    ):
        response = client.post(
            url,
            {"support": "4", "submission_key": uuid.uuid4().hex},
            headers={"Accept": "application/json"},
        )
    assert_unavailable_json(response)
    assert not Answer.objects.exists()


def test_a_page_gets_a_plain_503_page_without_a_traceback(client, demo, database_down):
    response = client.get(f"/en/c/{demo.slug}/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Briefly unavailable" in page
    assert MESSAGE in page
    assert "send it again in a moment: it will not be counted twice" in page
    for leak in ("Traceback", "OperationalError", "Connection refused", "5432"):
        assert leak not in page


def test_the_503_page_is_in_the_visitors_language(client, demo, database_down):
    response = client.get(f"/fr/c/{demo.slug}/")
    assert response.status_code == 503
    assert '<html lang="fr"' in response.content.decode()


def test_a_failure_outside_any_view_is_a_503_too(rf):
    """e.g. the session middleware saving after the view: Django calls handler500."""
    with translation.override("en"):
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            page = server_error(rf.get("/en/"))
            api = server_error(rf.get("/api/v1/consultations"))
    assert page.status_code == 503
    assert "Briefly unavailable" in page.content.decode()
    assert_unavailable_json(api)


def test_other_errors_stay_500(rf):
    """A bad query is a bug to fix, not an outage: Django's plain 500 page."""
    try:
        raise ProgrammingError('relation "nowhere" does not exist')
    except ProgrammingError:
        response = server_error(rf.get("/en/"))
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_saving_an_answer_does_not_need_the_session_store(client, demo, before_the_sessions):
    """The "Saved" notice travels in a signed cookie: with the session table unwritable the
    answer is stored and the participant sees it saved."""
    registration = register(demo.sessions.get(key="africa"), "Wanjiru", "Kamau", "w@example.org")
    url = reverse("participant_feedback:answer", args=[personal_token(registration), "MM-1"])
    key = uuid.uuid4().hex
    with mock.patch.object(Session, "save", side_effect=OperationalError("server closed")):
        response = client.post(url, {"support": "4", "submission_key": key})
        assert response.status_code == 302
        assert ">Saved<" in client.get(response["Location"]).content.decode()
    assert Answer.objects.filter(submission_key=key).count() == 1


def test_a_page_whose_session_cannot_be_saved_gets_503_not_400(
    client, demo, organiser, before_the_sessions
):
    """The database goes away while the session is being saved (here: an attendance import
    waiting for confirmation): Django would answer 400 (session interrupted); the organiser
    gets the 503 page and uploads again."""
    client.force_login(organiser)
    url = reverse("manage-attendance-import", args=[demo.slug, "africa"])
    report = SimpleUploadedFile(
        "zoom.csv", b"Name,User Email\nWanjiru Kamau,w@example.org\n", content_type="text/csv"
    )
    with mock.patch.object(Session, "save", side_effect=OperationalError("server closed")):
        response = client.post(url, {"report": report})
    assert response.status_code == 503
    assert "Briefly unavailable" in response.content.decode()
