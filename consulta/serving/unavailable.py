"""What a visitor gets while the database cannot be reached: 503 with Retry-After, never a 500.

JSON for the API (paths under /api/; the API's own handler in consulta/api/api.py answers the
same) and for clients that ask for JSON (answers.js), in the API's error shape; a plain page
otherwise. Neither touches the database: the page is rendered
without context processors, which would read the session and the user.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from consulta.lib.logs import redact

log = logging.getLogger(__name__)

# Seconds a client should wait before trying again: a restart or a fail-over takes about that.
RETRY_AFTER_SECONDS = 5


def is_database_unavailable(error: BaseException | None) -> bool:
    """The database could not be reached or dropped the connection (not a bad query), or
    that is what caused `error`: Django turns a session it cannot save into a 400
    (SessionInterrupted, raised while handling the OperationalError)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def logged_path(request) -> str:
    """The route, not the address: personal and erasure links carry their token in it."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return match.route
    return redact(request.path)


def unavailable_response(request) -> HttpResponse:
    log.warning("database unavailable: %s %s answered 503", request.method, logged_path(request))
    message = _("The service is briefly unavailable; try again in a moment.")
    if wants_json(request):
        response = JsonResponse(
            {"error": {"code": "unavailable", "message": message, "fields": {}}}, status=503
        )
    else:
        page = render_to_string("serving/unavailable.html", {"message": message})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
