""" "What we heard / what changed": for every recommendation of a consultation, whether its text
changed since the consultation (and why, in response to which feedback), was kept (and why), or
is not yet decided. A plain, JSON-ready dict for the synthesis document and the report.

The consulted text is a recommendation's first version. Linked feedback is summarised without
personal data: stakeholder group, region, support or stance, and the comment, rewording or note.
Hidden feedback is left out. A fixed number of queries, however many recommendations.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _

from consulta.consultations.models import Recommendation, RecommendationVersion
from consulta.feedback.diff import word_diff
from consulta.feedback.models import Stance, Support
from consulta.lib.languages import SUPPORTED_LANGUAGES, pick_translation
from consulta.revisions.models import KeptDecision, RevisionLink

CHANGED = "changed"
KEPT = "kept"
UNDECIDED = "undecided"
WITHDRAWN = "withdrawn"


def status_labels() -> dict[str, str]:
    return {
        CHANGED: _("Changed"),
        KEPT: _("Kept"),
        UNDECIDED: _("Not yet decided"),
        WITHDRAWN: _("Withdrawn"),
    }


@dataclass(frozen=True)
class Decision:
    """Where a recommendation stands: its status, first (consulted) and current versions, and
    the decision to keep it when that is its status."""

    status: str
    first: RecommendationVersion | None
    current: RecommendationVersion | None
    kept: KeptDecision | None


def with_history(recommendations):
    """`recommendations` with what `decision` reads, in three more queries."""
    return recommendations.prefetch_related(
        Prefetch(
            "versions",
            queryset=RecommendationVersion.objects.select_related("changed_by").order_by("number"),
        ),
        Prefetch(
            "kept_decisions",
            queryset=KeptDecision.objects.select_related("version", "decided_by").order_by(
                "-decided_at", "-pk"
            ),
        ),
    )


def decision(recommendation: Recommendation) -> Decision:
    """Changed when the text differs from the consulted one (version 1); else kept when the
    latest decision to keep is about the current version; else not yet decided. Reads the
    versions and decisions prefetched by `with_history`."""
    versions = list(recommendation.versions.all())
    first = versions[0] if versions else None
    current = versions[-1] if versions else None
    kept = next(iter(recommendation.kept_decisions.all()), None)
    if recommendation.status == Recommendation.Status.WITHDRAWN:
        status = WITHDRAWN
    elif first is not None and first.texts != recommendation.texts():
        status = CHANGED
    elif kept is not None and current is not None and kept.version_id == current.pk:
        status = KEPT
    else:
        status = UNDECIDED
    return Decision(status, first, current, kept if status == KEPT else None)


def in_language(texts: dict, language: str, kind: str) -> tuple[str, str]:
    """(title or text, language it is in) from a version's {lang: {title, text}}."""
    return pick_translation({lang: entry.get(kind, "") for lang, entry in texts.items()}, language)


def segments(before: str, after: str) -> list[dict]:
    return [{"kind": s.kind, "text": s.text} for s in word_diff(before, after)]


def feedback_item(link: RevisionLink) -> dict:
    """A linked answer or point as the report may show it: nothing that names a person."""
    if link.answer_id:
        answer = link.answer
        respondent = answer.respondent
        return {
            "kind": "answer",
            "group": respondent.get_stakeholder_group_display(),
            "region": respondent.session.region if respondent.session else None,
            "support": None if answer.support is None else str(Support(answer.support).label),
            "stance": None,
            "text": answer.comment,
            "proposed_text": answer.proposed_text,
            "note": link.note,
        }
    point = link.point
    return {
        "kind": "point",
        "group": point.get_stakeholder_group_display(),
        "region": point.session.region,
        "support": None,
        "stance": str(Stance(point.stance).label),
        "text": point.note,
        "proposed_text": "",
        "note": link.note,
    }


