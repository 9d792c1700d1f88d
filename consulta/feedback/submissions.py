"""Open written submissions: answers from people who could not register or attend.

A submission is stored at once, with its own respondent (channel "open submission"), but counts
only once its author confirms it through the link e-mailed to them: `start_open_submission`
writes and sends the link, `confirm_open_submission` makes it count, `counted_respondents`
tells the synthesis whose answers count. Answers go through `actions.save_answer`, like every
other channel's. Nothing personal is logged: log lines name the respondent by its number.
"""

import logging
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from consulta.consultations.models import Consultation, Recommendation
from consulta.feedback.actions import NotAllowed, check_open, save_answer
from consulta.feedback.models import Channel, Respondent
from consulta.jobs import actions as jobs
from consulta.jobs import kinds
from consulta.lib.countries import country_codes
from consulta.lib.languages import SUPPORTED_LANGUAGES
from consulta.mail import templated_message
from consulta.registrations.models import Attribution, StakeholderGroup
from consulta.signed_links import read_link, sign_link

log = logging.getLogger(__name__)

SALT = "consulta.feedback.open-submission"
IDENTITY_FIELDS = (
    "email",
    "organisation",
    "stakeholder_group",
    "country",
    "language",
    "attribution",
)


class NothingAnswered(Exception):
    """A submission must answer at least one recommendation."""


def has_answer(values: Mapping) -> bool:
    """Whether `values` says anything: a support (even "no opinion"), priority or some text."""
    return (
        values.get("support") is not None
        or values.get("priority") is not None
        or bool((values.get("comment") or "").strip())
        or bool((values.get("proposed_text") or "").strip())
    )


def _check_identity(identity: Mapping) -> None:
    """Refuse identity data that the form should already have refused (callers other than it)."""
    if identity.get("stakeholder_group") not in StakeholderGroup.values:
        raise ValueError("unknown stakeholder group")
    if identity.get("country") not in country_codes():
        raise ValueError("unknown country")
    if identity.get("language") not in SUPPORTED_LANGUAGES:
        raise ValueError("unsupported language")
    if identity.get("attribution") not in Attribution.values:
        raise ValueError("unknown attribution")
    if not identity.get("consent"):
        raise ValueError("no consent to the privacy notice")


@transaction.atomic
def start_open_submission(
    consultation: Consultation,
    identity: Mapping,
    answers: Mapping[Recommendation, Mapping],
    *,
    submission_key: str,
    now=None,
) -> Respondent:
    """Store an unconfirmed open submission and e-mail its author the confirmation link.

    `identity` is the cleaned identity form (e-mail, organisation, stakeholder group, country,
    language, attribution, consent); `answers` maps recommendations to values as
    `save_answer` takes them; recommendations left unanswered are skipped, and at least one
    answer is required (else `NothingAnswered`). Raises `FeedbackClosed` once the consultation
    no longer takes feedback. The same `submission_key` again (double click, retry) returns
    the first submission's respondent and sends nothing more.
    """
    now = now or timezone.now()
    # The lock makes two requests with the same key (a double click) wait for each other, so
    # that the second finds the first's respondent instead of making another.
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    check_open(consultation)
    given = {r: values for r, values in answers.items() if has_answer(values)}
    if not given:
        raise NothingAnswered
    for recommendation in given:
        if (
            recommendation.consultation_id != consultation.pk
            or recommendation.status == Recommendation.Status.WITHDRAWN
        ):
            raise NotAllowed
    already = Respondent.objects.filter(
        consultation=consultation,
        channel=Channel.OPEN_SUBMISSION,
        answers__submission_key=submission_key,
    ).first()
    if already:
        return already
    _check_identity(identity)
    respondent = Respondent(
        consultation=consultation,
        channel=Channel.OPEN_SUBMISSION,
        email=identity["email"].strip().lower(),
        organisation=(identity.get("organisation") or "").strip(),
        stakeholder_group=identity["stakeholder_group"],
        country=identity["country"],
        language=identity["language"],
        attribution=identity["attribution"],
        consented_at=now,
        confirmed_at=None,
    )
    respondent.full_clean()
    respondent.save()
    for recommendation, values in given.items():
        save_answer(respondent, recommendation, values, submission_key=submission_key)
    # Sent by a background job (consulta.jobs) once the transaction commits.
    jobs.enqueue(kinds.SUBMISSION_CONFIRMATION, respondent.pk, consultation_id=consultation.pk)
    return respondent


