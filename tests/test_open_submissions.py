"""Open written submissions: someone who could not register or attend sends their views, which
count only once they confirm them through the link e-mailed to them."""

import logging
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from consulta.consultations.models import Consultation, Recommendation
from consulta.definitions.loader import load_text
from consulta.demo import DEMO_FILE
from consulta.feedback.actions import (
    FeedbackClosed,
    NotAllowed,
    close_consultation,
    respondent_for_registration,
)
from consulta.feedback.models import Answer, Channel, Respondent
from consulta.feedback.submissions import (
    NothingAnswered,
    confirm_open_submission,
    confirmation_token,
    counted_respondents,
    start_open_submission,
)
from consulta.registrations import actions as registrations
from tests.conftest import participant

pytestmark = pytest.mark.django_db


def in_french(text: str) -> str:
    """The page's words as a French reader sees them (the confirmation link is in French)."""
    with translation.override("fr"):
        return escape(gettext(text))


EMAIL = "amara.diallo@example.org"
ORGANISATION = "Sahel Families of the Missing"
KEY = "first-submission-key-0001"


def submission(**overrides) -> dict:
    """Form data from a family association in Senegal, answering on MM-1 and HA-2."""
    data = {
        "email": EMAIL,
        "organisation": ORGANISATION,
        "stakeholder_group": "civil_society",
        "country": "SN",
        "language": "fr",
        "attribution": "chatham_house",
        "consent": "on",
        "website": "",
        "submission_key": KEY,
        "MM-1-support": "5",
        "MM-1-priority": "4",
        "MM-1-comment": "Families need one contact point, not five.",
        "MM-1-proposed_text": "",
        "HA-2-comment": "Add search and rescue at sea.",
    }
    return data | overrides


