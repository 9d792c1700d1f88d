"""Organisers' API tokens: created and revoked in the organiser pages, hashed at rest, scoped."""

import io

import pytest
from openpyxl import load_workbook

from consulta.api.models import ApiToken
from consulta.api.tokens import digest, issue_token, revoke_token
from consulta.feedback.models import Answer
from consulta.registrations.models import Registration
from tests.api.conftest import bearer
from tests.conftest import register

BASE = "/api/v1/manage/consultations/missing-migrants-2024"
ZOOM_REPORT = (
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
    "Wanjiru Kamau,WANJIRU@example.org,02/01/2024 13:01,02/01/2024 15:20,139\n"
    "Guest,guest@example.net,02/01/2024 13:05,02/01/2024 13:30,25\n"
)


@pytest.fixture
def registrations(demo, before_the_sessions):
    africa = demo.sessions.get(key="africa")
    return [
        register(africa, "Wanjiru", "Kamau", "wanjiru@example.org"),
        register(africa, "Kofi", "Mensah", "kofi@example.org"),
    ]


def test_an_organiser_creates_a_token_that_is_shown_once_and_stored_hashed(demo, organiser_client):
    page = organiser_client.post(
        "/en/manage/api-tokens/", {"name": "Regional dashboard", "scope": "read"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    token = ApiToken.objects.get()
    secret = html.split('<code id="new-token">')[1].split("</code>")[0]
    assert secret.startswith("cst_") and len(secret) > 40
    assert token.digest == digest(secret) and secret not in token.digest
    assert not ApiToken.objects.filter(digest__contains=secret[4:]).exists()
    listing = organiser_client.get("/en/manage/api-tokens/").content.decode()
    assert "Regional dashboard" in listing and secret not in listing


def test_a_token_without_a_name_is_refused_with_the_field_named(demo, organiser_client):
    page = organiser_client.post("/en/manage/api-tokens/", {"name": "  ", "scope": "write"})
    assert page.status_code == 400
    assert "Give the token a name." in page.content.decode()
    assert not ApiToken.objects.exists()


def test_the_token_pages_are_for_organisers_only(client, django_user_model):
    assert client.get("/en/manage/api-tokens/").status_code == 302
    someone = django_user_model.objects.create_user("someone", "s@example.org", "pw-someone-1")
    client.force_login(someone)
    assert client.get("/en/manage/api-tokens/").status_code == 403


def test_a_revoked_token_is_refused(client, organiser_client, organiser, registrations):
    token, secret = issue_token(organiser, "Old", "read")
    assert client.get(f"{BASE}/registrations", **bearer(secret)).status_code == 200
    response = organiser_client.post(f"/en/manage/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    refused = client.get(f"{BASE}/registrations", **bearer(secret))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"


def test_an_organiser_cannot_revoke_someone_elses_token(demo, organiser_client, django_user_model):
    other = django_user_model.objects.create_user(
        "other", "o@example.org", "pw-other-1", is_staff=True
    )
    token, _secret = issue_token(other, "Theirs", "read")
    assert organiser_client.post(f"/en/manage/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_registrations_are_listed_with_personal_data_for_the_organiser(
    client, read_token, registrations
):
    from consulta.audit.models import AuditEntry

    body = client.get(f"{BASE}/registrations?session=africa", **bearer(read_token)).json()
    assert body["count"] == 2
    assert {r["email"] for r in body["items"]} == {"wanjiru@example.org", "kofi@example.org"}
    entry = AuditEntry.objects.get(action="registrations.exported")
    assert entry.actor.username == "amina.organiser"
    assert entry.after["format"] == "api" and entry.after["rows"] == 2
    assert "wanjiru" not in str(entry.after)


def test_without_a_token_or_with_an_unknown_one_nothing_is_shown(client, registrations):
    assert client.get(f"{BASE}/registrations").status_code == 401
    unknown = client.get(f"{BASE}/registrations", **bearer("cst_" + "x" * 43))
    assert unknown.status_code == 401
    assert "wanjiru" not in unknown.content.decode()


def test_a_token_of_someone_who_organises_nothing_is_refused(client, outsider_token, registrations):
    response = client.get(f"{BASE}/registrations", **bearer(outsider_token))
    assert response.status_code in (403, 404)
    assert "wanjiru" not in response.content.decode()


def test_a_read_token_cannot_import_attendance(client, read_token, registrations):
    response = client.post(
        f"{BASE}/sessions/africa/attendance",
        {"report": io.BytesIO(ZOOM_REPORT.encode())},
        **bearer(read_token),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert not Registration.objects.filter(attended=True).exists()


def upload(text: str, name="report.csv"):
    file = io.BytesIO(text.encode())
    file.name = name
    return file


def test_a_write_token_imports_attendance_and_a_dry_run_changes_nothing(
    client, write_token, registrations
):
    dry = client.post(
        f"{BASE}/sessions/africa/attendance?dry_run=true",
        {"report": upload(ZOOM_REPORT)},
        **bearer(write_token),
    ).json()
    assert dry == {"dry_run": True, "rows": 2, "matched": 1, "unmatched": 1, "marked": 0}
    assert not Registration.objects.filter(attended=True).exists()
    done = client.post(
        f"{BASE}/sessions/africa/attendance",
        {"report": upload(ZOOM_REPORT)},
        **bearer(write_token),
    ).json()
    assert done["marked"] == 1
    assert list(Registration.objects.filter(attended=True).values_list("email", flat=True)) == [
        "wanjiru@example.org"
    ]


def test_a_bad_report_names_each_row_and_changes_nothing(client, write_token, registrations):
    bad = ZOOM_REPORT + "Someone,not-an-address,02/01/2024 13:05,02/01/2024 13:30,25\n"
    response = client.post(
        f"{BASE}/sessions/africa/attendance", {"report": upload(bad)}, **bearer(write_token)
    )
    assert response.status_code == 422
    problems = response.json()["error"]["fields"]["report"]
    assert any("Row 4" in problem and "not-an-address" in problem for problem in problems)
    assert not Registration.objects.filter(attended=True).exists()


def test_feedback_and_synthesis_are_read_with_a_read_token(client, read_token, registrations):
    from consulta.feedback.actions import respondent_for_registration, save_answer

    respondent = respondent_for_registration(registrations[0])
    recommendation = registrations[0].session.consultation.recommendations.get(code="MM-1")
    save_answer(respondent, recommendation, {"support": 5, "comment": "Yes."}, submission_key="a")
    feedback = client.get(f"{BASE}/feedback?recommendation=MM-1", **bearer(read_token)).json()
    assert [(f["support"], f["comment"]) for f in feedback["items"]] == [(5, "Yes.")]
    assert "email" not in feedback["items"][0]
    synthesis = client.get(f"{BASE}/synthesis", **bearer(read_token)).json()
    mm1 = next(r for r in synthesis["recommendations"] if r["code"] == "MM-1")
    assert mm1["answers"] == 1 and mm1["counts"][5] == 1
    assert Answer.objects.count() == 1


def test_the_report_downloads_as_a_real_spreadsheet(client, read_token, registrations):
    response = client.get(f"{BASE}/report/xlsx", **bearer(read_token))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames
    assert client.get(f"{BASE}/report/odt", **bearer(read_token)).status_code == 422


def test_revoking_twice_keeps_the_first_date(organiser):
    token, _secret = issue_token(organiser, "Twice", "read")
    revoke_token(token)
    first = ApiToken.objects.get().revoked_at
    revoke_token(ApiToken.objects.get())
    assert ApiToken.objects.get().revoked_at == first


def test_a_report_over_the_size_limit_is_refused_unread(
    client, write_token, registrations, settings
):
    settings.IMPORT_MAX_BYTES = 100
    response = client.post(
        f"{BASE}/sessions/africa/attendance", {"report": upload(ZOOM_REPORT)}, **bearer(write_token)
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not Registration.objects.filter(attended=True).exists()


def test_a_picture_is_not_a_zoom_report(client, write_token, registrations):
    picture = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    picture.name = "report.csv"
    response = client.post(
        f"{BASE}/sessions/africa/attendance", {"report": picture}, **bearer(write_token)
    )
    assert response.status_code == 422
    assert any("not a CSV report" in p for p in response.json()["error"]["fields"]["report"])
