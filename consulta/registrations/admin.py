from django.contrib import admin, messages

from consulta.access.admin_scoping import ConsultationScoped
from consulta.registrations import actions
from consulta.registrations.models import Registration


@admin.register(Registration)
class RegistrationAdmin(ConsultationScoped, admin.ModelAdmin):
    consultation_lookups = ("session__consultation",)
    list_display = [
        "family_name",
        "given_name",
        "organisation",
        "stakeholder_group",
        "country",
        "session",
        "status",
        "attended",
    ]
    list_filter = ["session__consultation", "session", "status", "stakeholder_group", "attended"]
    search_fields = ["family_name", "given_name", "email", "organisation"]
    list_select_related = ["session"]
    readonly_fields = [
        "created_at",
        "queued_at",
        "consented_at",
        "cancelled_at",
        "reminder_sent_at",
        "personal_data_erased_at",
    ]
    exclude = ["link_nonce"]
    actions = ["revoke_links"]

    def has_add_permission(self, request):
        """Registrations come through the registration form (or its API), never typed in here."""
        return False

    def has_change_permission(self, request, obj=None):
        """An erased registration is kept only to be counted: shown, never edited back."""
        if obj is not None and obj.is_erased():
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description="Revoke the personal links of the selected registrations")
    def revoke_links(self, request, queryset):
        for registration in queryset:
            actions.revoke_personal_link(registration)
        messages.success(request, f"Revoked {queryset.count()} personal link(s).")
