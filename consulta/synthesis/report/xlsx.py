"""The data annex as an XLSX workbook (openpyxl): one sheet per table of `annex.sheets`, then
"Method notes" saying what every column means and how each figure is computed.

Aggregates only. Numbers are written as numbers (shares between 0 and 1, shown as
percentages), missing figures as empty cells, and any text a spreadsheet could read as a
formula (starting with = + - @) is neutralised.
"""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from consulta.registrations.exports import neutralise
from consulta.synthesis.report import annex, text

FORMATS = {annex.SHARE: "0.0%", annex.DECIMAL: "0.000", annex.INTEGER: "0"}
HEADER = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")
WRAP = Alignment(wrap_text=True, vertical="top")


def safe(value):
    """A cell's value: text neutralised and stripped of characters XLSX cannot hold."""
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def render(document: dict) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = annex.sheets(document)
    for sheet in sheets:
        _sheet(workbook, sheet)
    _notes(workbook, document, sheets)
    properties = workbook.properties
    properties.title = safe(document["consultation"]["title"])
    properties.creator = "Consulta"
    properties.lastModifiedBy = "Consulta"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(workbook, sheet: annex.Sheet) -> None:
    target = workbook.create_sheet(sheet.name)
    target.append([c.key for c in sheet.columns])
    for cell in target[1]:
        cell.font = HEADER
        cell.fill = HEADER_FILL
    for row in sheet.rows:
        target.append(
            [_value(value, column) for value, column in zip(row, sheet.columns, strict=True)]
        )
    for n, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(n)
        number_format = FORMATS.get(column.kind)
        if number_format:
            for (cell,) in target.iter_rows(min_row=2, min_col=n, max_col=n):
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    cell.number_format = (
                        "0"
                        if column.kind == annex.DECIMAL and isinstance(cell.value, int)
                        else number_format
                    )
        widest = max([len(str(column.key))] + [len(str(r[n - 1] or "")) for r in sheet.rows])
        target.column_dimensions[letter].width = min(max(widest + 2, 8), 60)
    target.freeze_panes = "A2"
    target.auto_filter.ref = target.dimensions


def _value(value, column: annex.Column):
    if value is None:
        return None
    if column.kind in (annex.SHARE, annex.DECIMAL) and not isinstance(value, bool):
        return value if isinstance(value, int) else float(value)
    return safe(value)


def _notes(workbook, document: dict, sheets: list[annex.Sheet]) -> None:
    target = workbook.create_sheet("Method notes")
    target.append(["sheet", "column", "meaning"])
    for cell in target[1]:
        cell.font = HEADER
        cell.fill = HEADER_FILL
    target.append(
        [
            "",
            "",
            safe(
                _("%(title)s: data annex of the synthesis report, generated %(date)s.")
                % {
                    "title": document["consultation"]["title"],
                    "date": text.long_date(document["generated_at"], document["language"]),
                }
            ),
        ]
    )
    for sheet in sheets:
        target.append([sheet.name, "", safe(sheet.title)])
        for column in sheet.columns:
            target.append([sheet.name, column.key, safe(f"{column.label}: {column.meaning}")])
    target.append([])
    for heading, paragraphs in text.method_sections():
        for paragraph in paragraphs:
            target.append(["", safe(heading), safe(paragraph)])
    target.column_dimensions["A"].width = 18
    target.column_dimensions["B"].width = 28
    target.column_dimensions["C"].width = 110
    for (cell,) in target.iter_rows(min_col=3, max_col=3):
        cell.alignment = WRAP
    target.freeze_panes = "A2"
