"""A registered participant answers the draft recommendations through their personal link.

The cast: Wanjiru (civil society, Kenya) registered for the Africa session; Jonas (Member
State, Sweden) for the Europe one. The clock stands on 20 January 2024, consultation open.
"""

import json
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from consulta.definitions.loader import load_text
from consulta.feedback import actions as feedback
from consulta.feedback.models import Answer, Channel, Respondent, Support
from consulta.feedback.views.participant import AnswerForm
from consulta.registrations import actions as registrations
from consulta.registrations.links import personal_token
from consulta.registrations.models import Registration
from tests.conftest import EUROPEAN, as_yaml, participant

pytestmark = pytest.mark.django_db

CLOSED = "The consultation is closed: answers can no longer be changed."
CANCELLED = "Your registration is cancelled: you can no longer give feedback with this link."


def feedback_url(name, token, *args, language="en") -> str:
    with translation.override(language):
        return reverse(f"participant_feedback:{name}", args=[token, *args])


def translated(text, language) -> str:
    with translation.override(language):
        return gettext(text)


def answer_data(**values) -> dict:
    return {
        "support": "",
        "priority": "",
        "comment": "",
        "proposed_text": "",
        "submission_key": uuid.uuid4().hex,
    } | values


def register(demo, session_key="africa", **overrides) -> Registration:
    session = demo.sessions.get(key=session_key)
    return registrations.register_participant(session, participant(**overrides)).registration


@pytest.fixture
def wanjiru(demo, before_the_sessions) -> Registration:
    return register(demo)


@pytest.fixture
def token(wanjiru) -> str:
    return personal_token(wanjiru)


def current(registration, code) -> Answer:
    return Answer.objects.get(
        respondent__registration=registration, recommendation__code=code, is_current=True
    )


def test_the_overview_lists_the_pillars_with_how_many_recommendations_were_answered(
    client, demo, wanjiru, token
):
    client.post(feedback_url("answer", token, "MM-1"), answer_data(support="4"))
    client.post(feedback_url("answer", token, "MM-2"), answer_data(comment="Yes, and more."))
    client.post(feedback_url("answer", token, "HA-1"), answer_data())  # an empty answer
    html = client.get(feedback_url("overview", token)).content.decode()
    assert "Missing migrants" in html
    assert "2 of 6" in html
    assert "0 of 4" in html
    assert feedback_url("pillar", token, "MM") in html
    assert feedback_url("summary", token) in html
    assert feedback_url("prioritise", token) in html


def test_the_pillar_page_shows_every_recommendation_with_its_own_form(client, demo, token):
    response = client.get(feedback_url("pillar", token, "MM"))
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("MM-1", "MM-2", "MM-3", "MM-4", "MM-5", "MM-6"):
        assert f'id="rec-{code}"' in html
        assert f'action="{feedback_url("answer", token, code)}"' in html
    assert "HA-1" not in html
    assert html.count('name="submission_key"') == 6
    assert html.count('<span class="badge">Illustrative</span>') == 6
    # Every control has its label; radio groups are fieldsets with a legend.
    assert '<label for="a-MM-1-comment">Comment</label>' in html
    assert '<label for="a-MM-1-proposed_text">Proposed rewording</label>' in html
    assert '<label for="a-MM-1-support-5">Strongly agree</label>' in html
    assert '<label for="a-MM-1-support-0">No opinion</label>' in html
    assert '<label for="a-MM-1-priority-4">Essential</label>' in html
    assert html.count("<legend>How much do you support it?</legend>") == 6
    assert "copy the recommendation's text into this box" in html


def test_each_page_gets_a_fresh_submission_key(client, token):
    first = client.get(feedback_url("pillar", token, "MM")).content.decode()
    second = client.get(feedback_url("pillar", token, "MM")).content.decode()
    key = 'name="submission_key" value="'
    assert first.split(key)[1][:32] != second.split(key)[1][:32]


