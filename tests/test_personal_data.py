"""A participant downloads and erases their personal data; the retention period erases it too.

The cast: Wanjiru (civil society, Kenya) registered for the Africa session and answers through
her personal link; Jonas (Member State, Sweden) registered for the Europe session. The demo
consultation closes on 29 February 2024 and keeps personal data 365 days after that.
"""

import io
import json
import uuid
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from consulta.definitions.exporter import export_consultation
from consulta.definitions.loader import load_text
from consulta.definitions.schema import DefinitionError
from consulta.feedback import actions as feedback
from consulta.feedback import submissions
from consulta.feedback.models import Respondent
from consulta.registrations import actions as registrations
from consulta.registrations import emails, privacy
from consulta.registrations.links import ERASURE_SALT, erasure_token, personal_token
from consulta.registrations.models import Registration
from consulta.signed_links import sign_link
from consulta.synthesis.adapter import load_inputs, participation
from tests.conftest import EUROPEAN, as_yaml, participant

pytestmark = pytest.mark.django_db

AFTER_THE_SESSIONS = datetime(2024, 2, 10, 9, tzinfo=UTC)
JONAS_COMMENT = "Sweden would fund a regional DNA database."


def register(demo, session_key="africa", **overrides) -> Registration:
    session = demo.sessions.get(key=session_key)
    return registrations.register_participant(session, participant(**overrides)).registration


def answer(registration, code, **values):
    respondent = feedback.respondent_for_registration(registration)
    recommendation = registration.session.consultation.recommendations.get(code=code)
    return feedback.save_answer(respondent, recommendation, values, submission_key=uuid.uuid4().hex)


def open_submission(demo, email, comment, *, confirm=True) -> Respondent:
    identity = {
        "email": email,
        "organisation": "Kenya Red Cross Society",
        "stakeholder_group": "civil_society",
        "country": "KE",
        "language": "en",
        "attribution": "organisation",
        "consent": True,
    }
    recommendation = demo.recommendations.get(code="MM-2")
    respondent = submissions.start_open_submission(
        demo,
        identity,
        {recommendation: {"support": 4, "comment": comment}},
        submission_key=uuid.uuid4().hex,
    )
    if confirm:
        submissions.confirm_open_submission(respondent)
    return respondent


@pytest.fixture
def wanjiru(demo, before_the_sessions) -> Registration:
    registration = register(demo)
    answer(registration, "MM-1", support=2, comment="First thoughts.")
    answer(registration, "MM-1", support=5, comment="On reflection, essential.")
    respondent = feedback.respondent_for_registration(registration)
    first, second = demo.recommendations.filter(code__in=["MM-1", "MM-2"]).order_by("code")
    feedback.record_choice(respondent, first, second, first, submission_key=uuid.uuid4().hex)
    return registration


@pytest.fixture
def jonas(demo, before_the_sessions) -> Registration:
    registration = register(demo, "europe", **EUROPEAN)
    answer(registration, "MM-1", support=1, comment=JONAS_COMMENT)
    return registration


def personal_url(registration, name="personal") -> str:
    return reverse(name, args=[personal_token(registration)])


def erase_url(registration) -> str:
    return reverse("personal-erase", args=[erasure_token(registration)])


