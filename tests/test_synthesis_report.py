"""The synthesis report: HTML, PDF, DOCX and the XLSX annex from the same synthesis document,
its publication, and the `consulta report` command.

The consultation is the demo with the known feedback of tests/feedback_data.py: sixty
participants in three regions; everyone supports MM-1 (half agree, half strongly agree);
Africa and Asia-Pacific strongly agree with MM-2 and Europe strongly disagrees.
"""

import io
import math
import shutil
import subprocess
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from lxml import html as lxml_html
from openpyxl import load_workbook

from consulta.consultations.models import Consultation, Recommendation
from consulta.feedback.actions import close_consultation
from consulta.feedback.models import Answer
from consulta.revisions import actions as revisions
from consulta.synthesis import report as reports
from consulta.synthesis.document import build_document
from tests.feedback_data import populate

SECTION_TITLES = [
    "Summary",
    "Process and participation",
    "Priorities",
    "Recommendation by recommendation",
    "Regional perspectives",
    "Method",
    "Annex: data tables",
]


@pytest.fixture
def moderator(db):
    return get_user_model().objects.create_user("kofi.moderator", password="not used here")


@pytest.fixture
def consultation(demo, moderator):
    """The demo with its known feedback, closed: ready to be reported."""
    populate(demo, moderator)
    close_consultation(demo)
    demo.refresh_from_db()
    return demo


@pytest.fixture
def document(consultation):
    return build_document(consultation, "en")


def html_tree(document):
    return lxml_html.fromstring(reports.render(document, "html"))


def figure(tree, section_id: str, name: str):
    """The key figure `name` of a section, as (text shown, raw value)."""
    (cell,) = tree.xpath(f'//section[@id="{section_id}"]/dl//dd[@data-figure="{name}"]')
    return cell.text_content(), float(cell.get("data-value"))


def pdf_text(content: bytes, tmp_path) -> tuple[str, int]:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    pages = text.count("\f")
    return text, pages


def tastle_wierman(counts_1_to_5) -> float:
    """Consensus = 1 + Σ p_i log2(1 − |i − mean| / 4), written here from the paper."""
    total = sum(counts_1_to_5)
    p = [c / total for c in counts_1_to_5]
    mean = sum(pi * value for pi, value in zip(p, range(1, 6), strict=True))
    return 1 + sum(
        pi * math.log2(1 - abs(value - mean) / 4)
        for pi, value in zip(p, range(1, 6), strict=True)
        if pi
    )


# HTML.


def test_the_html_report_has_every_section_and_reads_the_known_figures(document):
    tree = html_tree(document)
    headings = [h.text_content() for h in tree.xpath("//h2")]
    for title in SECTION_TITLES:
        assert title in headings
    assert figure(tree, "rec-MM-1", "share")[0].startswith("100%")
    assert figure(tree, "rec-MM-1", "answers") == ("60", 60.0)
    assert figure(tree, "rec-MM-1", "consensus")[0] == "0.81"
    assert figure(tree, "rec-MM-2", "share")[0].startswith("67%")
    summary = tree.xpath('//section[@id="summary"]')[0].text_content()
    assert "MM-2" in summary and "regions differ" in summary and "(Europe)" in summary
    consensus = tree.xpath('//section[@id="rec-MM-2"]')[0].text_content()
    assert "Polarised" in consensus


def test_the_html_report_shows_what_was_heard_and_marks_what_changed_as_not_yet_revised(
    document,
):
    section = html_tree(document).xpath('//section[@id="rec-MM-1"]')[0]
    text = " ".join(section.text_content().split())
    assert "Forensic identification with DNA samples" in text
    assert section.xpath('.//figure[@class="quote"]/figcaption')
    assert "Proposed by 2 respondents" in text
    assert section.xpath(".//p[@class='diff']/ins") and section.xpath(".//p[@class='diff']/del")
    assert "Points captured in the sessions" in text
    changed = section.xpath('.//section[@id="rec-MM-1-changed"]')[0].text_content()
    assert "No revision yet." in changed
    mm2 = " ".join(html_tree(document).xpath('//section[@id="rec-MM-2"]')[0].text_content().split())
    assert "was sent 8 times" in mm2


