"""The audit trail: every set-up, moderation, revision, import, export of personal data and
publication is recorded with who, when, what, before and after, through the real pages;
entries are never changed or deleted; only platform administrators read and export them; no
participant's name or e-mail address ever enters an entry.

The cast: Ada administers the platform (a superuser, her session verified by her second
factor), Amina organises the demo consultation, Kofi moderates the Africa session, Kwame
co-leads the missing-migrants pillar, Wanjiru and Jonas registered as participants.
"""

import io
import json
from datetime import timedelta

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from consulta.audit.actions import record
from consulta.audit.models import AppendOnly, AuditEntry
from consulta.feedback.models import CapturedPoint, SessionModerator
from consulta.registrations.models import Registration
from consulta.revisions.models import PillarCoLead
from tests.conftest import EUROPEAN, as_yaml, log_in_verified, register
from tests.test_admin import change_url, session_post_data

pytestmark = pytest.mark.usefixtures("before_the_sessions")

PASSWORD = "a long audit password"
WANJIRU = {"given_name": "Wanjiru", "family_name": "Kamau", "email": "wanjiru@example.org"}
PERSONAL_STRINGS = (
    "Wanjiru",
    "Kamau",
    "wanjiru@example.org",
    "Jonas",
    "Berg",
    "jonas@example.eu",
    "focal.point@ngo.example",
    "desk@ministry.example",
)


def make_user(username, **extra):
    return get_user_model().objects.create_user(username, password=PASSWORD, **extra)


@pytest.fixture
def africa(demo):
    return demo.sessions.get(key="africa")


@pytest.fixture
def registered(africa, demo):
    """Wanjiru (Africa) and Jonas (Europe) registered."""
    europe = demo.sessions.get(key="europe")
    return {
        "wanjiru": register(africa, **WANJIRU),
        "jonas": register(europe, **EUROPEAN),
    }


@pytest.fixture
def ada_client(administrator):
    """Ada's own browser (the `client` fixture may be someone else's)."""
    return log_in_verified(Client(), administrator)


@pytest.fixture
def kofi(africa):
    user = make_user("kofi.moderator")
    SessionModerator.objects.create(session=africa, user=user)
    return user


@pytest.fixture
def kwame(demo):
    user = make_user("kwame.colead")
    PillarCoLead.objects.create(user=user, pillar=demo.pillars.get(code="MM"))
    return user


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def only(action) -> AuditEntry:
    found = entries(action)
    assert len(found) == 1, f"{len(found)} entries {action!r}"
    return found[0]


def assert_recent(entry):
    assert timezone.now() - entry.at < timedelta(minutes=1)


# --- set-up ---------------------------------------------------------------------------------


def test_changing_a_session_and_its_programme_in_the_admin_records_both_changes(
    organiser_client, organiser, africa
):
    item = africa.programme.order_by("order").first()
    data = session_post_data(africa, capacity=250, **{"programme-0-title": "Welcome and purpose"})

    response = organiser_client.post(change_url(africa), data)

    assert response.status_code == 302
    session_entry = only("session.changed")
    assert (session_entry.actor, session_entry.actor_name) == (organiser, "amina.organiser")
    assert session_entry.consultation_slug == africa.consultation.slug
    assert (session_entry.object_type, session_entry.object_id) == ("session", str(africa.pk))
    assert session_entry.object_label == "Africa (africa)"
    assert session_entry.before == {"capacity": africa.capacity}
    assert session_entry.after == {"capacity": 250}
    assert session_entry.ip == "127.0.0.1"
    assert_recent(session_entry)
    item_entry = only("programmeitem.changed")
    assert item_entry.object_id == str(item.pk)
    assert item_entry.before == {"title": item.title}
    assert item_entry.after == {"title": "Welcome and purpose"}


def test_saving_a_session_unchanged_records_nothing(organiser_client, africa):
    organiser_client.post(change_url(africa), session_post_data(africa))
    assert not AuditEntry.objects.filter(action__startswith="session").exists()