def download(client, registration) -> dict:
    response = client.get(personal_url(registration, "personal-data"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("application/json")
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


# Download.


def test_the_personal_page_offers_the_download_and_the_erasure(client, wanjiru):
    page = client.get(personal_url(wanjiru)).content.decode()
    assert personal_url(wanjiru, "personal-data") in page
    assert "Erase my personal data" in page


def test_the_download_holds_the_registration_every_answer_version_and_the_choices(
    client, wanjiru, jonas
):
    data = download(client, wanjiru)

    (registration,) = data["registrations"]
    assert registration["given_name"] == "Wanjiru"
    assert registration["family_name"] == "Kamau"
    assert registration["email"] == "wanjiru@example.org"
    assert registration["organisation"] == "Kenya Red Cross Society"
    assert registration["session"]["key"] == "africa"
    assert [(a["comment"], a["current"]) for a in registration["answers"]] == [
        ("First thoughts.", False),
        ("On reflection, essential.", True),
    ]
    (choice,) = registration["pairwise_choices"]
    assert choice["chosen"] == "MM-1"
    (confirmation,) = registration["emails"]
    assert confirmation["email"] == "registration-confirmation"
    assert confirmation["queued_at"].startswith("2024-01-20")


def test_the_download_holds_nothing_about_another_participant(client, wanjiru, jonas):
    body = client.get(personal_url(wanjiru, "personal-data")).content.decode()
    for other in ("Jonas", "Berg", "jonas@example.eu", "Ministry of the Interior", JONAS_COMMENT):
        assert other not in body


def test_the_download_holds_written_submissions_from_the_same_address_only(client, demo, wanjiru):
    open_submission(demo, "wanjiru@example.org", "Written before I could register.")
    open_submission(demo, "someone.else@example.org", "Another person's submission.")

    data = download(client, wanjiru)

    (submission,) = data["written_submissions_and_imports"]
    assert submission["channel"] == "open_submission"
    assert submission["answers"][0]["comment"] == "Written before I could register."
    assert "someone.else" not in json.dumps(data)


def test_a_revoked_personal_link_downloads_nothing(client, wanjiru):
    url = personal_url(wanjiru, "personal-data")
    registrations.revoke_personal_link(wanjiru)
    assert client.get(url).status_code == 404


# Asking for erasure, and confirming it.


def ask_for_erasure(client, registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(personal_url(registration), {"action": "erase"}, follow=True)
    assert "We have sent you an e-mail with a link to confirm the erasure." in (
        response.content.decode()
    )


def erasure_link_from(message) -> str:
    (line,) = [word for word in message.body.split() if "/privacy/erase/" in word]
    return line.removeprefix("http://127.0.0.1:8000").removeprefix("http://testserver")


def test_asking_for_erasure_emails_a_confirmation_link_and_erases_nothing(
    client, wanjiru, django_capture_on_commit_callbacks
):
    ask_for_erasure(client, wanjiru, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.to == ["wanjiru@example.org"]
    assert "/privacy/erase/" in message.body
    wanjiru.refresh_from_db()
    assert wanjiru.given_name == "Wanjiru"
    assert not wanjiru.is_erased()
    assert client.get(personal_url(wanjiru)).status_code == 200


def test_asking_twice_sends_one_email(client, wanjiru, django_capture_on_commit_callbacks):
    ask_for_erasure(client, wanjiru, django_capture_on_commit_callbacks)
    ask_for_erasure(client, wanjiru, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_opening_the_link_shows_a_button_and_erases_nothing(
    client, wanjiru, django_capture_on_commit_callbacks
):
    ask_for_erasure(client, wanjiru, django_capture_on_commit_callbacks)
    link = erasure_link_from(mail.outbox[0])

    response = client.get(link)

    assert response.status_code == 200
    assert "Erase my personal data" in response.content.decode()
    wanjiru.refresh_from_db()
    assert not wanjiru.is_erased()


def test_confirming_erases_the_identity_and_kills_the_personal_link(
    client, wanjiru, django_capture_on_commit_callbacks
):
    old_personal_link = personal_url(wanjiru)
    ask_for_erasure(client, wanjiru, django_capture_on_commit_callbacks)
    link = erasure_link_from(mail.outbox[0])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)

    assert response.status_code == 200
    assert "Your personal data is erased" in response.content.decode()
    wanjiru.refresh_from_db()
    assert wanjiru.is_erased()
    assert (wanjiru.given_name, wanjiru.family_name, wanjiru.organisation) == ("", "", "")
    assert wanjiru.email == f"erased-{wanjiru.pk}@erased.invalid"
    assert (wanjiru.stakeholder_group, wanjiru.country, wanjiru.language) == (
        "civil_society",
        "KE",
        "en",
    )
    assert not Registration.objects.filter(email="wanjiru@example.org").exists()
    assert not Registration.objects.filter(given_name="Wanjiru").exists()
    assert client.get(old_personal_link).status_code == 404
    assert client.get(link).status_code == 404  # spent
    done = mail.outbox[-1]
    assert done.to == ["wanjiru@example.org"]
    assert "erased" in done.subject


def test_erasing_keeps_the_answers_counted_in_the_synthesis(client, demo, wanjiru, jonas):
    with time_machine.travel(AFTER_THE_SESSIONS, tick=False):
        before = load_inputs(demo)
        participation_before = participation(demo)

        client.post(erase_url(wanjiru))

        after = load_inputs(demo)
        assert len(after.answers) == len(before.answers) == 2
        assert participation(demo) == participation_before
    wanjiru.refresh_from_db()
    assert wanjiru.is_erased()
    assert wanjiru.status == Registration.Status.CONFIRMED  # the session is over: kept
    respondent = Respondent.objects.get(registration=wanjiru)
    assert respondent.answers.count() == 2  # every version stays


def test_erasing_before_the_session_cancels_and_gives_the_seat_to_the_next_person(
    client, demo, django_capture_on_commit_callbacks
):
    session = demo.sessions.get(key="africa")
    session.capacity = 1
    session.save()
    with time_machine.travel("2024-01-20T09:00:00+00:00", tick=False):
        wanjiru = register(demo)
        waiting = register(demo, **EUROPEAN)
        assert waiting.status == Registration.Status.WAITLISTED

        with django_capture_on_commit_callbacks(execute=True):
            client.post(erase_url(wanjiru))

    wanjiru.refresh_from_db()
    waiting.refresh_from_db()
    assert wanjiru.status == Registration.Status.CANCELLED
    assert waiting.status == Registration.Status.CONFIRMED


def test_erasing_covers_every_registration_and_submission_of_the_address(
    client, demo, wanjiru, jonas
):
    second = register(demo, "asia-pacific")
    open_submission(demo, "wanjiru@example.org", "Mine, the first time.")
    open_submission(demo, "wanjiru@example.org", "Mine, the second time.")
    assert submissions.counted_respondents(demo).filter(channel="open_submission").count() == 1

    client.post(erase_url(wanjiru))

    second.refresh_from_db()
    assert second.is_erased()
    assert not Respondent.objects.filter(email="wanjiru@example.org").exists()
    assert not Respondent.objects.filter(organisation="Kenya Red Cross Society").exists()
    # Both submissions share one placeholder, so still only the latest counts.
    assert submissions.counted_respondents(demo).filter(channel="open_submission").count() == 1
    jonas.refresh_from_db()
    assert (jonas.given_name, jonas.email) == ("Jonas", "jonas@example.eu")


def test_after_erasure_the_organiser_pages_and_export_name_nobody(
    organiser_client, client, demo, wanjiru, jonas
):
    client.post(erase_url(wanjiru))

    page = organiser_client.get(reverse("manage-registrations", args=[demo.slug])).content.decode()
    csv = b"".join(
        organiser_client.get(
            reverse("manage-registrations-export", args=[demo.slug, "csv"])
        ).streaming_content
    ).decode()
    for text in (page, csv):
        assert "Jonas" in text  # the list is there
        assert "Wanjiru" not in text
        assert "Kamau" not in text
        assert "wanjiru@example.org" not in text
    assert "Personal data erased" in page


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda r: erasure_token(r)[:-3] + "abc", id="tampered"),
        pytest.param(lambda r: personal_token(r), id="personal link"),
        pytest.param(lambda r: sign_link(r.pk, r.link_nonce, "another-salt"), id="other salt"),
        pytest.param(lambda r: sign_link(r.pk, "guessed-nonce", ERASURE_SALT), id="bad nonce"),
        pytest.param(lambda r: "not-a-token", id="forged"),
    ],
)
def test_a_forged_or_tampered_link_is_refused_and_erases_nothing(client, wanjiru, make_token):
    url = reverse("personal-erase", args=[make_token(wanjiru)])

    assert client.get(url).status_code == 404
    response = client.post(url)

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    wanjiru.refresh_from_db()
    assert not wanjiru.is_erased()
    assert wanjiru.given_name == "Wanjiru"


def test_an_expired_link_is_refused(client, wanjiru):
    url = erase_url(wanjiru)
    with time_machine.travel("2024-01-27T09:01:00+00:00", tick=False):
        response = client.post(url)
    assert response.status_code == 404
    wanjiru.refresh_from_db()
    assert not wanjiru.is_erased()


def test_an_erased_participant_gets_no_reminder(demo, wanjiru):
    amal = register(demo, given_name="Amal", family_name="Haddad", email="amal@example.org")
    privacy.erase_personal_data(amal, now=datetime(2024, 1, 20, 9, tzinfo=UTC))

    sent = registrations.send_due_reminders(now=datetime(2024, 1, 28, 15, tzinfo=UTC))

    assert sent == 1
    wanjiru.refresh_from_db()
    amal.refresh_from_db()
    assert wanjiru.reminder_sent_at is not None
    assert amal.reminder_sent_at is None


def test_an_email_queued_before_the_erasure_is_not_sent(demo, wanjiru):
    privacy.erase_personal_data(wanjiru)
    mail.outbox.clear()

    emails.send_confirmation(wanjiru.pk)

    assert mail.outbox == []


# Retention and the purge command.


def purge(*args) -> str:
    out = io.StringIO()
    call_command("purge-personal-data", *args, stdout=out)
    return out.getvalue()


def test_personal_data_is_kept_365_days_after_closing_by_default(demo):
    assert demo.personal_data_retention_days == 365
    assert privacy.kept_until(demo) == date(2025, 2, 28)


def test_the_purge_keeps_personal_data_until_the_retention_period_has_passed(demo, wanjiru, jonas):
    with time_machine.travel("2025-02-28T22:00:00+00:00", tick=False):
        output = purge()

    assert "missing-migrants-2024: kept until 2025-02-28 (2 registration(s)" in output
    wanjiru.refresh_from_db()
    assert not wanjiru.is_erased()


def test_the_purge_erases_registrations_and_submissions_past_retention_and_keeps_answers(
    demo, wanjiru, jonas
):
    open_submission(demo, "amal@example.org", "From a written submission.")
    with time_machine.travel(AFTER_THE_SESSIONS, tick=False):
        answers_before = len(load_inputs(demo).answers)

    with time_machine.travel("2025-03-01T06:00:00+00:00", tick=False):
        output = purge()

    assert (
        "missing-migrants-2024: kept until 2025-02-28; erased 2 registration(s), "
        "1 submission(s)" in output
    )
    assert not Registration.objects.filter(personal_data_erased_at__isnull=True).exists()
    assert not Registration.objects.exclude(given_name="").exists()
    assert not Respondent.objects.filter(email="amal@example.org").exists()
    with time_machine.travel(AFTER_THE_SESSIONS, tick=False):
        assert len(load_inputs(demo).answers) == answers_before == 3


def test_purging_again_erases_nothing_more(demo, wanjiru):
    with time_machine.travel("2025-03-01T06:00:00+00:00", tick=False):
        purge()
        wanjiru.refresh_from_db()
        erased_at = wanjiru.personal_data_erased_at
        output = purge()

    assert "erased 0 registration(s), 0 submission(s)" in output
    wanjiru.refresh_from_db()
    assert wanjiru.personal_data_erased_at == erased_at


def test_a_dry_run_says_what_it_would_erase_and_writes_nothing(demo, wanjiru, jonas):
    with time_machine.travel("2025-03-01T06:00:00+00:00", tick=False):
        output = purge("--dry-run")

    assert "would erase 2 registration(s)" in output
    assert "nothing was changed" in output
    assert Registration.objects.filter(personal_data_erased_at__isnull=True).count() == 2
    wanjiru.refresh_from_db()
    assert wanjiru.given_name == "Wanjiru"


def test_the_purge_follows_each_consultations_own_retention(demo, wanjiru):
    demo.personal_data_retention_days = 30
    demo.save(update_fields=["personal_data_retention_days"])

    with time_machine.travel("2024-03-30T12:00:00+00:00", tick=False):
        purge()
    wanjiru.refresh_from_db()
    assert not wanjiru.is_erased()

    with time_machine.travel("2024-04-01T12:00:00+00:00", tick=False):
        purge()
    wanjiru.refresh_from_db()
    assert wanjiru.is_erased()


def test_the_privacy_notice_states_what_is_kept_and_for_how_long(client, demo):
    page = client.get(reverse("privacy")).content.decode()

    assert demo.title in page
    assert "365 days after closing" in page
    assert 'datetime="2025-02-28"' in page
    assert "What erasure removes and what it keeps" in page
    assert "Comments are the consultation's content" in page


def test_a_definition_file_sets_the_retention_and_the_export_keeps_it(demo, demo_document):
    demo_document["personal_data_retention_days"] = 90
    load_text(as_yaml(demo_document))

    demo.refresh_from_db()
    assert demo.personal_data_retention_days == 90
    assert export_consultation(demo.slug)["personal_data_retention_days"] == 90


def test_a_definition_file_refuses_a_retention_of_zero_days(demo, demo_document):
    demo_document["personal_data_retention_days"] = 0
    with pytest.raises(DefinitionError, match="personal_data_retention_days"):
        load_text(as_yaml(demo_document))
    demo.refresh_from_db()
    assert demo.personal_data_retention_days == 365
