"""The report as a Word document for the drafting office (python-docx), made to be edited:
Word's own styles (Title, Heading 1–4, Caption, Quote, List Bullet), tables with a header row
that repeats on every page, numbered captions as SEQ fields ("Table 3: …", "Figure 1: …") so
Word can list and renumber them, charts as PNG images with alternative text, a table of
contents field, page numbers, A4 pages and the annex on landscape pages. Arabic reads right
to left.
"""

import io
from datetime import UTC, datetime

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from consulta.synthesis.report.content import Figure, Report, Section, Table

MUTED = RGBColor(0x4A, 0x4A, 0x4A)
REMOVED = RGBColor(0x7A, 0x00, 0x12)
ADDED = RGBColor(0x0D, 0x3B, 0x12)
HEADER_FILL = "EEF2F6"
WORD_LANGUAGES = {"en": "en-GB", "fr": "fr-FR", "es": "es-ES", "ar": "ar-SA", "ru": "ru-RU"}


PORTRAIT_WIDTH = Cm(17)
TABLE_TEXT = Pt(9)
LANDSCAPE_WIDTH = Cm(26.1)


def render(report: Report) -> bytes:
    document = Document()
    _set_up(document, report)
    _title_page(document, report)
    width = PORTRAIT_WIDTH
    for section in report.sections:
        if section.style == "annex":
            _landscape(document)
            width = LANDSCAPE_WIDTH
        _section(document, section, width)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# Document set-up.


def _set_up(document, report: Report) -> None:
    properties = document.core_properties
    properties.title = f"{report.subtitle}: {report.title}"
    properties.author = report.network or "Consulta"
    properties.last_modified_by = "Consulta"
    properties.comments = ""
    properties.language = WORD_LANGUAGES.get(report.language, report.language)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    properties.created = properties.modified = now
    page = document.sections[0]
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    page.left_margin = page.right_margin = Cm(2)
    page.top_margin = page.bottom_margin = Cm(2.2)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    run_properties = normal.element.get_or_add_rPr()
    language = OxmlElement("w:lang")
    code = WORD_LANGUAGES.get(report.language, report.language)
    language.set(qn("w:val"), code)
    language.set(qn("w:bidi"), code)
    run_properties.append(language)
    if report.direction == "rtl":
        normal.element.get_or_add_pPr().append(OxmlElement("w:bidi"))
        run_properties.append(OxmlElement("w:rtl"))
    _page_furniture(page, report)


def _page_furniture(page, report: Report) -> None:
    """The title at the top of every page but the first, "Page n of N" at the bottom."""
    page.different_first_page_header_footer = True
    header = page.header.paragraphs[0]
    header.text = report.title
    header.runs[0].font.size = Pt(8)
    header.runs[0].font.color.rgb = MUTED
    footer = page.footer.paragraphs[0]
    before, after = (_("Page %(page)s of %(pages)s") % {"page": "\0", "pages": "\1"}).split("\0")
    middle, end = after.split("\1")
    footer.add_run(before)
    _field(footer, "PAGE", "1")
    footer.add_run(middle)
    _field(footer, "NUMPAGES", "1")
    footer.add_run(end)
    for run in footer.runs:
        run.font.size = Pt(9)


def _landscape(document) -> None:
    page = document.add_section()
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = Cm(29.7), Cm(21)
    page.left_margin = page.right_margin = Cm(1.8)
    page.top_margin = page.bottom_margin = Cm(1.6)


# Fields (page numbers, captions, contents).


def _field(paragraph, instruction: str, shown: str) -> None:
    """A field (PAGE, SEQ Table …) showing `shown` until Word updates it. A complex field, so
    that its shown text is part of the paragraph's text for any reader."""

    def char(kind):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def _contents(document) -> None:
    document.add_heading(_("Contents"), level=1)
    paragraph = document.add_paragraph()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = ' TOC \\o "1-3" \\h \\z \\u '
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, separate):
        run = paragraph.add_run()
        run._r.append(element)
    shown = paragraph.add_run(
        _("Update this field (right-click, then “Update field”) to show the contents.")
    )
    shown.italic = True
    paragraph.add_run()._r.append(end)


def _caption(document, kind: str, number: int, caption: str):
    """The caption "Table 3: …", its number a SEQ field, in Word's Caption style."""
    template = (
        _("Table %(number)d: %(caption)s")
        if kind == "Table"
        else _("Figure %(number)d: %(caption)s")
    )
    paragraph = document.add_paragraph(style="Caption")
    if "%(number)d" not in template:  # a translation that moved the number: no field then
        paragraph.add_run(template % {"number": number, "caption": caption})
        return paragraph
    before, after = template.split("%(number)d", 1)
    paragraph.add_run(before % {"caption": caption})
    _field(paragraph, f"SEQ {kind} \\* ARABIC", str(number))
    paragraph.add_run(after % {"caption": caption})
    return paragraph


