"""A participant's feedback, reached through their personal link: one page per pillar with a
form per recommendation, a summary of their answers, and "which should come first?".

Everything is scoped by the token: the registration it belongs to, that registration's
respondent and its consultation's recommendations (named by code in URLs). Writes go through
`consulta.feedback.actions`; a request with `Accept: application/json` (answers.js) gets JSON.
"""

import copy
import re
import uuid
from dataclasses import dataclass, field

from django import forms
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from consulta.consultations.models import Consultation, Recommendation
from consulta.feedback import actions
from consulta.feedback.diff import Segment, has_changes, word_diff
from consulta.feedback.models import Answer, Priority, Respondent, Support
from consulta.feedback.views.notices import redirect_with_notice, shown, take_notice
from consulta.registrations.links import registration_and_recommendation, registration_for_token
from consulta.registrations.models import Registration

MAX_TEXT = 5000
SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def closed_message() -> str:
    return _("The consultation is closed: answers can no longer be changed.")


def cancelled_message() -> str:
    return _("Your registration is cancelled: you can no longer give feedback with this link.")


# ---------------------------------------------------------------------------------------------
# Access: the one helper every view goes through.


@dataclass
class Participant:
    """The person behind a personal link, as the feedback pages need them."""

    token: str
    registration: Registration
    consultation: Consultation

    def is_active(self) -> bool:
        """Registered or waiting for a seat: only they may answer."""
        return self.registration.is_active()

    def can_answer(self) -> bool:
        """Active, and the consultation still takes changes."""
        return self.is_active() and self.consultation.is_open()

    def respondent(self) -> Respondent | None:
        """Their respondent if they answered anything before (read only: nothing is created)."""
        return actions.existing_respondent(self.registration)


def participant_or_404(token: str) -> Participant:
    """The participant a token belongs to; a forged, altered or revoked token is a 404."""
    registration = registration_for_token(token)
    if registration is None:
        raise Http404
    return Participant(token, registration, registration.session.consultation)


def participant_and_recommendation_or_404(
    token: str, code: str
) -> tuple[Participant, Recommendation]:
    """The participant, and the live recommendation of their own consultation with this code,
    in one query; either missing is a 404."""
    registration, recommendation = registration_and_recommendation(token, code)
    if registration is None or recommendation is None:
        raise Http404
    return Participant(token, registration, registration.session.consultation), recommendation


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def json_error(code: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, **extra}}, status=status)


def refuse_cancelled(request, participant: Participant):
    """A cancelled registration sees why it can no longer answer (403)."""
    if wants_json(request):
        return json_error("cancelled", cancelled_message(), 403)
    context = page_context(participant, current="")
    return render(request, "feedback/participant/cancelled.html", context, status=403)


def page_context(participant: Participant, current: str, pillars=None) -> dict:
    """What every feedback page shows: the consultation, the navigation, the closed notice."""
    return {
        "token": participant.token,
        "consultation": participant.consultation,
        "registration": participant.registration,
        "pillars": pillars if pillars is not None else list(participant.consultation.pillars.all()),
        "current": current,
        "can_answer": participant.can_answer(),
        "closed": not participant.consultation.is_open(),
        "closed_message": closed_message(),
    }


# ---------------------------------------------------------------------------------------------
# The answer form and how one recommendation is shown.


def scale_choices(choices) -> list[tuple[str, str]]:
    return [("", "")] + [(str(value), label) for value, label in choices]


class ScaleField(forms.TypedChoiceField):
    """A choice among a scale that never changes: every form shares the scale's choices.

    Django copies a choice field's choices, and its widget's, for every form it builds (so
    that one form may change its own), and that copying was an eighth of the CPU of saving an
    answer through the form. Nothing changes these choices in place; a form that wants others
    assigns new ones, which replaces them on its own copy of the field only."""

    def __deepcopy__(self, memo):
        result = copy.copy(self)
        memo[id(self)] = result
        result.widget = copy.copy(self.widget)
        result.widget.attrs = self.widget.attrs.copy()
        result.error_messages = self.error_messages.copy()
        result.validators = self.validators[:]
        return result


