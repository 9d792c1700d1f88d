"""Revisions in the organiser's admin: organisers make an account a pillar's co-lead here; the
links and the decisions to keep a text are read-only (they change only through
consulta.revisions.actions)."""

from django.contrib import admin

from consulta.access.admin_scoping import ConsultationScoped
from consulta.feedback.admin import ReadOnlyAdmin
from consulta.revisions.models import KeptDecision, PillarCoLead, RevisionLink


@admin.register(PillarCoLead)
class PillarCoLeadAdmin(ConsultationScoped, admin.ModelAdmin):
    """Who may revise which pillar's recommendations (organisers may revise every one of the
    consultations they organise)."""

    consultation_lookups = ("pillar__consultation",)

    list_display = ["user", "pillar", "consultation"]
    list_filter = ["pillar__consultation", "pillar"]
    search_fields = ["user__username", "pillar__code", "pillar__title"]
    list_select_related = ["user", "pillar__consultation"]

    @admin.display(description="consultation", ordering="pillar__consultation__slug")
    def consultation(self, co_lead):
        return co_lead.pillar.consultation.slug

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        pillars = form.base_fields["pillar"]
        pillars.queryset = pillars.queryset.select_related("consultation")
        pillars.label_from_instance = lambda p: f"{p.consultation.slug} · {p.code} {p.title}"
        users = form.base_fields["user"]
        users.queryset = users.queryset.filter(is_active=True).order_by("username")
        return form


@admin.register(RevisionLink)
class RevisionLinkAdmin(ConsultationScoped, ReadOnlyAdmin):
    consultation_lookups = ("version__recommendation__consultation",)
    list_display = ["version", "answer", "point", "note"]
    list_filter = ["version__recommendation__consultation"]
    list_select_related = ["version__recommendation", "answer__recommendation", "point"]


@admin.register(KeptDecision)
class KeptDecisionAdmin(ConsultationScoped, ReadOnlyAdmin):
    consultation_lookups = ("recommendation__consultation",)
    list_display = ["recommendation", "version", "reason", "decided_by", "decided_at"]
    list_filter = ["recommendation__consultation"]
    list_select_related = ["recommendation", "version__recommendation", "decided_by"]