@transaction.atomic
def confirm_open_submission(respondent: Respondent, *, now=None) -> Respondent:
    """Make an open submission count. Confirming again changes nothing; once the consultation
    has closed, an unconfirmed submission can no longer be confirmed (`FeedbackClosed`)."""
    respondent = (
        Respondent.objects.select_for_update().select_related("consultation").get(pk=respondent.pk)
    )
    if respondent.channel != Channel.OPEN_SUBMISSION:
        raise NotAllowed
    if respondent.confirmed_at is not None:
        return respondent
    check_open(respondent.consultation)
    respondent.confirmed_at = now or timezone.now()
    respondent.save(update_fields=["confirmed_at"])
    log.info("open submission confirmed: respondent %s", respondent.pk)
    return respondent


def counted_respondents(consultation: Consultation) -> QuerySet[Respondent]:
    """The respondents whose answers count in the synthesis: those with `confirmed_at` set.

    Personal-link respondents are confirmed when created; open submissions once their author
    follows the e-mailed link; unconfirmed ones are kept but never counted. When one e-mail
    address confirmed several open submissions, only the latest counts (the others stay
    stored), so that sending the form twice never counts twice.
    """
    later_from_same_address = Respondent.objects.filter(
        Q(created_at__gt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk")),
        consultation=OuterRef("consultation"),
        channel=Channel.OPEN_SUBMISSION,
        email=OuterRef("email"),
        confirmed_at__isnull=False,
    )
    return Respondent.objects.filter(consultation=consultation, confirmed_at__isnull=False).exclude(
        Exists(later_from_same_address), ~Q(email=""), channel=Channel.OPEN_SUBMISSION
    )


# The confirmation link.


def confirmation_token(respondent: Respondent) -> str:
    return sign_link(respondent.pk, respondent.link_nonce, SALT)


def respondent_for_token(token: str) -> Respondent | None:
    """The open submission a token belongs to, or None for a forged, altered or revoked one."""
    link = read_link(token, SALT)
    if link is None:
        return None
    pk, nonce = link
    return (
        Respondent.objects.select_related("consultation")
        .filter(pk=pk, link_nonce=nonce, channel=Channel.OPEN_SUBMISSION)
        .first()
    )


def confirmation_url(respondent: Respondent) -> str:
    with translation.override(respondent.language):
        path = reverse(
            "open-submission-confirm",
            args=[respondent.consultation.slug, confirmation_token(respondent)],
        )
    return settings.SITE_URL + path


def send_confirmation(respondent_id: int) -> None:
    """E-mail the confirmation link, in the submitter's language, in plain text and HTML."""
    respondent = Respondent.objects.select_related("consultation").get(pk=respondent_id)
    answered = (
        Recommendation.objects.filter(answers__respondent=respondent, answers__is_current=True)
        .select_related("pillar")
        .order_by("pillar__order", "order")
    )
    with translation.override(respondent.language):
        context = {
            "consultation": respondent.consultation,
            "language": respondent.language,
            "confirm_url": confirmation_url(respondent),
            "answered": [(r.code, r.title_in(respondent.language)[0]) for r in answered],
        }
        message = templated_message("feedback/emails/open_confirm", context, to=respondent.email)
    message.send()
    log.info("sent open submission confirmation e-mail for respondent %s", respondent.pk)
