"""Two-factor login: a login that waits for its code, and the QR code of a new device.

A correct password does not log in an account that has a confirmed device, nor an
administrator (superuser) without one: the login is *held* in the session (who, through which
backend, where to go next) for a few minutes, and completed on the code page — or, for an
administrator without a device, on the enrolment page once a device is confirmed. So no
session is ever logged in as an administrator without a second factor.
"""

import time

import qrcode
import qrcode.image.svg
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.utils.crypto import constant_time_compare
from django_otp import login as otp_login

HELD = "accounts_held_login"
HOLD_SECONDS = 10 * 60


def must_enrol(user, device) -> bool:
    """Administrators must use a second factor."""
    return device is None and user.is_superuser


def hold_login(request, user, next_url: str) -> None:
    """Remember that `user` gave the right password: the code (or an enrolment) comes next."""
    request.session[HELD] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "until": time.time() + HOLD_SECONDS,
        "hash": user.get_session_auth_hash(),
    }


def held_login(request):
    """(user, next URL) of the login held in this session, or (None, "") when there is none,
    it has expired, or the password changed meanwhile."""
    held = request.session.get(HELD)
    if not isinstance(held, dict) or held.get("until", 0) < time.time():
        return None, ""
    user = get_user_model().objects.filter(pk=held.get("user"), is_active=True).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), held["hash"]):
        return None, ""
    user.backend = held["backend"]
    return user, held["next"]


def complete_login(request, user, device) -> None:
    """Log `user` in, verified by `device` (Django's login cycles the session key)."""
    request.session.pop(HELD, None)
    auth_login(request, user, backend=user.backend)
    otp_login(request, device)


def qr_svg(text: str) -> str:
    """`text` as an inline SVG QR code (no XML declaration), drawn on the server."""
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=8,
        border=4,
    )
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg") :]