def test_untranslated_recommendations_are_shown_in_english_with_a_note(client, demo, token):
    html = client.get(feedback_url("pillar", token, "MM", language="fr")).content.decode()
    assert "Coordonner la recherche et le sauvetage par-delà les frontières" in html
    mm5 = html.split('id="rec-MM-5"')[1].split("</article>")[0]
    assert translated("Not yet translated: shown in English.", "fr") in mm5
    english = demo.recommendations.get(code="MM-5").text_en
    assert f'<p class="recommendation-text" lang="en" dir="ltr">{escape(english)}</p>' in mm5
    mm1 = html.split('id="rec-MM-1"')[1].split("</article>")[0]
    assert translated("Not yet translated: shown in English.", "fr") not in mm1


def test_the_arabic_page_is_right_to_left_and_loads_its_script_from_consulta(client, token):
    html = client.get(feedback_url("pillar", token, "MM", language="ar")).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert '<script src="/static/feedback/answers.js" defer></script>' in html
    assert "<script>" not in html
    assert " onclick=" not in html and " onsubmit=" not in html


def test_saving_an_answer_returns_to_the_recommendation_with_saved(client, wanjiru, token):
    response = client.post(
        feedback_url("answer", token, "MM-2"),
        answer_data(support="5", priority="4", comment="  Families need news.  "),
    )
    assert response.status_code == 302
    assert response["Location"] == feedback_url("pillar", token, "MM") + "#rec-MM-2"
    html = client.get(response["Location"]).content.decode()
    mm2 = html.split('id="rec-MM-2"')[1].split("</article>")[0]
    assert 'role="status" data-save-status>Saved</p>' in mm2
    assert 'id="a-MM-2-support-5" name="support" value="5" checked' in mm2
    assert 'id="a-MM-2-priority-4" name="priority" value="4" checked' in mm2
    assert "Families need news.</textarea>" in mm2
    mm1 = html.split('id="rec-MM-1"')[1].split("</article>")[0]
    assert ">Saved<" not in mm1
    # "Saved" is said once: not again on the next visit.
    again = client.get(response["Location"]).content.decode()
    assert ">Saved<" not in again

    answer = current(wanjiru, "MM-2")
    assert (answer.support, answer.priority) == (5, 4)
    assert answer.comment == "Families need news."
    assert answer.language == "en"
    respondent = answer.respondent
    assert respondent.channel == Channel.PERSONAL_LINK
    assert (respondent.stakeholder_group, respondent.country) == ("civil_society", "KE")


def test_no_opinion_is_an_answer_of_its_own(client, wanjiru, token):
    client.post(feedback_url("answer", token, "MM-3"), answer_data(support="0"))
    assert current(wanjiru, "MM-3").support == Support.NO_OPINION
    html = client.get(feedback_url("pillar", token, "MM")).content.decode()
    assert 'id="a-MM-3-support-0" name="support" value="0" checked' in html


def test_changing_an_answer_keeps_the_earlier_version_and_the_summary_shows_the_latest(
    client, wanjiru, token
):
    client.post(feedback_url("answer", token, "MM-1"), answer_data(support="2", comment="Unsure."))
    client.post(
        feedback_url("answer", token, "MM-1"), answer_data(support="4", comment="Convinced.")
    )
    versions = Answer.objects.filter(recommendation__code="MM-1").order_by("pk")
    assert [(a.support, a.comment, a.is_current) for a in versions] == [
        (2, "Unsure.", False),
        (4, "Convinced.", True),
    ]
    html = client.get(feedback_url("summary", token)).content.decode()
    mm1 = html.split('id="rec-MM-1"')[1].split("</article>")[0]
    assert "Agree" in mm1 and "Convinced." in mm1
    assert "Unsure." not in html and "Disagree" not in mm1


def test_the_same_submission_posted_twice_is_one_answer(client, wanjiru, token):
    data = answer_data(support="4", comment="Double click.")
    first = client.post(feedback_url("answer", token, "MM-4"), data)
    second = client.post(feedback_url("answer", token, "MM-4"), data)
    assert first.status_code == second.status_code == 302
    assert Answer.objects.count() == 1
    assert Respondent.objects.count() == 1


