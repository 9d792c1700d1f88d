"""Exports of the filtered registration list: CSV (streamed) and XLSX, both safe to open in a
spreadsheet: text that a spreadsheet would run as a formula gets a leading apostrophe."""

import csv
import io
from datetime import datetime

import openpyxl
import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consulta.registrations.exports import neutralise
from tests.conftest import register

FORMULA = "=cmd|' /C calc'!A0"


@pytest.fixture
def cast(demo):
    africa, europe = demo.sessions.get(key="africa"), demo.sessions.get(key="europe")
    return {
        "amina": register(africa, "Amina", "Diallo", "amina@example.org", organisation=FORMULA),
        "kofi": register(africa, "Kofi", "Mensah", "kofi@example.org", needs="+44 sign language"),
        "lena": register(
            europe, "Lena", "Ivanova", "lena@example.org", country="MD", language="ru"
        ),
    }


def export_url(consultation, fmt: str, query: str = "") -> str:
    url = reverse("manage-registrations-export", args=[consultation.slug, fmt])
    return f"{url}?{query}" if query else url


def csv_rows(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def xlsx_rows(response) -> list[dict]:
    assert isinstance(response, FileResponse)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header, *rows = workbook.active.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+44 20", "'+44 20"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindent", "'\tindent"),
        ("\rreturn", "'\rreturn"),
        ("Migrant Rights Network", "Migrant Rights Network"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
        (3, 3),
    ],
)
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(value, safe):
    assert neutralise(value) == safe


def test_the_csv_export_lists_every_registration_with_formulas_neutralised(
    organiser_client, demo, cast
):
    response = organiser_client.get(export_url(demo, "csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="missing-migrants-2024-registrations.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [row["E-mail"] for row in rows] == [
        "amina@example.org",
        "kofi@example.org",
        "lena@example.org",
    ]
    amina, kofi, lena = rows
    assert amina["Organisation"] == "'" + FORMULA
    assert kofi["Interpretation or accessibility needs"] == "'+44 sign language"
    assert amina["Session"] == "africa"
    assert amina["Stakeholder group"] == "Civil society"
    assert amina["Status"] == "Registered"
    assert amina["Registered (UTC)"] == "2024-01-10 00:00"
    assert lena["Country"] == "Moldova, Republic of"
    assert lena["Preferred language"] == "Russian"
    assert lena["Attended"] == ""


def test_the_xlsx_export_lists_every_registration_with_formulas_neutralised(
    organiser_client, demo, cast
):
    response = organiser_client.get(export_url(demo, "xlsx"))

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "missing-migrants-2024-registrations.xlsx" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert [row["E-mail"] for row in rows] == [
        "amina@example.org",
        "kofi@example.org",
        "lena@example.org",
    ]
    assert rows[0]["Organisation"] == "'" + FORMULA
    assert rows[1]["Interpretation or accessibility needs"] == "'+44 sign language"
    assert rows[0]["Registered (UTC)"] == datetime(2024, 1, 10)


def test_the_xlsx_export_has_no_formula_cell(organiser_client, demo, cast):
    response = organiser_client.get(export_url(demo, "xlsx"))

    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    types = {cell.data_type for row in workbook.active.iter_rows() for cell in row}
    assert "f" not in types


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_follows_the_lists_filters(organiser_client, demo, cast, fmt):
    response = organiser_client.get(export_url(demo, fmt, "session=africa&q=mensah"))

    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert [row["E-mail"] for row in rows] == ["kofi@example.org"]
    assert "missing-migrants-2024-registrations-africa" in response["Content-Disposition"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_makes_as_many_queries_for_many_registrations_as_for_one(
    organiser_client, demo, fmt
):
    africa = demo.sessions.get(key="africa")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = organiser_client.get(export_url(demo, fmt))
            b"".join(response.streaming_content)
        return len(captured)

    register(africa, "Amina", "Diallo", "amina@example.org")
    one = queries()
    for n in range(10):
        register(africa, "Participant", str(n), f"p{n}@example.org")
    assert queries() == one


def test_an_unknown_export_format_is_not_found(organiser_client, demo):
    url = export_url(demo, "csv").removesuffix(".csv") + ".pdf"

    assert organiser_client.get(url).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_outsider_cannot_export_registrations(client, django_user_model, demo, cast, fmt):
    client.force_login(django_user_model.objects.create_user("omar.outsider", "o@example.org"))

    assert client.get(export_url(demo, fmt)).status_code == 403
