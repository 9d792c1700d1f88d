"""Personal links and erasure-confirmation links: signed, unguessable, and revoked by changing
the registration's nonce (which erasure does)."""

from datetime import timedelta

from django.db.models import FilteredRelation, Q

from consulta.consultations.models import Consultation, Pillar, Recommendation
from consulta.feedback.models import Respondent
from consulta.lib.compiled import CompiledQuery, columns, instances
from consulta.meetings.models import Session
from consulta.registrations.models import Registration
from consulta.signed_links import read_link, sign_link

SALT = "consulta.registrations.personal-link"
ERASURE_SALT = "consulta.registrations.erasure"
ERASURE_LINK_LIFETIME = timedelta(days=7)


def personal_token(registration: Registration) -> str:
    return sign_link(registration.pk, registration.link_nonce, SALT)


# The registration with its session, consultation and respondent (if any), in one query compiled
# once: every feedback page and every answer saved, by form or API, starts here.
_LINKED = (Registration, Session, Consultation, Respondent)


def _linked_columns() -> list[str]:
    """The columns of `_LINKED`, side by side, as `instances` reads them."""
    return [
        *columns(Registration),
        *columns(Session, "session__"),
        *columns(Consultation, "session__consultation__"),
        *columns(Respondent, "respondent__"),
    ]


_REGISTRATION_BY_LINK = CompiledQuery(
    lambda pk, nonce: (
        Registration.objects.filter(pk=pk, link_nonce=nonce)
        .order_by()
        .values_list(*_linked_columns())
    ),
    pk=-1_000_000_007,
    nonce="\x00sample-nonce",
)


# The same, with the live recommendation of the registration's consultation that has `code`
# (None when there is none): saving an answer needs both, and gets them in one round trip.
_REGISTRATION_AND_RECOMMENDATION = CompiledQuery(
    lambda pk, nonce, code: (
        Registration.objects.annotate(
            live=FilteredRelation(
                "session__consultation__recommendations",
                condition=Q(session__consultation__recommendations__code=code)
                & ~Q(
                    session__consultation__recommendations__status=Recommendation.Status.WITHDRAWN
                ),
            )
        )
        .filter(pk=pk, link_nonce=nonce)
        .order_by()
        .values_list(
            *_linked_columns(),
            *columns(Recommendation, "live__"),
            *columns(Pillar, "live__pillar__"),
        )
    ),
    pk=-1_000_000_007,
    nonce="\x00sample-nonce",
    code="\x00sample-code",
)


def registration_for_token(token: str) -> Registration | None:
    """The registration a token belongs to, or None for a forged, altered or revoked one.

    Its session, consultation and respondent (None when they never answered) come loaded."""
    link = read_link(token, SALT)
    if link is None:
        return None
    pk, nonce = link
    rows = _REGISTRATION_BY_LINK.rows(pk=pk, nonce=nonce)
    if not rows:
        return None
    return _linked(instances(rows[0], *_LINKED))


def registration_and_recommendation(
    token: str, code: str
) -> tuple[Registration | None, Recommendation | None]:
    """`registration_for_token`, and the live (not withdrawn) recommendation of its
    consultation with this code, with its pillar, or None: what every answer saved starts with,
    read in one query."""
    link = read_link(token, SALT)
    if link is None:
        return None, None
    pk, nonce = link
    rows = _REGISTRATION_AND_RECOMMENDATION.rows(pk=pk, nonce=nonce, code=code)
    if not rows:
        return None, None
    *linked, recommendation, pillar = instances(rows[0], *_LINKED, Recommendation, Pillar)
    if recommendation is not None:
        Recommendation.pillar.field.set_cached_value(recommendation, pillar)
    return _linked(linked), recommendation


def _linked(loaded: list) -> Registration:
    """The registration of `_LINKED` instances, its relations set to the others."""
    registration, session, consultation, respondent = loaded
    Session.consultation.field.set_cached_value(session, consultation)
    Registration.session.field.set_cached_value(registration, session)
    Registration.respondent.related.set_cached_value(registration, respondent)
    if respondent is not None:
        Respondent.registration.field.set_cached_value(respondent, registration)
        if respondent.consultation_id == consultation.pk:
            Respondent.consultation.field.set_cached_value(respondent, consultation)
    return registration


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