def test_what_changed_shows_a_revision_with_its_reasons_and_a_text_kept_with_its_reason(
    consultation, organiser
):
    mm2 = consultation.recommendations.get(code="MM-2")
    campaign = Answer.objects.filter(
        recommendation=mm2, is_current=True, comment__startswith="We the undersigned"
    )[:2]
    texts = mm2.texts()
    texts["en"] = {
        **texts["en"],
        "text": "States should share data through one regional mechanism.",
    }
    revisions.revise_with_links(
        mm2,
        texts,
        by=organiser,
        rationale="Africa and Asia-Pacific asked for one regional mechanism.",
        answers=list(campaign),
    )
    revisions.keep_with_reason(
        consultation.recommendations.get(code="MM-1"),
        by=organiser,
        reason="Strong support in every region.",
    )
    tree = html_tree(build_document(consultation, "en"))

    changed = tree.xpath('//section[@id="rec-MM-2-changed"]')[0]
    text = " ".join(changed.text_content().split())
    assert "Changed since the consultation: now version 2." in text
    assert "Why: Africa and Asia-Pacific asked for one regional mechanism." in text
    assert changed.xpath(".//p[@class='diff']/ins") and changed.xpath(".//p[@class='diff']/del")
    assert "In response to" in text
    assert "We the undersigned demand stronger cooperation" in text
    kept = " ".join(tree.xpath('//section[@id="rec-MM-1-changed"]')[0].text_content().split())
    assert "Kept as consulted (version 1)." in kept
    assert "Why: Strong support in every region." in kept
    overview = tree.xpath('//section[@id="recommendations"]//table')[0]
    assert overview.xpath("./caption")[0].text_content().endswith("What we heard and what changed")
    rows = {
        row.xpath("./th")[0].text_content(): [td.text_content() for td in row.xpath("./td")]
        for row in overview.xpath("./tbody/tr")
    }
    assert rows["MM-2"][2:] == [
        "Changed",
        "Africa and Asia-Pacific asked for one regional mechanism.",
    ]
    assert rows["MM-1"][2:] == ["Kept", "Strong support in every region."]
    assert rows["MM-3"][2] == "Not yet decided"


def test_the_html_charts_are_inline_svg_beside_their_data_tables_and_nothing_is_loaded(
    document,
):
    page = reports.render(document, "html").decode()
    tree = lxml_html.fromstring(page)
    charts = tree.xpath("//figure[@class='chart-figure']//*[local-name()='svg']")
    assert len(charts) >= 4
    for chart in charts:
        assert chart.get("role") == "img"
        described_by = chart.get("aria-describedby")
        assert tree.xpath(f'//table[@id="{described_by}"]/caption')
    assert "<script" not in page
    assert not tree.xpath("//*[@src]") and not tree.xpath("//link")
    for table in tree.xpath("//table"):
        assert table.xpath("./caption") and table.xpath("./thead/tr/th[@scope='col']")


def test_the_report_is_in_the_language_asked_for(consultation):
    page = reports.render(build_document(consultation, "fr"), "html").decode()
    tree = lxml_html.fromstring(page)
    assert tree.get("lang") == "fr"
    assert "Coordonner la recherche et le sauvetage" in page
    assert figure(tree, "rec-MM-1", "share")[0].startswith("100\u00a0%")
    arabic = lxml_html.fromstring(reports.render(build_document(consultation, "ar"), "html"))
    assert arabic.get("dir") == "rtl"


# PDF.


def test_the_pdf_has_the_sections_the_known_figures_and_several_pages(document, tmp_path):
    content = reports.render(document, "pdf")
    assert content.startswith(b"%PDF")
    text, pages = pdf_text(content, tmp_path)
    assert pages >= 3
    flat = " ".join(text.split())
    for title in SECTION_TITLES:
        assert title in flat
    assert "Coordinate search and rescue across borders" in flat
    assert "100% (94%–100%)" in flat  # MM-1's share supporting and its Wilson interval
    assert "Page 2 / " in flat


