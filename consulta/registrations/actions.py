"""The one write path for registrations: register, cancel, promote from the waiting list.

Each action locks the session row so that capacity holds under concurrent requests, and sends
its e-mail as a background job (consulta.jobs), queued when the transaction commits; the job
calls the sending function of `emails` with the registration's primary key.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from consulta.audit.actions import record
from consulta.jobs import actions as jobs
from consulta.jobs import kinds
from consulta.meetings.models import Session
from consulta.registrations.models import Registration


class RegistrationClosed(Exception):
    """The session no longer takes registrations (it has started, or is not scheduled)."""


@dataclass(frozen=True)
class Outcome:
    registration: Registration
    kind: str  # "confirmed", "waitlisted" or "already" (an active registration existed)


IDENTITY_FIELDS = (
    "given_name",
    "family_name",
    "organisation",
    "stakeholder_group",
    "country",
    "language",
    "needs",
    "attribution",
    "timezone",
)


@transaction.atomic
def register_participant(session: Session, details: dict, *, now=None) -> Outcome:
    """Register `details` (cleaned form data) for `session`, or put them on its waiting list.

    A second registration with the same e-mail re-sends the confirmation and changes nothing;
    one after a cancellation re-activates the old registration at the back of the queue.
    """
    now = now or timezone.now()
    session = Session.objects.select_for_update().select_related("consultation").get(pk=session.pk)
    if not session.registration_open(now):
        raise RegistrationClosed
    email = details["email"].strip().lower()
    existing = Registration.objects.filter(session=session, email=email).first()
    if existing and existing.is_active():
        jobs.enqueue(
            kinds.REGISTRATION_CONFIRMATION, existing.pk, consultation_id=session.consultation_id
        )
        return Outcome(existing, "already")
    seats = session.seats_left()
    status = (
        Registration.Status.CONFIRMED
        if seats is None or seats > 0
        else Registration.Status.WAITLISTED
    )
    registration = existing or Registration(session=session, email=email)
    for name in IDENTITY_FIELDS:
        setattr(registration, name, details.get(name, getattr(registration, name)) or "")
    registration.timezone = registration.timezone or session.timezone
    registration.status = status
    registration.consented_at = now
    registration.queued_at = now
    registration.cancelled_at = None
    registration.full_clean()
    registration.save()
    jobs.enqueue(
        kinds.REGISTRATION_CONFIRMATION, registration.pk, consultation_id=session.consultation_id
    )
    return Outcome(registration, status)


@transaction.atomic
def cancel_registration(registration: Registration, *, now=None) -> Registration | None:
    """Cancel; a freed seat goes to the first person waiting, who is told by e-mail.

    Returns the promoted registration, if any.
    """
    now = now or timezone.now()
    session = Session.objects.select_for_update().get(pk=registration.session_id)
    registration = Registration.objects.get(pk=registration.pk)
    if not registration.is_active():
        return None
    freed_seat = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    if not freed_seat or session.starts_at <= now:
        return None
    promoted = (
        session.registrations.filter(status=Registration.Status.WAITLISTED)
        .order_by("queued_at", "pk")
        .first()
    )
    if promoted is None:
        return None
    promoted.status = Registration.Status.CONFIRMED
    promoted.save(update_fields=["status"])
    jobs.enqueue(kinds.REGISTRATION_PROMOTION, promoted.pk, consultation_id=session.consultation_id)
    return promoted


def change_language(registration: Registration, language: str) -> None:
    """Switch the language of e-mails and pages; only the session's languages are offered."""
    if language not in registration.session.languages:
        raise ValueError(f"{language!r} is not a language of this session")
    registration.language = language
    registration.save(update_fields=["language"])


def revoke_personal_link(registration: Registration) -> None:
    """Make every personal link sent so far stop working (a new one can be e-mailed)."""
    registration.link_nonce = Registration._meta.get_field("link_nonce").default()
    registration.save(update_fields=["link_nonce"])


@transaction.atomic
def send_due_reminders(*, now=None, ahead=None) -> int:
    """E-mail each active, confirmed participant once, within `ahead` (24 h) of their session."""
    now = now or timezone.now()
    ahead = ahead or timedelta(hours=24)
    due = list(
        Registration.objects.select_for_update(skip_locked=True)
        .filter(
            status=Registration.Status.CONFIRMED,
            reminder_sent_at__isnull=True,
            personal_data_erased_at__isnull=True,
            session__starts_at__gt=now,
            session__starts_at__lte=now + ahead,
            session__status=Session.Status.SCHEDULED,
        )
        .values_list("pk", "session__consultation_id")
    )
    Registration.objects.filter(pk__in=[pk for pk, _ in due]).update(reminder_sent_at=now)
    by_consultation = defaultdict(list)
    for pk, consultation_id in due:
        by_consultation[consultation_id].append(pk)
    for consultation_id, pks in by_consultation.items():
        jobs.enqueue_many(kinds.REGISTRATION_REMINDER, pks, consultation_id=consultation_id)
    return len(due)


ZOOM_IMPORT = "zoom import"
MARKED_BY_HAND = "marked by hand"
CHUNK = 500  # keeps `pk__in` under every database's limit on query parameters


def record_zoom_attendance(session: Session, emails: Iterable[str], by=None) -> int:
    """Mark the session's registrations with these e-mails as attended; all or nothing.

    Returns how many registrations were marked. The audit trail gets their ids, not e-mails.
    """
    wanted = {email.lower() for email in emails if email}
    with transaction.atomic():
        pks = [
            pk
            for pk, email in Registration.objects.select_for_update()
            .filter(session=session)
            .values_list("pk", "email")
            if email.lower() in wanted
        ]
        for start in range(0, len(pks), CHUNK):
            Registration.objects.filter(pk__in=pks[start : start + CHUNK]).update(
                attended=True, attendance_source=ZOOM_IMPORT
            )
        after = {"attended": True, "marked": len(pks), "registrations": pks}
        record(by, "attendance.imported", session, after=after)
    return len(pks)


def mark_attendance(registration: Registration, attended: bool | None, by=None) -> None:
    """Record by hand whether the participant attended (None: not known)."""
    with transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(
            attended=attended, attendance_source=MARKED_BY_HAND if attended is not None else ""
        )
        before = {"attended": registration.attended}
        record(by, "attendance.marked", registration, before, {"attended": attended})
    registration.attended = attended
    registration.attendance_source = MARKED_BY_HAND if attended is not None else ""