def test_loading_a_definition_file_records_one_entry_with_what_changed(
    demo, demo_document, tmp_path
):
    loaded = only("definition.loaded")
    assert (loaded.actor, loaded.actor_name) == (None, "consulta load")
    assert loaded.after["created"]["sessions"] == 5

    first_pillar = demo_document["pillars"][0]
    dropped = first_pillar["recommendations"].pop()["code"]
    demo_document["title"] = "Missing migrants, second reading"
    path = tmp_path / "consultation.yaml"
    path.write_text(as_yaml(demo_document), encoding="utf-8")
    call_command("load", str(path), stdout=io.StringIO())

    second = entries("definition.loaded")[-1]
    assert second.actor_name == "consulta load"
    assert second.consultation_slug == demo.slug
    assert second.after["withdrawn"] == [dropped]
    assert second.after["updated"]["consultations"] == 1

    call_command("load", str(path), stdout=io.StringIO())
    assert len(entries("definition.loaded")) == 2, "a load that changes nothing is no entry"


def test_copying_a_consultation_as_a_new_round_in_the_admin_records_who_did_it(
    organiser_client, organiser, demo
):
    url = reverse("admin:consultations_consultation_new_round", args=[demo.pk])
    response = organiser_client.post(
        url, {"first_day": "2026-12-07", "slug": "next-round", "title": "Next round"}
    )

    assert response.status_code == 302
    copied = entries("definition.loaded")[-1]
    assert (copied.actor, copied.consultation_slug) == (organiser, "next-round")


# --- moderation -----------------------------------------------------------------------------


def capture_data(**overrides):
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


def capture_url(session, name, *more):
    return reverse(name, args=[session.consultation.slug, session.key, *more])


def test_live_capture_records_each_point_captured_edited_and_deleted(client, africa, kofi):
    client.force_login(kofi)

    client.post(capture_url(africa, "capture"), capture_data())
    point = CapturedPoint.objects.get()
    client.post(
        capture_url(africa, "capture-edit", point.pk),
        capture_data(note="Families need one contact point.", stance="question"),
    )
    client.post(capture_url(africa, "capture-delete", point.pk))

    captured, edited, deleted = (
        only("point.captured"),
        only("point.edited"),
        only("point.deleted"),
    )
    for entry in (captured, edited, deleted):
        assert (entry.actor_name, entry.object_id) == ("kofi.moderator", str(point.pk))
        assert entry.consultation_slug == africa.consultation.slug
    assert captured.after["stance"] == "supports"
    assert captured.after["recommendation"] == point.recommendation_id
    assert edited.before == {
        "stance": "supports",
        "note": "Families need one contact point per country for tracing requests.",
    }
    assert edited.after == {"stance": "question", "note": "Families need one contact point."}
    assert deleted.before["note"] == "Families need one contact point."


def test_hiding_and_showing_feedback_in_the_inbox_is_recorded_with_the_reason(
    organiser_client, organiser, africa, kofi
):
    organiser_client.force_login(kofi)
    organiser_client.post(capture_url(africa, "capture"), capture_data())
    point = CapturedPoint.objects.get()
    organiser_client.force_login(organiser)
    slug = africa.consultation.slug

    organiser_client.post(
        reverse("manage-feedback-hide", args=[slug, "point", point.pk]),
        {"reason": "Insulting language"},
    )
    organiser_client.post(
        reverse("manage-feedback-show", args=[slug, "point", point.pk]),
        {"reason": "Reworded by the rapporteur"},
    )

    hidden, shown = only("feedback.hidden"), only("feedback.shown")
    assert (hidden.actor, hidden.object_type, hidden.object_id) == (
        organiser,
        "capturedpoint",
        str(point.pk),
    )
    assert (hidden.before, hidden.after) == (
        {"hidden": False},
        {"hidden": True, "reason": "Insulting language"},
    )
    assert shown.before == {"hidden": True, "reason": "Insulting language"}
    assert shown.after == {"hidden": False, "reason": "Reworded by the rapporteur"}


def test_closing_the_consultation_is_recorded_with_its_status_before_and_after(
    organiser_client, organiser, demo
):
    status = demo.status
    organiser_client.post(reverse("manage-feedback-close", args=[demo.slug]), {"confirm": "yes"})

    closed = only("consultation.closed")
    assert (closed.actor, closed.consultation_slug) == (organiser, demo.slug)
    assert (closed.before, closed.after) == ({"status": status}, {"status": "closed"})


# --- revision -------------------------------------------------------------------------------


def revision_data(recommendation, text, rationale):
    data = {"rationale": rationale, "based_on": recommendation.current_version().number}
    for lang, entry in recommendation.texts().items():
        data[f"title_{lang}"] = entry["title"]
        data[f"text_{lang}"] = entry["text"]
    return data | {"text_en": text, "answers": [], "points": []}


