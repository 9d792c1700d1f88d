"""The synthesis report's pages: the public report once published, and the organiser's
preview, with publication and the downloads.

`/<lang>/c/<slug>/report/` is public only while the consultation's status is "reported"
(otherwise 404, as if there were no report); `/<lang>/manage/<slug>/report/` is for
organisers, whatever the status. Both take `?format=html|pdf|docx|xlsx` to download the
report in that format, in the page's language; without it they show the report as a page.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from consulta.consultations.models import Consultation
from consulta.lib.languages import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES
from consulta.permissions import consultation_for_organiser, organiser_required
from consulta.synthesis import report as reports
from consulta.synthesis.document import build_document
from consulta.synthesis.report import html


def _language() -> str:
    language = get_language() or FALLBACK_LANGUAGE
    return language if language in SUPPORTED_LANGUAGES else FALLBACK_LANGUAGE


def _download(consultation, document: dict, fmt: str) -> HttpResponse:
    kind = reports.FORMATS[fmt]
    response = HttpResponse(reports.render_cached(document, fmt), content_type=kind.content_type)
    name = reports.filename(consultation, document["language"], fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _format(request) -> str | None:
    fmt = request.GET.get("format")
    if fmt is not None and fmt not in reports.FORMATS:
        raise Http404("No such format.")
    return fmt


def public_report(request, slug):
    """The published report, for everyone; 404 until it is published."""
    consultation = get_object_or_404(Consultation, slug=slug)
    if not reports.is_published(consultation):
        raise Http404("This report is not published.")
    fmt = _format(request)
    document = build_document(consultation, _language())
    if fmt:
        return _download(consultation, document, fmt)
    return render(
        request,
        "synthesis/report/page.html",
        {
            "consultation": consultation,
            "report": reports.build(document),
            "downloads": html.downloads(),
        },
    )


@never_cache
@organiser_required
def manage_report(request, slug):
    """The report as it would be published, its publication, and the downloads."""
    consultation = consultation_for_organiser(request, slug)
    fmt = _format(request)
    document = build_document(consultation, _language())
    if fmt:
        return _download(consultation, document, fmt)
    return render(
        request,
        "synthesis/report/manage.html",
        {
            "consultation": consultation,
            "report": reports.build(document),
            "downloads": html.downloads(),
            "published": reports.is_published(consultation),
            "can_publish": consultation.status == Consultation.Status.CLOSED,
            "public_url": reverse("report", args=[consultation.slug]),
            "close_url": reverse("manage-feedback-close", args=[consultation.slug]),
        },
    )


@require_POST
@organiser_required
def publish(request, slug):
    consultation = consultation_for_organiser(request, slug)
    try:
        reports.publish_report(consultation)
    except reports.NotClosed:
        messages.error(request, gettext("Close the consultation before publishing its report."))
    else:
        messages.success(request, gettext("The report is published: anyone can read it now."))
    return redirect("manage-report", consultation.slug)


@require_POST
@organiser_required
def withdraw(request, slug):
    consultation = consultation_for_organiser(request, slug)
    reports.withdraw_report(consultation)
    messages.success(request, gettext("The report is no longer public."))
    return redirect("manage-report", consultation.slug)
