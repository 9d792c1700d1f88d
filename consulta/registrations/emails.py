"""E-mails to participants, each in the participant's language, plain text and HTML.

Each runs as a background job (consulta.jobs, queued by actions once the transaction commits)
and reads the registration afresh by id; a failure is retried by the job, not here.
Nothing personal is logged: log lines name the registration by its number only.
"""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from consulta.lib import clock
from consulta.mail import templated_message
from consulta.meetings import calendar
from consulta.registrations.links import personal_token
from consulta.registrations.models import Registration

log = logging.getLogger(__name__)


def personal_url(registration: Registration) -> str:
    with translation.override(registration.language):
        path = reverse("personal", args=[personal_token(registration)])
    return settings.SITE_URL + path


def _context(registration: Registration) -> dict:
    session = registration.session
    return {
        "registration": registration,
        "session": session,
        "consultation": session.consultation,
        "when": clock.slot(
            session.starts_at,
            session.ends_at,
            registration.timezone or session.timezone,
            registration.language,
            session.timezone,
        ),
        "personal_url": personal_url(registration),
        "session_url": calendar.public_session_url(session, registration.language),
    }


def _send(registration_id: int, template: str, *, invitation: bool) -> None:
    registration = Registration.objects.select_related("session__consultation").get(
        pk=registration_id
    )
    if registration.is_erased():  # queued before the erasure: there is nobody to write to
        log.info(
            "no %s e-mail for registration %s: personal data erased", template, registration.pk
        )
        return
    with translation.override(registration.language):
        message = templated_message(
            f"registrations/emails/{template}", _context(registration), to=registration.email
        )
    if invitation:
        ics = calendar.session_calendar(
            registration.session, registration.language, method="REQUEST", attendee=registration
        )
        message.attach("invitation.ics", ics, "text/calendar; method=REQUEST")
    message.send()
    log.info("sent %s e-mail for registration %s", template, registration.pk)


def send_confirmation(registration_id: int) -> None:
    """Registered (with the invitation) or waitlisted (without it)."""
    registration = Registration.objects.only("status").get(pk=registration_id)
    confirmed = registration.status == Registration.Status.CONFIRMED
    _send(registration_id, "confirmation" if confirmed else "waitlisted", invitation=confirmed)


def send_promotion(registration_id: int) -> None:
    _send(registration_id, "promoted", invitation=True)


def send_reminder(registration_id: int) -> None:
    _send(registration_id, "reminder", invitation=True)