def test_a_co_leads_revision_and_decision_to_keep_are_recorded_with_the_texts(client, demo, kwame):
    mm2, mm1 = demo.recommendations.get(code="MM-2"), demo.recommendations.get(code="MM-1")
    old_text = mm2.text_en
    client.force_login(kwame)

    client.post(
        reverse("revisions-revise", args=[demo.slug, "MM-2"]),
        revision_data(mm2, "One regional mechanism shares data.", "Asked for in Africa."),
    )
    client.post(
        reverse("revisions-keep", args=[demo.slug, "MM-1"]),
        {"reason": "Strong support in every region."},
    )

    revised = only("recommendation.revised")
    assert (revised.actor_name, revised.object_id) == ("kwame.colead", str(mm2.pk))
    assert revised.object_label.startswith("MM-2 ")
    assert revised.before == {"text_en": old_text, "status": "draft"}
    assert revised.after == {
        "text_en": "One regional mechanism shares data.",
        "status": "revised",
        "version": 2,
        "rationale": "Asked for in Africa.",
    }
    kept = only("recommendation.kept")
    assert (kept.actor_name, kept.object_id) == ("kwame.colead", str(mm1.pk))
    assert kept.after == {"version": 1, "reason": "Strong support in every region."}


# --- import ---------------------------------------------------------------------------------

FEEDBACK_CSV = (
    "respondent_id,email,stakeholder_group,country,session,language,recommendation,support,"
    "priority,comment,proposed_text\n"
    "R-1,focal.point@ngo.example,civil_society,KE,africa,en,MM-1,4,high,One contact point.,\n"
    "R-2,desk@ministry.example,member_state,SE,europe,fr,MM-1,2,low,,\n"
)

ZOOM_REPORT = (
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    "Wanjiru Kamau,wanjiru@example.org,01/29/2024 01:58:40 PM,01/29/2024 03:10:00 PM,72,Yes\n"
)


def test_a_feedback_import_is_recorded_with_its_file_and_counts(organiser_client, organiser, demo):
    url = reverse("manage-feedback-import", args=[demo.slug])
    preview = organiser_client.post(
        url, {"file": SimpleUploadedFile("survey.csv", FEEDBACK_CSV.encode())}
    )
    organiser_client.post(url, {"token": preview.context["token"], "action": "confirm"})

    imported = only("feedback.imported")
    assert (imported.actor, imported.consultation_slug, imported.object_type) == (
        organiser,
        demo.slug,
        "importbatch",
    )
    assert imported.after["filename"] == "survey.csv"
    assert (imported.after["answers"], imported.after["new_respondents"]) == (2, 2)


def test_attendance_from_a_zoom_report_and_by_hand_is_recorded_by_registration_id(
    organiser_client, organiser, africa, registered
):
    wanjiru = registered["wanjiru"]
    url = reverse("manage-attendance-import", args=[africa.consultation.slug, africa.key])
    preview = organiser_client.post(
        url, {"report": SimpleUploadedFile("zoom.csv", ZOOM_REPORT.encode(), "text/csv")}
    )
    organiser_client.post(url, {"token": preview.context["token"], "action": "confirm"})
    organiser_client.post(
        reverse("manage-attendance-mark", args=[africa.consultation.slug, wanjiru.pk]),
        {"attended": "no"},
    )

    imported = only("attendance.imported")
    assert (imported.actor, imported.object_type, imported.object_id) == (
        organiser,
        "session",
        str(africa.pk),
    )
    assert imported.after == {"attended": True, "marked": 1, "registrations": [wanjiru.pk]}
    marked = only("attendance.marked")
    assert (marked.object_type, marked.object_id) == ("registration", str(wanjiru.pk))
    assert marked.object_label == f"registration {wanjiru.pk}"
    assert (marked.before, marked.after) == ({"attended": True}, {"attended": False})


# --- export of personal data ----------------------------------------------------------------


