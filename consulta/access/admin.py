"""Organiser roles in the admin: administrators name a consultation's organisers on the
consultation's page (the inline) or in the list of all roles. Organisers see neither: they do
not hold the access app's permissions (consulta.permissions)."""

from django.contrib import admin

from consulta.access.models import OrganiserRole
from consulta.permissions import is_administrator


class AdministratorsOnly:
    """Shown to platform administrators only, whatever permissions an account was given."""

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)


def _users(formfield):
    formfield.queryset = formfield.queryset.filter(is_active=True).order_by("username")
    return formfield


class OrganiserRoleInline(AdministratorsOnly, admin.TabularInline):
    model = OrganiserRole
    extra = 0
    fields = ["user"]
    verbose_name = "organiser"
    verbose_name_plural = "organisers (accounts that manage this consultation)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _users(super().formfield_for_foreignkey(db_field, request, **kwargs))


@admin.register(OrganiserRole)
class OrganiserRoleAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["consultation", "user", "staff"]
    list_filter = ["consultation"]
    search_fields = ["user__username", "consultation__slug", "consultation__title"]
    list_select_related = ["consultation", "user"]

    @admin.display(description="staff (may use the admin)", boolean=True)
    def staff(self, role):
        return role.user.is_staff

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _users(field) if db_field.name == "user" else field
