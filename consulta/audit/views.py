"""The audit trail for platform administrators, under /<lang>/manage/audit/: filters
(consultation, who, action, dates), pages of 50 entries, and the same selection as CSV or XLSX.

Only platform administrators (active superusers) see it; anyone else signed in gets 403,
organisers included: the trail covers every consultation and every organiser. Exporting the
trail is itself recorded. Cells that a spreadsheet could read as a formula are neutralised by
the registrations' export helpers.
"""

import json
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from functools import wraps

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render, resolve_url
from django.utils import timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from consulta.audit.actions import record
from consulta.audit.models import AuditEntry
from consulta.permissions import is_administrator
from consulta.registrations import exports

PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def administrator_required(view):
    """Anonymous visitors go to the admin login (with ?next=); other accounts get 403. As in
    the admin, an administrator's session must have been verified by their second factor:
    if not, they go to the admin login, which asks for it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), resolve_url("admin:login"))
        if not is_administrator(request.user):
            raise PermissionDenied
        if not _second_factor_verified(request.user):
            return redirect_to_login(request.get_full_path(), resolve_url("admin:login"))
        return view(request, *args, **kwargs)

    return wrapped


def _second_factor_verified(user) -> bool:
    """django-otp's middleware gives the user `is_verified`; without it there is no check."""
    check = getattr(user, "is_verified", None)
    return check is None or bool(check())


class AuditFilters(forms.Form):
    consultation = forms.ChoiceField(label=_("Consultation"), required=False)
    actor = forms.ChoiceField(label=pgettext_lazy("person acting", "Who"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Inclusive, UTC."),
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Inclusive, UTC."),
    )

    def __init__(self, data):
        super().__init__(data)
        entries = AuditEntry.objects.order_by()

        def choices(field, empty):
            values = entries.exclude(**{field: ""}).values_list(field, flat=True).distinct()
            return [("", empty)] + [(value, value) for value in sorted(values)]

        self.fields["consultation"].choices = choices(
            "consultation_slug", gettext("Every consultation")
        )
        self.fields["actor"].choices = choices("actor_name", gettext("Anyone"))
        self.fields["action"].choices = choices("action", gettext("Every action"))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", gettext("The end date comes before the start date."))
        return cleaned

    def valid_filters(self) -> dict:
        """The filters that were given and make sense; a wrong one is reported and ignored."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


def filtered_entries(filters: dict):
    """The entries matching `filters`; dates are whole UTC days, both ends included."""
    entries = AuditEntry.objects.all()
    for name, lookup in (
        ("consultation", "consultation_slug"),
        ("actor", "actor_name"),
        ("action", "action"),
    ):
        if name in filters:
            entries = entries.filter(**{lookup: filters[name]})
    if "since" in filters:
        entries = entries.filter(at__gte=_midnight(filters["since"]))
    if "until" in filters:
        entries = entries.filter(at__lt=_midnight(filters["until"] + timedelta(days=1)))
    return entries


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


@administrator_required
@require_GET
def trail(request):
    """Every recorded change, newest first, filtered and paginated."""
    form = AuditFilters(request.GET)
    filters = form.valid_filters()
    page = Paginator(filtered_entries(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.changes = _changes(entry)
    return render(
        request,
        "audit/trail.html",
        {"form": form, "page": page, "total": page.paginator.count},
    )


def _changes(entry) -> list[dict]:
    """One row per recorded field: its value before and after (absent values left blank)."""
    names = dict.fromkeys([*entry.before, *entry.after])
    return [
        {
            "field": name,
            "before": _shown(entry.before[name]) if name in entry.before else "",
            "after": _shown(entry.after[name]) if name in entry.after else "",
        }
        for name in names
    ]


def _shown(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def header() -> list[str]:
    return [
        gettext("When (UTC)"),
        pgettext("person acting", "Who"),
        gettext("Consultation"),
        gettext("Action"),
        gettext("Object type"),
        gettext("Object id"),
        gettext("Object"),
        gettext("Before"),
        gettext("After"),
        gettext("Client IP address"),
    ]


def rows(entries):
    for entry in entries:
        yield [
            entry.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor_name,
            entry.consultation_slug,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.object_label,
            json.dumps(entry.before, ensure_ascii=False, sort_keys=True) if entry.before else "",
            json.dumps(entry.after, ensure_ascii=False, sort_keys=True) if entry.after else "",
            entry.ip or "",
        ]


@administrator_required
@require_GET
def export(request, fmt):
    """The filtered trail as CSV (streamed) or XLSX; the export itself is recorded."""
    filters = AuditFilters(request.GET).valid_filters()
    entries = filtered_entries(filters)
    exported = record(
        request.user,
        "audit.exported",
        after={"format": fmt, "filters": filters, "entries": entries.count()},
    )
    selected = entries.exclude(pk=exported.pk)
    name = f"consulta-audit-{timezone.now():%Y%m%d-%H%M}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_lines(header(), rows(selected.iterator(chunk_size=500))),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    exports.write_xlsx(
        header(), rows(selected.iterator(chunk_size=500)), target, title=gettext("Audit trail")
    )
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX_TYPE)
