"""A participant registers for a session, gets the confirmation and uses their personal link."""

import re

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from consulta.registrations import actions
from consulta.registrations.links import personal_token
from consulta.registrations.models import Registration
from tests.conftest import EUROPEAN, participant

pytestmark = pytest.mark.django_db


def register_url(session, language="en"):
    with translation.override(language):
        return reverse("register", args=[session.consultation.slug, session.key])


def personal_link(message) -> str:
    return re.search(r"http://[^\s]+/r/[^\s/]+/", message.body).group(0)


def test_registering_sends_a_confirmation_with_an_invitation(
    client, demo, before_the_sessions, django_capture_on_commit_callbacks
):
    session = demo.sessions.get(key="asia-pacific")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            register_url(session) + "?tz=Asia/Bangkok", participant(country="TH")
        )
    assert response.status_code == 302
    assert client.get(response["Location"]).content.decode().count("Check your e-mail") >= 1
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.timezone == "Asia/Bangkok"
    (message,) = mail.outbox
    assert message.to == ["wanjiru@example.org"]
    assert "Asia-Pacific" in message.subject
    assert "Thu 1 Feb 2024, 15:00–17:30 Bangkok (09:00–11:30 CET)" in message.body
    html = message.alternatives[0][0]
    assert "15:00–17:30 Bangkok" in html
    (name, content, mimetype) = message.attachments[0]
    assert name == "invitation.ics" and mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART").isoformat() == "2024-02-01T08:00:00+00:00"
    assert "wanjiru@example.org" in str(event["ATTENDEE"])
    assert personal_link(message).startswith("http://127.0.0.1:8000/en/r/")


def test_the_confirmation_is_in_the_participants_language(
    client, demo, before_the_sessions, django_capture_on_commit_callbacks
):
    session = demo.sessions.get(key="africa")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(register_url(session, "fr"), participant(language="fr"))
    (message,) = mail.outbox
    assert "lun. 29 janv. 2024" in message.body
    assert "/fr/r/" in personal_link(message)


def test_a_second_registration_with_the_same_email_resends_instead_of_duplicating(
    client, demo, before_the_sessions, django_capture_on_commit_callbacks
):
    session = demo.sessions.get(key="europe")
    first = client.post(register_url(session), participant(**EUROPEAN, language="ru"))
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(
            register_url(session), participant(**EUROPEAN | {"email": "JONAS@example.eu"})
        )
    assert Registration.objects.count() == 1
    assert len(mail.outbox) == 1
    assert first["Location"] == second["Location"]
    assert Registration.objects.get().language == "ru"


