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


# --- Pillar co-leads (consulta.revisions) ---------------------------------------------------
# A co-lead account (usually not staff) may revise the recommendations of the pillars it
# co-leads and read the synthesis of their consultation. The model is imported inside the
# functions so that this module loads before the revisions app does.


def co_led_pillars(user):
    """The pillars `user` co-leads (none for anonymous or inactive users)."""
    from consulta.consultations.models import Pillar

    if user is None or not user.is_authenticated or not user.is_active:
        return Pillar.objects.none()
    return Pillar.objects.filter(co_lead_accounts__user=user).distinct()


def can_revise(user, recommendation) -> bool:
    """Organisers may revise every recommendation; co-leads those of their pillars."""
    if is_organiser(user):
        return True
    return co_led_pillars(user).filter(pk=recommendation.pillar_id).exists()


def can_read_synthesis(user, consultation) -> bool:
    """Organisers, and co-leads of any pillar of `consultation`."""
    if is_organiser(user):
        return True
    return co_led_pillars(user).filter(consultation=consultation).exists()


def co_lead_required(view):
    """Send anonymous visitors to the login page that accepts non-staff accounts (with ?next=);
    a refusal raised by the view (PermissionDenied) becomes the revisions' 403 page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        from django.shortcuts import render

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), resolve_url("capture-login"))
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return render(request, "revisions/forbidden.html", status=403)

    return wrapped


def consultation_for_synthesis(request, slug: str) -> Consultation:
    """The consultation `slug` if the user may read its synthesis, else 403 (or 404)."""
    if not is_organiser(request.user) and not co_led_pillars(request.user).exists():
        raise PermissionDenied
    consultation = get_object_or_404(Consultation, slug=slug)
    if not can_read_synthesis(request.user, consultation):
        raise PermissionDenied
    return consultation


def recommendation_for_revision(request, slug: str, code: str):
    """The recommendation `code` of consultation `slug` if the user may revise it, else 403/404."""
    consultation = consultation_for_synthesis(request, slug)
    recommendation = get_object_or_404(
        consultation.recommendations.select_related("pillar", "consultation"), code=code
    )
    if not can_revise(request.user, recommendation):
        raise PermissionDenied
    return recommendation
