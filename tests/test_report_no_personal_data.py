"""Nothing personal reaches the synthesis report, in any of its formats.

tests/feedback_data.py plants names, e-mail addresses and an organisation whose participant
kept the Chatham House rule; none of them may appear in the HTML, the PDF, the Word document
or the XLSX annex, and neither may the e-mail address or the comment of an open submission
that was never confirmed. The organisation of the participant who allowed attribution may
appear (as the attribution of their captured point).
"""

import io
import subprocess
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from docx import Document
from lxml import html as lxml_html
from openpyxl import load_workbook

from consulta.feedback.actions import close_consultation
from consulta.synthesis import report as reports
from consulta.synthesis.document import build_document
from tests.feedback_data import (
    ALLOWED_ORGANISATION,
    HIDDEN_ORGANISATION,
    PLANTED_EMAILS,
    PLANTED_NAMES,
    populate,
)

UNCONFIRMED_EMAIL = "never.confirmed@example.org"
UNCONFIRMED_COMMENT = "Unconfirmed comment must not count"


def forbidden() -> list[str]:
    surnames = [name.split()[-1] for name in PLANTED_NAMES]
    return [
        *PLANTED_NAMES,
        *surnames,
        *PLANTED_EMAILS,
        HIDDEN_ORGANISATION,
        UNCONFIRMED_EMAIL,
        UNCONFIRMED_COMMENT,
    ]


@pytest.fixture
def consultation(demo):
    populate(demo, get_user_model().objects.create_user("kofi.moderator"))
    close_consultation(demo)
    demo.refresh_from_db()
    return demo


@pytest.fixture
def document(consultation):
    return build_document(consultation, "en")


def assert_nothing_personal(text: str, where: str) -> None:
    for value in forbidden():
        assert value.casefold() not in text.casefold(), f"{value!r} appears in the {where}"


def html_text(content: bytes) -> str:
    """The page's source (attributes included) and its text."""
    source = content.decode("utf-8")
    return source + "\n" + lxml_html.fromstring(source).text_content()


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def docx_text(content: bytes) -> str:
    word = Document(io.BytesIO(content))
    parts = [p.text for p in word.paragraphs]
    parts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    for section in word.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    properties = word.core_properties
    parts += [properties.title or "", properties.author or "", properties.comments or ""]
    # Every part of the package as well: images' descriptions, fields, anything else.
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        parts += [
            package.read(name).decode("utf-8", "replace")
            for name in package.namelist()
            if name.endswith((".xml", ".rels"))
        ]
    return "\n".join(parts)


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    properties = workbook.properties
    return "\n".join([*cells, properties.title or "", properties.creator or ""])


def test_the_html_report_names_no_one_and_keeps_the_chatham_house_rule(document):
    text = html_text(reports.render(document, "html"))
    assert_nothing_personal(text, "HTML report")
    assert "Forensic identification" in text  # the comments are there, without their authors
    assert ALLOWED_ORGANISATION in text  # allowed: the captured point's attribution


def test_the_pdf_report_names_no_one(document, tmp_path):
    text = pdf_text(reports.render(document, "pdf"), tmp_path)
    assert "Forensic identification" in text
    assert_nothing_personal(" ".join(text.split()), "PDF report")
    assert_nothing_personal(text, "PDF report")


def test_the_word_report_names_no_one(document):
    text = docx_text(reports.render(document, "docx"))
    assert "Forensic identification" in text
    assert_nothing_personal(text, "DOCX report")


def test_the_xlsx_annex_holds_aggregates_only(document):
    text = xlsx_text(reports.render(document, "xlsx"))
    assert_nothing_personal(text, "XLSX annex")
    assert "Forensic identification" not in text  # no comment at all: aggregates only
    assert ALLOWED_ORGANISATION not in text


def test_the_published_report_page_names_no_one(client, consultation):
    reports.publish_report(consultation)
    response = client.get(reverse("report", args=[consultation.slug]))
    assert response.status_code == 200
    assert_nothing_personal(html_text(response.content), "public report page")