def test_exporting_registrations_records_who_exported_what_without_the_search_term(
    organiser_client, organiser, demo, registered
):
    url = reverse("manage-registrations-export", args=[demo.slug, "csv"])
    response = organiser_client.get(url, {"session": "africa", "q": "Kamau"})
    b"".join(response.streaming_content)
    xlsx = organiser_client.get(reverse("manage-registrations-export", args=[demo.slug, "xlsx"]))
    b"".join(xlsx.streaming_content)

    as_csv, as_xlsx = entries("registrations.exported")
    assert (as_csv.actor, as_csv.consultation_slug) == (organiser, demo.slug)
    assert as_csv.after == {
        "format": "csv",
        "filters": {"session": "africa", "search": True},
        "rows": 1,
    }
    assert as_xlsx.after == {"format": "xlsx", "filters": {}, "rows": 2}
    assert "Kamau" not in json.dumps(as_csv.after)


# --- publication ----------------------------------------------------------------------------


def test_publishing_and_withdrawing_the_report_are_recorded(organiser_client, organiser, demo):
    organiser_client.post(reverse("manage-feedback-close", args=[demo.slug]), {"confirm": "yes"})
    organiser_client.post(reverse("manage-report-publish", args=[demo.slug]))
    organiser_client.post(reverse("manage-report-withdraw", args=[demo.slug]))

    published, withdrawn = only("report.published"), only("report.withdrawn")
    assert (published.actor, published.consultation_slug) == (organiser, demo.slug)
    assert (published.before, published.after) == ({"status": "closed"}, {"status": "reported"})
    assert (withdrawn.before, withdrawn.after) == ({"status": "reported"}, {"status": "closed"})


def test_an_open_consultations_report_refused_publication_records_nothing(organiser_client, demo):
    organiser_client.post(reverse("manage-report-publish", args=[demo.slug]))
    assert not entries("report.published")


# --- append-only ----------------------------------------------------------------------------


@pytest.fixture
def an_entry(organiser, demo):
    return record(organiser, "test.recorded", demo, {"status": "open"}, {"status": "closed"})


def test_the_orm_refuses_to_change_or_delete_an_entry(an_entry):
    an_entry.action = "test.rewritten"
    with pytest.raises(AppendOnly):
        an_entry.save()
    with pytest.raises(AppendOnly):
        an_entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=an_entry.pk).update(action="test.rewritten")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=an_entry.pk).delete()
    assert AuditEntry.objects.get(pk=an_entry.pk).action == "test.recorded"


def test_the_database_refuses_raw_updates_and_deletes_on_postgresql(an_entry):
    if connection.vendor != "postgresql":
        pytest.skip("the refusing trigger exists on PostgreSQL only; SQLite relies on the ORM")
    table = AuditEntry._meta.db_table
    for sql in (f"UPDATE {table} SET action = 'test.rewritten'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.get(pk=an_entry.pk).action == "test.recorded"


def test_deleting_an_account_keeps_its_entries_under_the_username(an_entry, demo):
    user = make_user("leaving.organiser")
    entry = record(user, "test.recorded", demo)

    user.delete()

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.actor_name, entry.action) == (
        None,
        "leaving.organiser",
        "test.recorded",
    )


