"""Organisers' work through an API token: registrations, attendance import, feedback,
synthesis and report downloads of the consultations the token's user may manage.

A read token reads; only a write token may change anything (403 `insufficient_scope`).
Consultations are checked by the permission module exactly as for the organiser pages.
"""

from typing import Literal

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from consulta.api import schemas
from consulta.api.auth import OrganiserToken
from consulta.api.common import (
    PageIn,
    SessionKey,
    Slug,
    page_of,
    page_schema,
    responses,
)
from consulta.api.errors import ApiError, ErrorOut
from consulta.api.participant import registration_out
from consulta.api.public import Language, synthesis_out
from consulta.audit.actions import record_export
from consulta.feedback.models import Answer, Channel
from consulta.meetings.models import Session
from consulta.permissions import consultation_for_organiser
from consulta.registrations import actions as registration_actions
from consulta.registrations import attendance
from consulta.registrations.models import Registration
from consulta.synthesis import report as reports
from consulta.synthesis.document import build_document

router = Router(tags=["organiser"], auth=OrganiserToken())
RegistrationPage = page_schema(schemas.RegistrationOut, "RegistrationPage")
FeedbackPage = page_schema(schemas.FeedbackOut, "FeedbackPage")


def require_write(request) -> None:
    if not request.auth.can_write():
        raise ApiError(403, "insufficient_scope", "This token is read-only; use a write token.")


class RegistrationFilter(Schema):
    session: str | None = None
    status: Literal["confirmed", "waitlisted", "cancelled"] | None = None


@router.get(
    "/manage/consultations/{slug}/registrations",
    response=responses(RegistrationPage, 401, 403, 404, 422),
    summary="Registrations (personal data)",
)
def list_registrations(
    request, slug: Slug, paging: Query[PageIn], filters: Query[RegistrationFilter]
):
    consultation = consultation_for_organiser(request, slug)
    registrations = Registration.objects.filter(session__consultation=consultation)
    if filters.session:
        registrations = registrations.filter(session__key=filters.session)
    if filters.status:
        registrations = registrations.filter(status=filters.status)
    registrations = registrations.select_related("session__consultation").order_by("pk")
    page = page_of(registrations, paging, registration_out)
    record_export(
        request.user,
        consultation,
        "api",
        {"session": filters.session, "status": filters.status, "page": paging.page},
        len(page["items"]),
    )
    return page


@router.post(
    "/manage/consultations/{slug}/sessions/{key}/attendance",
    response=responses(schemas.AttendanceOut, 400, 401, 403, 404, 413, 422),
    summary="Import a Zoom attendance report",
)
def import_attendance(
    request, slug: Slug, key: SessionKey, report: File[UploadedFile], dry_run: bool = False
):
    """Marks as attended the session's registrations whose e-mail is in the report (CSV,
    comma- or tab-separated, as Zoom exports it). All or nothing: a file with any bad row
    changes nothing and every problem is listed under `fields.report`. `dry_run=true` only
    says what would be marked."""
    require_write(request)
    consultation = consultation_for_organiser(request, slug)
    session = get_object_or_404(Session, consultation=consultation, key=key)
    limit = settings.IMPORT_MAX_BYTES
    if report.size > limit:
        raise ApiError(
            413,
            "too_large",
            str(attendance.too_large(limit).translated(gettext)),
            {"report": [f"{report.size} bytes; at most {limit}."]},
        )
    try:
        rows = attendance.parse_zoom_report(report.read(), max_bytes=limit)
    except attendance.ReportProblems as problems:
        raise ApiError(
            422,
            "invalid_file",
            "The report cannot be imported; nothing was changed.",
            {"report": [problem.translated(gettext) for problem in problems.problems]},
        ) from None
    matches = attendance.match_rows(rows, session.registrations.all())
    marked = 0
    if not dry_run:
        marked = registration_actions.record_zoom_attendance(
            session, [row.email for row in rows], by=request.user
        )
    return {
        "dry_run": dry_run,
        "rows": len(rows),
        "matched": len(matches.matched),
        "unmatched": len(matches.unmatched),
        "marked": marked,
    }


class FeedbackFilter(Schema):
    recommendation: str | None = None
    channel: Literal[tuple(code for code, _label in Channel.choices)] | None = None  # type: ignore[valid-type]
    include_hidden: bool = False


def feedback_out(answer: Answer) -> dict:
    respondent = answer.respondent
    return {
        "id": answer.pk,
        "recommendation": answer.recommendation.code,
        "respondent": respondent.pk,
        "channel": respondent.channel,
        "stakeholder_group": respondent.stakeholder_group,
        "country": respondent.country,
        "language": answer.language,
        "support": answer.support,
        "priority": answer.priority,
        "comment": answer.comment,
        "proposed_text": answer.proposed_text,
        "saved_at": answer.created_at,
        "hidden": answer.hidden_at is not None,
    }


@router.get(
    "/manage/consultations/{slug}/feedback",
    response=responses(FeedbackPage, 401, 403, 404, 422),
    summary="Current answers",
)
def list_feedback(request, slug: Slug, paging: Query[PageIn], filters: Query[FeedbackFilter]):
    """Every respondent's current answer, newest first; hidden ones only when asked."""
    consultation = consultation_for_organiser(request, slug)
    answers = Answer.objects.filter(
        respondent__consultation=consultation, is_current=True
    ).select_related("recommendation", "respondent")
    if filters.recommendation:
        answers = answers.filter(recommendation__code=filters.recommendation)
    if filters.channel:
        answers = answers.filter(respondent__channel=filters.channel)
    if not filters.include_hidden:
        answers = answers.filter(hidden_at__isnull=True)
    return page_of(answers.order_by("-created_at", "-pk"), paging, feedback_out)


@router.get(
    "/manage/consultations/{slug}/synthesis",
    response=responses(schemas.SynthesisOut, 401, 403, 404, 422),
    summary="Synthesis figures (any status)",
)
def get_managed_synthesis(request, slug: Slug, lang: Language = "en"):
    return synthesis_out(consultation_for_organiser(request, slug), lang)


REPORT_CONTENT = {
    media_type: {"schema": {"type": "string", "format": "binary"}}
    for media_type in sorted({kind.content_type.split(";")[0] for kind in reports.FORMATS.values()})
}


@router.get(
    "/manage/consultations/{slug}/report/{fmt}",
    response={frozenset({401, 403, 404, 422, 503}): ErrorOut},
    summary="Download the report",
    openapi_extra={
        "responses": {
            "200": {"description": "The report file.", "content": REPORT_CONTENT},
        }
    },
)
def download_report(request, slug: Slug, fmt: schemas.ReportFormat, lang: Language = "en"):
    """The synthesis report as a file (HTML, PDF, DOCX or XLSX annex), whatever its status."""
    consultation = consultation_for_organiser(request, slug)
    return reports.download(consultation, build_document(consultation, lang), fmt)