class AnswerForm(forms.Form):
    """One recommendation's answer; every field optional, the submission key required."""

    support = ScaleField(
        choices=scale_choices(Support.choices),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a level of support from the list.")},
    )
    priority = ScaleField(
        choices=scale_choices(Priority.choices),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a priority from the list.")},
    )
    comment = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_TEXT,
        error_messages={
            "max_length": gettext_lazy(
                "Keep the comment to %(limit_value)d characters or fewer (it has %(show_value)d)."
            )
        },
    )
    proposed_text = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_TEXT,
        error_messages={
            "max_length": gettext_lazy(
                "Keep the rewording to %(limit_value)d characters or fewer (it has %(show_value)d)."
            )
        },
    )
    submission_key = forms.CharField(
        error_messages={"required": gettext_lazy("This form is out of date: reload the page.")},
    )

    def clean_submission_key(self):
        key = self.cleaned_data["submission_key"]
        if not SUBMISSION_KEY.match(key):
            raise forms.ValidationError(_("This form is out of date: reload the page."))
        return key

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in actions.ANSWER_FIELDS}


def initial_values(answer: Answer | None) -> dict:
    if answer is None:
        return {}
    return {name: getattr(answer, name) for name in actions.ANSWER_FIELDS}


# Options in the order a reader expects them: disagree to agree, then the ways to abstain.
SUPPORT_OPTIONS = [
    Support.STRONGLY_DISAGREE,
    Support.DISAGREE,
    Support.NEUTRAL,
    Support.AGREE,
    Support.STRONGLY_AGREE,
    Support.NO_OPINION,
]
PRIORITY_OPTIONS = [Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.ESSENTIAL]


@dataclass
class Option:
    id: str
    value: str
    label: str
    checked: bool


@dataclass
class RecommendationCard:
    """One recommendation on a participant's page: its wording, their answer, their form."""

    recommendation: Recommendation
    title: str
    title_language: str
    text: str
    text_language: str
    language: str
    answer: Answer | None
    form: AnswerForm | None = None
    submission_key: str = ""
    notice: str = ""
    notice_is_error: bool = False
    diff: list[Segment] = field(default_factory=list)
    diff_language: str = ""

    @property
    def code(self) -> str:
        return self.recommendation.code

    @property
    def illustrative(self) -> bool:
        return self.recommendation.illustrative

    @property
    def title_fell_back(self) -> bool:
        return self.title_language != self.language

    @property
    def text_fell_back(self) -> bool:
        return self.text_language != self.language

    @property
    def fell_back(self) -> bool:
        return self.title_fell_back or self.text_fell_back

    @property
    def answered(self) -> bool:
        return self.answer is not None and not self.answer.is_empty()

    @property
    def rewording_unchanged(self) -> bool:
        """A rewording was saved, and it is the current text word for word."""
        return bool(self.diff) and not has_changes(self.diff)

    @property
    def field_id(self) -> str:
        return f"a-{self.code}"

    def _options(self, name: str, members) -> list[Option]:
        value = self.form[name].value() if self.form is not None else None
        chosen = "" if value is None else str(value)
        options = [
            Option(f"{self.field_id}-{name}-{member.value}", str(member.value), member.label, False)
            for member in members
        ]
        options.append(Option(f"{self.field_id}-{name}-none", "", _("Not answered"), False))
        for option in options:
            option.checked = option.value == chosen
        return options

    def support_options(self) -> list[Option]:
        return self._options("support", SUPPORT_OPTIONS)

    def priority_options(self) -> list[Option]:
        return self._options("priority", PRIORITY_OPTIONS)

    def value(self, name: str) -> str:
        return (self.form[name].value() or "") if self.form is not None else ""

    def comment_value(self) -> str:
        return self.value("comment")

    def proposed_text_value(self) -> str:
        return self.value("proposed_text")

    def errors(self) -> dict[str, list[str]]:
        if self.form is None or not self.form.is_bound:
            return {}
        return {name: list(messages) for name, messages in self.form.errors.items()}

    def error_list(self) -> list[tuple[str, str, str]]:
        """(field name, anchor of the control, message) for the page's error summary."""
        anchors = {
            "support": f"{self.field_id}-support-{SUPPORT_OPTIONS[0].value}",
            "priority": f"{self.field_id}-priority-{PRIORITY_OPTIONS[0].value}",
            "comment": f"{self.field_id}-comment",
            "proposed_text": f"{self.field_id}-proposed_text",
            "submission_key": f"{self.field_id}-save",
        }
        return [
            (name, anchors.get(name, self.field_id), message)
            for name, messages in self.errors().items()
            for message in messages
        ]


