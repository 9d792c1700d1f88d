"""Co-leads revise their pillar's recommendations, link the feedback that motivated each
revision or keep the text with a reason; every version and its diff stays readable; the report
learns "what we heard / what changed" from `what_changed`.

The cast: Amina organises (staff); Kwame co-leads the missing-migrants pillar (MM) with an
ordinary account; Sam has an account and no role. The demo holds the known feedback of
tests/feedback_data.py, names and e-mail addresses planted in it.

Until consulta.revisions is wired into consulta/settings.py and consulta/urls.py, run this
module with `--ds=tests.revisions_settings`.
"""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from consulta.definitions.loader import load_text
from consulta.demo import DEMO_FILE, REHEARSAL_SLUG
from consulta.feedback import actions as feedback
from consulta.feedback.models import Answer, CapturedPoint
from consulta.revisions import actions
from consulta.revisions.models import KeptDecision, PillarCoLead, RevisionLink
from consulta.revisions.summary import what_changed
from tests.feedback_data import (
    ALLOWED_ORGANISATION,
    HIDDEN_ORGANISATION,
    PLANTED_EMAILS,
    PLANTED_NAMES,
    populate,
)

PASSWORD = "a long co-lead password"
NEW_MM2 = (
    "States should share data on missing migrants through one regional mechanism, "
    "with families kept informed."
)
RATIONALE = "Africa and Asia-Pacific asked for one regional mechanism; Europe asked about families."


def make_user(username, **extra):
    return get_user_model().objects.create_user(username, password=PASSWORD, **extra)


@pytest.fixture
def heard(demo, organiser):
    """The demo with its known feedback, plus a general point and one on MM-2 (Africa)."""
    result = populate(demo, make_user("kofi.moderator"))
    africa = demo.sessions.get(key="africa")
    recs = {r.code: r for r in demo.recommendations.all()}
    with time_machine.travel(datetime(2024, 1, 20, 10, tzinfo=UTC), tick=False):
        for key, recommendation, note in [
            ("general", None, "Families should have one contact point per country."),
            ("mm2", recs["MM-2"], "A regional mechanism would help more than bilateral ones."),
        ]:
            feedback.capture_point(
                africa,
                result.moderator,
                {
                    "recommendation": recommendation,
                    "stakeholder_group": "civil_society",
                    "country": "KE",
                    "stance": "proposes_change",
                    "note": note,
                },
                submission_key=f"revisions-{key}",
            )
    return result


@pytest.fixture
def kwame(heard):
    """The co-lead of the missing-migrants pillar: not staff."""
    user = make_user("kwame.colead")
    PillarCoLead.objects.create(user=user, pillar=heard.consultation.pillars.get(code="MM"))
    return user


@pytest.fixture
def kwame_client(client, kwame):
    client.force_login(kwame)
    return client


@pytest.fixture
def sam(db):
    return make_user("sam.participant")


def rec(consultation, code):
    return consultation.recommendations.get(code=code)


def mm2_comments(consultation, n=2):
    """The first `n` current answers on MM-2 with a comment (the campaign letters)."""
    return list(
        Answer.objects.filter(recommendation=rec(consultation, "MM-2"), is_current=True)
        .exclude(comment="")
        .order_by("pk")[:n]
    )


def general_point(consultation):
    return CapturedPoint.objects.get(
        session__consultation=consultation, recommendation__isnull=True
    )


def revise_path(consultation, code):
    return reverse("revisions-revise", args=[consultation.slug, code])


def versions_path(consultation, code):
    return reverse("revisions-versions", args=[consultation.slug, code])


def keep_path(consultation, code):
    return reverse("revisions-keep", args=[consultation.slug, code])


def overview_path(consultation):
    return reverse("revisions", args=[consultation.slug])


def form_data(recommendation, *, text=None, rationale=RATIONALE, answers=(), points=(), **more):
    """What the revision form posts: every language's title and text, as they are unless
    `text` replaces the English text."""
    data = {"rationale": rationale, "based_on": recommendation.current_version().number}
    for lang, entry in recommendation.texts().items():
        data[f"title_{lang}"] = entry["title"]
        data[f"text_{lang}"] = entry["text"]
    if text is not None:
        data["text_en"] = text
    data["answers"] = [a.pk for a in answers]
    data["points"] = [p.pk for p in points]
    return data | more


def english(recommendation, text):
    texts = recommendation.texts()
    texts["en"] = {**texts["en"], "text": text}
    return texts


# --- revising ------------------------------------------------------------------------------


