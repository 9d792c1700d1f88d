"""Registration for a session and the participant's personal page (reached by their link):
their registration, their data as a file, and erasing it (confirmed from an e-mailed link)."""

import json

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from consulta.front.views import published_consultation, session_view, sessions_with_seats
from consulta.lib import clock
from consulta.meetings import calendar
from consulta.registrations import actions, privacy
from consulta.registrations.forms import LANGUAGE_NAMES, RegistrationForm
from consulta.registrations.links import (
    ERASURE_LINK_LIFETIME,
    registration_for_erasure_token,
    registration_for_token,
)
from consulta.registrations.models import Registration


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def too_many_attempts(request) -> bool:
    """Count this client's registration attempts in the last hour; True once over the limit."""
    key = f"registration-attempts:{client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        attempts = 1
    return attempts > settings.REGISTRATIONS_PER_CLIENT_PER_HOUR


@require_http_methods(["GET", "POST"])
def register(request, slug, key):
    consultation = published_consultation(request, slug)
    session = sessions_with_seats(consultation).filter(key=key).first()
    if session is None:
        raise Http404
    context = {
        "consultation": consultation,
        "session": session,
        "view": session_view(session, request),
    }
    if not session.registration_open():
        return render(request, "registrations/public/closed.html", context)
    if request.method == "GET" and request.GET.get("sent"):
        return render(request, "registrations/public/sent.html", context)
    form = RegistrationForm(request.POST or None, session=session)
    if request.method == "POST":
        if too_many_attempts(request):
            response = render(request, "registrations/public/slow_down.html", context, status=429)
            response["Retry-After"] = "3600"
            return response
        if form.is_bot():
            return redirect(f"{request.path}?sent=1")
        if form.is_valid():
            details = {**form.cleaned_data, "timezone": request.viewer_zone or session.timezone}
            try:
                actions.register_participant(session, details)
            except actions.RegistrationClosed:
                return render(request, "registrations/public/closed.html", context)
            # The same page whatever happened (new, waitlisted, already registered), so that
            # nobody can find out from here whether an e-mail address is registered.
            return redirect(f"{request.path}?sent=1")
    context["form"] = form
    status = 400 if form.is_bound else 200
    return render(request, "registrations/public/register.html", context, status=status)


def _registration_or_404(token) -> Registration:
    registration = registration_for_token(token)
    if registration is None:
        raise Http404
    return registration


@require_http_methods(["GET", "POST"])
def personal_page(request, token):
    registration = _registration_or_404(token)
    session = registration.session
    if request.method == "POST":
        action = request.POST.get("action")
        message = ""
        if action == "cancel":
            if registration.is_active():
                actions.cancel_registration(registration)
            message = _("Your registration is cancelled.")
        elif action == "language" and registration.is_active():
            language = request.POST.get("language", "")
            if language in session.languages:
                actions.change_language(registration, language)
                message = _("Your preferred language is saved.")
            else:
                message = _("Choose one of the session's languages.")
        elif action == "erase":
            # The same message whether or not an e-mail went out (one per ten minutes).
            privacy.request_erasure(registration)
            message = _(
                "We have sent you an e-mail with a link to confirm the erasure. Nothing is "
                "erased until you follow it (within %(days)s days)."
            ) % {"days": ERASURE_LINK_LIFETIME.days}
        request.session["personal_message"] = message
        return redirect("personal", token=token)
    message = request.session.pop("personal_message", "")
    zone = registration.timezone or session.timezone
    context = {
        "registration": registration,
        "session": session,
        "consultation": session.consultation,
        "token": token,
        "when": clock.slot(
            session.starts_at, session.ends_at, zone, request.LANGUAGE_CODE, session.timezone
        ),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in session.languages],
        "message": message,
        "session_started": not session.registration_open(),
    }
    return render(request, "registrations/public/personal.html", context)


def invitation(request, token):
    registration = _registration_or_404(token)
    if registration.status != Registration.Status.CONFIRMED:
        raise Http404
    body = calendar.session_calendar(
        registration.session, registration.language, method="REQUEST", attendee=registration
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="invitation.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def download_personal_data(request, token):
    """Everything held under the participant's e-mail address, as a JSON file."""
    registration = _registration_or_404(token)
    data = privacy.personal_data(registration)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"consulta-personal-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def confirm_erasure(request, token):
    """GET shows what erasure removes and keeps, with a button (mail scanners that follow
    links erase nothing); POST erases. A forged, altered, expired or spent link is refused."""
    registration = registration_for_erasure_token(token)
    if registration is None:
        context = {"days": ERASURE_LINK_LIFETIME.days}
        return render(request, "registrations/public/erase_invalid.html", context, status=404)
    context = {
        "registration": registration,
        "consultation": registration.session.consultation,
        "cancels_registration": registration.is_active()
        and registration.session.starts_at > timezone.now(),
    }
    if request.method == "POST":
        context["erased"] = privacy.erase_personal_data(registration)
        return render(request, "registrations/public/erased.html", context)
    response = render(request, "registrations/public/erase_confirm.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
