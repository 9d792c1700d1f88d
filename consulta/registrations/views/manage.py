"""Organiser pages: who registered, exports, attendance from Zoom reports and by hand.

Every view goes through `organiser_required` and `consultation_for_organiser`. Names and
e-mails appear on these pages only and are never logged. Every list is a fixed number of
queries, however many registrations there are.
"""

import logging
import secrets
import tempfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from consulta.audit.actions import record_export
from consulta.consultations.models import Consultation
from consulta.lib.languages import SUPPORTED_LANGUAGES
from consulta.meetings.models import Session
from consulta.permissions import (
    consultation_for_organiser,
    organised_consultations,
    organiser_required,
)
from consulta.registrations import actions, attendance, exports
from consulta.registrations.models import Registration, StakeholderGroup

log = logging.getLogger(__name__)

PAGE_SIZE = 100
PENDING_IMPORT = "consulta.pending-attendance-import"
CONFIRMED = Registration.Status.CONFIRMED
LIST_ORDER = ("session__starts_at", "family_name", "given_name", "pk")


@organiser_required
def home(request):
    """The consultations this user organises (every one for administrators)."""
    consultations = (
        organised_consultations(request.user)
        .annotate(
            session_count=Count("sessions", distinct=True),
            registration_count=Count(
                "sessions__registrations",
                filter=~Q(sessions__registrations__status=Registration.Status.CANCELLED),
            ),
        )
        .order_by("slug")
    )
    return render(request, "registrations/manage/home.html", {"consultations": consultations})


def _rate(attended: int, confirmed: int) -> int | None:
    """Attended out of confirmed, in whole per cent; None when nobody is confirmed."""
    return round(100 * attended / confirmed) if confirmed else None


@organiser_required
def consultation(request, slug):
    """Each session's registrations by status and its attendance rate (attended / confirmed)."""
    consultation = consultation_for_organiser(request, slug)

    def count(**where):
        return Count(
            "registrations", filter=Q(**{f"registrations__{k}": v for k, v in where.items()})
        )

    sessions = list(
        consultation.sessions.annotate(
            confirmed=count(status=CONFIRMED),
            waitlisted=count(status=Registration.Status.WAITLISTED),
            cancelled=count(status=Registration.Status.CANCELLED),
            attended_count=count(status=CONFIRMED, attended=True),
        )
    )
    for session in sessions:
        session.rate = _rate(session.attended_count, session.confirmed)
    totals = {
        name: sum(getattr(s, name) for s in sessions)
        for name in ("confirmed", "waitlisted", "cancelled", "attended_count")
    }
    totals["rate"] = _rate(totals["attended_count"], totals["confirmed"])
    return render(
        request,
        "registrations/manage/consultation.html",
        {"consultation": consultation, "sessions": sessions, "totals": totals},
    )


