"""The admin site: its login is `PasswordLoginView` (lock-out, two-factor), and an
administrator (superuser) is let in only when this session was verified by their device."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _


def is_verified(user) -> bool:
    """Set by django-otp's middleware: this session was verified by one of the user's devices."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


class ConsultaAdminSite(admin.AdminSite):
    def has_permission(self, request):
        user = request.user
        if not super().has_permission(request):
            return False
        return not user.is_superuser or is_verified(user)

    def login(self, request, extra_context=None):
        """Django's AdminSite.login with the login view that handles lock-out and two-factor."""
        from consulta.accounts.views import PasswordLoginView

        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return PasswordLoginView.as_view(
            extra_context=context,
            authentication_form=self.login_form or AdminAuthenticationForm,
            template_name=self.login_template or "admin/login.html",
            next_page=reverse("admin:index", current_app=self.name),
        )(request)
