"""Links that carry an object's id and its nonce, signed: unguessable, tamper-evident, and
revoked by changing the nonce. Used for personal links and submission confirmations."""

from datetime import timedelta

from django.core import signing


def sign_link(pk: int, nonce: str, salt: str) -> str:
    return signing.dumps({"r": pk, "n": nonce}, salt=salt)


def read_link(token: str, salt: str, max_age: timedelta | None = None) -> tuple[int, str] | None:
    """(id, nonce) from a token, or None for a forged or altered one (or, with `max_age`, one
    signed longer ago than that)."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
        return int(payload["r"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