def test_a_full_session_puts_people_on_a_waiting_list_and_a_cancellation_promotes_the_first(
    client, demo, before_the_sessions, django_capture_on_commit_callbacks
):
    session = demo.sessions.get(key="africa")
    session.capacity = 1
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(register_url(session), participant())
        client.post(
            register_url(session), participant(email="second@example.org", given_name="Amadou")
        )
        client.post(register_url(session), participant(email="third@example.org"))
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {
        "wanjiru@example.org": "confirmed",
        "second@example.org": "waitlisted",
        "third@example.org": "waitlisted",
    }
    assert "waiting list" in mail.outbox[1].subject
    assert not mail.outbox[1].attachments
    page = client.get(reverse("session", args=[demo.slug, "africa"])).content.decode()
    assert "This session is full" not in page  # said on the form, not here
    assert client.get(register_url(session)).content.decode().count("This session is full") == 1

    mail.outbox.clear()
    first = Registration.objects.get(email="wanjiru@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("personal", args=[personal_token(first)]), {"action": "cancel"})
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses["wanjiru@example.org"] == "cancelled"
    assert statuses["second@example.org"] == "confirmed"
    assert statuses["third@example.org"] == "waitlisted"
    (promotion,) = mail.outbox
    assert promotion.to == ["second@example.org"]
    assert "seat" in promotion.subject
    assert promotion.attachments[0][0] == "invitation.ics"


def test_registration_closes_when_the_session_starts(client, demo, time_machine):
    time_machine.move_to("2024-02-01T08:00:00+00:00", tick=False)
    session = demo.sessions.get(key="asia-pacific")
    page = client.get(register_url(session)).content.decode()
    assert "Registration for this session is closed." in page
    assert '<form method="post"' not in page
    response = client.post(register_url(session), participant())
    assert "Registration for this session is closed." in response.content.decode()
    assert Registration.objects.count() == 0
    assert client.get(register_url(demo.sessions.get(key="europe"))).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("given_name", "", "This field is required."),
        ("family_name", "", "This field is required."),
        ("email", "not-an-address", "Enter a valid email address."),
        ("organisation", "", "This field is required."),
        ("stakeholder_group", "astronaut", "Select a valid choice."),
        ("country", "XX", "Select a valid choice."),
        ("language", "ar", "Select a valid choice."),
        ("attribution", "everything", "Select a valid choice."),
        ("consent", "", "This field is required."),
        ("needs", "x" * 2001, "Ensure this value has at most 2000 characters"),
    ],
)
def test_every_invalid_field_is_named_and_nothing_is_saved(
    client, demo, before_the_sessions, field, value, message
):
    session = demo.sessions.get(key="europe")
    data = participant()
    if value:
        data[field] = value
    else:
        data.pop(field)
    response = client.post(register_url(session), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in page
    assert message in page
    assert 'role="alert"' in page
    assert f'value="{data.get("organisation", "")}"' in page or field == "organisation"
    assert Registration.objects.count() == 0
    assert not mail.outbox


def test_the_honeypot_catches_bots_without_telling_them(client, demo, before_the_sessions):
    session = demo.sessions.get(key="europe")
    response = client.post(register_url(session), participant(website="http://spam.example"))
    assert response.status_code == 302
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    assert Registration.objects.count() == 0
    assert not mail.outbox


def test_one_client_cannot_flood_the_registration_form(client, demo, before_the_sessions, settings):
    settings.REGISTRATIONS_PER_CLIENT_PER_HOUR = 3
    session = demo.sessions.get(key="europe")
    codes = [
        client.post(register_url(session), participant(email=f"p{i}@example.org")).status_code
        for i in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert Registration.objects.count() == 3


def test_the_personal_page_shows_the_registration_and_changes_the_language(
    client, demo, before_the_sessions
):
    session = demo.sessions.get(key="africa")
    outcome = actions.register_participant(session, participant(timezone="Africa/Nairobi"))
    url = reverse("personal", args=[personal_token(outcome.registration)])
    page = client.get(url).content.decode()
    assert "Wanjiru Kamau" in page
    assert "Mon 29 Jan 2024, 16:00–18:30 EAT (14:00–16:30 CET)" in page
    client.post(url, {"action": "language", "language": "fr"})
    outcome.registration.refresh_from_db()
    assert outcome.registration.language == "fr"
    client.post(url, {"action": "language", "language": "ru"})
    outcome.registration.refresh_from_db()
    assert outcome.registration.language == "fr"
    invitation = client.get(
        reverse("personal-invitation", args=[personal_token(outcome.registration)])
    )
    assert icalendar.Calendar.from_ical(invitation.content)["METHOD"] == "REQUEST"


def test_forged_altered_and_revoked_links_are_refused(client, demo, before_the_sessions):
    outcome = actions.register_participant(demo.sessions.get(key="lac"), participant(language="es"))
    registration = outcome.registration
    token = personal_token(registration)
    assert client.get(reverse("personal", args=[token])).status_code == 200
    assert client.get(reverse("personal", args=[token[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("personal", args=["not-a-token"])).status_code == 404
    actions.revoke_personal_link(registration)
    assert client.get(reverse("personal", args=[token])).status_code == 404
    assert client.get(reverse("personal", args=[personal_token(registration)])).status_code == 200


def test_no_personal_data_reaches_the_public_pages(client, demo, before_the_sessions):
    actions.register_participant(demo.sessions.get(key="africa"), participant())
    for url in (
        reverse("consultation", args=[demo.slug]),
        reverse("session", args=[demo.slug, "africa"]),
        "/c/missing-migrants-2024/calendar.ics",
    ):
        body = client.get(url).content.decode()
        assert "Wanjiru" not in body and "wanjiru@example.org" not in body


def test_an_unknown_action_on_the_personal_page_changes_nothing(client, demo, before_the_sessions):
    outcome = actions.register_participant(demo.sessions.get(key="africa"), participant())
    url = reverse("personal", args=[personal_token(outcome.registration)])
    response = client.post(url, {"action": "delete-everything"})
    assert response.status_code == 302
    outcome.registration.refresh_from_db()
    assert outcome.registration.status == Registration.Status.CONFIRMED