def recommendation_card(
    recommendation: Recommendation,
    language: str,
    answer: Answer | None,
    *,
    editable: bool,
    bound: AnswerForm | None = None,
) -> RecommendationCard:
    title, title_language = recommendation.title_in(language)
    text, text_language = recommendation.text_in(language)
    card = RecommendationCard(
        recommendation=recommendation,
        title=title,
        title_language=title_language,
        text=text,
        text_language=text_language,
        language=language,
        answer=answer,
    )
    if answer is not None and answer.proposed_text:
        card.diff_language = answer.language or language
        current, card.diff_language = recommendation.text_in(card.diff_language)
        card.diff = word_diff(current, answer.proposed_text)
    if editable:
        card.form = bound or AnswerForm(initial=initial_values(answer))
        card.submission_key = uuid.uuid4().hex
    return card


def current_answers(respondent: Respondent | None, recommendations) -> dict[int, Answer]:
    if respondent is None:
        return {}
    return {
        answer.recommendation_id: answer
        for answer in Answer.objects.filter(
            respondent=respondent, is_current=True, recommendation__in=recommendations
        ).order_by()
    }


# ---------------------------------------------------------------------------------------------
# Pages.


@never_cache
def overview(request, token):
    """The pillars, and how many of each pillar's recommendations the participant answered."""
    participant = participant_or_404(token)
    if not participant.is_active():
        return refuse_cancelled(request, participant)
    live = ~Q(recommendations__status=Recommendation.Status.WITHDRAWN)
    pillars = list(
        participant.consultation.pillars.annotate(total=Count("recommendations", filter=live))
    )
    respondent = participant.respondent()
    answered = {}
    if respondent is not None:
        answered = dict(
            respondent.answers.filter(is_current=True)
            .exclude(recommendation__status=Recommendation.Status.WITHDRAWN)
            .filter(
                Q(support__isnull=False)
                | Q(priority__isnull=False)
                | ~Q(comment="")
                | ~Q(proposed_text="")
            )
            .values_list("recommendation__pillar")
            .annotate(n=Count("id"))
        )
    rows = [{"pillar": p, "total": p.total, "answered": answered.get(p.pk, 0)} for p in pillars]
    context = page_context(participant, current="overview", pillars=pillars)
    context["rows"] = rows
    return render(request, "feedback/participant/overview.html", context)


def pillar_page(
    request,
    participant: Participant,
    pillar_code: str,
    *,
    bound: tuple[str, AnswerForm] | None = None,
    status: int = 200,
    message: str = "",
):
    """Render a pillar's page; `bound` puts a submitted form (with its errors) back in place."""
    pillars = list(participant.consultation.pillars.all())
    pillar = next((p for p in pillars if p.code == pillar_code), None)
    if pillar is None:
        raise Http404
    language = get_language()
    recommendations = list(
        pillar.recommendations.exclude(status=Recommendation.Status.WITHDRAWN).order_by("order")
    )
    answers = current_answers(participant.respondent(), recommendations)
    editable = participant.can_answer()
    notice = take_notice(request) if status == 200 else None
    cards = []
    for recommendation in recommendations:
        form = bound[1] if bound and bound[0] == recommendation.code else None
        card = recommendation_card(
            recommendation, language, answers.get(recommendation.pk), editable=editable, bound=form
        )
        if notice and notice.get("code") == recommendation.code:
            card.notice, card.notice_is_error = notice["message"], notice.get("error", False)
        cards.append(card)
    context = page_context(participant, current=pillar.code, pillars=pillars)
    context |= {
        "pillar": pillar,
        "cards": cards,
        "message": message,
        "errors": [(card, card.error_list()) for card in cards if card.error_list()],
        "any_illustrative": any(card.illustrative for card in cards),
    }
    response = render(request, "feedback/participant/pillar.html", context, status=status)
    return shown(request, response) if notice is not None else response


