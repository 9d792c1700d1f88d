"""Personal links: signed, unguessable, and revocable by changing the registration's nonce."""

from consulta.registrations.models import Registration
from consulta.signed_links import read_link, sign_link

SALT = "consulta.registrations.personal-link"


def personal_token(registration: Registration) -> str:
    return sign_link(registration.pk, registration.link_nonce, SALT)


def registration_for_token(token: str) -> Registration | None:
    """The registration a token belongs to, or None for a forged, altered or revoked one."""
    link = read_link(token, SALT)
    if link is None:
        return None
    pk, nonce = link
    return (
        Registration.objects.select_related("session__consultation")
        .filter(pk=pk, link_nonce=nonce)
        .first()
    )
