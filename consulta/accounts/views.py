"""Login, two-factor, logout, lock-out and password reset: the views of every login form.

`PasswordLoginView` is the base of every login page (the admin's, through
`admin_site.ConsultaAdminSite`, and the one for co-leads and moderators,
`feedback.views.capture.CaptureLogin`); django-axes locks a username out from one address
after `AXES_FAILURE_LIMIT` failures, with the same page whether the account exists or not.
"""

from urllib.parse import urlsplit

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import signals
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from consulta.accounts import actions, two_factor
from consulta.accounts.forms import CodeForm
from consulta.accounts.redirects import next_path, own_path


class PasswordLoginView(auth_views.LoginView):
    """Password first; then the code for an account with a device, or enrolment for an
    administrator without one (see two_factor.py). `next` may only be a path of this site."""

    def get_redirect_url(self):
        return own_path(self.request.POST.get("next") or self.request.GET.get("next")) or ""

    def form_valid(self, form):
        user = form.get_user()
        device = actions.confirmed_device(user)
        if device is None and not two_factor.must_enrol(user, device):
            return super().form_valid(form)
        two_factor.hold_login(self.request, user, self.get_success_url())
        return redirect("two-factor-verify" if device else "two-factor-enrol")


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once a username is locked out from an address (AXES_LOCKOUT_CALLABLE):
    the same page whether or not the account exists, so it tells nobody which ones do."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


def _code_accepted(device, form, check=None) -> bool:
    """Whether the form's code is the one `device` shows now (`check`: how to verify it, by
    default `device.verify_token`); if not, the form says why (the device refuses codes for a
    while after wrong ones, doubling the wait each time)."""
    allowed, _why = device.verify_is_allowed()
    if allowed and (check or device.verify_token)(form.cleaned_data["code"]):
        return True
    if not allowed:
        form.add_error(
            "code", _("Too many wrong codes in a row: wait a minute, then type the current code.")
        )
    else:
        form.add_error(
            "code",
            _(
                "That code is not right. Codes change every 30 seconds: type the one your app "
                "shows now."
            ),
        )
    return False


def _count_failure(request, user) -> None:
    signals.user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """Second step of a login held by `PasswordLoginView`: the code of the account's device."""
    user, next_url = two_factor.held_login(request)
    device = actions.confirmed_device(user) if user is not None else None
    if device is None:
        messages.info(request, _("Log in again: the page waiting for your code has expired."))
        return redirect("capture-login")
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return get_lockout_response(request, credentials=credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _code_accepted(device, form):
            two_factor.complete_login(request, user, device)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        _count_failure(request, user)
        if not AxesProxyHandler.is_allowed(request, credentials):
            return get_lockout_response(request, credentials=credentials)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/verify.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Add an authenticator app: its secret as a QR code and as text, then a code to confirm.

    For a signed-in user who has none, and for an administrator whose login is held until they
    have one (their login completes here)."""
    held_user, next_url = two_factor.held_login(request)
    if request.user.is_authenticated:
        user, held_user = request.user, None
    elif held_user is not None:
        user = held_user
    else:
        return redirect_to_login(request.get_full_path(), reverse("capture-login"))
    if actions.confirmed_device(user) is not None:
        if held_user is not None:
            return redirect("two-factor-verify")
        return redirect("two-factor")
    credentials = {"username": user.get_username()}
    if held_user is not None and not AxesProxyHandler.is_allowed(request, credentials):
        return get_lockout_response(request, credentials=credentials)
    device = actions.start_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _code_accepted(device, form, lambda code: actions.confirm_enrolment(device, code)):
            device.refresh_from_db()
            if held_user is not None:
                two_factor.complete_login(request, held_user, device)
            else:
                otp_login(request, device)
            messages.success(
                request, _("Two-factor login is on: each login will ask for a code from your app.")
            )
            return redirect(next_url or next_path(request, reverse("two-factor")))
        if held_user is not None:
            _count_failure(request, held_user)
            if not AxesProxyHandler.is_allowed(request, credentials):
                return get_lockout_response(request, credentials=credentials)
    context = {
        "form": form,
        "required": user.is_superuser,
        "uri": device.config_url,
        "secret": _grouped(device.config_url),
        "qr": two_factor.qr_svg(device.config_url),
        "next": own_path(request.GET.get("next")) or "",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/enrol.html", context, status=status)


def _grouped(uri: str) -> str:
    """The secret of an otpauth:// URI in groups of four, to type by hand."""
    query = dict(part.split("=", 1) for part in urlsplit(uri).query.split("&"))
    secret = query["secret"]
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """Whether two-factor login is on; a user who is no administrator may turn it off with a
    current code (an administrator may not: they must keep one)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("capture-login"))
    device = actions.confirmed_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if device is None or request.user.is_superuser:
            messages.error(request, _("Administrators must keep two-factor login on."))
            return redirect("two-factor")
        if form.is_valid() and _code_accepted(device, form):
            actions.turn_off(request.user)
            messages.success(request, _("Two-factor login is off."))
            return redirect("two-factor")
    context = {"device": device, "form": form, "administrator": request.user.is_superuser}
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/two_factor.html", context, status=status)


class LogoutView(auth_views.LogoutView):
    """Log out (POST only, with the CSRF token), then the home page or an own `next` path."""

    next_page = reverse_lazy("home")

    def get_redirect_url(self):
        return own_path(self.request.POST.get("next") or self.request.GET.get("next")) or ""


# --- password reset: links built from SITE_URL, never from the request's Host ---------------


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail. The link is built from settings.SITE_URL: a forged Host
    header cannot make the e-mail point elsewhere. The page that follows is the same whether
    or not the address belongs to an account."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        site = urlsplit(settings.SITE_URL)
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            extra_email_context={"site_url": settings.SITE_URL},
        )
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