def test_a_co_lead_revises_mm_2_linking_two_answers_and_a_captured_point(heard, kwame_client):
    demo = heard.consultation
    mm2 = rec(demo, "MM-2")
    old_text = mm2.text_en
    two_answers = mm2_comments(demo)
    point = general_point(demo)

    response = kwame_client.post(
        revise_path(demo, "MM-2"),
        form_data(mm2, text=NEW_MM2, answers=two_answers, points=[point]),
    )

    assert response.status_code == 302
    assert response["Location"] == versions_path(demo, "MM-2")
    mm2.refresh_from_db()
    assert mm2.text_en == NEW_MM2
    first, second = mm2.versions.order_by("number")
    assert first.texts["en"]["text"] == old_text
    assert second.number == 2
    assert second.rationale == RATIONALE
    assert second.changed_by.username == "kwame.colead"
    assert {link.answer_id for link in second.links.exclude(answer=None)} == {
        a.pk for a in two_answers
    }
    assert [link.point_id for link in second.links.exclude(point=None)] == [point.pk]

    page = kwame_client.get(response["Location"]).content.decode()
    assert "Saved as version 2, with 3 feedback items linked." in page
    assert "regional mechanism" in page
    assert "We the undersigned demand stronger cooperation" in page  # the linked comments
    assert "Families should have one contact point per country." in page  # the linked point


def test_the_revision_page_offers_the_feedback_on_this_recommendation_and_general_points(
    heard, kwame_client
):
    demo = heard.consultation
    page = kwame_client.get(revise_path(demo, "MM-2")).content.decode()

    assert "8 answers with a comment or a rewording" in page  # the campaign letters
    assert "We the undersigned demand stronger cooperation on missing migrants now." in page
    assert "Families should have one contact point per country." in page  # general
    assert "A regional mechanism would help more than bilateral ones." in page  # on MM-2
    assert "Point 0 about identification" not in page  # on MM-1
    assert "Forensic identification" not in page  # comments on MM-1
    assert 'name="answers"' in page
    assert 'name="points"' in page
    assert "Civil society" in page


def test_a_rewording_is_shown_as_a_word_diff_against_the_current_text(heard, kwame_client):
    page = kwame_client.get(revise_path(heard.consultation, "MM-1")).content.decode()

    assert "States should fund forensic identification." not in page  # shown as a diff, split
    assert '<span class="visually-hidden" lang="en">added: </span>' in page
    assert '<span class="visually-hidden" lang="en">removed: </span>' in page


def test_a_co_lead_of_missing_migrants_cannot_revise_ha_1(heard, kwame_client):
    demo = heard.consultation
    ha1 = rec(demo, "HA-1")

    assert kwame_client.get(revise_path(demo, "HA-1")).status_code == 403
    assert kwame_client.get(versions_path(demo, "HA-1")).status_code == 403
    refused = kwame_client.post(revise_path(demo, "HA-1"), form_data(ha1, text="Changed."))
    assert refused.status_code == 403
    assert "Only the organisers and the co-leads of a pillar" in refused.content.decode()
    assert kwame_client.post(keep_path(demo, "HA-1"), {"reason": "Fine"}).status_code == 403
    assert ha1.versions.count() == 1
    assert not KeptDecision.objects.exists()


def test_a_co_lead_sees_only_the_recommendations_of_their_pillar(heard, kwame_client):
    page = kwame_client.get(overview_path(heard.consultation)).content.decode()

    for code in ("MM-1", "MM-2", "MM-6"):
        assert f"Revise or keep {code}" in page
    assert "HA-1" not in page


def test_a_co_lead_cannot_see_another_consultation(heard, kwame_client):
    rehearsal = load_text(
        DEMO_FILE.read_text(encoding="utf-8"),
        shift_to=datetime(2031, 3, 3).date(),
        slug=REHEARSAL_SLUG,
    ).consultation

    assert kwame_client.get(overview_path(rehearsal)).status_code == 403
    assert kwame_client.get(revise_path(rehearsal, "MM-2")).status_code == 403
    assert kwame_client.get(versions_path(rehearsal, "MM-2")).status_code == 403