def test_the_arabic_pdf_embeds_a_font_with_arabic_glyphs(consultation, tmp_path):
    path = tmp_path / "report-ar.pdf"
    path.write_bytes(reports.render(build_document(consultation, "ar"), "pdf"))
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout
    assert "Arabic" in fonts
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "عبر الحدود" in text


# DOCX.


def test_the_docx_has_word_headings_tables_with_a_header_row_captions_and_charts(
    document, tmp_path
):
    content = reports.render(document, "docx")
    word = Document(io.BytesIO(content))
    headings = {
        p.text for p in word.paragraphs if p.style.name in ("Heading 1", "Heading 2", "Heading 3")
    }
    for title in SECTION_TITLES:
        assert title in headings
    assert "MM-1 · Coordinate search and rescue across borders" in headings
    assert word.paragraphs[1].style.name == "Title"
    assert len(word.tables) > 10
    first = word.tables[0]
    assert first.rows[0]._tr.trPr.xpath("./w:tblHeader")
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert any(c.startswith("Table 1: ") for c in captions)
    assert any(c.startswith("Figure 1: ") for c in captions)
    assert len(word.inline_shapes) >= 4
    assert all(shape._inline.docPr.get("descr") for shape in word.inline_shapes)
    paragraphs = [p.text for p in word.paragraphs]
    assert "Share supporting (95% interval): 100% (94%–100%)" in paragraphs
    cells = {cell.text for table in word.tables for row in table.rows for cell in row.cells}
    assert "Strongly agree" in cells and "Europe" in cells

    if shutil.which("soffice"):
        source = tmp_path / "report.docx"
        source.write_bytes(content)
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp_path}/libreoffice",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(source),
            ],
            capture_output=True,
            check=True,
            timeout=180,
        )
        text, pages = pdf_text((tmp_path / "report.pdf").read_bytes(), tmp_path)
        assert pages >= 3
        assert "Recommendation by recommendation" in text


# XLSX.


def test_the_xlsx_annex_reloads_with_one_sheet_per_table_and_numbers_as_numbers(document):
    workbook = load_workbook(io.BytesIO(reports.render(document, "xlsx")))
    for name in (
        "Recommendations",
        "Regions",
        "Groups",
        "Participation",
        "Ranking",
        "Method notes",
    ):
        assert name in workbook.sheetnames
    sheet = workbook["Recommendations"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "MM-1")
    values = dict(zip(header, row, strict=True))
    assert values["answers"] == 60 and isinstance(values["answers"], int)
    assert values["share"] == 1 and isinstance(values["share"], int | float)
    assert sheet.cell(2, header.index("share") + 1).number_format == "0.0%"
    assert values["support_4"] + values["support_5"] == 60
    for each in workbook.worksheets:
        for line in each.iter_rows():
            for cell in line:
                assert cell.data_type != "f"


