"""The synthesis report's pages: the public report once published, and the organiser's
preview, with publication and the downloads.

`/<lang>/c/<slug>/report/` is public only while the consultation's status is "reported"
(otherwise 404, as if there were no report); `/<lang>/manage/<slug>/report/` is for
organisers, whatever the status. Both take `?format=html|pdf|docx|xlsx` to download the
report in that format, in the page's language; without it they show the report as a page.

Organisers can also have a PDF, DOCX or XLSX rendering prepared in the background (a job, see
consulta.jobs): the report page lists the latest renderings with their status and a download
link once ready. A rendering shows the data as they were when it was rendered.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from consulta.audit.actions import record
from consulta.consultations.models import Consultation
from consulta.jobs import actions as jobs
from consulta.jobs.models import RenderedReport
from consulta.lib.languages import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES
from consulta.permissions import consultation_for_organiser, organiser_required
from consulta.synthesis import report as reports
from consulta.synthesis.document import build_document
from consulta.synthesis.report import html


def _language() -> str:
    language = get_language() or FALLBACK_LANGUAGE
    return language if language in SUPPORTED_LANGUAGES else FALLBACK_LANGUAGE


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
        return reports.download(consultation, document, fmt)
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
        return reports.download(consultation, document, fmt)
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
            "renderings": _renderings(consultation),
            "rendering_formats": RenderedReport.Format.choices,
            "rendering_languages": SUPPORTED_LANGUAGES,
            "language": _language(),
        },
    )


RENDERINGS_SHOWN = 10


def _renderings(consultation) -> list[RenderedReport]:
    return list(
        RenderedReport.objects.filter(consultation=consultation)
        .select_related("job")
        .defer("content")[:RENDERINGS_SHOWN]
    )


@require_POST
@organiser_required
def prepare_rendering(request, slug):
    """Queue a rendering of the report in the format and language asked for."""
    consultation = consultation_for_organiser(request, slug)
    fmt = request.POST.get("format")
    language = request.POST.get("language")
    if fmt not in RenderedReport.Format.values or language not in SUPPORTED_LANGUAGES:
        messages.error(request, gettext("Choose a format (PDF, DOCX or XLSX) and a language."))
    else:
        jobs.request_report(consultation, fmt, language)
        messages.success(
            request,
            gettext(
                "The report is being prepared in the background. Reload this page to see "
                "when it is ready to download."
            ),
        )
    return redirect("manage-report", consultation.slug)


@never_cache
@organiser_required
def download_rendering(request, slug, pk):
    """A rendering prepared in the background; 404 until it is ready."""
    consultation = consultation_for_organiser(request, slug)
    rendering = RenderedReport.objects.filter(
        consultation=consultation, pk=pk, rendered_at__isnull=False
    ).first()
    if rendering is None:
        raise Http404("No such rendering, or not ready yet.")
    response = HttpResponse(
        bytes(rendering.content), content_type=reports.FORMATS[rendering.format].content_type
    )
    name = reports.filename(consultation, rendering.language, rendering.format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@organiser_required
def publish(request, slug):
    consultation = consultation_for_organiser(request, slug)
    was = {"status": consultation.status}
    try:
        reports.publish_report(consultation)
    except reports.NotClosed:
        messages.error(request, gettext("Close the consultation before publishing its report."))
    else:
        record(request.user, "report.published", consultation, was, {"status": consultation.status})
        messages.success(request, gettext("The report is published: anyone can read it now."))
    return redirect("manage-report", consultation.slug)


@require_POST
@organiser_required
def withdraw(request, slug):
    consultation = consultation_for_organiser(request, slug)
    was = {"status": consultation.status}
    reports.withdraw_report(consultation)
    record(request.user, "report.withdrawn", consultation, was, {"status": consultation.status})
    messages.success(request, gettext("The report is no longer public."))
    return redirect("manage-report", consultation.slug)
