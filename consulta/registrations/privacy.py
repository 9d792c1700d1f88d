"""A participant's rights over their personal data, and how long Consulta keeps it.

- `personal_data(registration)`: everything Consulta holds under the registration's e-mail
  address, ready to serialise as JSON ("Download my data" on the personal page).
- `request_erasure` e-mails a signed confirmation link (`links.erasure_token`, valid
  `links.ERASURE_LINK_LIFETIME`); following it and pressing the button runs
  `erase_personal_data`.
- `purge_personal_data` erases, consultation by consultation, the personal data kept longer
  than the consultation's `personal_data_retention_days` after it closed.

Scope: the e-mail address. The personal link was e-mailed to that address, so whoever holds it
reads that mailbox; the download and the erasure cover every registration (in any consultation)
and every written submission or imported answer made under it, and nothing about anyone else.

What erasure removes: given and family name, e-mail address (replaced by a placeholder on the
reserved `.invalid` domain, unique per registration, so constraints hold), organisation,
accessibility or interpretation needs, the time zone the participant viewed pages in, and
attribution to their organisation (reporting falls back to the Chatham House rule). The
personal link stops working. A registration for a session still ahead is cancelled first, so
that its seat goes to the next person waiting and no reminder is sent to nobody.

What it keeps, so that every count stays right: the session, status, stakeholder group,
country, language, consent and registration times and attendance; the answers (every version),
comments and proposed rewordings, pairwise choices and captured points. Comments are the
consultation's content, quoted only by stakeholder group and region; they are not erased (the
privacy notice says so: someone who named themselves in a comment asks the organisers).

Written submissions from one address all get the same placeholder, per consultation, so that
only the latest of them still counts (see `feedback.submissions.counted_respondents`).

Nothing personal is logged: log lines give registration numbers and counts only.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from consulta.consultations.models import Consultation
from consulta.feedback.models import Answer, CapturedPoint, Channel, PairwiseChoice, Respondent
from consulta.jobs import kinds
from consulta.jobs.models import Job
from consulta.registrations import actions, privacy_emails
from consulta.registrations.models import Attribution, Registration, new_link_nonce

log = logging.getLogger(__name__)

ERASURE_REQUEST_INTERVAL = 600  # seconds: at most one confirmation e-mail per registration
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never delivered
CHUNK = 500  # keeps `pk__in` under every database's limit on query parameters
CONTACT_CHANNELS = (Channel.OPEN_SUBMISSION, Channel.IMPORT)


def erased_address(prefix: str, pk: int) -> str:
    return f"erased-{prefix}{pk}@{ERASED_DOMAIN}"


# Download.


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _answers(respondent: Respondent) -> list[dict]:
    """Every version of every answer, oldest first; `current` marks the one that counts."""
    return [
        {
            "recommendation": answer.recommendation.code,
            "support": answer.support,
            "support_label": answer.get_support_display() if answer.support is not None else None,
            "priority": answer.priority,
            "priority_label": answer.get_priority_display() if answer.priority else None,
            "comment": answer.comment,
            "proposed_text": answer.proposed_text,
            "language": answer.language,
            "current": answer.is_current,
            "saved_at": _time(answer.created_at),
            "hidden_by_moderators": answer.hidden_at is not None,
            "hidden_reason": answer.hidden_reason,
        }
        for answer in Answer.objects.filter(respondent=respondent)
        .select_related("recommendation")
        .order_by("created_at", "pk")
    ]


def _choices(respondent: Respondent) -> list[dict]:
    return [
        {
            "first": choice.first.code,
            "second": choice.second.code,
            "chosen": choice.chosen.code if choice.chosen else None,  # None: can't decide
            "at": _time(choice.created_at),
        }
        for choice in PairwiseChoice.objects.filter(respondent=respondent)
        .select_related("first", "second", "chosen")
        .order_by("created_at", "pk")
    ]


REGISTRATION_EMAILS = (
    kinds.REGISTRATION_CONFIRMATION,
    kinds.REGISTRATION_PROMOTION,
    kinds.REGISTRATION_REMINDER,
)
SUBMISSION_EMAILS = (kinds.SUBMISSION_CONFIRMATION,)


def _emails(email_kinds: tuple[str, ...], object_id: int) -> list[dict]:
    """The e-mails queued about this registration or submission, from the jobs that sent them
    (their text is not kept)."""
    return [
        {
            "email": job.kind,
            "status": job.status,
            "queued_at": _time(job.created_at),
            "sent_at": _time(job.finished_at) if job.status == Job.Status.DONE else None,
        }
        for job in Job.objects.filter(kind__in=email_kinds, object_id=object_id).order_by(
            "created_at", "pk"
        )
    ]


def _registration(registration: Registration) -> dict:
    session = registration.session
    respondent = Respondent.objects.filter(registration=registration).first()
    points = (
        CapturedPoint.objects.filter(attributed_to=registration)
        .select_related("session", "recommendation")
        .order_by("created_at", "pk")
    )
    return {
        "consultation": session.consultation.slug,
        "consultation_title": session.consultation.title,
        "session": {
            "key": session.key,
            "region": session.region,
            "starts_at": _time(session.starts_at),
            "ends_at": _time(session.ends_at),
        },
        "status": registration.status,
        "given_name": registration.given_name,
        "family_name": registration.family_name,
        "email": registration.email,
        "organisation": registration.organisation,
        "stakeholder_group": registration.stakeholder_group,
        "country": registration.country,
        "language": registration.language,
        "needs": registration.needs,
        "attribution": registration.attribution,
        "timezone": registration.timezone,
        "consented_at": _time(registration.consented_at),
        "registered_at": _time(registration.created_at),
        "queued_at": _time(registration.queued_at),
        "cancelled_at": _time(registration.cancelled_at),
        "reminder_sent_at": _time(registration.reminder_sent_at),
        "attended": registration.attended,
        "attendance_source": registration.attendance_source,
        "emails": _emails(REGISTRATION_EMAILS, registration.pk),
        "answers": _answers(respondent) if respondent else [],
        "pairwise_choices": _choices(respondent) if respondent else [],
        "points_attributed_to_you_in_live_discussion": [
            {
                "session": point.session.key,
                "recommendation": point.recommendation.code if point.recommendation else None,
                "stance": point.stance,
                "note": point.note,
                "at": _time(point.created_at),
            }
            for point in points
        ],
    }


def _submission(respondent: Respondent) -> dict:
    return {
        "consultation": respondent.consultation.slug,
        "consultation_title": respondent.consultation.title,
        "channel": respondent.channel,
        "email": respondent.email,
        "organisation": respondent.organisation,
        "stakeholder_group": respondent.stakeholder_group,
        "country": respondent.country,
        "language": respondent.language,
        "attribution": respondent.attribution,
        "session": respondent.session.key if respondent.session else None,
        "identifier_in_imported_file": respondent.source_key,
        "consented_at": _time(respondent.consented_at),
        "confirmed_at": _time(respondent.confirmed_at),
        "received_at": _time(respondent.created_at),
        "emails": _emails(SUBMISSION_EMAILS, respondent.pk),
        "answers": _answers(respondent),
        "pairwise_choices": _choices(respondent),
    }


def personal_data(registration: Registration, *, now=None) -> dict:
    """Everything held under the registration's e-mail address: registrations (with answers,
    every version, pairwise choices, live-discussion points attributed to them and the e-mails
    sent), written submissions and imported answers. Nothing about anyone else."""
    address = registration.email
    registrations = (
        Registration.objects.filter(email=address)
        .select_related("session__consultation")
        .order_by("created_at", "pk")
    )
    submissions = (
        Respondent.objects.filter(email=address, channel__in=CONTACT_CHANNELS)
        .select_related("consultation", "session")
        .order_by("created_at", "pk")
    )
    return {
        "about": (
            "Everything Consulta holds under this e-mail address. Answers list every version "
            "you saved; the one marked current is the one that counts."
        ),
        "email": address,
        "generated_at": _time(now or timezone.now()),
        "registrations": [_registration(r) for r in registrations],
        "written_submissions_and_imports": [_submission(r) for r in submissions],
        "emails_sent": (
            "Consulta keeps no copy of the e-mails it sends; each registration and submission "
            "lists which were queued for it and when they were sent."
        ),
    }


# Erasure.


@dataclass(frozen=True)
class Erased:
    registrations: int
    submissions: int  # written submissions and imported respondents


def request_erasure(registration: Registration) -> bool:
    """E-mail the erasure confirmation link to the registration's address; nothing is erased
    until it is followed. At most one e-mail per registration every ten minutes (a reload or
    a double click sends one); returns whether one was sent."""
    if registration.is_erased():
        return False
    if not cache.add(f"erasure-request:{registration.pk}", 1, timeout=ERASURE_REQUEST_INTERVAL):
        return False
    pk = registration.pk
    transaction.on_commit(lambda: privacy_emails.send_erasure_confirmation(pk))
    log.info("erasure requested for registration %s", pk)
    return True


def _erase_registration(registration: Registration, now: datetime) -> bool:
    """Erase one registration's identifying fields (see the module docstring); False if it
    was erased already. Call inside a transaction."""
    registration = (
        Registration.objects.select_for_update().select_related("session").get(pk=registration.pk)
    )
    if registration.is_erased():
        return False
    session = registration.session
    if registration.is_active() and session.starts_at > now:
        actions.cancel_registration(registration, now=now)
    Registration.objects.filter(pk=registration.pk).update(
        given_name="",
        family_name="",
        email=erased_address("", registration.pk),
        organisation="",
        needs="",
        attribution=Attribution.CHATHAM_HOUSE,
        timezone=session.timezone,
        link_nonce=new_link_nonce(),
        personal_data_erased_at=now,
    )
    Respondent.objects.filter(registration=registration).update(
        attribution=Attribution.CHATHAM_HOUSE
    )
    return True


def _contacts_to_erase(respondents: QuerySet[Respondent]) -> QuerySet[Respondent]:
    """Written submissions and imported respondents whose contact fields still say something."""
    return (
        respondents.filter(channel__in=CONTACT_CHANNELS)
        .exclude(email__endswith="@" + ERASED_DOMAIN)
        .exclude(email="", organisation="")
    )


def _erase_contacts(respondents: QuerySet[Respondent]) -> int:
    """Clear the contact fields of written submissions and imported respondents. All of one
    address's respondents in a consultation share one placeholder, so that only the latest of
    its submissions still counts, as before. An imported file's identifier that is an e-mail
    address gets the placeholder too."""
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, consultation_id, email in _contacts_to_erase(respondents).values_list(
        "pk", "consultation_id", "email"
    ):
        groups[(consultation_id, email)].append(pk)
    for (_consultation_id, email), pks in groups.items():
        placeholder = erased_address("r", min(pks)) if email else ""
        for start in range(0, len(pks), CHUNK):
            chunk = Respondent.objects.filter(pk__in=pks[start : start + CHUNK])
            chunk.update(email=placeholder, organisation="", attribution=Attribution.CHATHAM_HOUSE)
            if placeholder:
                chunk.filter(source_key__contains="@").update(source_key=placeholder)
    return sum(len(pks) for pks in groups.values())


@transaction.atomic
def erase_personal_data(registration: Registration, *, now=None) -> Erased:
    """Erase what Consulta holds under the registration's e-mail address (every registration,
    written submission and imported respondent); answers stay and count. Tells the address,
    once, that it is done."""
    now = now or timezone.now()
    address = registration.email
    language = registration.language
    pks = list(
        Registration.objects.filter(email=address, personal_data_erased_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    erased = sum(_erase_registration(Registration(pk=pk), now) for pk in pks)
    submissions = _erase_contacts(Respondent.objects.filter(email=address))
    if erased or submissions:
        transaction.on_commit(
            lambda: privacy_emails.send_erasure_done(address, language, erased, submissions)
        )
    log.info(
        "personal data erased for registration %s: %d registration(s), %d submission(s)",
        registration.pk,
        erased,
        submissions,
    )
    return Erased(erased, submissions)


# Retention.


def retention_starts_on(consultation: Consultation) -> date | None:
    """The closing date, else the day its last session ends (in the organiser's zone); None
    for a consultation with neither (its data is kept until it has one)."""
    if consultation.closes_on:
        return consultation.closes_on
    last_end = consultation.sessions.aggregate(last=Max("ends_at"))["last"]
    if last_end is None:
        return None
    return timezone.localtime(last_end, ZoneInfo(consultation.timezone)).date()


def kept_until(consultation: Consultation) -> date | None:
    """The last day personal data is kept; it is erased from the day after."""
    start = retention_starts_on(consultation)
    if start is None:
        return None
    return start + timedelta(days=consultation.personal_data_retention_days)


def retention_schedule() -> list[tuple[Consultation, date | None]]:
    """Every published consultation and the last day its personal data is kept."""
    consultations = Consultation.objects.exclude(status=Consultation.Status.DRAFT).order_by(
        "-opens_on", "slug"
    )
    return [(consultation, kept_until(consultation)) for consultation in consultations]


@dataclass(frozen=True)
class Purge:
    consultation: Consultation
    kept_until: date | None
    due: bool
    registrations: int  # erased, or to erase when dry-run or not due
    submissions: int


def _holding(consultation: Consultation) -> tuple[QuerySet[Registration], QuerySet[Respondent]]:
    registrations = Registration.objects.filter(
        session__consultation=consultation, personal_data_erased_at__isnull=True
    )
    return registrations, _contacts_to_erase(consultation.respondents.all())


def purge_personal_data(*, today: date | None = None, dry_run: bool = False) -> list[Purge]:
    """Erase the personal data of every consultation kept past its retention; one `Purge` per
    consultation, due or not. Running it again erases nothing more."""
    today = today or timezone.localdate()
    results = []
    for consultation in Consultation.objects.order_by("slug"):
        until = kept_until(consultation)
        due = until is not None and today > until
        registrations, contacts = _holding(consultation)
        if not due or dry_run:
            results.append(Purge(consultation, until, due, registrations.count(), contacts.count()))
            continue
        with transaction.atomic():
            now = timezone.now()
            pks = list(registrations.order_by("pk").values_list("pk", flat=True))
            erased = sum(_erase_registration(Registration(pk=pk), now) for pk in pks)
            submissions = _erase_contacts(consultation.respondents.all())
        log.info(
            "purged consultation %s: %d registration(s), %d submission(s)",
            consultation.pk,
            erased,
            submissions,
        )
        results.append(Purge(consultation, until, due, erased, submissions))
    return results
