"""Who may see and change what: the one permission module. Every view goes through it.

Roles, from most to least powerful:

- **platform administrator**: an active superuser. Everything, including the Django admin for
  every consultation, user accounts and organiser roles.
- **organiser** of a consultation: an active account with an `OrganiserRole` for it
  (consulta.access). Its organiser pages, synthesis, report, revisions and capture in every one
  of its sessions; in the Django admin (which also needs staff status) only the objects of the
  consultations it organises. Staff status alone grants nothing.
- **pillar co-lead** (`PillarCoLead`, consulta.revisions): revises the recommendations of its
  pillars and reads the synthesis of their consultation; never sees who answered.
- **moderator** (`SessionModerator`, consulta.feedback): live capture in its sessions only.
- **participant**: holds a personal link, a signed token that is their only credential (no
  account): `consulta.registrations.links.registration_for_token` opens their own
  registration and answers and nothing else, or nothing once the organiser revokes it.
- **anonymous**: the public pages of consultations that are not drafts.

Refusals: anonymous visitors are sent to a login page; a signed-in account without the role is
refused with 403, except for a draft consultation it has no role in, which is 404 as if it did
not exist (a draft's title and address are not disclosed). A published consultation's existence
is public, so 403 there tells nothing new.

The models are imported inside the functions that need them where this module must load before
the app that defines them.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import resolve_url

from consulta.consultations.models import Consultation

# --- accounts and roles -------------------------------------------------------------------


def is_signed_in(user) -> bool:
    """An authenticated, active account (an inactive one holds no role)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_administrator(user) -> bool:
    """A platform administrator: an active superuser."""
    return is_signed_in(user) and user.is_superuser


def organised_consultations(user):
    """The consultations `user` organises: every one for administrators, none for others."""
    if is_administrator(user):
        return Consultation.objects.all()
    if not is_signed_in(user):
        return Consultation.objects.none()
    return Consultation.objects.filter(organiser_roles__user=user)


def organises(user, consultation) -> bool:
    """Whether `user` organises `consultation` (administrators organise every one)."""
    if is_administrator(user):
        return True
    if not is_signed_in(user) or consultation is None:
        return False
    return consultation.organiser_roles.filter(user=user).exists()


def is_organiser(user) -> bool:
    """Whether `user` organises at least one consultation (or is an administrator): the gate of
    the organiser pages, before the consultation itself is checked."""
    if is_administrator(user):
        return True
    return is_signed_in(user) and user.organiser_roles.exists()


def _refuse(consultation) -> None:
    """403, or 404 for a draft (its existence is not disclosed)."""
    if consultation.status == Consultation.Status.DRAFT:
        raise Http404
    raise PermissionDenied


def _consultation_or_404(slug: str) -> Consultation:
    consultation = Consultation.objects.filter(slug=slug).first()
    if consultation is None:
        raise Http404
    return consultation


# --- organisers -----------------------------------------------------------------------------


