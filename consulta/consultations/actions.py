"""The one write path for recommendations' wording: every change keeps the text it replaces."""

from django.db import transaction
from django.db.models import Max

from consulta.audit.actions import diff, record, snapshot
from consulta.consultations.models import TEXT_FIELDS, Recommendation, RecommendationVersion
from consulta.lib.languages import SUPPORTED_LANGUAGES


def normalised_texts(texts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """{lang: {title, text}} limited to languages that have something, in a stable order."""
    clean = {}
    for lang in SUPPORTED_LANGUAGES:
        entry = texts.get(lang) or {}
        title, text = (entry.get("title") or "").strip(), (entry.get("text") or "").strip()
        if title or text:
            clean[lang] = {"title": title, "text": text}
    return clean


def _apply_texts(recommendation: Recommendation, texts: dict[str, dict[str, str]]) -> None:
    for lang in SUPPORTED_LANGUAGES:
        entry = texts.get(lang, {})
        setattr(recommendation, f"title_{lang}", entry.get("title", ""))
        setattr(recommendation, f"text_{lang}", entry.get("text", ""))


def _record_version(recommendation: Recommendation, *, by, rationale: str) -> RecommendationVersion:
    last = recommendation.versions.aggregate(last=Max("number"))["last"] or 0
    return RecommendationVersion.objects.create(
        recommendation=recommendation,
        number=last + 1,
        texts=recommendation.texts(),
        changed_by=by,
        rationale=rationale,
    )


@transaction.atomic
def create_recommendation(*, texts, by=None, rationale="First draft", **fields) -> Recommendation:
    """A new recommendation and its first version."""
    recommendation = Recommendation(**fields)
    _apply_texts(recommendation, normalised_texts(texts))
    recommendation.full_clean(exclude=["objectives"])
    recommendation.save()
    _record_version(recommendation, by=by, rationale=rationale)
    record(by, "recommendation.created", recommendation, after=snapshot(recommendation))
    return recommendation


@transaction.atomic
def revise_recommendation(recommendation: Recommendation, texts, *, by=None, rationale="") -> bool:
    """Change the wording, keeping the former one in the version history; False if unchanged."""
    new_texts = normalised_texts(texts)
    if new_texts == recommendation.texts():
        return False
    audited = [*TEXT_FIELDS, "status"]
    before = snapshot(recommendation, audited)
    _apply_texts(recommendation, new_texts)
    if recommendation.status == Recommendation.Status.DRAFT:
        recommendation.status = Recommendation.Status.REVISED
    recommendation.full_clean(exclude=["objectives"])
    recommendation.save()
    version = _record_version(recommendation, by=by, rationale=rationale)
    before, after = diff(before, snapshot(recommendation, audited))
    after |= {"version": version.number, "rationale": rationale}
    record(by, "recommendation.revised", recommendation, before, after)
    return True


def ensure_first_version(recommendation: Recommendation, *, by=None, rationale="First draft"):
    """Give a recommendation saved outside `create_recommendation` (the admin) its version 1."""
    if not recommendation.versions.exists():
        _record_version(recommendation, by=by, rationale=rationale)
