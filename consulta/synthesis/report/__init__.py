"""The synthesis report, in four formats from one synthesis document, and its publication.

`render(document, fmt)` gives the bytes of the report as a standalone HTML file, a PDF, a Word
document or the XLSX data annex; the text is in the document's language. `content` decides
what the report says, once; `html`, `pdf` and `docx` lay it out and `xlsx` writes the annex.

A consultation's report is for organisers only until it is published: it is public exactly
while the consultation's status is "reported". `publish_report` and `withdraw_report` are the
only code that sets or clears it.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import translation

from consulta.consultations.models import Consultation


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    content_type: str


FORMATS = {
    "html": Format("html", "html", "text/html; charset=utf-8"),
    "pdf": Format("pdf", "pdf", "application/pdf"),
    "docx": Format(
        "docx",
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": Format(
        "xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}


class NotClosed(Exception):
    """A report is published only once the consultation is closed (its data frozen)."""


def is_published(consultation: Consultation) -> bool:
    """The report is public exactly while the consultation's status is "reported"."""
    return consultation.status == Consultation.Status.REPORTED


def render(document: dict, fmt: str) -> bytes:
    """The report of `document` (from `build_document`) in format `fmt`, in its language."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown report format {fmt!r}; use one of {', '.join(FORMATS)}.")
    with translation.override(document["language"]):
        if fmt == "xlsx":
            from consulta.synthesis.report import xlsx

            return xlsx.render(document)
        report = build(document)
        if fmt == "html":
            from consulta.synthesis.report import html

            return html.standalone(report).encode("utf-8")
        if fmt == "pdf":
            from consulta.synthesis.report import pdf

            return pdf.render(report)
        from consulta.synthesis.report import docx

        return docx.render(report)


def render_cached(document: dict, fmt: str, timeout: int = 3600) -> bytes:
    """`render`, kept in the cache for an hour: a PDF takes seconds to lay out, and a closed
    consultation's report is downloaded many times. The key is the document's content and
    its day (the report shows its date), so any change of a figure makes a new report."""
    content = {key: value for key, value in document.items() if key != "generated_at"}
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()
    key = f"consulta.report:{fmt}:{document['generated_at'][:10]}:{digest}"
    rendered = cache.get(key)
    if rendered is None:
        rendered = render(document, fmt)
        cache.set(key, rendered, timeout)
    return rendered


def build(document: dict):
    """What the report says (`content.Report`), in the document's language."""
    from consulta.synthesis.report.content import build_report

    with translation.override(document["language"]):
        return build_report(document)


def filename(consultation: Consultation, language: str, fmt: str) -> str:
    return f"{consultation.slug}-report-{language}.{FORMATS[fmt].extension}"


def download(consultation: Consultation, document: dict, fmt: str) -> HttpResponse:
    """The report of `document` as a file to save, for the pages and the API alike."""
    kind = FORMATS[fmt]
    response = HttpResponse(render_cached(document, fmt), content_type=kind.content_type)
    name = filename(consultation, document["language"], fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@transaction.atomic
def publish_report(consultation: Consultation) -> None:
    """Make the report public: the consultation becomes "reported". Only a closed consultation
    (its feedback frozen) can be reported; publishing twice changes nothing."""
    fresh = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if fresh.status == Consultation.Status.REPORTED:
        consultation.status = fresh.status
        return
    if fresh.status != Consultation.Status.CLOSED:
        raise NotClosed
    fresh.status = Consultation.Status.REPORTED
    fresh.save(update_fields=["status"])
    consultation.status = fresh.status


@transaction.atomic
def withdraw_report(consultation: Consultation) -> None:
    """Back to organisers only: the consultation is closed again, not reopened."""
    fresh = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if fresh.status == Consultation.Status.REPORTED:
        fresh.status = Consultation.Status.CLOSED
        fresh.save(update_fields=["status"])
    consultation.status = fresh.status
