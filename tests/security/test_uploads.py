"""Upload hardening of the importers: a size limit (the IMPORT_MAX_BYTES setting), a type
judged by content rather than by name, a form error naming the problem, nothing written, and
the uploaded bytes never served back."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from consulta.feedback.imports import Codes, ImportProblems, Known, parse_file
from consulta.feedback.models import Answer, ImportBatch, Respondent
from consulta.registrations.attendance import ReportProblems, parse_zoom_report
from consulta.registrations.models import Registration

CODES = Codes(
    recommendations=frozenset({"MM-1"}),
    stakeholder_groups=frozenset({"civil_society"}),
    countries=frozenset({"KE"}),
    sessions=frozenset({"africa"}),
)
GOOD_CSV = b"respondent_id,stakeholder_group,recommendation,support\nR-1,civil_society,MM-1,4\n"


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def archive(members: dict[str, bytes]) -> bytes:
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return target.getvalue()


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(ImportProblems) as refused:
        parse_file(data, name, CODES, Known())
    return str(refused.value)


GOOD_XLSX = workbook(
    [["respondent_id", "stakeholder_group", "recommendation", "support"],
     ["R-1", "civil_society", "MM-1", 4]]
)  # fmt: skip


def test_a_real_workbook_is_read_whatever_its_name():
    for name in ("answers.xlsx", "answers.csv", "answers"):
        [row] = parse_file(GOOD_XLSX, name, CODES, Known())
        assert row.support == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (archive({"hello.txt": b"hi"}), "a ZIP archive but not an Excel workbook"),
        (
            archive({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            "OpenDocument file (.ods)",
        ),
        (
            archive({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
            "a ZIP archive but not an Excel workbook",
        ),
        (
            archive({"[Content_Types].xml": b"x", "xl/workbook.xml": b"0" * (101 * 1024 * 1024)}),
            "unpacks to more than 100 MB",
        ),
        (b"PK\x03\x04" + b"\x00" * 200, "not a readable Excel workbook"),
    ],
)
def test_a_zip_that_is_not_a_spreadsheet_is_refused_by_content(data, message):
    assert message in refusal(data, "answers.xlsx")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj",
        b"\x89PNG\r\n\x1a\n....",
        b"GIF89a....",
        b"\x1f\x8b\x08\x00 gzip",
        b"respondent_id,stakeholder_group\nR-1\x1b[31m,civil_society\n",
        b"respondent_id,stakeholder_group\x00\n",
    ],
)
def test_a_binary_file_named_csv_is_refused_as_not_a_table(data):
    assert "Only CSV files" in refusal(data, "answers.csv")


def test_the_size_limit_is_the_setting(organiser_client, demo, before_the_sessions, settings):
    settings.IMPORT_MAX_BYTES = len(GOOD_CSV) - 1
    url = f"/en/manage/{demo.slug}/feedback/import/"

    response = organiser_client.post(url, {"file": SimpleUploadedFile("a.csv", GOOD_CSV)})

    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()
    assert not (ImportBatch.objects.exists() or Respondent.objects.exists())

    settings.IMPORT_MAX_BYTES = len(GOOD_CSV)
    response = organiser_client.post(url, {"file": SimpleUploadedFile("a.csv", GOOD_CSV)})
    assert response.status_code == 200


def test_a_renamed_pdf_gets_a_form_error_and_writes_nothing(
    organiser_client, demo, before_the_sessions
):
    response = organiser_client.post(
        f"/en/manage/{demo.slug}/feedback/import/",
        {"file": SimpleUploadedFile("answers.xlsx", b"%PDF-1.7 not a workbook")},
    )

    assert response.status_code == 400
    assert "not a readable Excel workbook" in response.content.decode()
    assert not (ImportBatch.objects.exists() or Answer.objects.exists())


def test_the_preview_never_serves_the_uploaded_bytes_back(
    organiser_client, demo, before_the_sessions
):
    marker = "UPLOADED-BYTES-MARKER-" + "z" * 30
    data = GOOD_CSV + f"R-2,civil_society,MM-1,,{marker}\n".encode()
    data = data.replace(b"support\n", b"support,comment\n")

    response = organiser_client.post(
        f"/en/manage/{demo.slug}/feedback/import/",
        {"file": SimpleUploadedFile("answers.csv", data)},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    assert data.decode() not in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        GOOD_XLSX,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50,
        b"%PDF-1.7",
        b"Name,Email\nAmina\x07,amina@example.org\n",
    ],
)
def test_a_zoom_upload_that_is_not_a_csv_report_is_refused_by_content(data):
    with pytest.raises(ReportProblems) as refused:
        parse_zoom_report(data)

    assert "not a CSV report" in str(refused.value)


def test_the_zoom_size_limit_is_the_setting(organiser_client, demo, before_the_sessions, settings):
    report = b"Name,Email\nAmina,amina@example.org\n"
    settings.IMPORT_MAX_BYTES = len(report) - 1

    response = organiser_client.post(
        f"/en/manage/{demo.slug}/s/africa/attendance/import/",
        {"report": SimpleUploadedFile("zoom.csv", report)},
    )

    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()
    assert not Registration.objects.filter(attended__isnull=False).exists()
