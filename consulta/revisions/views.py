"""Revision pages for pillar co-leads and organisers, under /<lang>/manage/<slug>/revisions/:
the recommendations one may revise, one recommendation's revision form with the feedback to
link and the "keep the text" form, and its version history with word diffs.

Every view goes through `co_lead_required` and then `consultation_for_synthesis` or
`recommendation_for_revision` (consulta.permissions). Co-leads are not organisers: feedback is
shown with stakeholder group, region and support or stance only, never a name, an e-mail
address or an organisation. Every page is a fixed number of queries.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consulta.consultations.models import Recommendation
from consulta.feedback.diff import has_changes, word_diff
from consulta.feedback.models import Answer, CapturedPoint
from consulta.feedback.submissions import counted_respondents
from consulta.lib.languages import SUPPORTED_LANGUAGES
from consulta.permissions import (
    can_revise,
    co_lead_required,
    consultation_for_synthesis,
    organises,
    recommendation_for_revision,
)
from consulta.revisions import actions, summary
from consulta.revisions.forms import LANGUAGE_NAMES, KeepForm, RevisionForm
from consulta.revisions.models import RevisionLink


def person(user) -> str:
    """How a version's author or a decision's maker is shown (staff and co-lead accounts)."""
    if user is None:
        return _("not recorded")
    return user.get_full_name() or user.get_username()


# --- the list -------------------------------------------------------------------------------


@co_lead_required
@require_GET
def overview(request, slug):
    """The recommendations this user may revise, with their versions and where they stand."""
    consultation = consultation_for_synthesis(request, slug)
    language = get_language() or "en"
    recommendations = consultation.recommendations.select_related("pillar").order_by(
        "pillar__order", "order"
    )
    organiser = organises(request.user, consultation)
    if not organiser:
        recommendations = recommendations.filter(pillar__co_lead_accounts__user=request.user)
    labels = summary.status_labels()
    rows = []
    for recommendation in summary.with_history(recommendations.distinct()):
        found = summary.decision(recommendation)
        rows.append(
            {
                "recommendation": recommendation,
                "title": recommendation.title_in(language)[0],
                "versions": len(recommendation.versions.all()),
                "status": found.status,
                "status_label": labels[found.status],
                "current": found.current,
                "kept": found.kept,
            }
        )
    return render(
        request,
        "revisions/overview.html",
        {"consultation": consultation, "rows": rows, "organiser": organiser},
    )


# --- one recommendation: revise, or keep ----------------------------------------------------


@dataclass
class FeedbackRow:
    """An answer or a captured point as a co-lead sees it, and whether it is already linked."""

    kind: str  # "answer" or "point"
    pk: int
    group: str
    region: str
    support: str = ""
    stance: str = ""
    about: str = ""  # a point's recommendation code, or "" for a general point
    comment: str = ""
    proposed_text: str = ""
    diff: list = field(default_factory=list)
    diff_language: str = ""
    linked_in: list = field(default_factory=list)
    checked: bool = False


def feedback_rows(recommendation, checked_answers=(), checked_points=()):
    """(answers, points) to choose from: current visible answers of counted respondents with a
    comment or a rewording, and visible points on this recommendation or general."""
    consultation = recommendation.consultation
    linked: dict[tuple[str, int], list[int]] = {}
    for answer_id, point_id, number in RevisionLink.objects.filter(
        version__recommendation=recommendation
    ).values_list("answer_id", "point_id", "version__number"):
        key = ("answer", answer_id) if answer_id else ("point", point_id)
        linked.setdefault(key, []).append(number)
    texts = recommendation.texts()
    answers = []
    for answer in (
        Answer.objects.filter(
            recommendation=recommendation,
            is_current=True,
            hidden_at__isnull=True,
            respondent__in=counted_respondents(consultation),
        )
        .exclude(comment="", proposed_text="")
        .select_related("respondent__session")
        .order_by("respondent__session__starts_at", "respondent__stakeholder_group", "pk")
    ):
        respondent = answer.respondent
        row = FeedbackRow(
            kind="answer",
            pk=answer.pk,
            group=respondent.get_stakeholder_group_display(),
            region=respondent.session.region if respondent.session else "",
            support=answer.get_support_display() if answer.support is not None else "",
            comment=answer.comment,
            proposed_text=answer.proposed_text,
            linked_in=sorted(linked.get(("answer", answer.pk), [])),
            checked=answer.pk in checked_answers,
        )
        if answer.proposed_text:
            current, row.diff_language = summary.in_language(texts, answer.language, "text")
            row.diff = word_diff(current, answer.proposed_text)
        answers.append(row)
    points = [
        FeedbackRow(
            kind="point",
            pk=point.pk,
            group=point.get_stakeholder_group_display(),
            region=point.session.region,
            stance=point.get_stance_display(),
            about=recommendation.code if point.recommendation_id else "",
            comment=point.note,
            linked_in=sorted(linked.get(("point", point.pk), [])),
            checked=point.pk in checked_points,
        )
        for point in CapturedPoint.objects.filter(
            Q(recommendation=recommendation) | Q(recommendation__isnull=True),
            session__consultation=consultation,
            hidden_at__isnull=True,
        )
        .select_related("session")
        .order_by("session__starts_at", "created_at", "pk")
    ]
    return answers, points


def _ids(form, name) -> set[int]:
    try:
        return {int(v) for v in form.data.getlist(name)} if form.is_bound else set()
    except ValueError:
        return set()


def _revise_page(request, recommendation, *, form=None, keep_form=None, status=200):
    language = get_language() or "en"
    current = recommendation.current_version()
    form = form or RevisionForm(recommendation=recommendation)
    keep_form = keep_form or KeepForm()
    answers, points = feedback_rows(recommendation, _ids(form, "answers"), _ids(form, "points"))
    found = summary.decision(
        summary.with_history(Recommendation.objects.filter(pk=recommendation.pk)).get()
    )
    errors = _error_list(form) + _error_list(keep_form)
    return render(
        request,
        "revisions/revise.html",
        {
            "consultation": recommendation.consultation,
            "recommendation": recommendation,
            "title": recommendation.title_in(language)[0],
            "text": recommendation.text_in(language),
            "current": current,
            "decision": found,
            "status_label": summary.status_labels()[found.status],
            "form": form,
            "keep_form": keep_form,
            "answers": answers,
            "points": points,
            "errors": errors,
            "is_open": recommendation.consultation.is_open(),
        },
        status=status,
    )


def _error_list(form) -> list[tuple[str, str]]:
    """[(id of the field to jump to, message)] for the page's error summary."""
    if not form.is_bound:
        return []
    found = [("", str(e)) for e in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        anchor = f"{name}-heading" if name in ("answers", "points") else form[name].id_for_label
        found.extend((anchor, str(error)) for error in errors)
    return found


@co_lead_required
@require_http_methods(["GET", "POST"])
def revise(request, slug, code):
    recommendation = recommendation_for_revision(request, slug, code)
    if request.method != "POST":
        return _revise_page(request, recommendation)
    form = RevisionForm(request.POST, recommendation=recommendation)
    if form.is_valid():
        try:
            version = actions.revise_with_links(
                recommendation,
                form.texts(),
                by=request.user,
                rationale=form.cleaned_data["rationale"],
                answers=form.cleaned_data["answers"],
                points=form.cleaned_data["points"],
                based_on=form.cleaned_data["based_on"],
            )
        except (ValueError, ValidationError) as problem:
            recommendation.refresh_from_db()
            form.add_error(None, _message(problem))
        else:
            links = version.links.count()
            messages.success(
                request,
                ngettext(
                    "Saved as version %(number)d, with %(links)d feedback item linked.",
                    "Saved as version %(number)d, with %(links)d feedback items linked.",
                    links,
                )
                % {"number": version.number, "links": links},
            )
            return redirect("revisions-versions", slug=slug, code=recommendation.code)
    return _revise_page(request, recommendation, form=form, status=400)


def _message(problem) -> str:
    if isinstance(problem, ValidationError):
        return " ".join(problem.messages)
    return str(problem)


@co_lead_required
@require_POST
def keep(request, slug, code):
    recommendation = recommendation_for_revision(request, slug, code)
    keep_form = KeepForm(request.POST)
    if keep_form.is_valid():
        try:
            actions.keep_with_reason(
                recommendation, by=request.user, reason=keep_form.cleaned_data["reason"]
            )
        except ValueError as problem:
            keep_form.add_error("reason", str(problem))
        else:
            messages.success(request, _("Recorded: the text is kept as it stands."))
            return redirect("revisions", slug=slug)
    return _revise_page(request, recommendation, keep_form=keep_form, status=400)


# --- the version history --------------------------------------------------------------------


def language_changes(before: dict, after: dict) -> list[dict]:
    """Per language whose title or text changed: word diffs from `before` to `after`."""
    changes = []
    for lang in SUPPORTED_LANGUAGES:
        old, new = before.get(lang, {}), after.get(lang, {})
        title = word_diff(old.get("title", ""), new.get("title", ""))
        text = word_diff(old.get("text", ""), new.get("text", ""))
        if has_changes(title) or has_changes(text):
            changes.append(
                {
                    "language": lang,
                    "name": LANGUAGE_NAMES.get(lang, lang),
                    "title": title if has_changes(title) else None,
                    "text": text,
                    "text_changed": has_changes(text),
                }
            )
    return changes


@co_lead_required
@require_GET
def versions(request, slug, code):
    recommendation = recommendation_for_revision(request, slug, code)
    language = get_language() or "en"
    history = list(
        recommendation.versions.select_related("changed_by")
        .prefetch_related(
            "links__answer__respondent__session",
            "links__point__session",
            "kept_decisions__decided_by",
        )
        .order_by("number")
    )
    entries = []
    previous = None
    for version in history:
        first_title, _title_language = summary.in_language(version.texts, language, "title")
        first_text, first_text_language = summary.in_language(version.texts, language, "text")
        entries.append(
            {
                "version": version,
                "by": person(version.changed_by),
                "changes": language_changes(previous.texts, version.texts) if previous else None,
                "title": first_title,
                "text": first_text,
                "text_language": first_text_language,
                "fell_back": first_text_language != language,
                "links": [_link_row(link) for link in version.links.all()],
                "kept": [
                    {"decision": k, "by": person(k.decided_by)}
                    for k in version.kept_decisions.all()
                ],
            }
        )
        previous = version
    entries.reverse()
    return render(
        request,
        "revisions/versions.html",
        {
            "consultation": recommendation.consultation,
            "recommendation": recommendation,
            "title": recommendation.title_in(language)[0],
            "entries": entries,
            "may_revise": can_revise(request.user, recommendation),
        },
    )


def _link_row(link) -> dict:
    """A linked item without personal data; a hidden one without its content either."""
    item = link.answer if link.answer_id else link.point
    if item.hidden_at is not None:
        return {"kind": "answer" if link.answer_id else "point", "hidden": True, "note": link.note}
    return {**summary.feedback_item(link), "hidden": False}
