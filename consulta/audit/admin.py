"""The audit trail in the Django admin: to read only. Nobody adds, changes or deletes an entry
here (superusers included); only platform administrators see it at all."""

from django.contrib import admin

from consulta.audit.models import AuditEntry
from consulta.permissions import is_administrator


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "actor_name",
        "consultation_slug",
        "action",
        "object_type",
        "object_label",
    ]
    list_filter = ["action", "consultation_slug"]
    search_fields = ["actor_name", "action", "object_label", "consultation_slug"]
    date_hierarchy = "at"
    fields = [
        "at",
        "actor_name",
        "actor",
        "consultation_slug",
        "consultation",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "before",
        "after",
        "ip",
    ]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
