"""Who may capture a session's discussion: the organisers of its consultation and the moderators
assigned to it (the rules are `may_capture` and `sessions_for_capture` in consulta.permissions).

Every capture view goes through `capture_required` (anonymous visitors log in first, with
?next=; refusals are a 403 page, or a JSON error for the JSON endpoints) and then
`session_for_capture`, the one access helper for a session.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from consulta.meetings.models import Session
from consulta.permissions import may_capture


def session_for_capture(request, slug: str, key: str) -> Session:
    """The session `key` of consultation `slug` if the user may capture it; else 404 or 403."""
    session = (
        Session.objects.select_related("consultation")
        .filter(consultation__slug=slug, key=key)
        .first()
    )
    if session is None:
        raise Http404
    if not may_capture(request.user, session):
        raise PermissionDenied
    return session


def json_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": str(message)}}, status=status)


def login_url() -> str:
    """Moderators are not staff, so they log in on the capture login page, not the admin's."""
    return reverse("capture-login")


def capture_required(view=None, *, as_json: bool = False):
    """Anonymous visitors are sent to the login page (with ?next=); refusals become a 403 page
    (or `{"error": …}` with 401/403/404 for JSON views)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if as_json:
                    return json_error(401, "login_required", _("Log in to capture points."))
                return redirect_to_login(request.get_full_path(), login_url())
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied:
                if as_json:
                    return json_error(
                        403, "forbidden", _("You are not a moderator of this session.")
                    )
                return render(request, "feedback/capture/forbidden.html", status=403)
            except Http404:
                if as_json:
                    return json_error(404, "not_found", _("There is no such session."))
                raise

        return wrapped

    return decorate(view) if view is not None else decorate