# --- who sees and exports the trail ---------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(client, an_entry):
    for url in (reverse("audit-trail"), reverse("audit-export", args=["csv"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login") + "?next=")


def test_an_organiser_a_co_lead_and_a_moderator_are_refused(
    client, an_entry, organiser, kwame, kofi
):
    for user in (organiser, kwame, kofi):
        client.force_login(user)
        for url in (
            reverse("audit-trail"),
            reverse("audit-export", args=["csv"]),
            reverse("audit-export", args=["xlsx"]),
        ):
            assert client.get(url).status_code == 403, (user.username, url)
    assert not entries("audit.exported")


def test_an_administrator_whose_session_is_not_verified_is_sent_to_the_admin_login(
    client, administrator, an_entry
):
    client.force_login(administrator)
    response = client.get(reverse("audit-export", args=["csv"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=")
    assert not entries("audit.exported")


def test_an_administrator_reads_the_trail_filtered_by_consultation_action_and_dates(
    organiser_client, demo, africa, ada_client
):
    organiser_client.post(change_url(africa), session_post_data(africa, capacity=250))
    url = reverse("audit-trail")

    page = ada_client.get(url, {"action": "session.changed"})

    assert page.status_code == 200
    assert [e.action for e in page.context["page"]] == ["session.changed"]
    html = page.content.decode()
    assert "amina.organiser" in html and "capacity" in html and "250" in html
    today = timezone.now().date()
    same_day = ada_client.get(url, {"since": today, "until": today})
    assert same_day.context["total"] == AuditEntry.objects.count()
    tomorrow = today + timedelta(days=1)
    assert ada_client.get(url, {"since": tomorrow}).context["total"] == 0
    other = ada_client.get(url, {"consultation": demo.slug, "actor": "consulta load"})
    assert {e.action for e in other.context["page"]} == {
        "definition.loaded",
        "recommendation.created",
    }


def test_a_date_range_that_ends_before_it_starts_is_named(ada_client, an_entry):
    response = ada_client.get(
        reverse("audit-trail"), {"since": "2024-02-01", "until": "2024-01-01"}
    )
    assert "The end date comes before the start date." in response.content.decode()


def test_the_export_opens_in_a_spreadsheet_with_formulas_neutralised(
    organiser_client, africa, ada_client
):
    organiser_client.post(change_url(africa), session_post_data(africa, region="=cmd()"))

    response = ada_client.get(reverse("audit-export", args=["xlsx"]), {"action": "session.changed"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("When (UTC)", "Who", "Consultation", "Action")
    assert len(rows) == 2
    assert rows[1][1:4] == ("amina.organiser", africa.consultation.slug, "session.changed")
    assert rows[1][6] == "'=cmd() (africa)"
    csv = ada_client.get(reverse("audit-export", args=["csv"]), {"action": "session.changed"})
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "'=cmd() (africa)" in text
    assert "\n=cmd()" not in text and ",=cmd()" not in text
    exported = entries("audit.exported")
    assert [e.after["format"] for e in exported] == ["xlsx", "csv"]
    assert exported[0].after["filters"] == {"action": "session.changed"}


def test_the_admin_shows_entries_to_administrators_and_allows_no_change(
    ada_client, an_entry, organiser
):
    base = "admin:audit_auditentry"
    assert ada_client.get(reverse(f"{base}_changelist")).status_code == 200
    assert ada_client.get(reverse(f"{base}_add")).status_code == 403
    assert ada_client.get(reverse(f"{base}_delete", args=[an_entry.pk])).status_code == 403
    change = reverse(f"{base}_change", args=[an_entry.pk])
    ada_client.post(change, {"action": "test.rewritten"})
    assert AuditEntry.objects.get(pk=an_entry.pk).action == "test.recorded"
    ada_client.force_login(organiser)
    assert ada_client.get(reverse(f"{base}_changelist")).status_code == 403


# --- no personal data -----------------------------------------------------------------------


def test_no_participant_name_or_e_mail_enters_any_entry(
    organiser_client, administrator, demo, africa, registered, kofi
):
    """Every kind of change that touches participants, then every field of every entry."""
    wanjiru = registered["wanjiru"]
    slug = demo.slug
    url = reverse("manage-attendance-import", args=[slug, africa.key])
    preview = organiser_client.post(
        url, {"report": SimpleUploadedFile("zoom.csv", ZOOM_REPORT.encode(), "text/csv")}
    )
    organiser_client.post(url, {"token": preview.context["token"], "action": "confirm"})
    organiser_client.post(
        reverse("manage-attendance-mark", args=[slug, wanjiru.pk]), {"attended": "no"}
    )
    b"".join(
        organiser_client.get(
            reverse("manage-registrations-export", args=[slug, "csv"]), {"q": "wanjiru@example"}
        ).streaming_content
    )
    url = reverse("manage-feedback-import", args=[slug])
    preview = organiser_client.post(
        url, {"file": SimpleUploadedFile("survey.csv", FEEDBACK_CSV.encode())}
    )
    organiser_client.post(url, {"token": preview.context["token"], "action": "confirm"})
    organiser_client.force_login(kofi)
    Registration.objects.filter(pk=wanjiru.pk).update(attribution="organisation")
    organiser_client.post(
        reverse("capture", args=[slug, africa.key]), capture_data(attributed_to=wanjiru.pk)
    )
    log_in_verified(organiser_client, administrator)

    assert AuditEntry.objects.filter(action="point.captured").exists()
    everything = yaml.safe_dump(list(AuditEntry.objects.values()), allow_unicode=True)
    for personal in PERSONAL_STRINGS:
        assert personal.lower() not in everything.lower(), personal
    html = organiser_client.get(reverse("audit-trail")).content.decode()
    for personal in PERSONAL_STRINGS:
        assert personal not in html, personal