def test_a_resubmitted_old_form_does_not_overwrite_a_later_answer(client, wanjiru, token):
    old = answer_data(support="1")
    client.post(feedback_url("answer", token, "MM-4"), old)
    client.post(feedback_url("answer", token, "MM-4"), answer_data(support="5"))
    client.post(feedback_url("answer", token, "MM-4"), old)  # the browser's "resend"
    assert current(wanjiru, "MM-4").support == 5
    assert Answer.objects.count() == 2


def save_from_two_threads(token, code, values: list[dict]) -> list[int]:
    """POST each answer from its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(values))
    statuses = [0] * len(values)

    def post(index, data):
        try:
            barrier.wait(timeout=10)
            response = Client().post(feedback_url("answer", token, code), data)
            statuses[index] = response.status_code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=post, args=(index, data)) for index, data in enumerate(values)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_leave_exactly_one_current_answer(demo, before_the_sessions):
    # SQLite serialises writers with a database-wide lock that threads in a test cannot share
    # reliably; test_a_save_that_loses_a_race_... below covers the same path on every database.
    if connection.vendor != "postgresql":
        pytest.skip("threads racing need PostgreSQL; the sequential variant runs everywhere")
    registration = register(demo)
    token = personal_token(registration)
    for round_ in range(3):
        statuses = save_from_two_threads(
            token,
            "MM-1",
            [answer_data(support="2", comment=f"A{round_}"), answer_data(support="5")],
        )
        assert all(status == 302 for status in statuses), statuses
        assert Answer.objects.filter(recommendation__code="MM-1", is_current=True).count() == 1, (
            f"round {round_}"
        )
    assert Respondent.objects.count() == 1
    # The same submission sent twice at once (a double click) is one answer.
    data = answer_data(support="3", comment="twice")
    assert save_from_two_threads(token, "MM-2", [data, data]) == [302, 302]
    assert Answer.objects.filter(recommendation__code="MM-2").count() == 1


def test_a_save_that_loses_a_race_to_another_window_says_so_and_keeps_one_answer(
    client, wanjiru, token, monkeypatch
):
    """What the threads above provoke, in sequence: another window stores its answer first,
    then this request's save finds the answer taken (DuplicateSubmission)."""
    other_window = answer_data(support="5", comment="From the other window.")
    client.post(feedback_url("answer", token, "MM-1"), other_window)

    def lost_the_race(*args, **kwargs):
        raise feedback.DuplicateSubmission

    monkeypatch.setattr(feedback, "record_answer", lost_the_race)
    response = client.post(feedback_url("answer", token, "MM-1"), answer_data(support="1"))
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "saved from another window at the same moment" in html
    assert "From the other window.</textarea>" in html
    assert Answer.objects.filter(is_current=True).count() == 1
    assert current(wanjiru, "MM-1").support == 5

    # The same submission that lost to itself (a double click) simply counts as saved.
    response = client.post(feedback_url("answer", token, "MM-1"), other_window)
    assert ">Saved<" in client.get(response["Location"]).content.decode()
    as_json = client.post(
        feedback_url("answer", token, "MM-1"),
        answer_data(support="2"),
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 409
    assert as_json.json()["error"]["code"] == "saved_elsewhere"
    assert Answer.objects.count() == 1


class NothingReadYet:
    """`_PRIOR_ANSWERS` as a save sees it when a parallel save stores its answer between this
    save's read and its insert."""

    @staticmethod
    def rows(**values):
        return []


@contextmanager
def a_parallel_save_commits_meanwhile(monkeypatch, earlier: Answer):
    """Another window changes `earlier` while this save runs.

    On PostgreSQL, where the save is one statement, for real: another connection retires
    `earlier` and stores its own answer in a transaction it commits only once this save waits
    for it. Elsewhere, the save reads its prior answers before the other one is stored."""
    if connection.vendor != "postgresql":
        monkeypatch.setattr(feedback, "_PRIOR_ANSWERS", NothingReadYet)
        yield
        return
    stored, done = threading.Event(), threading.Event()

    def other_window():
        try:
            with transaction.atomic():
                Answer.objects.filter(pk=earlier.pk).update(is_current=False)
                Answer.objects.create(
                    respondent_id=earlier.respondent_id,
                    recommendation_id=earlier.recommendation_id,
                    support=5,
                    submission_key="other-window",
                )
                stored.set()
                with connection.cursor() as cursor:
                    for _ in range(200):  # until this save waits for the other window's lock
                        cursor.execute(
                            "SELECT count(*) FROM pg_locks WHERE NOT granted AND database = "
                            "(SELECT oid FROM pg_database WHERE datname = current_database())"
                        )
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.05)
        finally:
            connections.close_all()
            done.set()

    threading.Thread(target=other_window).start()
    assert stored.wait(10)
    yield
    assert done.wait(10)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_callers_transaction", [False, True])
