"""Personal links and erasure-confirmation links: signed, unguessable, and revoked by changing
the registration's nonce (which erasure does)."""

from datetime import timedelta

from consulta.registrations.models import Registration
from consulta.signed_links import read_link, sign_link

SALT = "consulta.registrations.personal-link"
ERASURE_SALT = "consulta.registrations.erasure"
ERASURE_LINK_LIFETIME = timedelta(days=7)


def personal_token(registration: Registration) -> str:
    return sign_link(registration.pk, registration.link_nonce, SALT)


def registration_for_token(token: str) -> Registration | None:
    """The registration a token belongs to, or None for a forged, altered or revoked one."""
    link = read_link(token, SALT)
    if link is None:
        return None
    pk, nonce = link
    # get(), not first(): no ORDER BY (the model's ordering would join the sessions).
    try:
        # With its respondent (if any) in the same query: the feedback pages and the API
        # need it on every answer saved.
        return Registration.objects.select_related("session__consultation", "respondent").get(
            pk=pk, link_nonce=nonce
        )
    except Registration.DoesNotExist:
        return None


def erasure_token(registration: Registration) -> str:
    """The link that confirms an erasure request; erasing rotates the nonce and so spends it."""
    return sign_link(registration.pk, registration.link_nonce, ERASURE_SALT)


def registration_for_erasure_token(token: str) -> Registration | None:
    """The registration an erasure link belongs to, or None for a forged, altered, expired or
    spent one."""
    link = read_link(token, ERASURE_SALT, max_age=ERASURE_LINK_LIFETIME)
    if link is None:
        return None
    pk, nonce = link
    return (
        Registration.objects.select_related("session__consultation")
        .filter(pk=pk, link_nonce=nonce, personal_data_erased_at__isnull=True)
        .first()
    )