def url_in(language, name, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def form_url(consultation, language="en") -> str:
    return url_in(language, "open-submission", consultation.slug)


def confirm_link(message) -> str:
    found = re.search(r"http://\S+/submit/confirm/[^/\s]+/", message.body)
    assert found, f"no confirmation link in:\n{message.body}"
    return found.group(0)


def path_of(link: str) -> str:
    return link.removeprefix("http://127.0.0.1:8000")


def send(client, consultation, data, capture, language="en"):
    with capture(execute=True):
        return client.post(form_url(consultation, language), data)


@pytest.fixture
def sent(client, demo, before_the_sessions, django_capture_on_commit_callbacks):
    """A valid submission, sent; its respondent (unconfirmed) and its e-mail."""
    response = send(client, demo, submission(), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    (message,) = mail.outbox
    return Respondent.objects.get(), message


def errors_on(response) -> str:
    assert response.status_code == 400
    return response.content.decode()


# The journey.


def test_the_form_offers_every_recommendation_grouped_by_pillar(client, demo, before_the_sessions):
    response = client.get(form_url(demo))
    assert response.status_code == 200
    page = response.content.decode()
    codes = re.findall(r'<article class="recommendation" id="rec-([A-Z]+-\d+)"', page)
    assert codes == ["MM-1", "MM-2", "MM-3", "MM-4", "MM-5", "MM-6", "HA-1", "HA-2", "HA-3", "HA-4"]
    assert page.index("Missing migrants") < page.index("rec-MM-1") < page.index("rec-HA-1")
    for label in ("Do you support MM-1?", "Priority of MM-1", "Comment on MM-1"):
        assert label in page
    assert "Proposed rewording of HA-4" in page
    assert "Strongly agree" in page and "No opinion" in page and "Essential" in page
    assert f'href="{url_in("en", "privacy")}"' in page
    assert 'name="website"' in page


def test_a_valid_submission_is_stored_unconfirmed_with_its_answers(sent, demo):
    respondent, _message = sent
    assert respondent.channel == Channel.OPEN_SUBMISSION
    assert respondent.confirmed_at is None
    assert respondent.consented_at is not None
    assert (respondent.email, respondent.organisation) == (EMAIL, ORGANISATION)
    assert (respondent.stakeholder_group, respondent.country) == ("civil_society", "SN")
    assert (respondent.language, respondent.attribution) == ("fr", "chatham_house")
    answers = {a.recommendation.code: a for a in respondent.answers.all()}
    assert set(answers) == {"MM-1", "HA-2"}  # unanswered recommendations store nothing
    assert (answers["MM-1"].support, answers["MM-1"].priority) == (5, 4)
    assert answers["MM-1"].comment == "Families need one contact point, not five."
    assert answers["HA-2"].support is None and answers["HA-2"].comment
    assert all(a.is_current for a in answers.values())


def test_the_email_is_in_the_chosen_language_with_a_working_link(sent, client, demo):
    _respondent, message = sent
    assert message.to == [EMAIL]
    assert demo.title in message.subject
    link = confirm_link(message)
    assert link.startswith("http://127.0.0.1:8000/fr/c/missing-migrants-2024/submit/confirm/")
    # The recommendations answered, titled in French.
    mm1 = demo.recommendations.get(code="MM-1")
    assert mm1.title_fr and mm1.title_fr in message.body
    html = message.alternatives[0][0]
    assert '<html lang="fr"' in html and link in html
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert in_french("Confirm my submission") in page.content.decode()


def test_after_sending_the_page_says_check_your_email(client, demo, before_the_sessions):
    response = client.post(form_url(demo), submission(), follow=True)
    assert response.redirect_chain[-1][0] == url_in("en", "open-submission-sent", demo.slug)
    assert "Check your e-mail" in response.content.decode()


def test_opening_the_link_does_not_confirm(sent, client):
    respondent, message = sent
    client.get(path_of(confirm_link(message)))
    client.head(path_of(confirm_link(message)))
    respondent.refresh_from_db()
    assert respondent.confirmed_at is None


def test_confirming_by_the_button_makes_the_submission_count(sent, client, demo):
    respondent, message = sent
    assert respondent not in counted_respondents(demo)
    link = path_of(confirm_link(message))
    response = client.post(link, follow=True)
    assert in_french("Thank you: your submission now counts.") in response.content.decode()
    respondent.refresh_from_db()
    assert respondent.confirmed_at is not None
    assert list(counted_respondents(demo)) == [respondent]


def test_confirming_twice_is_harmless(sent, client, before_the_sessions):
    respondent, message = sent
    link = path_of(confirm_link(message))
    client.post(link)
    respondent.refresh_from_db()
    first = respondent.confirmed_at
    before_the_sessions.shift(3600)
    again = client.post(link, follow=True)
    assert again.status_code == 200
    assert in_french("Thank you: your submission now counts.") in again.content.decode()
    respondent.refresh_from_db()
    assert respondent.confirmed_at == first
    # Opening the link later says it counts, without a button.
    later = client.get(link).content.decode()
    assert in_french("Thank you: your submission now counts.") in later
    assert in_french("Confirm my submission") not in later


# Counting.


def test_unconfirmed_submissions_are_not_counted(sent, demo):
    registration = registrations.register_participant(
        demo.sessions.get(key="africa"), participant()
    ).registration
    through_link = respondent_for_registration(registration)
    unconfirmed, _message = sent
    counted = list(counted_respondents(demo))
    assert through_link in counted
    assert unconfirmed not in counted


def test_of_two_confirmed_submissions_from_one_address_only_the_latest_counts(
    client, demo, before_the_sessions, django_capture_on_commit_callbacks
):
    send(client, demo, submission(), django_capture_on_commit_callbacks)
    send(
        client,
        demo,
        submission(submission_key="second-submission-key-02", **{"MM-1-support": "2"}),
        django_capture_on_commit_callbacks,
    )
    first, second = Respondent.objects.order_by("pk")
    for message in mail.outbox:
        client.post(path_of(confirm_link(message)))
    assert list(counted_respondents(demo)) == [second]
    # Both stay stored, with their answers.
    assert first.answers.count() == second.answers.count() == 2


def test_counting_takes_the_same_number_of_queries_for_few_and_many_respondents(
    demo, before_the_sessions
):
    def counted_with(n):
        for i in range(n):
            respondent = start_open_submission(
                demo,
                identity(email=f"person{i}-{n}@example.org"),
                {demo.recommendations.get(code="MM-1"): {"support": 4}},
                submission_key=f"key-{n}-{i}-0000000000000",
            )
            confirm_open_submission(respondent)
        with CaptureQueriesContext(connection) as queries:
            list(counted_respondents(demo))
        return len(queries)

    assert counted_with(1) == counted_with(12) == 1


# Double submissions.


def test_the_same_form_sent_twice_makes_one_respondent_and_one_email(
    client, demo, before_the_sessions, django_capture_on_commit_callbacks
):
    first = send(client, demo, submission(), django_capture_on_commit_callbacks)
    second = send(client, demo, submission(), django_capture_on_commit_callbacks)
    assert first["Location"] == second["Location"]
    assert Respondent.objects.count() == 1
    assert Answer.objects.count() == 2
    assert len(mail.outbox) == 1


def test_a_mangled_submission_key_still_stores_the_submission(
    client, demo, before_the_sessions, django_capture_on_commit_callbacks
):
    response = send(
        client, demo, submission(submission_key="<script>"), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert Respondent.objects.count() == 1
    assert len(mail.outbox) == 1


# Refusals: each says why, and nothing is written.


def test_every_invalid_identity_field_is_named_and_nothing_is_stored(
    client, demo, before_the_sessions
):
    bad = submission(
        email="not-an-address",
        stakeholder_group="astronauts",
        country="XX",
        language="de",
        attribution="by-name",
        consent="",
    )
    page = errors_on(client.post(form_url(demo), bad))
    summary = page[
        page.index('id="error-summary"') : page.index("</div>", page.index("error-summary"))
    ]
    for label, anchor in [
        ("E-mail", "id_email"),
        ("Stakeholder group", "id_stakeholder_group"),
        ("Country", "id_country"),
        ("Preferred language", "id_language"),
        ("How may your contributions be reported?", "id_attribution_0"),
        ("I agree to the privacy notice", "id_consent"),
    ]:
        assert f'href="#{anchor}"' in summary, label
        assert f"{label}:" in summary, label
    assert "Enter a valid email address." in page
    assert 'id="id_email_error"' in page and 'aria-invalid="true"' in page
    # What was typed stays in the form.
    assert "not-an-address" in page
    assert Respondent.objects.count() == 0 and Answer.objects.count() == 0


def test_missing_identity_fields_are_each_named(client, demo, before_the_sessions):
    bare = {k: v for k, v in submission().items() if k.startswith(("MM-", "HA-"))}
    page = errors_on(client.post(form_url(demo), bare))
    for label in ("E-mail", "Stakeholder group", "Country", "Preferred language"):
        assert f"{label}: This field is required." in page
    assert "I agree to the privacy notice: This field is required." in page
    assert Respondent.objects.count() == 0


def test_attribution_to_an_organisation_needs_the_organisation(client, demo, before_the_sessions):
    page = errors_on(
        client.post(form_url(demo), submission(organisation="", attribution="organisation"))
    )
    assert (
        "Organisation: Give your organisation, or choose to be reported by stakeholder group only."
        in page
    )
    assert Respondent.objects.count() == 0


def test_without_an_organisation_under_the_chatham_house_rule_the_submission_is_taken(
    client, demo, before_the_sessions
):
    response = client.post(form_url(demo), submission(organisation=""))
    assert response.status_code == 302
    assert Respondent.objects.get().organisation == ""


def test_a_submission_without_any_answer_is_refused_with_a_clear_message(
    client, demo, before_the_sessions
):
    identity_only = {k: v for k, v in submission().items() if not k.startswith(("MM-", "HA-"))}
    page = errors_on(client.post(form_url(demo), identity_only))
    message = (
        "Give at least one answer: your support, a priority, a comment or a proposed rewording "
        "on any recommendation."
    )
    assert f'<a href="#answers">Your views: {message}</a>' in page
    assert f'<p class="error" id="answers_error">{message}</p>' in page
    # Whitespace is no answer either.
    blank = identity_only | {"MM-1-comment": "   ", "HA-1-proposed_text": "\n"}
    assert message in errors_on(client.post(form_url(demo), blank))
    assert Respondent.objects.count() == 0 and Answer.objects.count() == 0


def test_no_opinion_alone_is_an_answer(client, demo, before_the_sessions):
    identity_only = {k: v for k, v in submission().items() if not k.startswith(("MM-", "HA-"))}
    response = client.post(form_url(demo), identity_only | {"HA-3-support": "0"})
    assert response.status_code == 302
    (answer,) = Answer.objects.all()
    assert (answer.recommendation.code, answer.support) == ("HA-3", 0)


def test_an_invalid_answer_is_named_and_nothing_is_stored(client, demo, before_the_sessions):
    page = errors_on(
        client.post(
            form_url(demo),
            submission(**{"MM-2-support": "9", "HA-1-comment": "x" * 5001}),
        )
    )
    assert 'href="#id_MM-2-support_0"' in page
    assert (
        "Do you support MM-2?: Select a valid choice. 9 is not one of the available choices."
        in page
    )
    assert 'href="#id_HA-1-comment"' in page
    assert "Comment on HA-1: Ensure this value has at most 5000 characters" in page
    assert Respondent.objects.count() == 0 and Answer.objects.count() == 0


def test_a_robot_filling_the_hidden_field_sees_the_usual_page_and_nothing_is_stored(
    client, demo, before_the_sessions, django_capture_on_commit_callbacks
):
    response = send(
        client, demo, submission(website="http://spam.example"), django_capture_on_commit_callbacks
    )
    assert response["Location"] == url_in("en", "open-submission-sent", demo.slug)
    assert Respondent.objects.count() == 0 and not mail.outbox


def test_too_many_attempts_from_one_client_are_refused(client, demo, before_the_sessions, settings):
    settings.REGISTRATIONS_PER_CLIENT_PER_HOUR = 2
    for n in range(2):
        client.post(form_url(demo), submission(submission_key=f"attempt-{n}-000000000000"))
    response = client.post(form_url(demo), submission(submission_key="attempt-3-000000000000"))
    assert response.status_code == 429
    assert "Too many submissions came from your connection" in response.content.decode()
    assert Respondent.objects.count() == 2


@pytest.mark.parametrize("how", ["status closed", "after its closing date"])
def test_a_closed_consultation_shows_no_form_and_refuses_submissions(
    how, client, demo, before_the_sessions
):
    if how == "status closed":
        close_consultation(demo)
    else:
        before_the_sessions.move_to("2024-03-01T09:00:00+00:00")
    page = client.get(form_url(demo))
    assert page.status_code == 200
    text = page.content.decode()
    assert "This consultation does not take written submissions now." in text
    assert "<form" not in text.split('<main id="main"')[1]
    refused = client.post(form_url(demo), submission())
    assert refused.status_code == 409
    assert "does not take written submissions" in refused.content.decode()
    assert Respondent.objects.count() == 0 and Answer.objects.count() == 0


def test_a_draft_consultation_is_not_found(client, demo, before_the_sessions):
    Consultation.objects.filter(pk=demo.pk).update(status=Consultation.Status.DRAFT)
    assert client.get(form_url(demo)).status_code == 404
    assert client.post(form_url(demo), submission()).status_code == 404
    assert client.get(url_in("en", "open-submission-sent", demo.slug)).status_code == 404
    assert Respondent.objects.count() == 0


def test_an_unknown_consultation_is_not_found(client, db):
    assert client.get(url_in("en", "open-submission", "no-such-thing")).status_code == 404


def test_a_tampered_token_is_not_found(sent, client, demo):
    respondent, message = sent
    link = path_of(confirm_link(message))
    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = link.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert client.get(tampered).status_code == 404
    assert client.post(tampered).status_code == 404
    # A token for another consultation's address, and a revoked one, neither.
    other = link.replace(demo.slug, "another-consultation")
    assert client.get(other).status_code == 404
    Respondent.objects.filter(pk=respondent.pk).update(link_nonce="revoked")
    assert client.post(link).status_code == 404
    respondent.refresh_from_db()
    assert respondent.confirmed_at is None


def test_after_closing_an_unconfirmed_submission_can_no_longer_be_confirmed(sent, client, demo):
    respondent, message = sent
    close_consultation(demo)
    link = path_of(confirm_link(message))
    refused = in_french("The consultation has closed: this submission can no longer be confirmed.")
    assert refused in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 409
    assert refused in response.content.decode()
    respondent.refresh_from_db()
    assert respondent.confirmed_at is None


def test_withdrawn_recommendations_are_not_offered(client, demo, before_the_sessions):
    demo.recommendations.filter(code="MM-3").update(status=Recommendation.Status.WITHDRAWN)
    page = client.get(form_url(demo)).content.decode()
    assert 'id="rec-MM-3"' not in page and 'id="rec-MM-4"' in page
    # Posting an answer for it anyway stores nothing for it.
    response = client.post(form_url(demo), submission(**{"MM-3-comment": "Keep it"}))
    assert response.status_code == 302
    assert not Answer.objects.filter(recommendation__code="MM-3").exists()


def test_the_form_takes_the_same_number_of_queries_for_few_and_many_recommendations(
    client, demo, before_the_sessions
):
    def queries_for_the_form():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(form_url(demo)).status_code == 200
        return len(queries)

    many = queries_for_the_form()
    demo.recommendations.exclude(code__in=["MM-1", "HA-1"]).update(
        status=Recommendation.Status.WITHDRAWN
    )
    assert queries_for_the_form() == many


# Personal data.


def test_no_personal_data_on_any_public_page_afterwards(sent, client, demo):
    _respondent, message = sent
    link = path_of(confirm_link(message))
    pages = [
        url_in("en", "home"),
        url_in("en", "consultation", demo.slug),
        form_url(demo),
        url_in("en", "open-submission-sent", demo.slug),
        link,
    ]
    for path in pages:
        page = client.get(path).content.decode()
        assert EMAIL not in page and ORGANISATION not in page, path
    confirmed = client.post(link, follow=True).content.decode()
    assert EMAIL not in confirmed and ORGANISATION not in confirmed
    for path in pages:
        page = client.get(path).content.decode()
        assert EMAIL not in page and ORGANISATION not in page, path


def test_the_email_names_no_other_person(
    client, demo, before_the_sessions, django_capture_on_commit_callbacks
):
    send(client, demo, submission(), django_capture_on_commit_callbacks)
    send(
        client,
        demo,
        submission(
            email="li.wei@example.cn",
            organisation="Coastal Rescue Volunteers",
            country="CN",
            language="en",
            submission_key="second-person-key-000000",
        ),
        django_capture_on_commit_callbacks,
    )
    first, second = mail.outbox
    assert second.to == ["li.wei@example.cn"]
    for part in (second.subject, second.body, second.alternatives[0][0]):
        assert EMAIL not in part and ORGANISATION not in part
        assert "Coastal Rescue Volunteers" not in part
    for part in (first.subject, first.body, first.alternatives[0][0]):
        assert "li.wei@example.cn" not in part and "Coastal Rescue" not in part


def test_the_logs_name_no_personal_data(
    client, demo, before_the_sessions, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.INFO):
        send(client, demo, submission(), django_capture_on_commit_callbacks)
        client.post(path_of(confirm_link(mail.outbox[0])))
    assert "open submission" in caplog.text
    assert EMAIL not in caplog.text and ORGANISATION not in caplog.text


# The actions, called directly (as the API or an importer would).


def identity(**overrides) -> dict:
    return {
        "email": EMAIL,
        "organisation": ORGANISATION,
        "stakeholder_group": "civil_society",
        "country": "SN",
        "language": "fr",
        "attribution": "chatham_house",
        "consent": True,
    } | overrides


def test_start_open_submission_refuses_an_empty_submission(demo, before_the_sessions):
    with pytest.raises(NothingAnswered):
        start_open_submission(
            demo,
            identity(),
            {demo.recommendations.get(code="MM-1"): {"comment": " "}},
            submission_key="empty-submission-key-00",
        )
    assert Respondent.objects.count() == 0


def test_start_open_submission_refuses_a_closed_consultation(demo, before_the_sessions):
    close_consultation(demo)
    with pytest.raises(FeedbackClosed):
        start_open_submission(
            demo,
            identity(),
            {demo.recommendations.get(code="MM-1"): {"support": 4}},
            submission_key="closed-submission-key-0",
        )
    assert Respondent.objects.count() == 0


def test_start_open_submission_refuses_another_consultations_recommendation(
    demo, before_the_sessions
):
    other = load_text(
        DEMO_FILE.read_text(encoding="utf-8").replace(
            "slug: missing-migrants-2024", "slug: another-round", 1
        )
    ).consultation
    with pytest.raises(NotAllowed):
        start_open_submission(
            demo,
            identity(),
            {other.recommendations.get(code="MM-1"): {"support": 4}},
            submission_key="foreign-submission-key-",
        )
    assert Respondent.objects.count() == 0


def test_start_open_submission_refuses_an_unknown_country(demo, before_the_sessions):
    with pytest.raises(ValueError, match="country"):
        start_open_submission(
            demo,
            identity(country="XX"),
            {demo.recommendations.get(code="MM-1"): {"support": 4}},
            submission_key="unknown-country-key-000",
        )
    assert Respondent.objects.count() == 0


def test_a_personal_link_respondent_cannot_be_confirmed_as_an_open_submission(
    demo, before_the_sessions
):
    registration = registrations.register_participant(
        demo.sessions.get(key="africa"), participant()
    ).registration
    with pytest.raises(NotAllowed):
        confirm_open_submission(respondent_for_registration(registration))


def test_the_token_names_the_respondent_only_through_a_signature(sent):
    respondent, message = sent
    token = confirmation_token(respondent)
    assert token in confirm_link(message)
    assert EMAIL not in token
