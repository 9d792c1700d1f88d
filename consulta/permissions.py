"""Who may see and change what: the one permission module. Every organiser view goes through it.

For now an organiser is an active staff user and may manage every consultation. Roles per
consultation (a co-lead who sees only their own) come later: they will be checked here, in
`is_organiser` and `consultation_for_organiser`, and nowhere else.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, resolve_url

from consulta.consultations.models import Consultation


def is_organiser(user) -> bool:
    """An active staff user (for now; per-consultation roles come later)."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def organiser_required(view):
    """Send anonymous visitors to the admin login (with ?next=) and refuse other users (403)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), resolve_url("admin:login"))
        if not is_organiser(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def consultation_for_organiser(request, slug: str) -> Consultation:
    """The consultation `slug` if the user may manage it (drafts included), else 404 or 403."""
    if not is_organiser(request.user):
        raise PermissionDenied
    return get_object_or_404(Consultation, slug=slug)
