from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from consulta.access import actions as access
from consulta.access.admin import OrganiserRoleInline
from consulta.access.admin_scoping import ConsultationScoped
from consulta.audit.admin_mixin import AuditedAdmin
from consulta.consultations import actions
from consulta.consultations.models import (
    TEXT_FIELDS,
    Consultation,
    ConsultationObjective,
    Engagement,
    Framework,
    FrameworkObjective,
    Organisation,
    Pillar,
    Recommendation,
    RecommendationVersion,
    Reference,
    ServedObjective,
)
from consulta.definitions.loader import copy_as_new_round
from consulta.definitions.schema import DefinitionError
from consulta.lib.languages import SUPPORTED_LANGUAGES
from consulta.permissions import is_administrator

LANGUAGE_NAMES = {code: str(name) for code, name in settings.LANGUAGES}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "url"]
    search_fields = ["short_name", "name"]


class FrameworkObjectiveInline(admin.TabularInline):
    model = FrameworkObjective
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "objective_count"]
    search_fields = ["title", "slug"]
    inlines = [FrameworkObjectiveInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(objective_count=Count("objectives"))

    @admin.display(description="objectives", ordering="objective_count")
    def objective_count(self, framework):
        return framework.objective_count


class AimInline(admin.TabularInline):
    model = ConsultationObjective
    extra = 0
    verbose_name = "objective of the consultation"
    verbose_name_plural = "objectives of the consultation"


class ServedObjectiveInline(admin.TabularInline):
    model = ServedObjective
    extra = 0
    verbose_name = "framework objective served"
    verbose_name_plural = "framework objectives served"


class EngagementInline(admin.TabularInline):
    model = Engagement
    extra = 0
    verbose_name = "earlier engagement"
    verbose_name_plural = "timeline of earlier engagements"


class ReferenceInline(admin.TabularInline):
    model = Reference
    extra = 0


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0
    fields = ["order", "code", "title", "presenter_role"]
    show_change_link = True


class NewRoundForm(forms.Form):
    first_day = forms.DateField(
        label="First session on",
        help_text="Every date moves by whole weeks, so a day with another weekday becomes the "
        "next day with the first session's weekday. Clock times stay the same.",
    )
    slug = forms.SlugField(
        help_text="Identifier of the new consultation, e.g. missing-migrants-2026."
    )
    title = forms.CharField(max_length=300)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Consultation.objects.filter(slug=slug).exists():
            raise forms.ValidationError(f"A consultation {slug!r} exists already; choose another.")
        return slug

    def clean_first_day(self):
        day = self.cleaned_data["first_day"]
        if day < timezone.localdate():
            raise forms.ValidationError("A new round starts in the future.")
        return day


@admin.register(Consultation)
class ConsultationAdmin(AuditedAdmin, ConsultationScoped, admin.ModelAdmin):
    consultation_lookups = ("",)
    list_display = ["title", "slug", "status", "opens_on", "closes_on", "timezone"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["co_leads"]
    readonly_fields = ["programme_warnings", "new_round"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "opens_on", "closes_on", "timezone"]}),
        (
            "Content",
            {"fields": ["organising_network", "co_leads", "framework", "background", "mandate"]},
        ),
        ("Checks", {"fields": ["programme_warnings"]}),
        ("Personal data", {"fields": ["personal_data_retention_days"]}),
        ("Next round", {"fields": ["new_round"]}),
    ]
    inlines = [
        OrganiserRoleInline,
        AimInline,
        ServedObjectiveInline,
        PillarInline,
        EngagementInline,
        ReferenceInline,
    ]

    def get_urls(self):
        copy_view = self.admin_site.admin_view(self.copy_as_new_round_view)
        return [
            path("<int:pk>/new-round/", copy_view, name="consultations_consultation_new_round"),
            *super().get_urls(),
        ]

    @admin.display(description="copy as a new round")
    def new_round(self, consultation):
        if not consultation.pk:
            return "—"
        url = reverse("admin:consultations_consultation_new_round", args=[consultation.pk])
        return format_html('<a href="{}">Copy this consultation as a new round…</a>', url)

    def copy_as_new_round_view(self, request, pk):
        consultation = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NewRoundForm(request.POST or None, initial={"title": consultation.title})
        if request.method == "POST" and form.is_valid():
            try:
                report = copy_as_new_round(consultation, **form.cleaned_data, actor=request.user)
            except DefinitionError as error:
                form.add_error(None, [str(problem) for problem in error.problems])
            else:
                copy = report.consultation
                access.copy_organisers(consultation, copy, also=self._creator(request))
                messages.success(
                    request,
                    f"Created {copy.slug} as a draft with {copy.sessions.count()} sessions.",
                )
                return redirect("admin:consultations_consultation_change", copy.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Copy “{consultation}” as a new round",
            "form": form,
            "consultation": consultation,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/consultations/new_round.html", context)

    def _creator(self, request):
        """An organiser who creates a consultation organises it; administrators need no role."""
        return None if is_administrator(request.user) else request.user

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        creator = self._creator(request)
        if not change and creator is not None:
            access.grant_organiser(obj, creator)

    @admin.display(description="programme warnings")
    def programme_warnings(self, consultation):
        rows = [
            (session.region, warning)
            for session in consultation.sessions.prefetch_related("programme")
            for warning in session.programme_warnings()
        ]
        if not rows:
            return "Every session's programme fills its slot."
        return format_html_join("", "<p>⚠ {}: {}</p>", rows)


@admin.register(Pillar)
class PillarAdmin(AuditedAdmin, ConsultationScoped, admin.ModelAdmin):
    list_display = ["title", "code", "consultation", "order"]
    list_filter = ["consultation"]
    search_fields = ["title", "code"]
    filter_horizontal = ["co_leads"]


class VersionInline(admin.TabularInline):
    model = RecommendationVersion
    extra = 0
    can_delete = False
    fields = ["number", "changed_at", "changed_by", "rationale", "texts"]
    readonly_fields = fields
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RecommendationForm(forms.ModelForm):
    revision_rationale = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the wording changed; kept in the version history. Required when a text changes.",
    )

    class Meta:
        model = Recommendation
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        text_changed = self.instance.pk and set(self.changed_data) & set(TEXT_FIELDS)
        if text_changed and not cleaned.get("revision_rationale", "").strip():
            self.add_error("revision_rationale", "Say why the wording changed.")
        consultation = cleaned.get("consultation")
        pillar = cleaned.get("pillar")
        if consultation and pillar and pillar.consultation_id != consultation.pk:
            self.add_error("pillar", "This pillar belongs to another consultation.")
        objectives = cleaned.get("objectives") or []
        if consultation:
            foreign = [o for o in objectives if o.framework_id != consultation.framework_id]
            if foreign:
                self.add_error(
                    "objectives",
                    "Not in this consultation's framework: " + ", ".join(str(o) for o in foreign),
                )
        return cleaned


