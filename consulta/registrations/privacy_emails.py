"""E-mails about a participant's personal data: the erasure confirmation link, and the notice
that erasure is done (sent to the address it erased, which is then no longer stored).

Sent when the transaction commits (see `privacy`), not as background jobs: the erasure notice
carries the erased address in memory only, so that it never sits in the jobs table, and the
confirmation goes with it. Nothing personal is logged.
"""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from consulta.mail import templated_message
from consulta.registrations.links import ERASURE_LINK_LIFETIME, erasure_token
from consulta.registrations.models import Registration

log = logging.getLogger(__name__)


def erasure_url(registration: Registration) -> str:
    with translation.override(registration.language):
        path = reverse("personal-erase", args=[erasure_token(registration)])
    return settings.SITE_URL + path


def send_erasure_confirmation(registration_id: int) -> None:
    """The link that confirms an erasure request, in the participant's language."""
    registration = Registration.objects.select_related("session__consultation").get(
        pk=registration_id
    )
    if registration.is_erased():
        return
    with translation.override(registration.language):
        context = {
            "registration": registration,
            "consultation": registration.session.consultation,
            "erasure_url": erasure_url(registration),
            "days": ERASURE_LINK_LIFETIME.days,
        }
        message = templated_message(
            "registrations/emails/erasure_confirm", context, to=registration.email
        )
    message.send()
    log.info("sent erasure confirmation e-mail for registration %s", registration.pk)


def send_erasure_done(address: str, language: str, registrations: int, submissions: int) -> None:
    """Tell the former address that its data is erased and what was kept."""
    with translation.override(language):
        context = {
            "language": language,
            "registrations": registrations,
            "submissions": submissions,
            "privacy_url": settings.SITE_URL + reverse("privacy"),
        }
        message = templated_message("registrations/emails/erasure_done", context, to=address)
    message.send()
    log.info(
        "sent erasure notice: %d registration(s), %d submission(s)", registrations, submissions
    )
