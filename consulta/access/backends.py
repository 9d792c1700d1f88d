"""Django permissions for organisers, read from `consulta.permissions`.

Listed after Django's ModelBackend in AUTHENTICATION_BACKENDS: it authenticates nobody, and
grants an organiser (an active staff account with an organiser role) the model permissions
of `ORGANISER_ADMIN_PERMISSIONS`, so the admin shows them their consultations' models without
groups or per-user permissions to maintain. Which objects they see is narrowed by
`consulta.access.admin_scoping`.
"""

from consulta import permissions

CACHE = "_consulta_organiser_permissions"


class OrganiserPermissions:
    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        return None

    def _perms(self, user) -> set[str]:
        """Computed once per user object (once per request), as ModelBackend does."""
        if not hasattr(user, CACHE):
            granted = set()
            if permissions.is_signed_in(user) and user.is_staff and permissions.is_organiser(user):
                for model, actions in permissions.ORGANISER_ADMIN_PERMISSIONS.items():
                    app_label, _, model_name = model.partition(".")
                    granted |= {f"{app_label}.{action}_{model_name}" for action in actions}
            setattr(user, CACHE, granted)
        return getattr(user, CACHE)

    def has_perm(self, user, perm, obj=None):
        return perm in self._perms(user)

    def has_module_perms(self, user, app_label):
        return any(perm.startswith(f"{app_label}.") for perm in self._perms(user))
