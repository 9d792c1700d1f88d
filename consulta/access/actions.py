"""The one write path for organiser roles (the admin inline aside, which only administrators
see)."""

from django.db import transaction

from consulta.access.models import OrganiserRole


def grant_organiser(consultation, user) -> OrganiserRole:
    """Make `user` an organiser of `consultation`; granting twice changes nothing."""
    role, _created = OrganiserRole.objects.get_or_create(consultation=consultation, user=user)
    return role


@transaction.atomic
def copy_organisers(source, copy, *, also=None) -> None:
    """A new round is organised by the organisers of the round it was copied from (and by
    `also`, the user who made the copy), so nobody loses sight of their own consultation."""
    users = [role.user for role in source.organiser_roles.select_related("user")]
    if also is not None:
        users.append(also)
    for user in users:
        grant_organiser(copy, user)