# Content.


def _title_page(document, report: Report) -> None:
    subtitle = document.add_paragraph(report.subtitle, style="Subtitle")
    subtitle.paragraph_format.space_before = Pt(120)
    document.add_paragraph(report.title, style="Title")
    if report.network:
        document.add_paragraph(report.network).runs[0].font.size = Pt(14)
    document.add_paragraph(report.generated).runs[0].font.color.rgb = MUTED
    for note in report.notes:
        paragraph = document.add_paragraph(note)
        paragraph.paragraph_format.space_before = Pt(12)
        paragraph.runs[0].italic = True
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _contents(document)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _section(document, section: Section, width) -> None:
    heading = document.add_heading(section.title, level=min(section.level, 9))
    if section.level == 1 and section.style != "annex":  # the annex starts its own section
        heading.paragraph_format.page_break_before = True
    for block in section.blocks:
        _block(document, block, section.level, width)
    for child in section.children:
        _section(document, child, width)


def _block(document, block, level: int, width) -> None:
    kind = block.kind
    if kind == "paragraph":
        _paragraph(document, block, level)
    elif kind == "facts":
        for label, cell in block.items:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(2)
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(cell.text)
    elif kind == "table":
        _table(document, block, width)
    elif kind == "figure":
        _figure(document, block, width)
    elif kind == "quote":
        document.add_paragraph(block.text, style="Quote")
        attribution = document.add_paragraph(f"— {block.attribution}", style="Quote")
        attribution.paragraph_format.space_before = Pt(0)
    elif kind == "rewording":
        document.add_paragraph(block.heading)
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(0.6)
        for segment in block.segments:
            run = paragraph.add_run(segment.text)
            if segment.kind == "removed":
                run.font.strike = True
                run.font.color.rgb = REMOVED
            elif segment.kind == "added":
                run.font.underline = True
                run.font.color.rgb = ADDED
    elif kind == "bullets":
        for item in block.items:
            document.add_paragraph(item, style="List Bullet")


def _paragraph(document, block, level: int) -> None:
    if block.style == "label":
        document.add_heading(block.text, level=min(level + 1, 9))
        return
    paragraph = document.add_paragraph(block.text)
    if block.style == "lead":
        paragraph.paragraph_format.left_indent = Cm(0.6)
        paragraph.runs[0].font.size = Pt(11.5)
    elif block.style == "note":
        paragraph.runs[0].italic = True
        paragraph.runs[0].font.color.rgb = MUTED
    elif block.style in ("illustrative", "status"):
        paragraph.runs[0].bold = True


def _widths(table: Table, width) -> list[int]:
    """Column widths in proportion to their longest word and text (within limits), so that
    a title column gets room and a column of numbers does not."""
    weights = []
    for n, heading in enumerate(table.header):
        texts = [heading] + [row[n].text for row in table.rows]
        longest_word = max(len(word) for text in texts for word in (text.split() or [""]))
        longest = max(len(text) for text in texts)
        weights.append(max(longest_word * 1.3 + 2, min(longest, 24), 7))
    total = sum(weights)
    return [int(width * weight / total) for weight in weights]


def _table(document, table: Table, width) -> None:
    caption = _caption(document, "Table", table.number, table.caption)
    caption.paragraph_format.keep_with_next = True
    columns = len(table.header)
    grid = document.add_table(rows=1, cols=columns)
    grid.style = document.styles["Table Grid"]
    grid.autofit = False
    heading_row = grid.rows[0]
    _repeat_as_header(heading_row)
    for cell, text in zip(heading_row.cells, table.header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
        _shade(cell, HEADER_FILL)
    for row in table.rows:
        cells = grid.add_row().cells
        for n, (cell, value) in enumerate(zip(cells, row, strict=True)):
            cell.text = value.text
            if n == 0 and table.row_headers and cell.paragraphs[0].runs:
                cell.paragraphs[0].runs[0].bold = True
    for row in grid.rows:
        for cell in row.cells:
            for run in cell.paragraphs[0].runs:
                run.font.size = TABLE_TEXT
    for column, column_width in zip(grid.columns, _widths(table, width), strict=True):
        column.width = column_width
        for cell in column.cells:
            cell.width = column_width
    document.add_paragraph()


def _repeat_as_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _figure(document, figure: Figure, width) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.keep_with_next = True
    picture = paragraph.add_run().add_picture(io.BytesIO(figure.chart.png()), width=width)
    description = figure.chart.title
    if figure.note:
        description = f"{description}. {figure.note}"
    properties = picture._inline.docPr
    properties.set("descr", description)
    properties.set("title", figure.chart.title)
    _caption(document, "Figure", figure.number, figure.caption)
    if figure.note:
        note = document.add_paragraph(figure.note)
        note.runs[0].font.size = Pt(9)
        note.runs[0].font.color.rgb = MUTED
    _table(document, figure.table, width)