class RegistrationFilters(forms.Form):
    session = forms.ChoiceField(label=_("Session"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Registration.Status.choices],
    )
    group = forms.ChoiceField(
        label=_("Stakeholder group"),
        required=False,
        choices=[("", _("Any group")), *StakeholderGroup.choices],
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    language = forms.ChoiceField(label=_("Preferred language"), required=False)
    attended = forms.ChoiceField(
        label=_("Attended"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Yes")), ("no", _("No")), ("unknown", _("Not known"))],
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Name, e-mail or organisation."),
    )

    def __init__(self, data, *, sessions, countries):
        super().__init__(data)
        self.fields["session"].choices = [("", _("Every session"))] + [
            (s.key, s.region) for s in sessions
        ]
        self.fields["country"].choices = [("", _("Any country"))] + [
            (code, exports.country_name(code)) for code in countries
        ]
        self.fields["language"].choices = [("", _("Any language"))] + [
            (code, exports.language_name(code)) for code in SUPPORTED_LANGUAGES
        ]

    def valid_filters(self) -> dict:
        """The filters that were given and make sense; a wrong one is reported and ignored."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


def filtered_registrations(consultation: Consultation, filters: dict):
    registrations = Registration.objects.filter(session__consultation=consultation)
    simple = {
        "session": "session__key",
        "status": "status",
        "group": "stakeholder_group",
        "country": "country",
        "language": "language",
    }
    for name, lookup in simple.items():
        if name in filters:
            registrations = registrations.filter(**{lookup: filters[name]})
    if "attended" in filters:
        registrations = registrations.filter(
            attended={"yes": True, "no": False, "unknown": None}[filters["attended"]]
        )
    for word in filters.get("q", "").split():
        registrations = registrations.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(email__icontains=word)
            | Q(organisation__icontains=word)
        )
    return registrations


def _breakdown(registrations, field: str, label) -> list[tuple[str, int]]:
    """[(label, count)] for each value of `field`, largest first: one query."""
    counts = registrations.values(field).annotate(n=Count("pk")).order_by("-n", field)
    return [(label(row[field]), row["n"]) for row in counts]


def _filters_for(request, consultation: Consultation):
    sessions = list(consultation.sessions.all())
    countries = (
        Registration.objects.filter(session__consultation=consultation)
        .order_by("country")
        .values_list("country", flat=True)
        .distinct()
    )
    form = RegistrationFilters(request.GET, sessions=sessions, countries=list(countries))
    return form, form.valid_filters(), sessions


@organiser_required
def registrations(request, slug):
    consultation = consultation_for_organiser(request, slug)
    form, filters, sessions = _filters_for(request, consultation)
    listed = filtered_registrations(consultation, filters)
    regions = {s.pk: s.region for s in sessions}
    groups = dict(StakeholderGroup.choices)
    counts = {
        "session": _breakdown(listed, "session", regions.get),
        "group": _breakdown(listed, "stakeholder_group", lambda v: groups.get(v, v)),
        "country": _breakdown(listed, "country", exports.country_name),
        "language": _breakdown(listed, "language", exports.language_name),
    }
    ordered = listed.select_related("session").order_by(*LIST_ORDER)
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registrations/manage/registrations.html",
        {
            "consultation": consultation,
            "form": form,
            "counts": counts,
            "total": page.paginator.count,
            "page": page,
        },
    )


@organiser_required
def registrations_export(request, slug, fmt):
    """The filtered list as CSV (streamed) or XLSX (write-only workbook, sent in chunks)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    consultation = consultation_for_organiser(request, slug)
    _form, filters, _sessions = _filters_for(request, consultation)
    listed = (
        filtered_registrations(consultation, filters)
        .select_related("session")
        .order_by(*LIST_ORDER)
    )
    name = f"{consultation.slug}-registrations"
    if "session" in filters:
        name += f"-{filters['session']}"
    record_export(request.user, consultation, fmt, filters, listed.count())
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_lines(exports.header(), exports.rows(listed.iterator(chunk_size=500))),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    exports.write_xlsx(
        exports.header(),
        exports.rows(listed.iterator(chunk_size=500)),
        target,
        title=gettext("Registrations"),
    )
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _back_to(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@organiser_required
@require_POST
def attendance_mark(request, slug, pk):
    """Mark one registration as attended, not attended, or not known (by hand)."""
    consultation = consultation_for_organiser(request, slug)
    registration = get_object_or_404(
        Registration.objects.select_related("session"),
        pk=pk,
        session__consultation=consultation,
    )
    choices = {"yes": True, "no": False, "unknown": None}
    if request.POST.get("attended") not in choices:
        messages.error(request, gettext("Choose whether the participant attended."))
    else:
        actions.mark_attendance(registration, choices[request.POST["attended"]], by=request.user)
        messages.success(
            request,
            gettext("Attendance of %(name)s recorded.") % {"name": registration.full_name()},
        )
    return redirect(_back_to(request, reverse("manage-registrations", args=[consultation.slug])))


class ReportUpload(forms.Form):
    report = forms.FileField(
        label=_("Zoom report (CSV)"),
        allow_empty_file=True,  # the parser says "The file is empty." like for blank lines
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
        help_text=_(
            "The registration report or the attendee report, as Zoom exports it. At most 5 MB."
        ),
    )

    def clean_report(self):
        """Refuse an oversized file before reading it; its content is judged by the parser."""
        report = self.cleaned_data["report"]
        if report.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                attendance.too_large(settings.IMPORT_MAX_BYTES).translated(gettext)
            )
        return report


@organiser_required
def attendance_import(request, slug, key):
    """Upload a Zoom report, see what it would change, then confirm: nothing is written before."""
    consultation = consultation_for_organiser(request, slug)
    session = get_object_or_404(Session, consultation=consultation, key=key)
    if request.method == "POST" and "token" in request.POST:
        return _finish_import(request, consultation, session)
    problems = []
    if request.method == "POST":
        form = ReportUpload(request.POST, request.FILES)
        if form.is_valid():
            try:
                rows = attendance.parse_zoom_report(
                    form.cleaned_data["report"].read(), max_bytes=settings.IMPORT_MAX_BYTES
                )
            except attendance.ReportProblems as error:
                problems = [problem.translated(gettext) for problem in error.problems]
            else:
                return _preview(request, consultation, session, rows)
    else:
        form = ReportUpload()
    return render(
        request,
        "registrations/manage/attendance_import.html",
        {"consultation": consultation, "session": session, "form": form, "problems": problems},
        status=400 if request.method == "POST" else 200,
    )


def _preview(request, consultation, session, rows):
    """Keep the parsed rows in the user's session under a random id and show the matches.

    One import waits for confirmation at a time: a new upload replaces the previous one.
    """
    token = secrets.token_urlsafe(16)
    request.session[PENDING_IMPORT] = {
        "token": token,
        "session": session.pk,
        "rows": [list(row) for row in rows],
    }
    matches = attendance.match_rows(rows, session.registrations.all())
    return render(
        request,
        "registrations/manage/attendance_preview.html",
        {
            "consultation": consultation,
            "session": session,
            "token": token,
            "matched": matches.matched,
            "unmatched": matches.unmatched,
        },
    )


def _finish_import(request, consultation, session):
    """Confirm (record the attendance) or discard the import waiting in the user's session."""
    pending = request.session.get(PENDING_IMPORT) or {}
    here = reverse("manage-attendance-import", args=[consultation.slug, session.key])
    if not (
        secrets.compare_digest(str(pending.get("token", "")), request.POST["token"])
        and pending.get("session") == session.pk
    ):
        messages.error(request, gettext("This preview has expired. Upload the file again."))
        return redirect(here)
    del request.session[PENDING_IMPORT]
    if request.POST.get("action") != "confirm":
        messages.info(request, gettext("The import was discarded; nothing was recorded."))
        return redirect(here)
    rows = [attendance.Row(*row) for row in pending["rows"]]
    marked = actions.record_zoom_attendance(session, [row.email for row in rows], request.user)
    log.info("Zoom attendance import: %d registrations of session %s marked", marked, session.pk)
    messages.success(
        request,
        ngettext(
            "%(count)d registration marked as attended.",
            "%(count)d registrations marked as attended.",
            marked,
        )
        % {"count": marked},
    )
    return redirect("manage-consultation", consultation.slug)