def test_a_save_that_loses_the_race_stores_nothing_and_the_caller_carries_on(
    demo, before_the_sessions, monkeypatch, in_callers_transaction
):
    """A save is a single statement outside any transaction (PostgreSQL; on SQLite a first
    answer is a single INSERT), or a savepoint inside the caller's: either way the loser of a
    race writes nothing, and the connection, or the caller's transaction, goes on."""
    registration = register(demo)
    respondent = feedback.respondent_for_registration(registration)
    recommendation = demo.recommendations.get(code="MM-1")
    values = {"support": 4, "priority": 1, "comment": "First.", "proposed_text": ""}
    earlier = feedback.save_answer(respondent, recommendation, values, submission_key="window-1")

    def losing_save():
        with (
            a_parallel_save_commits_meanwhile(monkeypatch, earlier),
            pytest.raises(feedback.DuplicateSubmission),
        ):
            feedback.record_answer(
                respondent, recommendation, values | {"support": 1}, submission_key="window-2"
            )

    if in_callers_transaction:
        with transaction.atomic():
            losing_save()
            Respondent.objects.filter(pk=respondent.pk).update(organisation="Still writable")
    else:
        losing_save()
    stored = {(a.submission_key, a.support, a.is_current) for a in Answer.objects.all()}
    if connection.vendor == "postgresql":
        assert stored == {("window-1", 4, False), ("other-window", 5, True)}
    else:
        assert stored == {("window-1", 4, True)}
    if in_callers_transaction:
        assert Respondent.objects.get(pk=respondent.pk).organisation == "Still writable"