@admin.register(Recommendation)
class RecommendationAdmin(AuditedAdmin, ConsultationScoped, admin.ModelAdmin):
    form = RecommendationForm
    audit_exclude = tuple(TEXT_FIELDS)  # recorded by revise_recommendation
    list_display = ["code", "title_en", "pillar", "status", "illustrative", "version_count"]
    list_filter = ["consultation", "pillar", "status", "illustrative"]
    search_fields = ["code", "title_en", "text_en"]
    filter_horizontal = ["objectives"]
    inlines = [VersionInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "consultation",
                    "pillar",
                    "code",
                    "order",
                    "status",
                    "illustrative",
                    "objectives",
                ]
            },
        ),
        *[
            (
                f"Wording in {LANGUAGE_NAMES[lang]}",
                {
                    "fields": [f"title_{lang}", f"text_{lang}"],
                    "classes": [] if lang == "en" else ["collapse"],
                },
            )
            for lang in SUPPORTED_LANGUAGES
        ],
        ("Revision", {"fields": ["revision_rationale"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("pillar")
            .annotate(version_count=Count("versions"))
        )

    @admin.display(description="versions", ordering="version_count")
    def version_count(self, recommendation):
        return recommendation.version_count

    def save_model(self, request, obj, form, change):
        if not change:
            obj.save()
            actions.ensure_first_version(obj, by=request.user, rationale="Created in the admin")
            return
        new_texts = obj.texts()
        stored = Recommendation.objects.get(pk=obj.pk)
        for name in TEXT_FIELDS:
            setattr(obj, name, getattr(stored, name))
        obj.save()
        actions.revise_recommendation(
            obj, new_texts, by=request.user, rationale=form.cleaned_data["revision_rationale"]
        )
