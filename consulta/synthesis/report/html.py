"""The report as HTML: the standalone file (the `html` download and the source of the PDF) and
the context of Consulta's own report pages. Both render `synthesis/report/_body.html`."""

from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from consulta.synthesis.report.content import Report

CSS = Path(__file__).resolve().parent.parent / "static" / "synthesis" / "report.css"


def downloads() -> list[tuple[str, str]]:
    return [
        ("pdf", _("PDF")),
        ("docx", _("Word (DOCX)")),
        ("xlsx", _("Data annex (XLSX)")),
        ("html", _("HTML file")),
    ]


def standalone(report: Report, *, for_print: bool = False) -> str:
    """One self-contained HTML file: its style inline, its charts as inline SVG, no link to
    anything outside it."""
    return render_to_string(
        "synthesis/report/document.html",
        {"report": report, "css": CSS.read_text(encoding="utf-8"), "print": for_print},
    )