def motivated_by(item: dict) -> str:
    """One line for a report: "Civil society, Africa (Agree): the comment"."""
    who = ", ".join(part for part in (item["group"], item["region"]) if part)
    position = item["support"] or item["stance"]
    text = item["text"] or item["proposed_text"]
    if position:
        return _("%(who)s (%(position)s): %(text)s") % {
            "who": who,
            "position": position,
            "text": text,
        }
    return _("%(who)s: %(text)s") % {"who": who, "text": text}


def visible(link: RevisionLink) -> bool:
    item = link.answer if link.answer_id else link.point
    return item.hidden_at is None


def linked_feedback(recommendations) -> dict[int, list[RevisionLink]]:
    """The visible links of every version after the first, per version id, in one query."""
    links = RevisionLink.objects.filter(
        version__recommendation__in=recommendations, version__number__gt=1
    ).select_related(
        "version",
        "answer__respondent__session",
        "point__session",
    )
    found: dict[int, list[RevisionLink]] = {}
    for link in links.order_by("version__number", "pk"):
        if visible(link):
            found.setdefault(link.version_id, []).append(link)
    return found


def what_changed(consultation, language: str = "en") -> dict[str, dict]:
    """{code: {...}} for every recommendation of `consultation`, in its pillar order.

    Every entry has `code`, `title`, `text` (current, in `language` or else English, as
    `text_language` says), `status` ("changed", "kept", "undecided" or "withdrawn"),
    `status_label` and `versions` (how many). "changed" adds `version` (the latest's number),
    `rationale`, `changed_at`, `language` (the diff's), `diff` and `title_diff` (from the
    consulted text to the current one, in `language` where both have it, else in English;
    `title_diff` is None when the title did not change), `changed_languages` (those whose title
    or text changed: a revision of the English text alone leaves the French diff empty) and
    `feedback` (the items linked to the revisions since version 1: `kind`, `group`, `region`,
    `support`, `stance`, `text`, `proposed_text`, `note`, `version`) with `motivated_by`, the
    same items as one line each. "kept" adds `reason`, `decided_at` and `version` (the one
    kept).
    """
    with translation.override(language):
        labels = status_labels()
        recommendations = list(
            with_history(
                consultation.recommendations.select_related("pillar").order_by(
                    "pillar__order", "order"
                )
            )
        )
        links = linked_feedback(recommendations)
        return {r.code: _entry(r, language, labels, links) for r in recommendations}


def _entry(recommendation, language, labels, links) -> dict:
    found = decision(recommendation)
    title, _title_language = recommendation.title_in(language)
    text, text_language = recommendation.text_in(language)
    entry = {
        "code": recommendation.code,
        "title": title,
        "text": text,
        "text_language": text_language,
        "status": found.status,
        "status_label": labels[found.status],
        "versions": len(recommendation.versions.all()),
    }
    if found.status == CHANGED:
        current = found.current
        texts = recommendation.texts()
        before, diff_language = in_language(found.first.texts, language, "text")
        after, _after_language = in_language(texts, diff_language, "text")
        title_before, _ = in_language(found.first.texts, diff_language, "title")
        title_after, _ = in_language(texts, diff_language, "title")
        feedback = []
        seen = set()
        for version in recommendation.versions.all():
            for link in links.get(version.pk, []):
                key = ("answer", link.answer_id) if link.answer_id else ("point", link.point_id)
                if key not in seen:
                    seen.add(key)
                    feedback.append({**feedback_item(link), "version": version.number})
        entry |= {
            "version": current.number,
            "rationale": current.rationale,
            "changed_at": current.changed_at.isoformat(timespec="seconds"),
            "language": diff_language,
            "diff": segments(before, after),
            "title_diff": segments(title_before, title_after)
            if title_before != title_after
            else None,
            "changed_languages": [
                lang
                for lang in SUPPORTED_LANGUAGES
                if found.first.texts.get(lang) != texts.get(lang)
            ],
            "feedback": feedback,
            "motivated_by": [motivated_by(item) for item in feedback],
        }
    elif found.status == KEPT:
        entry |= {
            "reason": found.kept.reason,
            "decided_at": found.kept.decided_at.isoformat(timespec="seconds"),
            "version": found.kept.version.number,
        }
    return entry
