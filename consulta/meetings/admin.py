from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst

from consulta.access.admin_scoping import ConsultationScoped
from consulta.audit.admin_mixin import AuditedAdmin
from consulta.lib.schedule import programme_fit, time_zone_problem
from consulta.meetings.actions import note_session_changed
from consulta.meetings.models import ProgrammeItem, Session


class SessionForm(forms.ModelForm):
    """Start and end are typed as wall-clock times in the session's organiser time zone."""

    starts_at = forms.SplitDateTimeField(
        label="Start", widget=AdminSplitDateTime, help_text="In the organiser time zone below."
    )
    ends_at = forms.SplitDateTimeField(
        label="End", widget=AdminSplitDateTime, help_text="In the organiser time zone below."
    )

    class Meta:
        model = Session
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["starts_at"] = self.instance.local_start().replace(tzinfo=None)
            self.initial["ends_at"] = self.instance.local_end().replace(tzinfo=None)
        elif not self.initial.get("timezone") and self.initial.get("consultation"):
            self.initial["timezone"] = self.instance.consultation.timezone

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("timezone")
        if zone and not time_zone_problem(zone):
            for name in ("starts_at", "ends_at"):
                if cleaned.get(name):
                    wall_clock = timezone.make_naive(cleaned[name])
                    cleaned[name] = wall_clock.replace(tzinfo=ZoneInfo(zone))
        return cleaned


class ProgrammeFormSet(forms.BaseInlineFormSet):
    """A programme longer than its session's slot cannot run: refuse it."""

    def clean(self):
        super().clean()
        session = self.instance
        if not (session.starts_at and session.ends_at) or session.ends_at <= session.starts_at:
            return
        durations = [
            form.cleaned_data["duration_minutes"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("duration_minutes")
        ]
        problem = programme_fit(session.starts_at, session.ends_at, durations).error()
        if problem:
            raise ValidationError(f"{capfirst(problem)}.")


class ProgrammeItemInline(admin.TabularInline):
    model = ProgrammeItem
    formset = ProgrammeFormSet
    extra = 0
    fields = ["order", "duration_minutes", "clock_times", "title", "role", "speaker", "description"]
    readonly_fields = ["clock_times"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "description":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 40})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="clock times (organiser zone)")
    def clock_times(self, item):
        session = item.session if item.pk else None
        if session is None or time_zone_problem(session.timezone):
            return "—"
        for scheduled, start, end in session.schedule():
            if scheduled.pk == item.pk:
                zone = session.zone()
                return f"{start.astimezone(zone):%H:%M}–{end.astimezone(zone):%H:%M}"
        return "—"


@admin.register(Session)
class SessionAdmin(AuditedAdmin, ConsultationScoped, admin.ModelAdmin):
    form = SessionForm
    list_display = [
        "region",
        "consultation",
        "organiser_time",
        "language_list",
        "platform",
        "capacity",
        "status",
        "programme_check",
    ]
    list_filter = ["consultation", "status", "platform"]
    search_fields = ["region", "key"]
    prepopulated_fields = {"key": ["region"]}
    readonly_fields = ["programme_check"]
    inlines = [ProgrammeItemInline]
    fields = [
        "consultation",
        "region",
        "key",
        "languages",
        "timezone",
        "starts_at",
        "ends_at",
        "platform",
        "join_url",
        "registration_url",
        "capacity",
        "status",
        "programme_check",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("consultation")
            .prefetch_related("programme")
        )

    @admin.display(description="time (organiser zone)", ordering="starts_at")
    def organiser_time(self, session):
        return f"{session.local_start():%a %d %b %Y %H:%M}–{session.local_end():%H:%M} {session.timezone}"

    @admin.display(description="languages")
    def language_list(self, session):
        return ", ".join(session.languages)

    @admin.display(description="programme")
    def programme_check(self, session):
        if not session.pk or time_zone_problem(session.timezone):
            return "—"
        warnings = session.programme_warnings()
        return "⚠ " + "; ".join(warnings) if warnings else "fills the slot"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and (form.has_changed() or any(f.has_changed() for f in formsets)):
            note_session_changed(form.instance)
        for warning in form.instance.programme_warnings():
            messages.warning(request, f"{form.instance.region}: {warning}.")
