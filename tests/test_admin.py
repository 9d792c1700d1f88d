"""The organiser's admin: every page opens, times are typed in the organiser's zone, and the
same rules as in definition files refuse bad set-ups with a message on the field."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from consulta.consultations.models import Consultation, Recommendation
from consulta.meetings.models import Session
from consulta.registrations import actions
from consulta.registrations.links import personal_token
from tests.conftest import participant

pytestmark = pytest.mark.django_db


def session_post_data(session: Session, **changes) -> dict:
    """The change form of a session as the browser would send it back, with `changes` applied."""
    local_start, local_end = session.local_start(), session.local_end()
    items = list(session.programme.all())
    data = {
        "consultation": session.consultation_id,
        "region": session.region,
        "key": session.key,
        "languages": '["' + '", "'.join(session.languages) + '"]',
        "timezone": session.timezone,
        "starts_at_0": f"{local_start:%Y-%m-%d}",
        "starts_at_1": f"{local_start:%H:%M:%S}",
        "ends_at_0": f"{local_end:%Y-%m-%d}",
        "ends_at_1": f"{local_end:%H:%M:%S}",
        "platform": session.platform,
        "join_url": session.join_url,
        "registration_url": session.registration_url,
        "capacity": session.capacity or "",
        "status": session.status,
        "programme-TOTAL_FORMS": len(items),
        "programme-INITIAL_FORMS": len(items),
        "programme-MIN_NUM_FORMS": 0,
        "programme-MAX_NUM_FORMS": 1000,
    }
    for i, item in enumerate(items):
        data |= {
            f"programme-{i}-id": item.pk,
            f"programme-{i}-session": session.pk,
            f"programme-{i}-order": item.order,
            f"programme-{i}-duration_minutes": item.duration_minutes,
            f"programme-{i}-title": item.title,
            f"programme-{i}-role": item.role,
            f"programme-{i}-speaker": item.speaker,
            f"programme-{i}-description": item.description,
        }
    return data | changes


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_every_organiser_page_opens(organiser_client, demo):
    pages = ["admin:index"] + [
        f"admin:{name}_changelist"
        for name in (
            "consultations_consultation",
            "consultations_organisation",
            "consultations_framework",
            "consultations_pillar",
            "consultations_recommendation",
            "meetings_session",
        )
    ]
    for name in pages:
        assert organiser_client.get(reverse(name)).status_code == 200, name
    for obj in (demo, demo.pillars.first(), demo.recommendations.first(), demo.sessions.first()):
        assert organiser_client.get(change_url(obj)).status_code == 200
    assert organiser_client.get(reverse("admin:meetings_session_add")).status_code == 200


def test_an_outsider_is_sent_to_the_login_page(client, demo):
    response = client.get(change_url(demo.sessions.first()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_session_page_shows_clock_times_and_the_unscheduled_time_warning(
    organiser_client, demo
):
    session = demo.sessions.get(key="africa")
    page = organiser_client.get(change_url(session)).content.decode()
    for times in ("14:00–14:05", "14:05–14:20", "14:20–14:35", "14:35–15:20", "15:20–15:30"):
        assert times in page
    assert "60 minutes are unscheduled" in page
    listing = organiser_client.get(reverse("admin:meetings_session_changelist")).content.decode()
    assert listing.count("60 minutes are unscheduled") == 5
    consultation_page = organiser_client.get(change_url(demo)).content.decode()
    assert consultation_page.count("60 minutes are unscheduled") == 5


def test_session_times_are_typed_in_the_organiser_time_zone(organiser_client, demo):
    session = demo.sessions.get(key="asia-pacific")
    data = session_post_data(
        session,
        timezone="Asia/Bangkok",
        starts_at_0="2024-02-01",
        starts_at_1="15:00:00",
        ends_at_1="17:30:00",
    )
    response = organiser_client.post(change_url(session), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session.refresh_from_db()
    assert session.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") == "2024-02-01T08:00"
    assert session.timezone == "Asia/Bangkok"


def test_the_admin_refuses_a_session_that_ends_before_it_starts(organiser_client, demo):
    session = demo.sessions.get(key="europe")
    response = organiser_client.post(
        change_url(session), session_post_data(session, ends_at_1="13:00:00")
    )
    assert response.status_code == 200
    assert (
        "The session ends (2024-02-02T13:00:00+01:00) before or when it starts (2024-02-02T14:00:00+01:00)."
        in response.content.decode()
    )
    session.refresh_from_db()
    assert session.local_end().strftime("%H:%M") == "16:30"


def test_the_admin_refuses_overlapping_sessions_for_one_region(organiser_client, demo):
    europe = demo.sessions.get(key="europe")
    add_data = session_post_data(
        europe, key="europe-follow-up", starts_at_1="16:00:00", ends_at_1="17:00:00"
    )
    for name in [k for k in add_data if k.startswith("programme-")]:
        del add_data[name]
    add_data |= {"programme-TOTAL_FORMS": 0, "programme-INITIAL_FORMS": 0}
    response = organiser_client.post(reverse("admin:meetings_session_add"), add_data)
    assert response.status_code == 200
    assert (
        "This session overlaps another Europe session: europe, 02 Feb 2024 14:00–16:30 Europe/Paris."
        in response.content.decode()
    )
    assert not Session.objects.filter(key="europe-follow-up").exists()


def test_the_admin_refuses_a_programme_longer_than_the_slot(organiser_client, demo):
    session = demo.sessions.get(key="arab-states")
    response = organiser_client.post(
        change_url(session), session_post_data(session, **{"programme-3-duration_minutes": 120})
    )
    assert response.status_code == 200
    assert (
        "The programme lasts 165 minutes but the session slot is 150 minutes (15 minutes over)"
        in (response.content.decode())
    )
    assert session.programme.get(order=3).duration_minutes == 45


def test_the_admin_refuses_an_unknown_time_zone_and_language(organiser_client, demo):
    session = demo.sessions.get(key="lac")
    response = organiser_client.post(
        change_url(session),
        session_post_data(session, timezone="America/Panama City", languages='["es", "pt"]'),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "unknown time zone &#x27;America/Panama City&#x27;" in page
    assert "&#x27;pt&#x27; is not a supported language" in page


def recommendation_post_data(recommendation: Recommendation, **changes) -> dict:
    data = {
        "consultation": recommendation.consultation_id,
        "pillar": recommendation.pillar_id,
        "code": recommendation.code,
        "order": recommendation.order,
        "status": recommendation.status,
        "objectives": [o.pk for o in recommendation.objectives.all()],
        "versions-TOTAL_FORMS": 0,
        "versions-INITIAL_FORMS": 0,
        "versions-MIN_NUM_FORMS": 0,
        "versions-MAX_NUM_FORMS": 1000,
    }
    if recommendation.illustrative:
        data["illustrative"] = "on"
    for name in ("title", "text"):
        for lang in ("en", "fr", "es", "ar", "ru"):
            data[f"{name}_{lang}"] = getattr(recommendation, f"{name}_{lang}")
    return data | changes


def test_changing_wording_in_the_admin_needs_a_reason_and_keeps_the_old_text(
    organiser_client, organiser, demo
):
    recommendation = demo.recommendations.get(code="HA-2")
    old_text = recommendation.text_en
    data = recommendation_post_data(recommendation, text_en="A clearer wording.")
    response = organiser_client.post(change_url(recommendation), data)
    assert response.status_code == 200
    assert "Say why the wording changed." in response.content.decode()
    assert recommendation.versions.count() == 1

    data["revision_rationale"] = "Clarified after the Europe session"
    response = organiser_client.post(change_url(recommendation), data)
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text_en == "A clearer wording."
    latest = recommendation.current_version()
    assert (latest.number, latest.changed_by, latest.rationale) == (
        2,
        organiser,
        "Clarified after the Europe session",
    )
    assert recommendation.versions.get(number=1).texts["en"]["text"] == old_text


def test_a_duplicate_recommendation_code_is_refused_in_the_admin(organiser_client, demo):
    existing = demo.recommendations.get(code="MM-1")
    data = recommendation_post_data(existing, code="MM-2")
    response = organiser_client.post(change_url(existing), data)
    assert response.status_code == 200
    assert (
        "Recommendation with this Consultation and Code already exists."
        in response.content.decode()
    )


@time_machine.travel(datetime(2026, 11, 29, 9, 0, tzinfo=UTC), tick=False)
def test_an_organiser_copies_last_round_as_a_new_draft_round(organiser_client, demo):
    url = reverse("admin:consultations_consultation_new_round", args=[demo.pk])
    assert (
        "Copy this consultation as a new round"
        in organiser_client.get(change_url(demo)).content.decode()
    )
    assert organiser_client.get(url).status_code == 200

    refused = organiser_client.post(
        url, {"first_day": "2026-11-02", "slug": demo.slug, "title": "x"}
    )
    page = refused.content.decode()
    assert "A new round starts in the future." in page
    assert "A consultation &#x27;missing-migrants-2024&#x27; exists already" in page
    assert Consultation.objects.count() == 1

    response = organiser_client.post(
        url, {"first_day": "2027-01-25", "slug": "missing-migrants-2027", "title": "Round 2027"}
    )
    assert response.status_code == 302
    copy = Consultation.objects.get(slug="missing-migrants-2027")
    assert (copy.title, copy.status) == ("Round 2027", Consultation.Status.DRAFT)
    local = [s.local_start().strftime("%a %d %b %H:%M") for s in copy.sessions.all()]
    assert local[0] == "Mon 25 Jan 14:00" and local[2] == "Thu 28 Jan 09:00"
    assert copy.recommendations.count() == demo.recommendations.count()
    assert demo.sessions.first().starts_at.year == 2024


def test_an_organiser_revokes_a_personal_link_from_the_admin(
    organiser_client, client, demo, before_the_sessions
):
    outcome = actions.register_participant(demo.sessions.get(key="africa"), participant())
    old_link = reverse("personal", args=[personal_token(outcome.registration)])
    response = organiser_client.post(
        reverse("admin:registrations_registration_changelist"),
        {"action": "revoke_links", "_selected_action": [outcome.registration.pk]},
    )
    assert response.status_code == 302
    organiser_client.logout()
    assert client.get(old_link).status_code == 404
