"""The one-time notice a page shows after its form was sent without JavaScript ("Saved"),
carried to the next page by a short-lived signed cookie rather than the session: saving an
answer then writes the answer and nothing else (the session would add a read and a write to
the database on every save, a third of the statements of the answer form)."""

import json

from django.conf import settings
from django.shortcuts import redirect

NOTICE_COOKIE = "consulta_notice"
SALT = "consulta.feedback.notice"
LIFETIME_SECONDS = 300


def redirect_with_notice(to, notice: dict, *args, **kwargs):
    """A redirect to `to` (a URL or a URL name with its arguments) that the next page will
    show `notice` on, once."""
    response = redirect(to, *args, **kwargs)
    response.set_signed_cookie(
        NOTICE_COOKIE,
        json.dumps({key: str(value) if key != "error" else value for key, value in notice.items()}),
        salt=SALT,
        max_age=LIFETIME_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def take_notice(request) -> dict | None:
    """The notice waiting for this page, if any (None when absent, expired or tampered)."""
    raw = request.get_signed_cookie(
        NOTICE_COOKIE, default=None, salt=SALT, max_age=LIFETIME_SECONDS
    )
    try:
        notice = json.loads(raw) if raw else None
    except ValueError:
        return None
    return notice if isinstance(notice, dict) else None


def shown(request, response):
    """`response` with the notice cookie removed once its page has shown it."""
    if NOTICE_COOKIE in request.COOKIES:
        response.delete_cookie(NOTICE_COOKIE, samesite="Lax")
    return response
