"""Personal links: signed, unguessable, and revocable by changing the registration's nonce."""

from django.core import signing

from consulta.registrations.models import Registration

SALT = "consulta.registrations.personal-link"


def personal_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk, "n": registration.link_nonce}, salt=SALT)


def registration_for_token(token: str) -> Registration | None:
    """The registration a token belongs to, or None for a forged, altered or revoked one."""
    try:
        payload = signing.loads(token, salt=SALT)
        pk, nonce = int(payload["r"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return (
        Registration.objects.select_related("session__consultation")
        .filter(pk=pk, link_nonce=nonce)
        .first()
    )
