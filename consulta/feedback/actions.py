"""The one write path for feedback: answers, pairwise choices, open submissions, live capture,
moderation, import and closing. Every write checks that the consultation is still open."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from consulta.audit.actions import diff, record, snapshot
from consulta.consultations.models import Consultation, Recommendation
from consulta.feedback import pairs
from consulta.feedback.models import (
    Answer,
    CapturedPoint,
    Channel,
    ModerationEntry,
    PairwiseChoice,
    Respondent,
)
from consulta.lib.compiled import (
    CompiledInsert,
    CompiledQuery,
    CompiledUpdate,
    columns,
    execute_prepared,
    instance,
)
from consulta.meetings.models import Session
from consulta.registrations.models import Registration


class FeedbackClosed(Exception):
    """The consultation no longer accepts changes to feedback."""


class NotAllowed(Exception):
    """The person may not change this item (not its author, or the session is closed)."""


ANSWER_FIELDS = ("support", "priority", "comment", "proposed_text")
# What the audit trail keeps of a captured point (the attributed registration as an id only).
POINT_FIELDS = (
    "recommendation",
    "stakeholder_group",
    "country",
    "stance",
    "note",
    "attributed_to",
)


def check_open(consultation: Consultation) -> None:
    """Refuse once the consultation has closed, reading its status afresh (not a lock, so
    saves never queue behind each other; a save racing the closing itself may still land)."""
    check_open_by_id(consultation.pk)


def check_open_by_id(consultation_id: int) -> None:
    fresh = Consultation.objects.only("status", "opens_on", "closes_on").get(pk=consultation_id)
    if not fresh.is_open():
        raise FeedbackClosed


def existing_respondent(registration: Registration) -> Respondent | None:
    """The respondent behind a personal link if they answered before; no query when it was
    loaded with the registration (as `registration_for_token` does)."""
    link = Registration.respondent.related
    if link.is_cached(registration):  # None when there is none
        return link.get_cached_value(registration)
    return Respondent.objects.filter(registration=registration).order_by().first()


def respondent_for_registration(registration: Registration) -> Respondent:
    """The respondent behind a personal link, created on first use."""
    known = existing_respondent(registration)
    if known is not None:
        return known
    session = registration.session
    respondent = Respondent(
        consultation_id=session.consultation_id,
        channel=Channel.PERSONAL_LINK,
        registration=registration,
        session=session,
        stakeholder_group=registration.stakeholder_group,
        country=registration.country,
        language=registration.language,
        attribution=registration.attribution,
        confirmed_at=timezone.now(),
    )
    try:
        if not transaction.get_connection().in_atomic_block:
            respondent.save()  # one INSERT, its own transaction: no BEGIN and COMMIT round trips
            return respondent
        with transaction.atomic():  # a savepoint: a lost race leaves the caller's work intact
            respondent.save()
            return respondent
    except IntegrityError:  # created meanwhile by a parallel request
        return Respondent.objects.get(registration=registration)


@dataclass(frozen=True)
class Saved:
    answer: Answer
    replayed: bool  # the submission key had been stored before: nothing new was written


def save_answer(
    respondent: Respondent, recommendation: Recommendation, values: dict, *, submission_key: str
) -> Answer:
    """`record_answer`, for callers that need only the stored answer."""
    return record_answer(respondent, recommendation, values, submission_key=submission_key).answer


def record_answer(
    respondent: Respondent,
    recommendation: Recommendation,
    values: dict,
    *,
    submission_key: str,
    consultation: Consultation | None = None,
    key_per_respondent: bool = False,
) -> Saved:
    """Record a new version of the respondent's answer; the previous one stays, not current.

    The same `submission_key` twice returns the first answer, replayed (double click, retry,
    two tabs); a version identical to the current one is not stored again. A key names one
    recommendation's submission (an open submission or an imported row uses one key for all
    its answers); with `key_per_respondent` (the API's Idempotency-Key) a key already used by
    this respondent for another recommendation raises SubmissionKeyReused. Two requests
    racing with the same key (or for the same recommendation) store one answer: the loser gets
    DuplicateSubmission. This is the hottest write path (answers arrive by the hundred per
    second on launch day): on PostgreSQL one statement (`SaveInOneStatement`), elsewhere a
    few indexed ones, never an ordering join. A caller that
    read the `consultation` during this same request passes it, and its status is not read
    again.
    """
    if recommendation.consultation_id != respondent.consultation_id:
        raise NotAllowed
    try:
        return _record_answer(
            respondent, recommendation, values, submission_key, consultation, key_per_respondent
        )
    except IntegrityError:
        # A parallel request with the same key (or for the same recommendation) won the race;
        # the whole transaction was rolled back, so nothing of this one is stored.
        raise DuplicateSubmission from None


# The respondent's answers that decide what a save does: the one stored under this submission
# key, and the current one on this recommendation.
_PRIOR_ANSWERS = CompiledQuery(
    lambda respondent, key, recommendation: (
        Answer.objects.filter(respondent_id=respondent)
        .filter(Q(submission_key=key) | Q(recommendation_id=recommendation, is_current=True))
        .order_by()
        .values_list(*columns(Answer))
    ),
    respondent=-1_000_000_007,
    key="\x00sample-key",
    recommendation=-1_000_000_009,
)
_RETIRE_ANSWER = CompiledUpdate(
    lambda pk: Answer.objects.filter(pk=pk, is_current=True),
    {"is_current": False},
    pk=-1_000_000_007,
)
_INSERT_ANSWER = CompiledInsert(Answer)


def _record_answer(
    respondent, recommendation, values, submission_key, consultation, key_per_respondent
) -> Saved:
    if consultation is None:
        check_open_by_id(respondent.consultation_id)
    elif consultation.pk != respondent.consultation_id or not consultation.is_open():
        raise FeedbackClosed
    clean = {
        "support": values.get("support"),
        "priority": values.get("priority"),
        "comment": (values.get("comment") or "").strip(),
        "proposed_text": (values.get("proposed_text") or "").strip(),
    }
    answer = Answer(
        respondent=respondent,
        recommendation=recommendation,
        language=values.get("language") or respondent.language,
        submission_key=submission_key,
        **clean,
    )
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        if not connection.in_atomic_block:
            return _SAVE_IN_ONE_STATEMENT.save(answer, key_per_respondent)
        with transaction.atomic():  # a savepoint: a lost race leaves the caller's work intact
            return _SAVE_IN_ONE_STATEMENT.save(answer, key_per_respondent)
    prior = [
        instance(Answer, row)
        for row in _PRIOR_ANSWERS.rows(
            respondent=respondent.pk, key=submission_key, recommendation=recommendation.pk
        )
    ]
    settled, current = _settled_by_prior(prior, answer, key_per_respondent)
    if settled:
        return settled
    if current is None and not connection.in_atomic_block:
        # A first answer is one INSERT, a transaction by itself: no BEGIN and COMMIT round
        # trips. A parallel first answer breaks the unique constraint (DuplicateSubmission).
        return Saved(_INSERT_ANSWER.insert(answer), replayed=False)
    with transaction.atomic():
        # Read without a lock: a parallel save of this recommendation that committed meanwhile
        # has already retired `current`, and this one must not stack a second current answer.
        if current and not _RETIRE_ANSWER.execute(pk=current.pk):
            raise DuplicateSubmission
        return Saved(_INSERT_ANSWER.insert(answer), replayed=False)


def _settled_by_prior(
    prior: list[Answer], answer: Answer, key_per_respondent: bool
) -> tuple[Saved | None, Answer | None]:
    """What the respondent's earlier answers (`_PRIOR_ANSWERS`) decide for a new `answer`:
    (the outcome if nothing is to be written, the current answer it would replace)."""
    current = None
    for earlier in prior:
        if earlier.submission_key == answer.submission_key:
            if earlier.recommendation_id == answer.recommendation_id:
                return Saved(earlier, replayed=True), None
            if key_per_respondent:
                raise SubmissionKeyReused
        if earlier.is_current and earlier.recommendation_id == answer.recommendation_id:
            current = earlier
    if current and all(getattr(current, name) == getattr(answer, name) for name in ANSWER_FIELDS):
        return Saved(current, replayed=False), current
    return None, current


class SaveInOneStatement:
    """Saving an answer on PostgreSQL in one statement and one round trip: read the
    respondent's earlier answers, retire the current one and insert the new version, each step
    only if the earlier answers call for it (`_settled_by_prior`, evaluated in SQL).

    The general path takes two statements for a first answer (read, INSERT) and five for a
    change (read, BEGIN, UPDATE, INSERT, COMMIT); at hundreds of answers a second each round trip costs the
    app and the database more CPU than the work itself. The outcome is the same, races
    included: the UPDATE re-checks `is_current` on a row a parallel save changed, and then
    nothing is inserted (DuplicateSubmission); two parallel first answers break the unique
    constraint. Python reads the statement's rows with `_settled_by_prior`, so both paths
    decide alike. SQLite has no writes inside WITH: it keeps the general path.
    """

    def __init__(self):
        self._sql = None

    def _build_sql(self, connection) -> str:
        quote = connection.ops.quote_name
        opts = Answer._meta
        table = quote(opts.db_table)
        every = ", ".join(quote(field.column) for field in opts.concrete_fields)
        written = [field for field in opts.concrete_fields if field is not opts.auto_field]
        # Typed parameters: in INSERT … SELECT, PostgreSQL cannot infer them from the columns.
        values = ", ".join(
            f"CAST(%({field.attname})s AS {field.db_type(connection)})" for field in written
        )
        return f"""
WITH prior AS (
    SELECT {every} FROM {table}
    WHERE respondent_id = %(respondent_id)s
      AND (submission_key = %(submission_key)s
           OR (recommendation_id = %(recommendation_id)s AND is_current))
), current AS (
    SELECT id FROM prior WHERE recommendation_id = %(recommendation_id)s AND is_current
), writes AS (
    SELECT NOT EXISTS (
        SELECT 1 FROM prior WHERE submission_key = %(submission_key)s
            AND (recommendation_id = %(recommendation_id)s OR %(key_per_respondent)s)
    ) AND NOT EXISTS (
        SELECT 1 FROM prior WHERE recommendation_id = %(recommendation_id)s AND is_current
            AND support IS NOT DISTINCT FROM CAST(%(support)s AS smallint)
            AND priority IS NOT DISTINCT FROM CAST(%(priority)s AS smallint)
            AND comment = %(comment)s AND proposed_text = %(proposed_text)s
    ) AS yes
), retired AS (
    UPDATE {table} SET is_current = false
    WHERE id IN (SELECT id FROM current) AND is_current AND (SELECT yes FROM writes)
    RETURNING id
), inserted AS (
    INSERT INTO {table} ({", ".join(quote(field.column) for field in written)})
    SELECT {values}
    WHERE (SELECT yes FROM writes)
      AND (SELECT count(*) FROM retired) = (SELECT count(*) FROM current)
    RETURNING {every}
)
SELECT false, {every} FROM prior
UNION ALL
SELECT true, {every} FROM inserted
"""

    def save(self, answer: Answer, key_per_respondent: bool) -> Saved:
        connection = transaction.get_connection()
        if self._sql is None:
            self._sql = self._build_sql(connection)
        answer.created_at = timezone.now()
        params = {
            field.attname: field.get_db_prep_save(getattr(answer, field.attname), connection)
            for field in Answer._meta.concrete_fields
        } | {"key_per_respondent": key_per_respondent}
        with execute_prepared(connection, self._sql, params) as cursor:
            rows = cursor.fetchall()
        prior = [instance(Answer, row[1:]) for row in rows if not row[0]]
        inserted = [instance(Answer, row[1:]) for row in rows if row[0]]
        settled, _current = _settled_by_prior(prior, answer, key_per_respondent)
        if settled:
            return settled
        if not inserted:
            # The current answer was retired by a parallel save that committed meanwhile.
            raise DuplicateSubmission
        return Saved(inserted[0], replayed=False)


_SAVE_IN_ONE_STATEMENT = SaveInOneStatement()


class SubmissionKeyReused(Exception):
    """The respondent already used this submission key for another recommendation."""


class DuplicateSubmission(Exception):
    """A parallel request stored this answer first; the caller shows the stored one."""


def current_answers(respondent: Respondent) -> dict[int, Answer]:
    return {
        a.recommendation_id: a
        for a in respondent.answers.filter(is_current=True).select_related("recommendation")
    }


def live_recommendations(consultation: Consultation):
    return consultation.recommendations.exclude(status=Recommendation.Status.WITHDRAWN)


@dataclass(frozen=True)
class Pair:
    first: Recommendation
    second: Recommendation


def next_pair(respondent: Respondent, rng=None) -> Pair | None:
    recommendations = {r.pk: r for r in live_recommendations(respondent.consultation)}
    shown: dict[frozenset, int] = {}
    for row in (
        PairwiseChoice.objects.filter(respondent__consultation=respondent.consultation)
        .values("first", "second")
        .annotate(n=Count("id"))
    ):
        key = pairs.pair_key(row["first"], row["second"])
        shown[key] = shown.get(key, 0) + row["n"]
    last_choice = respondent.pairwise_choices.order_by("-created_at", "-pk").first()
    last = pairs.pair_key(last_choice.first_id, last_choice.second_id) if last_choice else None
    picked = pairs.pick_pair(sorted(recommendations), shown, last, rng)
    if picked is None:
        return None
    return Pair(recommendations[picked[0]], recommendations[picked[1]])


@transaction.atomic
def record_choice(
    respondent: Respondent,
    first: Recommendation,
    second: Recommendation,
    chosen: Recommendation | None,
    *,
    submission_key: str,
) -> PairwiseChoice:
    """Record which of a pair should come first (None: can't decide), once per submission."""
    check_open(respondent.consultation)
    if first.pk == second.pk or chosen not in (None, first, second):
        raise NotAllowed
    for recommendation in (first, second):
        if recommendation.consultation_id != respondent.consultation_id:
            raise NotAllowed
    choice, _created = PairwiseChoice.objects.get_or_create(
        respondent=respondent,
        submission_key=submission_key,
        defaults={"first": first, "second": second, "chosen": chosen},
    )
    return choice


def session_capture_open(session: Session) -> bool:
    """Points can be captured and edited until the session is marked held or the consultation
    closes."""
    return session.status != Session.Status.HELD and session.consultation.is_open()


@transaction.atomic
def capture_point(session: Session, author, values: dict, *, submission_key: str) -> CapturedPoint:
    if not session_capture_open(session):
        raise FeedbackClosed
    point, created = CapturedPoint.objects.get_or_create(
        author=author,
        submission_key=submission_key,
        defaults={"session": session, **values},
    )
    if created:
        record(author, "point.captured", point, after=snapshot(point, POINT_FIELDS))
    return point


@transaction.atomic
def edit_point(point: CapturedPoint, author, values: dict) -> CapturedPoint:
    if point.author_id != author.pk:
        raise NotAllowed
    if not session_capture_open(point.session):
        raise FeedbackClosed
    before = snapshot(point, POINT_FIELDS)
    for name, value in values.items():
        setattr(point, name, value)
    point.full_clean()
    point.save()
    before, after = diff(before, snapshot(point, POINT_FIELDS))
    if after:
        record(author, "point.edited", point, before, after)
    return point


@transaction.atomic
def delete_point(point: CapturedPoint, author) -> None:
    """The author may take back a point while the session is open; moderation hides instead."""
    if point.author_id != author.pk:
        raise NotAllowed
    if not session_capture_open(point.session):
        raise FeedbackClosed
    if point.moderation.exists():
        raise NotAllowed
    record(author, "point.deleted", point, before=snapshot(point, POINT_FIELDS))
    point.delete()


@transaction.atomic
def hide(item: Answer | CapturedPoint, moderator, reason: str) -> None:
    """Hide abusive content from synthesis and inboxes; it stays stored, with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValueError("a reason is required")
    item.hidden_at = timezone.now()
    item.hidden_reason = reason
    item.save(update_fields=["hidden_at", "hidden_reason"])
    _log_moderation(item, ModerationEntry.Action.HIDE, moderator, reason)
    record(
        moderator, "feedback.hidden", item, {"hidden": False}, {"hidden": True, "reason": reason}
    )


@transaction.atomic
def show_again(item: Answer | CapturedPoint, moderator, reason: str) -> None:
    before = {"hidden": True, "reason": item.hidden_reason}
    item.hidden_at = None
    item.hidden_reason = ""
    item.save(update_fields=["hidden_at", "hidden_reason"])
    _log_moderation(item, ModerationEntry.Action.SHOW, moderator, reason.strip() or "-")
    record(moderator, "feedback.shown", item, before, {"hidden": False, "reason": reason.strip()})


def _log_moderation(item, action, moderator, reason) -> None:
    target = {"answer": item} if isinstance(item, Answer) else {"point": item}
    ModerationEntry.objects.create(action=action, moderator=moderator, reason=reason, **target)


@transaction.atomic
def close_consultation(consultation: Consultation, by=None) -> None:
    """No more registrations, answers or captured points: the data is frozen for synthesis."""
    before = {"status": consultation.status}
    consultation.status = Consultation.Status.CLOSED
    consultation.save(update_fields=["status"])
    record(by, "consultation.closed", consultation, before, {"status": consultation.status})
