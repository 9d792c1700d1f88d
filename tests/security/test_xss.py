"""Cross-site scripting: every free-text field holds one of 70-odd payloads (tests/security/
payloads.py), written through the real write paths (tests/security/seed.py), and every page,
e-mail, report format, export and JSON response that shows them shows them as text.

A page passes when its HTML, tokenised as a browser would, holds no event-handler attribute,
no `javascript:`-like URL, no foreign or payload-carrying script, no frame, object, embed,
base or meta refresh (tests/security/inert.py), and shows payloads literally where it shows
the field at all. The browser test (tests/browser/test_xss_browser.py) checks that nothing
runs in Chromium.
"""

import io
import json
import re
import subprocess
import zipfile

import pytest
import time_machine
import yaml
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from consulta.demo import DEMO_FILE
from consulta.feedback.actions import close_consultation
from consulta.feedback.submissions import confirmation_token
from consulta.registrations.links import personal_token
from tests.security.inert import assert_inert
from tests.security.payloads import PAYLOADS, SCRIPT_TAGS, SPREADSHEET_FORMULAS
from tests.security.seed import REGISTRATIONS_OPEN, seed

FORMULA_START = ("=", "+", "-", "@")


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """Seeded once for the module (a minute's work otherwise), inside a transaction rolled back
    at the end; each test's own changes are rolled back to here by the `db` fixture."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            organiser = get_user_model().objects.create_superuser(
                "xss.organiser", "xss.organiser@secretariat.example", "a long test password"
            )
            mail.outbox = []
            with TestCase.captureOnCommitCallbacks(execute=True):
                seeded = seed(yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")), organiser)
            seeded.organiser = organiser
            seeded.emails = list(mail.outbox)
            yield seeded
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def seeded(seeded_once, db):
    seeded_once.consultation.refresh_from_db()
    return seeded_once


@pytest.fixture
def organiser_client(client, seeded):
    client.force_login(seeded.organiser)
    return client


def shown_payloads(text: str) -> list[str]:
    return [payload for payload in PAYLOADS if payload.strip() in text]


def fetch(client, url: str, *, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: HTTP {response.status_code}"
    assert response["Content-Type"].startswith("text/html"), url
    return response.content.decode()


def check_page(client, url: str, *, least_shown: int = 1) -> str:
    """Fetch `url`, fail on anything that could run, and on too few payloads shown as text."""
    text = assert_inert(fetch(client, url), url)
    shown = shown_payloads(text)
    assert len(shown) >= least_shown, f"{url} shows {len(shown)} payloads as text"
    return text


# Public pages and the participant's own pages.


def test_the_public_pages_show_the_definitions_payloads_as_text_and_run_nothing(client, seeded):
    slug = seeded.consultation.slug
    check_page(client, reverse("home"), least_shown=0)
    page = check_page(client, reverse("consultation", args=[slug]), least_shown=20)
    # Markdown links to javascript: lose their address; their words stay.
    assert "click me" in page
    for key in ("africa", "europe"):
        check_page(client, reverse("session", args=[slug, key]), least_shown=0)


def test_the_personal_page_shows_the_participants_names_as_text(client, seeded):
    for registration in seeded.registrations[:12]:
        page = check_page(client, reverse("personal", args=[personal_token(registration)]))
        assert registration.given_name.strip() in page


def test_the_participants_feedback_pages_show_their_comment_and_rewording_as_text(client, seeded):
    for registration in seeded.registrations[:20]:
        token = personal_token(registration)
        overview = reverse("participant_feedback:overview", args=[token])
        check_page(client, overview, least_shown=0)
        summary = check_page(client, reverse("participant_feedback:summary", args=[token]))
        assert f"(comment {seeded.registrations.index(registration)})" in summary
        check_page(client, reverse("participant_feedback:prioritise", args=[token]), least_shown=0)
        for pillar in seeded.consultation.pillars.all():
            check_page(
                client,
                reverse("participant_feedback:pillar", args=[token, pillar.code]),
                least_shown=0,
            )


def test_the_written_submission_confirmation_page_runs_nothing(client, seeded):
    unconfirmed = seeded.open_respondents[-1]
    url = reverse(
        "open-submission-confirm",
        args=[seeded.consultation.slug, confirmation_token(unconfirmed)],
    )
    check_page(client, url, least_shown=0)


# Organiser, moderator and co-lead pages.


def test_the_organiser_registration_pages_show_names_and_organisations_as_text(
    organiser_client, seeded
):
    slug = seeded.consultation.slug
    check_page(organiser_client, reverse("manage-consultation", args=[slug]), least_shown=0)
    shown = set()
    for page in range(1, 5):
        text = assert_inert(
            fetch(organiser_client, reverse("manage-registrations", args=[slug]) + f"?page={page}"),
            f"registrations page {page}",
        )
        shown.update(shown_payloads(text))
    assert len(shown) == len(PAYLOADS)


def test_the_feedback_inbox_shows_every_comment_and_rewording_as_text(organiser_client, seeded):
    slug = seeded.consultation.slug
    shown = set()
    for recommendation in seeded.consultation.recommendations.all():
        url = reverse("manage-feedback", args=[slug]) + f"?recommendation={recommendation.code}"
        for page in range(1, 4):
            text = assert_inert(fetch(organiser_client, f"{url}&page={page}"), url)
            shown.update(shown_payloads(text))
    check_page(organiser_client, reverse("manage-feedback", args=[slug]))
    assert len(shown) >= len(PAYLOADS) - 1


def test_the_capture_screen_and_its_json_show_notes_as_text(organiser_client, seeded):
    slug = seeded.consultation.slug
    key = seeded.points[0].session.key
    check_page(organiser_client, reverse("capture-sessions"), least_shown=0)
    check_page(organiser_client, reverse("capture", args=[slug, key]))
    response = organiser_client.get(reverse("capture-points", args=[slug, key]))
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    notes = json.dumps(response.json())
    assert all(json.dumps(point.note)[1:-1] in notes for point in seeded.points)
    point = seeded.points[0]
    with time_machine.travel(REGISTRATIONS_OPEN, tick=False):  # while points can be edited
        check_page(organiser_client, reverse("capture-edit", args=[slug, key, point.pk]))


def test_the_synthesis_dashboard_and_drill_down_run_nothing(organiser_client, seeded):
    slug = seeded.consultation.slug
    check_page(organiser_client, reverse("manage-synthesis", args=[slug]), least_shown=0)
    for recommendation in seeded.consultation.recommendations.all()[:2]:
        check_page(
            organiser_client,
            reverse("manage-synthesis-recommendation", args=[slug, recommendation.code]),
        )


def test_the_revision_pages_show_rationales_notes_and_texts_as_text(organiser_client, seeded):
    slug = seeded.consultation.slug
    check_page(organiser_client, reverse("revisions", args=[slug]))
    for number, recommendation in enumerate(seeded.consultation.recommendations.all()[:3]):
        check_page(organiser_client, reverse("revisions-revise", args=[slug, recommendation.code]))
        check_page(
            organiser_client,
            reverse("revisions-versions", args=[slug, recommendation.code]),
            least_shown=1 if number == 0 else 0,
        )


def test_the_organisers_report_page_shows_payloads_as_text(organiser_client, seeded):
    check_page(organiser_client, reverse("manage-report", args=[seeded.consultation.slug]))


# Imports: payloads in an uploaded file are shown as text and never served back raw.


def test_an_imported_file_full_of_payloads_is_previewed_as_text_and_served_back_never(
    organiser_client, seeded
):
    recommendation = seeded.consultation.recommendations.first()
    lines = ["respondent_id,stakeholder_group,recommendation,comment,proposed_text"]
    for number, payload in enumerate(PAYLOADS):
        quoted = '"' + payload.replace('"', '""') + '"'
        lines.append(f"R-{number},civil_society,{recommendation.code},{quoted},{quoted}")
    data = "\n".join(lines).encode()
    url = reverse("manage-feedback-import", args=[seeded.consultation.slug])

    with time_machine.travel(REGISTRATIONS_OPEN, tick=False):
        response = organiser_client.post(
            url, {"file": SimpleUploadedFile("<img src=x onerror=alert(1)>.csv", data)}
        )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    text = assert_inert(page, "import preview")
    assert "<img src=x onerror=alert(1)>.csv" in text
    assert len(shown_payloads(text)) >= 15
    assert data.decode() not in page


def test_a_zoom_report_full_of_payloads_is_previewed_as_text(organiser_client, seeded):
    lines = ["Name,Email"] + [
        '"' + payload.replace('"', '""') + f'",guest-{n}@example.org'
        for n, payload in enumerate(PAYLOADS)
    ]
    url = reverse("manage-attendance-import", args=[seeded.consultation.slug, "africa"])

    response = organiser_client.post(
        url, {"report": SimpleUploadedFile("zoom.csv", "\n".join(lines).encode())}
    )

    assert response.status_code == 200
    text = assert_inert(response.content.decode(), "Zoom import preview")
    assert len(shown_payloads(text)) >= 50


# E-mails.


def test_every_e_mail_shows_names_as_text_in_its_html_part(seeded):
    assert len(seeded.emails) >= len(PAYLOADS)
    for message in seeded.emails:
        [(html, kind)] = message.alternatives
        assert kind == "text/html"
        assert_inert(html, f"e-mail to {message.to}")
    names = "".join(
        assert_inert(m.alternatives[0][0], "e-mail")
        for m in seeded.emails
        if m.to[0].startswith("participant-")
    )
    assert len(shown_payloads(names)) >= 50


# The report in every format, and the spreadsheet exports.


@pytest.fixture
def reported(seeded, organiser_client):
    close_consultation(seeded.consultation)
    response = organiser_client.post(
        reverse("manage-report-publish", args=[seeded.consultation.slug])
    )
    assert response.status_code in (200, 302)
    return seeded


def download(client, slug: str, fmt: str) -> bytes:
    response = client.get(reverse("report", args=[slug]) + f"?format={fmt}")
    assert response.status_code == 200, fmt
    return response.content


def test_the_published_report_page_shows_quotes_as_text(client, reported):
    check_page(client, reverse("report", args=[reported.consultation.slug]))
    check_page(client, reverse("consultation", args=[reported.consultation.slug]))


def test_the_html_download_of_the_report_runs_nothing(client, reported):
    html = download(client, reported.consultation.slug, "html").decode()
    text = assert_inert(html, "report.html")
    assert shown_payloads(text)


def test_the_word_report_holds_payloads_as_literal_text_and_no_script_link(client, reported):
    content = download(client, reported.consultation.slug, "docx")
    document = Document(io.BytesIO(content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert shown_payloads(text)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.endswith(".rels"):
                relations = archive.read(name).decode()
                assert not re.search(r'Target="\s*(javascript|vbscript|data):', relations, re.I)
            if name.endswith(".xml"):
                xml = archive.read(name).decode()
                assert "<w:altChunk" not in xml, name
                for field in re.findall(r"<w:instrText[^>]*>([^<]*)<", xml):
                    assert re.match(r"\s*(PAGE|NUMPAGES|SEQ \w+|TOC)\b", field), field


def test_the_pdf_report_holds_payloads_as_literal_text_and_no_script(client, reported, tmp_path):
    content = download(client, reported.consultation.slug, "pdf")
    assert not re.search(rb"/JavaScript|/JS\b|/Launch|/OpenAction", content)
    assert not re.search(rb"/URI\s*\(\s*(javascript|vbscript|data):", content, re.I)
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    joined = " ".join(text.split())
    assert any(" ".join(payload.split()) in joined for payload in SCRIPT_TAGS[:3])


def formula_cells(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content))
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith(FORMULA_START)
                ):
                    found.append(f"{sheet.title}!{cell.coordinate}={cell.value!r}")
    return found


def test_the_xlsx_annex_has_no_formula_cell(client, reported):
    assert formula_cells(download(client, reported.consultation.slug, "xlsx")) == []


def test_the_registrations_export_neutralises_every_formula(organiser_client, seeded):
    url = reverse("manage-registrations-export", args=[seeded.consultation.slug, "xlsx"])
    response = organiser_client.get(url)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert formula_cells(content) == []
    workbook = load_workbook(io.BytesIO(content))
    values = {
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    }
    for formula in SPREADSHEET_FORMULAS:
        assert any(value.endswith(formula) for value in values), formula

    response = organiser_client.get(
        reverse("manage-registrations-export", args=[seeded.consultation.slug, "csv"])
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    for line in text.splitlines():
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "@")), cell


# The API: JSON with its content type, payloads round-tripping as literal strings.


def api_json(response, status: int = 200):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    return response.json()


def test_the_public_api_returns_the_definitions_payloads_as_literal_strings(client, seeded):
    consultation = api_json(client.get(f"/api/v1/consultations/{seeded.consultation.slug}"))

    assert consultation["background"] == seeded.consultation.background
    assert PAYLOADS[0] in consultation["background"]


def test_the_participant_api_returns_and_stores_payloads_literally(client, seeded):
    for number, registration in enumerate(seeded.registrations[:5]):
        auth = {"HTTP_X_PERSONAL_TOKEN": personal_token(registration)}
        me = api_json(client.get("/api/v1/me", **auth))
        assert me["given_name"] == registration.given_name
        assert me["organisation"] == registration.organisation

        payload = PAYLOADS[number + 20]
        with time_machine.travel(REGISTRATIONS_OPEN, tick=False):  # while answers are taken
            saved = api_json(
                client.put(
                    "/api/v1/me/answers/MM-1",
                    json.dumps({"comment": payload, "proposed_text": payload}),
                    content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=f"api-xss-key-{number:04d}-0123456789",
                    **auth,
                )
            )
        assert (saved["comment"], saved["proposed_text"]) == (payload, payload)
        listed = api_json(client.get("/api/v1/me/answers", **auth))
        assert payload in [answer["comment"] for answer in listed["items"]]


def test_the_organiser_api_returns_comments_as_literal_strings(client, seeded):
    from consulta.api.tokens import issue_token

    _token, secret = issue_token(seeded.organiser, "xss check")
    feedback = api_json(
        client.get(
            f"/api/v1/manage/consultations/{seeded.consultation.slug}/feedback?limit=100",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
    )

    comments = {item["comment"] for item in feedback["items"]}
    assert any(comment.startswith(PAYLOADS[0]) for comment in comments)