def organiser_required(view):
    """Send anonymous visitors to the admin login (with ?next=) and refuse accounts that organise
    nothing (403). The view then asks `consultation_for_organiser` for its consultation."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), resolve_url("admin:login"))
        if not is_organiser(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def consultation_for_organiser(request, slug: str) -> Consultation:
    """The consultation `slug` if the user organises it (drafts included); else 403, or 404 for
    an unknown consultation or a draft the user does not organise."""
    if not is_organiser(request.user):
        raise PermissionDenied
    consultation = _consultation_or_404(slug)
    if not organises(request.user, consultation):
        _refuse(consultation)
    return consultation


# --- the public ---------------------------------------------------------------------------


def visible_consultations(user):
    """What a visitor may read: every consultation that is not a draft, and the drafts they
    organise."""
    consultations = Consultation.objects.all()
    if is_administrator(user):
        return consultations
    drafts = Q(status=Consultation.Status.DRAFT)
    if not is_signed_in(user):
        return consultations.exclude(drafts)
    return consultations.filter(~drafts | Q(pk__in=organised_consultations(user).values("pk")))


def consultation_for_visitor(request, slug: str, queryset=None) -> Consultation:
    """The consultation `slug` as a public page shows it; a draft only to its organisers (404
    for everyone else, as if it did not exist)."""
    queryset = queryset if queryset is not None else Consultation.objects.all()
    consultation = queryset.filter(slug=slug).first()
    if consultation is None or (
        consultation.status == Consultation.Status.DRAFT
        and not organises(request.user, consultation)
    ):
        raise Http404
    return consultation


# --- pillar co-leads (consulta.revisions) ---------------------------------------------------


def co_led_pillars(user):
    """The pillars `user` co-leads (none for anonymous or inactive users)."""
    from consulta.consultations.models import Pillar

    if not is_signed_in(user):
        return Pillar.objects.none()
    return Pillar.objects.filter(co_lead_accounts__user=user).distinct()


def can_revise(user, recommendation) -> bool:
    """Organisers of its consultation may revise a recommendation; co-leads those of their
    pillars."""
    if organises(user, recommendation.consultation):
        return True
    return co_led_pillars(user).filter(pk=recommendation.pillar_id).exists()


def can_read_synthesis(user, consultation) -> bool:
    """Its organisers, and co-leads of any of its pillars."""
    if organises(user, consultation):
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
    """The consultation `slug` if the user may read its synthesis; else 403, or 404 for an
    unknown consultation or a draft the user has no role in."""
    if not is_organiser(request.user) and not co_led_pillars(request.user).exists():
        raise PermissionDenied
    consultation = _consultation_or_404(slug)
    if not can_read_synthesis(request.user, consultation):
        _refuse(consultation)
    return consultation


def recommendation_for_revision(request, slug: str, code: str):
    """The recommendation `code` of consultation `slug` if the user may revise it, else 403/404."""
    consultation = consultation_for_synthesis(request, slug)
    recommendation = (
        consultation.recommendations.select_related("pillar", "consultation")
        .filter(code=code)
        .first()
    )
    if recommendation is None:
        raise Http404
    if not can_revise(request.user, recommendation):
        raise PermissionDenied
    return recommendation


# --- moderators (consulta.feedback live capture) --------------------------------------------


def may_capture(user, session) -> bool:
    """Organisers of the session's consultation, and the moderators assigned to this session."""
    if organises(user, session.consultation):
        return True
    if not is_signed_in(user):
        return False
    return session.moderators.filter(user=user).exists()


def sessions_for_capture(user):
    """The sessions `user` may capture: those of the consultations they organise, and those
    they moderate."""
    from consulta.meetings.models import Session

    sessions = Session.objects.select_related("consultation").order_by(
        "consultation__slug", "starts_at", "key"
    )
    if is_administrator(user):
        return sessions
    if not is_signed_in(user):
        return sessions.none()
    return sessions.filter(
        Q(consultation__organiser_roles__user=user) | Q(moderators__user=user)
    ).distinct()


# --- the Django admin ---------------------------------------------------------------------
# Administrators hold every permission (they are superusers). An organiser with staff status
# holds the permissions below, on the models of the consultations they organise only
# (consulta.access.admin_scoping narrows every list, form and choice); nothing on accounts,
# groups or organiser roles. A model missing here is for administrators only.

ALL = frozenset({"view", "add", "change", "delete"})
NO_DELETE = frozenset({"view", "add", "change"})
VIEW = frozenset({"view"})

ORGANISER_ADMIN_PERMISSIONS = {
    # One consultation's own objects. Deleting a whole consultation is for administrators.
    "consultations.consultation": NO_DELETE,
    "consultations.consultationobjective": ALL,
    "consultations.servedobjective": ALL,
    "consultations.engagement": ALL,
    "consultations.reference": ALL,
    "consultations.pillar": ALL,
    "consultations.recommendation": ALL,
    "consultations.recommendationversion": VIEW,
    "meetings.session": ALL,
    "meetings.programmeitem": ALL,
    "registrations.registration": ALL,
    "feedback.sessionmoderator": ALL,
    "feedback.respondent": VIEW,
    "feedback.answer": VIEW,
    "feedback.pairwisechoice": VIEW,
    "feedback.capturedpoint": VIEW,
    "feedback.moderationentry": VIEW,
    "revisions.pillarcolead": ALL,
    "revisions.revisionlink": VIEW,
    "revisions.keptdecision": VIEW,
    # Shared by every consultation: organisers add and correct them; deleting one would change
    # other consultations, so that is for administrators.
    "consultations.organisation": NO_DELETE,
    "consultations.framework": NO_DELETE,
    "consultations.frameworkobjective": NO_DELETE,
}