def test_an_organiser_can_revise_any_recommendation(heard, organiser_client):
    demo = heard.consultation
    ha1 = rec(demo, "HA-1")

    response = organiser_client.post(
        revise_path(demo, "HA-1"), form_data(ha1, text="A clearer text.", rationale="Clearer")
    )

    assert response.status_code == 302
    ha1.refresh_from_db()
    assert ha1.text_en == "A clearer text."
    assert ha1.current_version().changed_by.username == "amina.organiser"
    overview = organiser_client.get(overview_path(demo)).content.decode()
    assert "Revise or keep HA-4" in overview and "Revise or keep MM-1" in overview


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unchanged", "The text is unchanged"),
        ("no rationale", "Explain why the text changes: the rationale is required."),
        ("another recommendation's answer", "is feedback on MM-1, not on MM-2"),
        ("a hidden answer", "was hidden by moderation and cannot be linked"),
        ("a point on another recommendation", "is about MM-1, not MM-2"),
    ],
)
def test_a_revision_that_cannot_stand_is_refused_with_a_clear_message_and_nothing_written(
    heard, kwame_client, organiser, case, message
):
    demo = heard.consultation
    mm2 = rec(demo, "MM-2")
    answers = mm2_comments(demo, 1)
    points = []
    text = NEW_MM2
    rationale = RATIONALE
    if case == "unchanged":
        text = mm2.text_en
    elif case == "no rationale":
        rationale = "   "
    elif case == "another recommendation's answer":
        answers.append(Answer.objects.filter(recommendation=rec(demo, "MM-1")).first())
    elif case == "a hidden answer":
        feedback.hide(answers[0], organiser, "Abusive language")
    else:
        points.append(CapturedPoint.objects.filter(recommendation=rec(demo, "MM-1")).first())

    response = kwame_client.post(
        revise_path(demo, "MM-2"),
        form_data(mm2, text=text, rationale=rationale, answers=answers, points=points),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert message in page
    assert mm2.versions.count() == 1
    assert not RevisionLink.objects.exists()
    mm2.refresh_from_db()
    assert mm2.text_en != NEW_MM2
    if case != "unchanged":
        assert NEW_MM2 in page  # what was typed is kept for another try


def test_the_action_refuses_the_same_things_with_a_clear_message(heard, organiser):
    demo = heard.consultation
    mm2 = rec(demo, "MM-2")
    mm1_answer = Answer.objects.filter(recommendation=rec(demo, "MM-1")).first()
    hidden = mm2_comments(demo, 1)[0]
    feedback.hide(hidden, organiser, "Abusive language")

    def attempt(**kwargs):
        arguments = {"by": organiser, "rationale": RATIONALE} | kwargs
        return actions.revise_with_links(mm2, english(mm2, NEW_MM2), **arguments)

    with pytest.raises(ValueError, match="the rationale is required"):
        attempt(rationale="")
    with pytest.raises(ValueError, match="The text is unchanged"):
        actions.revise_with_links(mm2, mm2.texts(), by=organiser, rationale=RATIONALE)
    with pytest.raises(ValueError, match=f"Answer {mm1_answer.pk} is feedback on MM-1"):
        attempt(answers=[mm1_answer])
    with pytest.raises(ValueError, match=f"Answer {hidden.pk} was hidden by moderation"):
        attempt(answers=[hidden])
    assert mm2.versions.count() == 1
    assert not RevisionLink.objects.exists()


def test_a_revision_made_meanwhile_by_someone_else_is_not_overwritten(
    heard, kwame_client, organiser
):
    demo = heard.consultation
    mm2 = rec(demo, "MM-2")
    stale_form = form_data(mm2, text=NEW_MM2)
    actions.revise_with_links(mm2, english(mm2, "Amina's wording."), by=organiser, rationale="x")

    response = kwame_client.post(revise_path(demo, "MM-2"), stale_form)

    assert response.status_code == 400
    assert (
        "Someone revised this recommendation while you were editing it" in response.content.decode()
    )
    mm2.refresh_from_db()
    assert mm2.text_en == "Amina's wording."
    assert mm2.versions.count() == 2


# --- keeping -------------------------------------------------------------------------------


def test_a_co_lead_keeps_a_text_with_a_reason(heard, kwame_client):
    demo = heard.consultation

    response = kwame_client.post(
        keep_path(demo, "MM-1"), {"reason": "Strong support in every region."}
    )

    assert response.status_code == 302
    decision = KeptDecision.objects.get()
    assert decision.recommendation.code == "MM-1"
    assert decision.version.number == 1
    assert decision.decided_by.username == "kwame.colead"
    overview = kwame_client.get(response["Location"]).content.decode()
    assert "Recorded: the text is kept as it stands." in overview
    assert "Strong support in every region." in overview
    history = kwame_client.get(versions_path(demo, "MM-1")).content.decode()
    assert "Kept as it stands by kwame.colead" in history


def test_keeping_a_text_without_a_reason_is_refused(heard, kwame_client):
    response = kwame_client.post(keep_path(heard.consultation, "MM-1"), {"reason": " "})

    assert response.status_code == 400
    assert (
        "Explain why the text stays as it is: the reason is required." in response.content.decode()
    )
    assert not KeptDecision.objects.exists()


# --- the history ---------------------------------------------------------------------------


def test_the_versions_page_shows_what_changed_between_consecutive_versions(heard, kwame, client):
    demo = heard.consultation
    mm2 = rec(demo, "MM-2")
    actions.revise_with_links(
        mm2,
        english(mm2, NEW_MM2),
        by=kwame,
        rationale=RATIONALE,
        answers=mm2_comments(demo, 1),
        notes={mm2_comments(demo, 1)[0]: "Eight identical letters asked for this."},
    )
    actions.revise_with_links(
        mm2, english(mm2, NEW_MM2.replace("regional", "global")), by=kwame, rationale="Wider"
    )
    client.force_login(kwame)

    page = client.get(versions_path(demo, "MM-2")).content.decode()

    assert page.index("Version 3") < page.index("Version 2") < page.index("Version 1")
    assert '<del><span class="visually-hidden" lang="en">removed: </span>regional</del>' in page
    assert '<ins><span class="visually-hidden" lang="en">added: </span>global</ins>' in page
    assert "The text as first consulted" in page
    assert RATIONALE in page and "Wider" in page
    assert "kwame.colead" in page
    assert "Eight identical letters asked for this." in page
    assert "1 feedback item linked" in page
    assert "0 feedback items linked" in page


# --- no personal data for co-leads ---------------------------------------------------------


def test_co_lead_pages_never_show_names_e_mails_or_organisations(heard, kwame_client):
    demo = heard.consultation
    mm1 = rec(demo, "MM-1")
    points = list(CapturedPoint.objects.filter(recommendation=mm1))  # one attributed
    answers = list(Answer.objects.filter(recommendation=mm1, is_current=True).exclude(comment=""))
    kwame_client.post(
        revise_path(demo, "MM-1"),
        form_data(
            mm1,
            text="States should fund forensic identification.",
            answers=answers[:5],
            points=points,
        ),
    )
    assert mm1.versions.count() == 2

    pages = [
        kwame_client.get(path).content.decode()
        for path in (
            overview_path(demo),
            revise_path(demo, "MM-1"),
            revise_path(demo, "MM-2"),
            versions_path(demo, "MM-1"),
        )
    ]
    for page in pages:
        for planted in [*PLANTED_NAMES, *PLANTED_EMAILS, HIDDEN_ORGANISATION, ALLOWED_ORGANISATION]:
            assert planted not in page
        for name in PLANTED_NAMES:
            assert name.split()[1] not in page


# --- what we heard / what changed ----------------------------------------------------------


def test_what_changed_says_changed_kept_or_not_yet_decided(heard, kwame):
    demo = heard.consultation
    mm2 = rec(demo, "MM-2")
    consulted = mm2.text_en
    actions.revise_with_links(
        mm2,
        english(mm2, NEW_MM2),
        by=kwame,
        rationale=RATIONALE,
        answers=mm2_comments(demo),
        points=[general_point(demo)],
    )
    actions.keep_with_reason(rec(demo, "MM-1"), by=kwame, reason="Strong support everywhere.")

    summary = what_changed(demo, "en")

    assert list(summary)[:3] == ["MM-1", "MM-2", "MM-3"]
    assert len(summary) == demo.recommendations.count()
    changed = summary["MM-2"]
    assert changed["status"] == "changed"
    assert changed["version"] == 2
    assert changed["rationale"] == RATIONALE
    assert "".join(s["text"] for s in changed["diff"] if s["kind"] != "added") == consulted
    assert "".join(s["text"] for s in changed["diff"] if s["kind"] != "removed") == NEW_MM2
    assert changed["title_diff"] is None
    assert len(changed["feedback"]) == 3
    answer = changed["feedback"][0]
    assert answer["kind"] == "answer"
    assert (
        answer["text"] == "We the undersigned demand stronger cooperation on missing migrants now."
    )
    assert answer["support"] and answer["group"] and answer["region"]
    point = changed["feedback"][2]
    assert point == {
        "kind": "point",
        "group": "Civil society",
        "region": "Africa",
        "support": None,
        "stance": "Proposes change",
        "text": "Families should have one contact point per country.",
        "proposed_text": "",
        "note": "",
        "version": 2,
    }
    assert changed["motivated_by"][2] == (
        "Civil society, Africa (Proposes change): Families should have one contact point per "
        "country."
    )
    assert changed["text"] == NEW_MM2
    assert summary["MM-1"]["status"] == "kept"
    assert summary["MM-1"]["reason"] == "Strong support everywhere."
    assert summary["MM-3"]["status"] == "undecided"
    assert summary["MM-3"]["status_label"] == "Not yet decided"
    dumped = json.dumps(summary, ensure_ascii=False)
    for planted in [*PLANTED_NAMES, *PLANTED_EMAILS, HIDDEN_ORGANISATION, ALLOWED_ORGANISATION]:
        assert planted not in dumped
    assert "kwame" not in dumped


def test_what_changed_reads_in_the_language_asked_and_leaves_hidden_feedback_out(
    heard, kwame, organiser
):
    demo = heard.consultation
    mm2 = rec(demo, "MM-2")
    linked = mm2_comments(demo)
    actions.revise_with_links(
        mm2, english(mm2, NEW_MM2), by=kwame, rationale=RATIONALE, answers=linked
    )
    feedback.hide(linked[0], organiser, "Abusive language")

    summary = what_changed(demo, "fr")

    changed = summary["MM-2"]
    assert changed["title"] == mm2.title_fr
    assert changed["language"] == "fr"
    assert changed["changed_languages"] == ["en"]
    assert not [s for s in changed["diff"] if s["kind"] != "same"]  # the French text stands
    assert len(changed["feedback"]) == 1


def test_a_revision_that_restores_the_consulted_text_is_no_change(heard, kwame):
    demo = heard.consultation
    mm3 = rec(demo, "MM-3")
    consulted = mm3.texts()
    actions.revise_with_links(mm3, english(mm3, "Something else."), by=kwame, rationale="Try")
    actions.revise_with_links(mm3, consulted, by=kwame, rationale="Back to the original")

    assert what_changed(demo)["MM-3"]["status"] == "undecided"


def test_what_changed_takes_a_fixed_number_of_queries(heard, kwame, django_assert_max_num_queries):
    demo = heard.consultation
    for code in ("MM-1", "MM-2", "MM-3"):
        recommendation = rec(demo, code)
        actions.revise_with_links(
            recommendation,
            english(recommendation, f"New {code}."),
            by=kwame,
            rationale="x",
            answers=list(Answer.objects.filter(recommendation=recommendation)[:5]),
        )
    with django_assert_max_num_queries(6):
        what_changed(demo, "en")


def test_the_pages_take_a_fixed_number_of_queries(
    heard, kwame_client, django_assert_max_num_queries
):
    demo = heard.consultation
    for path, most in [
        (overview_path(demo), 12),
        (revise_path(demo, "MM-1"), 20),
        (versions_path(demo, "MM-1"), 16),
    ]:
        with django_assert_max_num_queries(most):
            assert kwame_client.get(path).status_code == 200


# --- who may ------------------------------------------------------------------------------


def every_path(consultation):
    return [
        overview_path(consultation),
        revise_path(consultation, "MM-2"),
        versions_path(consultation, "MM-2"),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_page(heard, client):
    demo = heard.consultation
    login = reverse("capture-login")
    for path in every_path(demo):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{login}?next=")
    response = client.post(keep_path(demo, "MM-2"), {"reason": "x"})
    assert response.status_code == 302
    assert not KeptDecision.objects.exists()


def test_a_co_lead_logs_in_on_the_login_page_and_comes_back(heard, kwame, client):
    target = revise_path(heard.consultation, "MM-2")

    response = client.post(
        f"{reverse('capture-login')}?next={target}",
        {"username": "kwame.colead", "password": PASSWORD, "next": target},
    )

    assert response.status_code == 302
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_someone_without_a_role_is_refused_on_every_page(heard, sam, client):
    demo = heard.consultation
    client.force_login(sam)
    for path in every_path(demo):
        response = client.get(path)
        assert response.status_code == 403
        assert "Not allowed" in response.content.decode()
    mm2 = rec(demo, "MM-2")
    assert client.post(revise_path(demo, "MM-2"), form_data(mm2, text=NEW_MM2)).status_code == 403
    assert client.post(keep_path(demo, "MM-2"), {"reason": "x"}).status_code == 403
    assert mm2.versions.count() == 1
    assert not KeptDecision.objects.exists()
