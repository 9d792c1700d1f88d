"""Creating, recognising and revoking organisers' API tokens (the one write path for them).

A token is `cst_` followed by 43 random URL-safe characters (256 bits). With that much
randomness a plain SHA-256 is enough to store it: a slow password hash would only slow every
API call down.
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from consulta.api.models import ApiToken, Scope

PREFIX = "cst_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_token(user, name: str, scope: str = Scope.READ) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its secret, which is never stored nor shown
    again."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        scope=Scope(scope),
        prefix=secret[: len(PREFIX) + 4],
        digest=digest(secret),
    )
    return token, secret


def revoke_token(token: ApiToken, now=None) -> None:
    """Refused from now on; revoking twice keeps the first date."""
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=token.revoked_at
        )


def token_for_secret(secret: str) -> ApiToken | None:
    """The active token whose secret this is, or None (unknown, revoked, or its user
    deactivated)."""
    if not secret.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token