@never_cache
def pillar(request, token, pillar_code):
    participant = participant_or_404(token)
    if not participant.is_active():
        return refuse_cancelled(request, participant)
    return pillar_page(request, participant, pillar_code)


def pillar_url(participant: Participant, recommendation: Recommendation) -> str:
    url = reverse(
        "participant_feedback:pillar",
        kwargs={"token": participant.token, "pillar_code": recommendation.pillar.code},
    )
    return f"{url}#rec-{recommendation.code}"


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token, code):
    """Save one recommendation's answer; back to its place on the pillar page, or JSON."""
    participant, recommendation = participant_and_recommendation_or_404(token, code)
    if request.method == "GET":  # e.g. reloading the page shown after an invalid answer
        return redirect(pillar_url(participant, recommendation))
    if not participant.is_active():
        return refuse_cancelled(request, participant)
    if not participant.consultation.is_open():
        return refuse_closed(request, participant, recommendation)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return refuse_invalid(request, participant, recommendation, form)
    respondent = actions.respondent_for_registration(participant.registration)
    key = form.cleaned_data["submission_key"]
    try:
        saved = actions.record_answer(
            respondent,
            recommendation,
            form.values() | {"language": get_language()},
            submission_key=key,
            consultation=participant.consultation,  # read with the link, checked open above
        ).answer
    except actions.FeedbackClosed:
        return refuse_closed(request, participant, recommendation)
    except actions.NotAllowed:
        raise Http404 from None
    except actions.DuplicateSubmission:
        # A parallel request won: the same submission (a double click) counts as saved;
        # another one (a second window) did not overwrite it, and the participant is told.
        saved = (
            Answer.objects.filter(
                respondent=respondent, recommendation=recommendation, submission_key=key
            )
            .order_by()
            .first()
        )
        if saved is None:
            return refuse_saved_elsewhere(request, participant, recommendation)
    return answer_saved(request, participant, recommendation, saved)


def answer_saved(request, participant, recommendation, saved: Answer):
    message = _("Saved")
    if wants_json(request):
        card = recommendation_card(recommendation, get_language(), saved, editable=True, bound=None)
        diff_html = render_to_string(
            "feedback/participant/_diff.html", {"card": card}, request=request
        )
        return JsonResponse(
            {
                "saved": True,
                "message": message,
                "code": recommendation.code,
                "submission_key": card.submission_key,
                "answer": {
                    "support": saved.support,
                    "priority": saved.priority,
                    "comment": saved.comment,
                    "proposed_text": saved.proposed_text,
                },
                "diff_html": diff_html,
            }
        )
    notice = {"code": recommendation.code, "message": message}
    return redirect_with_notice(pillar_url(participant, recommendation), notice)


def refuse_closed(request, participant, recommendation):
    """Nothing written; the page, now read only, says why (409)."""
    if wants_json(request):
        return json_error("closed", closed_message(), 409)
    return pillar_page(
        request, participant, recommendation.pillar.code, status=409, message=closed_message()
    )


def refuse_invalid(request, participant, recommendation, form: AnswerForm):
    """The pillar page again, the submitted answer in place with its errors (400)."""
    if wants_json(request):
        fields = {name: list(messages) for name, messages in form.errors.items()}
        message = _("Check your answer: it could not be saved.")
        return json_error("invalid", message, 400, fields=fields)
    return pillar_page(
        request,
        participant,
        recommendation.pillar.code,
        bound=(recommendation.code, form),
        status=400,
    )


def refuse_saved_elsewhere(request, participant, recommendation):
    message = _(
        "This answer was saved from another window at the same moment, and yours was not "
        "stored. Check the answer below and save it again if needed."
    )
    if wants_json(request):
        return json_error("saved_elsewhere", message, 409)
    notice = {"code": recommendation.code, "message": message, "error": True}
    return redirect_with_notice(pillar_url(participant, recommendation), notice)


