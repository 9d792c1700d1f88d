"""The one write path for revisions: a new wording with the feedback that motivated it, or the
decision to keep the text as it stands. Both are atomic; refusals are ValueErrors whose message
can be shown to the person as it is.

The wording itself changes only through `consulta.consultations.actions.revise_recommendation`,
which keeps the former text as a version.
"""

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from consulta.audit.actions import record
from consulta.consultations.actions import (
    ensure_first_version,
    normalised_texts,
    revise_recommendation,
)
from consulta.consultations.models import Recommendation, RecommendationVersion
from consulta.feedback.models import Answer, CapturedPoint
from consulta.revisions.models import KeptDecision, RevisionLink


class StaleRevision(ValueError):
    """Someone else revised the recommendation since the form was shown."""


@transaction.atomic
def revise_with_links(
    recommendation: Recommendation,
    texts,
    *,
    by,
    rationale: str,
    answers: Iterable[Answer] = (),
    points: Iterable[CapturedPoint] = (),
    notes: Mapping | None = None,
    based_on: int | None = None,
) -> RecommendationVersion:
    """A new version of `recommendation` with `texts` ({lang: {title, text}}), its rationale and
    links to the answers and captured points that motivated it; the old text stays a version.

    `notes` maps a linked answer or point to a short note on why it mattered. `based_on` is the
    version number the person edited: when another revision came first, nothing is written.
    Refuses (ValueError) an empty rationale, an unchanged text, and a feedback item that is
    hidden or about another recommendation (a captured point may be general).
    """
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValueError(_("Explain why the text changes: the rationale is required."))
    # One revision at a time per recommendation: the second waits, then sees the first.
    Recommendation.objects.select_for_update().filter(pk=recommendation.pk).first()
    recommendation.refresh_from_db()
    ensure_first_version(recommendation)
    current = recommendation.current_version()
    if based_on is not None and current.number != based_on:
        raise StaleRevision(
            _(
                "Someone revised this recommendation while you were editing it (it is now at "
                "version %(number)d): nothing was saved. Reload the page to see their text."
            )
            % {"number": current.number}
        )
    if normalised_texts(texts) == recommendation.texts():
        raise ValueError(
            _(
                "The text is unchanged: change the title or the text in at least one language, "
                "or keep the text with a reason."
            )
        )
    linked_answers = _checked_answers(recommendation, answers)
    linked_points = _checked_points(recommendation, points)
    revise_recommendation(recommendation, texts, by=by, rationale=rationale)
    version = recommendation.current_version()
    notes = {(type(item), item.pk): note for item, note in (notes or {}).items()}
    RevisionLink.objects.bulk_create(
        [
            RevisionLink(
                version=version,
                answer=answer,
                note=(notes.get((Answer, answer.pk)) or "").strip(),
            )
            for answer in linked_answers
        ]
        + [
            RevisionLink(
                version=version,
                point=point,
                note=(notes.get((CapturedPoint, point.pk)) or "").strip(),
            )
            for point in linked_points
        ]
    )
    return version


@transaction.atomic
def keep_with_reason(recommendation: Recommendation, *, by, reason: str) -> KeptDecision:
    """Record that the current text stays as it is, and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("Explain why the text stays as it is: the reason is required."))
    ensure_first_version(recommendation)
    decision = KeptDecision.objects.create(
        recommendation=recommendation,
        version=recommendation.current_version(),
        reason=reason,
        decided_by=by,
    )
    after = {"version": decision.version.number, "reason": reason}
    record(by, "recommendation.kept", recommendation, after=after)
    return decision


def _checked_answers(recommendation: Recommendation, answers: Iterable[Answer]) -> list[Answer]:
    """The answers read afresh (moderation may have hidden one meanwhile), refused unless each
    is a visible answer on `recommendation`."""
    wanted = list(dict.fromkeys(answer.pk for answer in answers))
    found = {a.pk: a for a in Answer.objects.select_related("recommendation").filter(pk__in=wanted)}
    for pk in wanted:
        answer = found.get(pk)
        if answer is None:
            raise ValueError(_("Answer %(number)d no longer exists.") % {"number": pk})
        if answer.recommendation_id != recommendation.pk:
            raise ValueError(
                _(
                    "Answer %(number)d is feedback on %(other)s, not on %(code)s: only feedback "
                    "on this recommendation can be linked."
                )
                % {"number": pk, "other": answer.recommendation.code, "code": recommendation.code}
            )
        if answer.hidden_at is not None:
            raise ValueError(
                _("Answer %(number)d was hidden by moderation and cannot be linked.")
                % {"number": pk}
            )
    return [found[pk] for pk in wanted]


def _checked_points(
    recommendation: Recommendation, points: Iterable[CapturedPoint]
) -> list[CapturedPoint]:
    """The points read afresh, refused unless each is a visible point of the same consultation,
    about `recommendation` or general."""
    wanted = list(dict.fromkeys(point.pk for point in points))
    found = {
        p.pk: p
        for p in CapturedPoint.objects.select_related("recommendation", "session").filter(
            pk__in=wanted
        )
    }
    for pk in wanted:
        point = found.get(pk)
        if point is None:
            raise ValueError(_("Captured point %(number)d no longer exists.") % {"number": pk})
        if point.session.consultation_id != recommendation.consultation_id:
            raise ValueError(
                _(
                    "Captured point %(number)d was made in another consultation: only its own "
                    "feedback can be linked."
                )
                % {"number": pk}
            )
        if point.recommendation_id not in (None, recommendation.pk):
            raise ValueError(
                _(
                    "Captured point %(number)d is about %(other)s, not %(code)s: only points on "
                    "this recommendation or general points can be linked."
                )
                % {"number": pk, "other": point.recommendation.code, "code": recommendation.code}
            )
        if point.hidden_at is not None:
            raise ValueError(
                _("Captured point %(number)d was hidden by moderation and cannot be linked.")
                % {"number": pk}
            )
    return [found[pk] for pk in wanted]