def test_a_closed_consultation_refuses_answers_with_a_message_and_writes_nothing(
    client, demo, token
):
    feedback.close_consultation(demo)
    response = client.post(
        feedback_url("answer", token, "MM-1"), answer_data(support="4", comment="Late.")
    )
    assert response.status_code == 409
    assert CLOSED in response.content.decode()
    as_json = client.post(
        feedback_url("answer", token, "MM-1"),
        answer_data(support="4"),
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 409
    assert as_json.json() == {"error": {"code": "closed", "message": CLOSED}}
    assert Answer.objects.count() == 0
    assert Respondent.objects.count() == 0


def test_once_closed_the_pages_show_the_answers_read_only(client, demo, token):
    client.post(
        feedback_url("answer", token, "MM-1"),
        answer_data(support="4", priority="3", comment="Before closing."),
    )
    feedback.close_consultation(demo)
    html = client.get(feedback_url("pillar", token, "MM")).content.decode()
    assert CLOSED in html
    assert "<form" not in html.split("<main")[1]
    mm1 = html.split('id="rec-MM-1"')[1].split("</article>")[0]
    assert '<dd class="answer-support">Agree</dd>' in mm1
    assert '<dd class="answer-priority">High</dd>' in mm1
    assert "Before closing." in mm1
    summary = client.get(feedback_url("summary", token)).content.decode()
    assert CLOSED in summary
    assert "Change your answer" not in summary


def test_a_tampered_or_revoked_token_finds_nothing(client, wanjiru, token):
    tampered = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    for name, args in [
        ("overview", []),
        ("pillar", ["MM"]),
        ("summary", []),
        ("prioritise", []),
        ("answer", ["MM-1"]),
    ]:
        assert client.get(feedback_url(name, tampered, *args)).status_code == 404, name
    response = client.post(feedback_url("answer", tampered, "MM-1"), answer_data(support="4"))
    assert response.status_code == 404
    registrations.revoke_personal_link(wanjiru)
    assert client.get(feedback_url("pillar", token, "MM")).status_code == 404
    response = client.post(feedback_url("answer", token, "MM-1"), answer_data(support="4"))
    assert response.status_code == 404
    assert Answer.objects.count() == 0


def test_a_participant_cannot_read_or_change_another_participants_answers(
    client, demo, wanjiru, token
):
    jonas = register(demo, "europe", **EUROPEAN)
    jonas_token = personal_token(jonas)
    client.post(feedback_url("answer", token, "MM-1"), answer_data(support="5", comment="Mine."))

    other = Client()
    for page in (
        feedback_url("pillar", jonas_token, "MM"),
        feedback_url("summary", jonas_token),
    ):
        html = other.get(page).content.decode()
        assert "Mine." not in html
        assert "Wanjiru" not in html and "wanjiru@example.org" not in html
    other.post(feedback_url("answer", jonas_token, "MM-1"), answer_data(support="1"))
    assert current(wanjiru, "MM-1").support == 5
    assert current(jonas, "MM-1").support == 1
    assert current(jonas, "MM-1").respondent.country == "SE"


def test_only_recommendations_of_the_participants_consultation_can_be_answered(
    client, demo, demo_document, token
):
    assert client.post(feedback_url("answer", token, "XX-1"), answer_data()).status_code == 404
    assert client.get(feedback_url("pillar", token, "XX")).status_code == 404
    # A recommendation no longer in the definition is withdrawn: gone from the page, refused.
    pillar = demo_document["pillars"][0]
    pillar["recommendations"] = [r for r in pillar["recommendations"] if r["code"] != "MM-6"]
    load_text(as_yaml(demo_document))
    assert 'id="rec-MM-6"' not in client.get(feedback_url("pillar", token, "MM")).content.decode()
    response = client.post(feedback_url("answer", token, "MM-6"), answer_data(support="4"))
    assert response.status_code == 404
    assert Answer.objects.count() == 0


def test_invalid_values_are_named_at_their_fields_and_nothing_is_written(client, token):
    response = client.post(
        feedback_url("answer", token, "MM-2"),
        answer_data(
            support="7", priority="9", comment="x" * 5001, proposed_text="y" * 5001, extra="1"
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    mm2 = html.split('id="rec-MM-2"')[1].split("</article>")[0]
    assert (
        '<p class="error" id="a-MM-2-support-error">Choose a level of support from the list.</p>'
        in mm2
    )
    assert '<p class="error" id="a-MM-2-priority-error">Choose a priority from the list.</p>' in mm2
    assert "Keep the comment to 5000 characters or fewer (it has 5001)." in mm2
    assert "Keep the rewording to 5000 characters or fewer (it has 5001)." in mm2
    assert 'aria-describedby="a-MM-2-support-error"' in mm2
    assert 'aria-invalid="true" aria-describedby="a-MM-2-comment-error"' in mm2
    assert "a-MM-2-proposed_text-help a-MM-2-proposed_text-error" in mm2
    # The summary at the top of the page links to each field.
    assert '<a href="#a-MM-2-support-1">MM-2: Choose a level of support from the list.</a>' in html
    assert '<a href="#a-MM-2-comment">MM-2: Keep the comment' in html
    # What was typed stays, so nothing is lost.
    assert "x" * 5001 + "</textarea>" in mm2
    # Other recommendations keep their clean forms.
    mm1 = html.split('id="rec-MM-1"')[1].split("</article>")[0]
    assert 'class="error"' not in mm1
    assert Answer.objects.count() == 0
    assert Respondent.objects.count() == 0


def test_each_answer_form_has_its_own_fields_though_they_share_the_scales():
    """The scales' choices are shared between forms: a form that changes its field's choices,
    widget or messages changes them for itself only."""
    key = "k" * 32
    changed = AnswerForm({"support": "9", "submission_key": key})
    changed.fields["support"].choices = [("", ""), ("9", "Nine")]
    changed.fields["support"].widget.attrs["data-changed"] = "yes"
    changed.fields["priority"].error_messages["invalid_choice"] = "Changed."
    assert changed.is_valid() and changed.cleaned_data["support"] == 9
    declared = AnswerForm({"support": "9", "priority": "7", "submission_key": key})
    assert not declared.is_valid()
    assert declared.errors["support"] == ["Choose a level of support from the list."]
    assert declared.errors["priority"] == ["Choose a priority from the list."]
    assert "data-changed" not in declared.fields["support"].widget.attrs
    assert AnswerForm({"support": "3", "submission_key": key}).is_valid()
    assert [value for value, _label in declared.fields["support"].widget.choices][:2] == ["", "0"]


def test_an_answer_without_its_submission_key_is_refused(client, token):
    data = answer_data(support="4")
    del data["submission_key"]
    response = client.post(feedback_url("answer", token, "MM-2"), data)
    assert response.status_code == 400
    assert "This form is out of date: reload the page." in response.content.decode()
    response = client.post(
        feedback_url("answer", token, "MM-2"), answer_data(submission_key="no spaces or <tags>")
    )
    assert response.status_code == 400
    assert Answer.objects.count() == 0


def test_the_json_variant_saves_and_gives_a_fresh_key_for_the_next_save(client, wanjiru, token):
    json_headers = {"Accept": "application/json"}
    text = wanjiru.session.consultation.recommendations.get(code="MM-1").text_en
    rewording = text.replace("States", "All States", 1)
    data = answer_data(support="4", proposed_text=rewording)
    response = client.post(feedback_url("answer", token, "MM-1"), data, headers=json_headers)
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True
    assert body["message"] == "Saved"
    assert body["code"] == "MM-1"
    assert body["answer"]["support"] == 4
    assert body["submission_key"] != data["submission_key"]
    assert "<ins>" in body["diff_html"] and "All" in body["diff_html"]
    # The next save with the fresh key is a new version, not the first one again.
    client.post(
        feedback_url("answer", token, "MM-1"),
        answer_data(support="5", submission_key=body["submission_key"]),
        headers=json_headers,
    )
    assert current(wanjiru, "MM-1").support == 5

    invalid = client.post(
        feedback_url("answer", token, "MM-1"), answer_data(support="6"), headers=json_headers
    )
    assert invalid.status_code == 400
    error = invalid.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"support": ["Choose a level of support from the list."]}


def test_a_saved_rewording_is_shown_as_a_diff_that_screen_readers_can_follow(
    client, demo, wanjiru, token
):
    text = demo.recommendations.get(code="MM-1").text_en
    first_word = text.split()[0]
    rewording = "Urgently, " + text.replace(first_word, "Every", 1)
    client.post(feedback_url("answer", token, "MM-1"), answer_data(proposed_text=rewording))
    html = client.get(feedback_url("pillar", token, "MM")).content.decode()
    mm1 = html.split('id="rec-MM-1"')[1].split("</article>")[0]
    removed = f'<del><span class="visually-hidden" lang="en">removed: </span>{first_word}</del>'
    added = '<ins><span class="visually-hidden" lang="en">added: </span>Urgently, Every</ins>'
    assert removed in mm1
    assert added in mm1
    # The textarea keeps the rewording for further changes.
    assert escape(rewording) + "</textarea>" in mm1
    summary = client.get(feedback_url("summary", token)).content.decode()
    assert removed in summary


def test_a_rewording_is_compared_with_the_text_in_the_language_it_was_written_in(
    client, demo, token
):
    french = demo.recommendations.get(code="MM-1").text_fr
    client.post(
        feedback_url("answer", token, "MM-1", language="fr"),
        answer_data(proposed_text=french + " Sans délai."),
    )
    html = client.get(feedback_url("summary", token)).content.decode()
    assert '<p class="diff" lang="fr" dir="auto">' in html
    assert "Sans délai.</ins>" in html


def test_the_summary_lists_every_recommendation_answered_or_not(client, token):
    client.post(feedback_url("answer", token, "HA-2"), answer_data(priority="4"))
    html = client.get(feedback_url("summary", token)).content.decode()
    assert html.count('class="recommendation summary-item"') == 10
    assert html.count('<p class="not-answered">Not answered</p>') == 9
    ha2 = html.split('id="rec-HA-2"')[1].split("</article>")[0]
    assert '<dd class="answer-priority">Essential</dd>' in ha2
    assert '<dd class="answer-support">Not answered</dd>' in ha2
    assert feedback_url("pillar", token, "HA") + "#rec-HA-2" in ha2
    assert "Change your answer" in ha2


def test_opening_the_answer_address_leads_to_the_recommendation(client, token):
    response = client.get(feedback_url("answer", token, "HA-3"))
    assert response.status_code == 302
    assert response["Location"] == feedback_url("pillar", token, "HA") + "#rec-HA-3"


def test_a_cancelled_registration_sees_a_message_and_cannot_answer(client, wanjiru, token):
    registrations.cancel_registration(wanjiru)
    for page in (feedback_url("pillar", token, "MM"), feedback_url("overview", token)):
        response = client.get(page)
        assert response.status_code == 403
        assert CANCELLED in response.content.decode()
    response = client.post(feedback_url("answer", token, "MM-1"), answer_data(support="4"))
    assert response.status_code == 403
    as_json = client.post(
        feedback_url("answer", token, "MM-1"),
        answer_data(support="4"),
        headers={"Accept": "application/json"},
    )
    assert as_json.json()["error"]["code"] == "cancelled"
    assert Answer.objects.count() == 0


def test_a_participant_on_the_waiting_list_may_answer(client, wanjiru, token):
    Registration.objects.filter(pk=wanjiru.pk).update(status=Registration.Status.WAITLISTED)
    response = client.post(feedback_url("answer", token, "MM-1"), answer_data(support="3"))
    assert response.status_code == 302
    assert current(wanjiru, "MM-1").support == 3


def test_the_pillar_page_needs_the_same_queries_however_many_recommendations_and_answers(
    client, demo, demo_document, wanjiru, token
):
    url = feedback_url("pillar", token, "MM")
    # The same state of the browser's session both times: one save shown as "Saved" already.
    client.post(feedback_url("answer", token, "HA-1"), answer_data(support="4"))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    pillar = demo_document["pillars"][0]
    model = pillar["recommendations"][0]
    pillar["recommendations"] += [
        {**model, "code": f"MM-{n}", "title": {"en": f"Extra {n}"}, "text": {"en": f"Text {n}"}}
        for n in range(7, 31)
    ]
    load_text(as_yaml(demo_document))
    for n in range(1, 31):
        for version in range(2):
            client.post(
                feedback_url("answer", token, f"MM-{n}"),
                answer_data(support=str(version + 3), comment="c", proposed_text=f"Text {n}!"),
            )
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count('class="recommendation feedback-item"') == 30
    assert len(many) == len(few), json.dumps([q["sql"] for q in many.captured_queries], indent=1)


def test_the_summary_needs_the_same_queries_however_many_answers(client, token):
    url = feedback_url("summary", token)
    client.post(feedback_url("answer", token, "HA-4"), answer_data())  # an empty answer
    client.get(url)
    with CaptureQueriesContext(connection) as none_answered:
        client.get(url)
    for code in ("MM-1", "MM-2", "MM-3", "HA-1", "HA-2"):
        client.post(feedback_url("answer", token, code), answer_data(support="4", comment="c"))
    client.get(url)
    with CaptureQueriesContext(connection) as five_answered:
        client.get(url)
    assert len(five_answered) == len(none_answered)