@never_cache
def summary(request, token):
    """Every recommendation with the participant's current answer, or "Not answered"."""
    participant = participant_or_404(token)
    if not participant.is_active():
        return refuse_cancelled(request, participant)
    language = get_language()
    pillars = list(participant.consultation.pillars.all())
    recommendations = list(
        actions.live_recommendations(participant.consultation).select_related("pillar")
    )
    answers = current_answers(participant.respondent(), recommendations)
    groups = [
        {
            "pillar": pillar,
            "cards": [
                recommendation_card(r, language, answers.get(r.pk), editable=False)
                for r in recommendations
                if r.pillar_id == pillar.pk
            ],
        }
        for pillar in pillars
    ]
    context = page_context(participant, current="summary", pillars=pillars)
    context["groups"] = [group for group in groups if group["cards"]]
    return render(request, "feedback/participant/summary.html", context)


# ---------------------------------------------------------------------------------------------
# "Which should come first in the final report?"

CANT_DECIDE = "none"


@never_cache
@require_http_methods(["GET", "POST"])
def prioritise(request, token):
    participant = participant_or_404(token)
    if not participant.is_active():
        return refuse_cancelled(request, participant)
    if not participant.can_answer():
        status = 200 if request.method == "GET" else 409
        return prioritise_page(request, participant, None, status=status)
    respondent = actions.respondent_for_registration(participant.registration)
    if request.method == "GET":
        notice = take_notice(request)
        message = notice["message"] if notice and notice.get("code") == "pairwise" else ""
        return shown(request, prioritise_page(request, participant, respondent, message=message))
    return record_pairwise_choice(request, participant, respondent)


def record_pairwise_choice(request, participant, respondent):
    codes = [request.POST.get("first", ""), request.POST.get("second", "")]
    chosen_code = request.POST.get("chosen", "")
    key = request.POST.get("submission_key", "")
    found = {
        r.code: r
        for r in actions.live_recommendations(participant.consultation).filter(code__in=codes)
    }
    problem = ""
    if len(found) != 2 or chosen_code not in (*codes, CANT_DECIDE):
        problem = _("That pair is no longer offered: here is another one.")
    elif not SUBMISSION_KEY.match(key):
        problem = _("This form is out of date: here is a new pair.")
    if problem:
        return prioritise_page(request, participant, respondent, status=400, problem=problem)
    first, second = found[codes[0]], found[codes[1]]
    chosen = None if chosen_code == CANT_DECIDE else found[chosen_code]
    try:
        actions.record_choice(respondent, first, second, chosen, submission_key=key)
    except actions.FeedbackClosed:
        return prioritise_page(request, participant, None, status=409)
    except actions.NotAllowed:
        problem = _("That pair is no longer offered: here is another one.")
        return prioritise_page(request, participant, respondent, status=400, problem=problem)
    notice = {"code": "pairwise", "message": _("Your choice is recorded. Here is another pair.")}
    return redirect_with_notice("participant_feedback:prioritise", notice, token=participant.token)


@dataclass
class PairChoice:
    recommendation: Recommendation
    title: str
    fell_back: bool


def prioritise_page(
    request, participant, respondent, *, status=200, message: str = "", problem: str = ""
):
    language = get_language()
    pair = actions.next_pair(respondent) if respondent and participant.can_answer() else None
    choices = []
    if pair is not None:
        for recommendation in (pair.first, pair.second):
            title, title_language = recommendation.title_in(language)
            choices.append(PairChoice(recommendation, title, title_language != language))
    if respondent is None:
        respondent = participant.respondent()
    count = respondent.pairwise_choices.count() if respondent else 0
    context = page_context(participant, current="prioritise")
    context |= {
        "pair": choices,
        "submission_key": uuid.uuid4().hex,
        "count": count,
        "message": message,
        "problem": problem,
        "cant_decide": CANT_DECIDE,
        "refused": status == 409,
    }
    return render(request, "feedback/participant/prioritise.html", context, status=status)
