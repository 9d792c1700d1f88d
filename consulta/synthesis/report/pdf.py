"""The report as PDF: WeasyPrint lays out the standalone HTML file for print (A4, page numbers,
title page, landscape annex; see report.css). It needs Pango and fonts with Arabic and Cyrillic
glyphs from the system (bin/setup installs them); nothing is fetched from the network."""

import logging

from consulta.synthesis.report.content import Report
from consulta.synthesis.report.html import standalone


def _fetcher():
    """The report is self-contained: only data: addresses may be read, nothing is fetched."""
    import weasyprint

    if hasattr(weasyprint, "URLFetcher"):  # WeasyPrint 66 and later
        return weasyprint.URLFetcher(allowed_protocols=("data",))

    def fetch(url: str, *args, **kwargs):  # pragma: no cover - older WeasyPrint
        if url.startswith("data:"):
            return weasyprint.default_url_fetcher(url, *args, **kwargs)
        raise ValueError(f"The PDF report does not load outside resources ({url[:80]}).")

    return fetch


def render(report: Report) -> bytes:
    # WeasyPrint logs each step of its work, from its import on, and warns about every SVG
    # presentation property it reads itself (fill, stroke …): noise in the log, not problems.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from weasyprint import HTML  # imported late: it loads Pango, which takes a moment

    document = HTML(string=standalone(report, for_print=True), url_fetcher=_fetcher())
    return document.write_pdf(
        pdf_identifier=report.slug.encode(),
        custom_metadata=False,
    )