def test_the_headline_numbers_recomputed_from_the_annex_alone_match_the_html(document):
    workbook = load_workbook(io.BytesIO(reports.render(document, "xlsx")))
    sheet = workbook["Recommendations"]
    header = [c.value for c in sheet[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    totals = {r[0]: r[2] for r in workbook["Totals"].iter_rows(min_row=2, values_only=True)}
    tree = html_tree(document)

    for code in ("MM-1", "MM-2"):
        counts = [rows[code][f"support_{v}"] for v in range(1, 6)]
        share = (counts[3] + counts[4]) / sum(counts)
        shown, value = figure(tree, f"rec-{code}", "share")
        assert value == pytest.approx(share, abs=1e-12)
        assert shown.startswith(f"{round(share * 100)}%")
    counts = [rows["MM-1"][f"support_{v}"] for v in range(1, 6)]
    shown, value = figure(tree, "rec-MM-1", "consensus")
    assert value == pytest.approx(tastle_wierman(counts), abs=1e-12)
    assert shown == f"{tastle_wierman(counts):.2f}"
    answers = sum(r["answers"] for r in rows.values())
    assert answers == totals["answers"]
    summary_answers = tree.xpath('//section[@id="summary"]//dd[@data-figure="answers"]')[0]
    assert summary_answers.text_content() == str(answers)


def test_text_that_a_spreadsheet_could_run_as_a_formula_is_neutralised(consultation):
    Recommendation.objects.filter(consultation=consultation, code="MM-3").update(
        title_en='=HYPERLINK("http://evil.example","click")'
    )
    workbook = load_workbook(io.BytesIO(reports.render(build_document(consultation, "en"), "xlsx")))
    titles = [r[1] for r in workbook["Recommendations"].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil.example","click")' in titles


# Publication and access.


def test_the_public_report_is_not_found_before_publication_and_readable_after(
    client, organiser_client, consultation
):
    public = reverse("report", args=[consultation.slug])
    assert client.get(public).status_code == 404
    assert client.get(public + "?format=pdf").status_code == 404

    response = organiser_client.post(reverse("manage-report-publish", args=[consultation.slug]))
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.REPORTED

    response = client.get(public)
    assert response.status_code == 200
    assert "Synthesis report" in response.content.decode()
    download = client.get(public + "?format=pdf")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        'attachment; filename="missing-migrants-2024-report-en.pdf"'
    )
    assert download.content.startswith(b"%PDF")

    organiser_client.post(reverse("manage-report-withdraw", args=[consultation.slug]))
    assert client.get(public).status_code == 404


def test_the_public_report_page_takes_a_fixed_number_of_queries(
    client, consultation, django_assert_max_num_queries
):
    reports.publish_report(consultation)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("report", args=[consultation.slug])).status_code == 200


def test_an_open_consultation_cannot_be_published(organiser_client, demo):
    response = organiser_client.post(
        reverse("manage-report-publish", args=[demo.slug]), follow=True
    )
    assert "Close the consultation before publishing its report." in response.content.decode()
    demo.refresh_from_db()
    assert demo.status == Consultation.Status.OPEN
    assert organiser_client.get(reverse("report", args=[demo.slug])).status_code == 404


def test_the_organiser_preview_requires_an_organiser(client, consultation):
    url = reverse("manage-report", args=[consultation.slug])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(
        get_user_model().objects.create_user("outsider", password="a long password here")
    )
    assert client.get(url).status_code == 403
    assert client.get(url + "?format=docx").status_code == 403
    assert (
        client.post(reverse("manage-report-publish", args=[consultation.slug])).status_code == 403
    )


def test_the_organiser_previews_the_report_and_downloads_each_format(
    organiser_client, consultation
):
    url = reverse("manage-report", args=[consultation.slug])
    page = organiser_client.get(url)
    assert page.status_code == 200
    assert "only organisers can see this report" in page.content.decode()
    assert "Publish the report" in page.content.decode()
    # The PDF is downloaded from the public address once published, in the test above.
    magic = {"html": b"<!DOCTYPE html>", "docx": b"PK", "xlsx": b"PK"}
    for fmt, start in magic.items():
        response = organiser_client.get(url, {"format": fmt})
        assert response.status_code == 200
        assert response["Content-Type"] == reports.FORMATS[fmt].content_type
        assert response.content.startswith(start)
        if fmt in ("docx", "xlsx"):
            assert zipfile.is_zipfile(io.BytesIO(response.content))
    assert organiser_client.get(url, {"format": "exe"}).status_code == 404


# The command.


def test_the_report_command_writes_each_format_step_by_step(consultation, tmp_path):
    magic = {"html": b"<!DOCTYPE html>", "pdf": b"%PDF", "docx": b"PK", "xlsx": b"PK"}
    for fmt, start in magic.items():
        target = tmp_path / f"report.{fmt}"
        out, err = io.StringIO(), io.StringIO()
        call_command(
            "report",
            consultation.slug,
            "--format",
            fmt,
            "--lang",
            "en",
            "-o",
            str(target),
            stdout=out,
            stderr=err,
        )
        assert target.read_bytes().startswith(start)
        steps = err.getvalue().splitlines()
        assert [line.split()[2] for line in steps] == [
            "loading",
            "analysing",
            "rendering",
            "writing",
        ]
        assert steps[-1].startswith("[####################] 4/4")
        assert f"Wrote {target}" in out.getvalue()


def test_the_report_command_names_an_unknown_consultation(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No consultation with the slug 'nowhere'"):
        call_command("report", "nowhere", stdout=io.StringIO(), stderr=io.StringIO())
