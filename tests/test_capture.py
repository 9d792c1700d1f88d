"""Moderators capture a session's discussion live: who may, what is stored, what is refused.

The cast: Amina organises (staff), Kofi and Fatou moderate the Africa session, Lucía moderates
Latin America, Sam is a participant with an account but no assignment. The clock stands on
20 January 2024 (the consultation open, its sessions ahead) unless a test says otherwise.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from consulta.consultations.models import Consultation, Recommendation
from consulta.feedback import actions
from consulta.feedback.models import CapturedPoint, SessionModerator
from consulta.feedback.views.capture import NOTE_LIMIT
from consulta.meetings.models import Session
from consulta.registrations.actions import register_participant
from tests.conftest import EUROPEAN, participant

pytestmark = pytest.mark.usefixtures("before_the_sessions")

PASSWORD = "a long moderator password"


def make_user(username, **extra):
    return get_user_model().objects.create_user(username, password=PASSWORD, **extra)


@pytest.fixture
def africa(demo):
    return demo.sessions.get(key="africa")


@pytest.fixture
def lac(demo):
    return demo.sessions.get(key="lac")


@pytest.fixture
def kofi(africa):
    user = make_user("kofi.moderator")
    SessionModerator.objects.create(session=africa, user=user)
    return user


@pytest.fixture
def fatou(africa):
    user = make_user("fatou.rapporteur")
    SessionModerator.objects.create(session=africa, user=user)
    return user


@pytest.fixture
def lucia(lac):
    user = make_user("lucia.moderator")
    SessionModerator.objects.create(session=lac, user=user)
    return user


@pytest.fixture
def sam(db):
    """A participant with an account, assigned to no session."""
    return make_user("sam.participant")


def capture_path(session):
    return reverse("capture", args=[session.consultation.slug, session.key])


def points_path(session):
    return reverse("capture-points", args=[session.consultation.slug, session.key])


def edit_path(point):
    return reverse(
        "capture-edit", args=[point.session.consultation.slug, point.session.key, point.pk]
    )


def delete_path(point):
    return reverse(
        "capture-delete", args=[point.session.consultation.slug, point.session.key, point.pk]
    )


def form_data(**overrides):
    data = {
        "recommendation": "MM-1",
        "stakeholder_group": "civil_society",
        "country": "KE",
        "attributed_to": "",
        "stance": "supports",
        "note": "Families need one contact point per country for tracing requests.",
        "submission_key": "0123456789abcdef0123456789abcdef",
    }
    return data | overrides


def a_point(session, author, note="Forensic capacity is uneven across the region.", **values):
    defaults = {
        "recommendation_id": None,
        "stakeholder_group": "member_state",
        "country": "SN",
        "stance": "concerns",
        "note": note,
    }
    return actions.capture_point(
        session, author, defaults | values, submission_key=f"key-{CapturedPoint.objects.count()}"
    )


def as_user(client, user):
    client.force_login(user)
    return client


# --- capturing ------------------------------------------------------------------------------


def test_an_assigned_moderator_captures_a_point_and_sees_it_in_the_list(client, africa, kofi):
    as_user(client, kofi)
    page = client.get(capture_path(africa))
    assert page.status_code == 200
    assert b"Save point" in page.content

    response = client.post(capture_path(africa), form_data())

    assert response.status_code == 302
    point = CapturedPoint.objects.get()
    assert (point.session, point.author, point.recommendation.code) == (africa, kofi, "MM-1")
    assert (point.stakeholder_group, point.country, point.stance) == (
        "civil_society",
        "KE",
        "supports",
    )
    listing = client.get(response["Location"]).content.decode()
    assert "Point saved." in listing
    assert "Families need one contact point per country" in listing
    assert "kofi.moderator" in listing
    assert "Kenya" in listing


def test_after_saving_the_form_keeps_topic_group_and_country_and_focuses_an_empty_note(
    client, africa, kofi
):
    as_user(client, kofi)
    response = client.post(capture_path(africa), form_data(recommendation="HA-2"))
    page = client.get(response["Location"]).content.decode()

    assert re.search(r'<option value="HA-2" selected>', page)
    assert re.search(r'<option value="civil_society" selected>', page)
    assert re.search(r'<option value="KE" selected>', page)
    note = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert "autofocus" in note.group(0) and note.group(1).strip() == ""
    assert not re.search(r'name="stance"[^>]*checked', page)


def test_each_rendering_of_the_form_carries_a_new_submission_key(client, africa, kofi):
    as_user(client, kofi)
    keys = {
        re.search(
            r'name="submission_key" value="([0-9a-f]{32})"',
            client.get(capture_path(africa)).content.decode(),
        ).group(1)
        for _ in range(2)
    }
    assert len(keys) == 2


def test_a_general_point_is_captured_without_a_recommendation(client, africa, kofi):
    as_user(client, kofi)
    client.post(capture_path(africa), form_data(recommendation="general", stance="question"))
    point = CapturedPoint.objects.get()
    assert point.recommendation is None
    assert "General" in client.get(capture_path(africa)).content.decode()


def test_the_screen_lists_its_keyboard_shortcuts(client, africa, kofi):
    page = as_user(client, kofi).get(capture_path(africa)).content.decode()
    assert "Keyboard shortcuts" in page
    for keys in ("Alt+1", "Alt+4", "Alt+R", "Alt+G", "Alt+C", "Alt+N", "Ctrl+Enter"):
        assert keys in page
    assert 'aria-keyshortcuts="Alt+R"' in page


def test_the_recommendations_offered_are_general_and_every_live_one(client, demo, africa, kofi):
    Recommendation.objects.filter(consultation=demo, code="HA-4").update(status="withdrawn")
    page = as_user(client, kofi).get(capture_path(africa)).content.decode()
    options = re.findall(
        r'<option value="([^"]*)"', page.split('id="id_recommendation"')[1].split("</select>")[0]
    )
    assert options == [
        "general",
        "MM-1",
        "MM-2",
        "MM-3",
        "MM-4",
        "MM-5",
        "MM-6",
        "HA-1",
        "HA-2",
        "HA-3",
    ]
    assert "MM-1 — " in page

    response = client.post(capture_path(africa), form_data(recommendation="HA-4"))
    assert response.status_code == 400
    assert not CapturedPoint.objects.exists()


def test_an_organiser_can_capture_in_every_session(organiser_client, demo):
    for session in demo.sessions.all():
        response = organiser_client.post(
            capture_path(session), form_data(submission_key=f"{session.pk:032x}")
        )
        assert response.status_code == 302, session.key
    assert CapturedPoint.objects.count() == demo.sessions.count()


def test_the_same_submission_key_twice_makes_one_point(client, africa, kofi):
    as_user(client, kofi)
    first = client.post(capture_path(africa), form_data())
    second = client.post(capture_path(africa), form_data())
    assert first.status_code == second.status_code == 302
    assert CapturedPoint.objects.count() == 1


# --- who may ---------------------------------------------------------------------------------


def test_a_moderator_of_another_session_gets_403_and_nothing_is_written(
    client, africa, kofi, lucia
):
    a_point(africa, kofi)
    as_user(client, lucia)
    page = client.get(capture_path(africa))
    assert page.status_code == 403
    assert "moderators assigned to a session" in page.content.decode()
    assert client.post(capture_path(africa), form_data()).status_code == 403
    response = client.get(points_path(africa))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert CapturedPoint.objects.count() == 1


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, africa, kofi):
    point = a_point(africa, kofi)
    login = reverse("capture-login")
    for path in (capture_path(africa), edit_path(point), delete_path(point)):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{login}?next="), path
    assert client.post(capture_path(africa), form_data()).status_code == 302
    assert CapturedPoint.objects.count() == 1


def test_points_json_asks_an_anonymous_visitor_to_log_in_with_a_json_error(client, africa):
    response = client.get(points_path(africa))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "login_required"


def test_a_participant_without_assignment_gets_403(client, africa, sam):
    as_user(client, sam)
    assert client.get(capture_path(africa)).status_code == 403
    assert client.post(capture_path(africa), form_data()).status_code == 403
    assert client.get(points_path(africa)).status_code == 403
    assert not CapturedPoint.objects.exists()


def test_an_unknown_session_is_404_in_html_and_json(client, demo, kofi):
    as_user(client, kofi)
    assert client.get(reverse("capture", args=[demo.slug, "antarctica"])).status_code == 404
    response = client.get(reverse("capture-points", args=[demo.slug, "antarctica"]))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_deactivated_moderator_may_no_longer_capture(client, africa, kofi):
    as_user(client, kofi)
    kofi.is_active = False
    kofi.save()
    assert client.post(capture_path(africa), form_data()).status_code in (302, 403)
    assert not CapturedPoint.objects.exists()


def test_a_moderator_logs_in_on_the_capture_login_page_and_lands_on_the_screen(
    client, africa, kofi
):
    target = capture_path(africa)
    login = reverse("capture-login")
    page = client.get(f"{login}?next={target}")
    assert page.status_code == 200
    assert b'<label for="id_username">' in page.content

    refused = client.post(
        login, {"username": "kofi.moderator", "password": "wrong", "next": target}
    )
    assert refused.status_code == 200
    assert b"correct username and password" in refused.content

    response = client.post(
        login, {"username": "kofi.moderator", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_the_capture_list_is_not_taken_by_a_consultation_slug():
    assert resolve(reverse("capture-sessions")).url_name == "capture-sessions"


def test_the_sessions_list_shows_a_moderator_their_sessions_only(client, africa, lac, kofi):
    page = as_user(client, kofi).get(reverse("capture-sessions")).content.decode()
    assert capture_path(africa) in page
    assert capture_path(lac) not in page


def test_the_sessions_list_shows_an_organiser_every_session(organiser_client, demo):
    page = organiser_client.get(reverse("capture-sessions")).content.decode()
    for session in demo.sessions.all():
        assert capture_path(session) in page


def test_the_sessions_list_refuses_a_participant_and_sends_a_visitor_to_log_in(client, sam):
    response = client.get(reverse("capture-sessions"))
    assert response["Location"].startswith(reverse("capture-login") + "?next=")
    assert as_user(client, sam).get(reverse("capture-sessions")).status_code == 403


# --- editing and deleting -------------------------------------------------------------------


def test_the_author_edits_their_point(client, africa, kofi):
    point = a_point(africa, kofi)
    as_user(client, kofi)
    page = client.get(edit_path(point)).content.decode()
    assert "Forensic capacity is uneven" in page

    response = client.post(
        edit_path(point), form_data(note="Forensic capacity differs widely.", stance="question")
    )

    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.note, point.stance, point.recommendation.code) == (
        "Forensic capacity differs widely.",
        "question",
        "MM-1",
    )
    assert "Point updated." in client.get(response["Location"]).content.decode()


def test_the_author_deletes_their_point_after_confirming(client, africa, kofi):
    point = a_point(africa, kofi)
    as_user(client, kofi)
    confirm = client.get(delete_path(point))
    assert confirm.status_code == 200
    assert "Delete this point?" in confirm.content.decode()
    assert CapturedPoint.objects.exists()

    response = client.post(delete_path(point))

    assert response.status_code == 302
    assert not CapturedPoint.objects.exists()
    assert "Point deleted." in client.get(response["Location"]).content.decode()


def test_only_the_author_sees_edit_and_delete_on_a_point(client, africa, kofi, fatou):
    point = a_point(africa, kofi)
    assert edit_path(point) in as_user(client, kofi).get(capture_path(africa)).content.decode()
    assert edit_path(point) not in as_user(client, fatou).get(capture_path(africa)).content.decode()


def test_another_moderator_cannot_edit_or_delete_a_point(client, africa, kofi, fatou):
    point = a_point(africa, kofi)
    as_user(client, fatou)

    assert client.get(edit_path(point)).status_code == 403
    refused = client.post(edit_path(point), form_data(note="Rewritten by someone else."))
    assert refused.status_code == 403
    assert "Only its author can change a point." in refused.content.decode()
    assert client.get(delete_path(point)).status_code == 403
    assert client.post(delete_path(point)).status_code == 403

    point.refresh_from_db()
    assert point.note == "Forensic capacity is uneven across the region."


def test_a_point_of_another_session_is_not_found_under_this_one(client, africa, lac, kofi):
    point = a_point(africa, kofi)
    as_user(client, kofi)
    wrong = reverse("capture-edit", args=[lac.consultation.slug, lac.key, point.pk])
    SessionModerator.objects.create(session=lac, user=kofi)
    assert client.get(wrong).status_code == 404


def hold(session):
    Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD)


def close(session):
    actions.close_consultation(session.consultation)


@pytest.mark.parametrize(
    ("close_it", "message"),
    [
        (hold, "This session is marked as held"),
        (close, "The consultation is closed"),
    ],
)
def test_once_capture_closes_capture_edit_and_delete_are_refused_and_nothing_changes(
    client, africa, kofi, close_it, message
):
    point = a_point(africa, kofi)
    close_it(africa)
    as_user(client, kofi)

    page = client.get(capture_path(africa)).content.decode()
    assert message in page
    assert "Save point" not in page
    assert edit_path(point) not in page

    refused = client.post(capture_path(africa), form_data())
    assert refused.status_code == 409
    assert message in refused.content.decode()

    for response in (
        client.get(edit_path(point)),
        client.post(edit_path(point), form_data(note="Too late.")),
        client.post(delete_path(point)),
    ):
        assert response.status_code == 409
        assert message in response.content.decode()

    assert list(CapturedPoint.objects.values_list("note", flat=True)) == [point.note]
    assert client.get(points_path(africa)).json()["capture_open"] is False


def test_a_point_hidden_by_an_organiser_shows_without_its_note_and_cannot_be_deleted(
    client, africa, kofi, organiser
):
    point = a_point(africa, kofi, note="Something abusive")
    actions.hide(point, organiser, "Abusive language")
    as_user(client, kofi)
    page = client.get(capture_path(africa)).content.decode()
    assert "Something abusive" not in page
    assert "Hidden by an organiser" in page
    assert client.post(delete_path(point)).status_code == 403
    assert CapturedPoint.objects.filter(pk=point.pk).exists()
    (shown,) = client.get(points_path(africa)).json()["points"]
    assert shown["hidden"] is True and shown["note"] == ""


# --- attribution ----------------------------------------------------------------------------


@pytest.fixture
def speakers(africa):
    """Two participants who allowed attribution (one cancelled) and one under Chatham House."""
    allowed = register_participant(africa, participant(attribution="organisation")).registration
    chatham = register_participant(
        africa,
        participant(**EUROPEAN, attribution="chatham_house"),
    ).registration
    gone = register_participant(
        africa,
        participant(
            given_name="Moussa",
            family_name="Diallo",
            email="moussa@example.org",
            organisation="Caritas Mali",
            attribution="organisation",
        ),
    ).registration
    from consulta.registrations.actions import cancel_registration

    cancel_registration(gone)
    return {"allowed": allowed, "chatham": chatham, "gone": gone}


def attribution_options(page: str) -> list[tuple[str, str]]:
    select = page.split('id="id_attributed_to"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_attribute_to_lists_only_organisations_that_allowed_it_and_never_a_name(
    client, africa, kofi, speakers
):
    page = as_user(client, kofi).get(capture_path(africa)).content.decode()
    options = attribution_options(page)
    assert options[1:] == [(str(speakers["allowed"].pk), "Kenya Red Cross Society")]
    for name in (
        "Wanjiru",
        "Kamau",
        "Jonas",
        "Berg",
        "Moussa",
        "Diallo",
        "Ministry of the Interior",
    ):
        assert name not in page


def test_attribute_to_is_absent_when_nobody_allowed_attribution(client, africa, kofi):
    page = as_user(client, kofi).get(capture_path(africa)).content.decode()
    assert 'id="id_attributed_to"' not in page


def test_an_attributed_point_takes_group_and_country_from_the_registration(
    client, africa, kofi, speakers
):
    as_user(client, kofi)
    allowed = speakers["allowed"]
    response = client.post(
        capture_path(africa),
        form_data(stakeholder_group="", country="", attributed_to=str(allowed.pk)),
    )
    assert response.status_code == 302
    point = CapturedPoint.objects.get()
    assert point.attributed_to == allowed
    assert (point.stakeholder_group, point.country) == ("civil_society", "KE")
    listing = client.get(capture_path(africa)).content.decode()
    assert "Kenya Red Cross Society" in listing
    assert "Wanjiru" not in listing


def test_attributing_a_point_to_someone_who_did_not_allow_it_is_refused(
    client, africa, kofi, speakers
):
    as_user(client, kofi)
    for registration in (speakers["chatham"], speakers["gone"]):
        response = client.post(capture_path(africa), form_data(attributed_to=str(registration.pk)))
        assert response.status_code == 400
        assert "who allowed attribution can be named" in response.content.decode()
    assert not CapturedPoint.objects.exists()


# --- invalid input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"note": ""}, "note", "Write a short note of the point made."),
        ({"note": "   "}, "note", "Write a short note of the point made."),
        (
            {"note": "x" * (NOTE_LIMIT + 1)},
            "note",
            f"Keep the note to {NOTE_LIMIT} characters or fewer (it has {NOTE_LIMIT + 1}).",
        ),
        ({"stance": "outraged"}, "stance", "Choose one of the four stances"),
        ({"stance": ""}, "stance", "Choose the stance."),
        ({"recommendation": "ZZ-9"}, "recommendation", "Choose one of this consultation"),
        ({"recommendation": ""}, "recommendation", "Choose a recommendation, or General."),
        ({"stakeholder_group": ""}, "stakeholder_group", "Choose the speaker"),
        (
            {"stakeholder_group": "lobbyist"},
            "stakeholder_group",
            "Choose one of the stakeholder groups.",
        ),
        ({"country": "XX"}, "country", "Choose a country from the list."),
        ({"submission_key": "not-a-key"}, "submission_key", "The form was incomplete"),
    ],
)
def test_invalid_input_is_named_per_field_and_nothing_is_written(
    client, africa, kofi, change, field, message
):
    response = as_user(client, kofi).post(capture_path(africa), form_data(**change))

    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert error, f"no message next to {field}"
    assert message in error.group(1).replace("&#x27;", "'")
    assert "The point was not saved" in page
    assert not CapturedPoint.objects.exists()


def test_an_invalid_field_is_linked_to_its_message_and_focused(client, africa, kofi):
    page = (
        as_user(client, kofi).post(capture_path(africa), form_data(country="XX")).content.decode()
    )
    select = re.search(r'<select name="country"[^>]*>', page).group(0)
    assert 'aria-describedby="country-error"' in select
    assert 'aria-invalid="true"' in select
    assert "autofocus" in select
    assert 'href="#id_country"' in page


def test_a_note_of_exactly_the_limit_is_accepted(client, africa, kofi):
    response = as_user(client, kofi).post(capture_path(africa), form_data(note="y" * NOTE_LIMIT))
    assert response.status_code == 302
    assert len(CapturedPoint.objects.get().note) == NOTE_LIMIT


def test_an_invalid_edit_is_named_and_changes_nothing(client, africa, kofi):
    point = a_point(africa, kofi)
    response = as_user(client, kofi).post(edit_path(point), form_data(note="", stance="shouting"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="note-error"' in page and 'id="stance-error"' in page
    point.refresh_from_db()
    assert point.note == "Forensic capacity is uneven across the region."


# --- points.json --------------------------------------------------------------------------


def test_points_json_lists_the_sessions_points_newest_first(client, africa, lac, kofi, lucia):
    first = a_point(africa, kofi, note="First")
    second = a_point(
        africa,
        kofi,
        note="Second",
        recommendation_id=africa.consultation.recommendations.get(code="MM-2").pk,
    )
    a_point(lac, lucia, note="Elsewhere")

    body = as_user(client, kofi).get(points_path(africa)).json()

    assert body["changed"] is True
    assert [p["id"] for p in body["points"]] == [second.pk, first.pk]
    newest = body["points"][0]
    assert newest["note"] == "Second"
    assert newest["recommendation"] == "MM-2"
    assert newest["stance_label"] == "Concerns"
    assert newest["country_label"] == "Senegal"
    assert newest["author"] == "kofi.moderator"
    assert newest["can_change"] is True and newest["edit_url"] == edit_path(second)
    assert body["points"][1]["recommendation_label"] == "General"


def test_points_json_says_unchanged_when_given_the_current_etag(client, africa, kofi, fatou):
    a_point(africa, kofi)
    as_user(client, kofi)
    etag = client.get(points_path(africa)).json()["etag"]

    unchanged = client.get(points_path(africa), {"since": etag}).json()
    assert unchanged == {"etag": etag, "changed": False, "capture_open": True}

    a_point(africa, fatou, note="Another speaker")
    changed = client.get(points_path(africa), {"since": etag}).json()
    assert changed["changed"] is True
    assert changed["etag"] != etag
    assert changed["points"][0]["note"] == "Another speaker"


def test_points_json_shows_other_moderators_points_without_edit_links(client, africa, kofi, fatou):
    a_point(africa, kofi)
    (point,) = as_user(client, fatou).get(points_path(africa)).json()["points"]
    assert point["can_change"] is False
    assert point["edit_url"] is None and point["delete_url"] is None


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", [points_path, capture_path])
def test_the_list_of_points_is_constant_in_queries_with_1_vs_30_points(
    client, africa, kofi, fatou, speakers, page
):
    as_user(client, kofi)
    a_point(africa, kofi, attributed_to_id=speakers["allowed"].pk)
    few = count_queries(client, page(africa))
    recommendation = africa.consultation.recommendations.get(code="HA-1")
    for n in range(29):
        a_point(
            africa, fatou if n % 2 else kofi, note=f"Point {n}", recommendation_id=recommendation.pk
        )
    many = count_queries(client, page(africa))
    assert many == few


def test_a_closed_consultation_is_reported_in_points_json(client, africa, kofi):
    Consultation.objects.filter(pk=africa.consultation_id).update(status="closed")
    body = as_user(client, kofi).get(points_path(africa)).json()
    assert body["capture_open"] is False


# --- the admin --------------------------------------------------------------------------------


def test_an_organiser_assigns_a_moderator_in_the_admin_who_may_then_capture(
    organiser_client, client, africa, sam
):
    response = organiser_client.post(
        reverse("admin:feedback_sessionmoderator_add"), {"session": africa.pk, "user": sam.pk}
    )
    assert response.status_code == 302
    assert as_user(client, sam).get(capture_path(africa)).status_code == 200


@pytest.mark.parametrize(
    "model",
    [
        "sessionmoderator",
        "capturedpoint",
        "answer",
        "respondent",
        "pairwisechoice",
        "moderationentry",
    ],
)
def test_the_admin_lists_feedback_with_filters(organiser_client, africa, kofi, organiser, model):
    point = a_point(africa, kofi)
    actions.hide(point, organiser, "Off topic")
    response = organiser_client.get(reverse(f"admin:feedback_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["capturedpoint", "answer", "moderationentry"])
def test_the_admin_adds_deletes_and_changes_no_answer_point_or_moderation_entry(
    organiser_client, model
):
    assert organiser_client.get(reverse(f"admin:feedback_{model}_add")).status_code == 403


def test_a_captured_point_cannot_be_deleted_or_changed_in_the_admin(organiser_client, africa, kofi):
    point = a_point(africa, kofi)
    delete = reverse("admin:feedback_capturedpoint_delete", args=[point.pk])
    assert organiser_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:feedback_capturedpoint_change", args=[point.pk])
    organiser_client.post(change, {"note": "Rewritten in the admin"})
    point.refresh_from_db()
    assert point.note == "Forensic capacity is uneven across the region."
    assert CapturedPoint.objects.filter(pk=point.pk).exists()
