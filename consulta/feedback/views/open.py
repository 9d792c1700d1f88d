"""Open written submissions: the public form, "check your e-mail" and the confirmation link.

The form has two parts: who is writing (`IdentityForm`) and one small `AnswerForm` per
recommendation, prefixed with the recommendation's code. The write path is
`consulta.feedback.submissions`.
"""

import re
import secrets
from dataclasses import dataclass

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from consulta.consultations.models import Consultation, Pillar, Recommendation
from consulta.feedback.actions import DuplicateSubmission, FeedbackClosed, live_recommendations
from consulta.feedback.models import Priority, Support
from consulta.feedback.submissions import (
    NothingAnswered,
    confirm_open_submission,
    has_answer,
    respondent_for_token,
    start_open_submission,
)
from consulta.front.views import published_consultation
from consulta.lib.languages import SUPPORTED_LANGUAGES
from consulta.registrations.forms import ContributorForm
from consulta.registrations.models import Attribution
from consulta.registrations.views.public import too_many_attempts

SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TEXT_LIMIT = 5000


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


class IdentityForm(ContributorForm):
    """Who is writing. Personal data (e-mail, organisation) is shown to organisers only."""

    field_order = [
        "email",
        "organisation",
        "stakeholder_group",
        "country",
        "language",
        "attribution",
        "consent",
        "website",
        "submission_key",
    ]

    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        max_length=254,
        help_text=gettext_lazy(
            "We e-mail you a link to confirm your submission: it counts only once confirmed."
        ),
    )
    organisation = forms.CharField(
        label=gettext_lazy("Organisation"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Optional, unless you want your contributions attributed to your organisation."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Preferred language"),
        help_text=gettext_lazy("The language of the e-mail we send you."),
    )
    # Sent back with the form: the same key twice (double click, retry) is one submission.
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "en"
        # Each language in its own name, so that its readers recognise it.
        self.fields["language"].choices = [
            (code, get_language_info(code)["name_local"]) for code in SUPPORTED_LANGUAGES
        ]
        self.fields["language"].initial = language if language in SUPPORTED_LANGUAGES else "en"
        self.fields["submission_key"].initial = new_submission_key()
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"

    def clean_submission_key(self):
        key = self.cleaned_data.get("submission_key", "")
        # A missing or mangled key cannot be fixed by the person: give the submission its own.
        return key if SUBMISSION_KEY.match(key) else new_submission_key()

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("attribution") == Attribution.ORGANISATION
            and not (cleaned.get("organisation") or "").strip()
        ):
            self.add_error(
                "organisation",
                _("Give your organisation, or choose to be reported by stakeholder group only."),
            )
        return cleaned


def _support_choices():
    """Strongly disagree … strongly agree, then "no opinion"."""
    scale = [(value, label) for value, label in Support.choices if value != Support.NO_OPINION]
    return [*scale, (Support.NO_OPINION.value, Support.NO_OPINION.label)]


class AnswerForm(forms.Form):
    """One recommendation's answer; every field optional. Prefixed with the code (MM-1-…)."""

    support = forms.TypedChoiceField(
        choices=_support_choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    priority = forms.TypedChoiceField(
        choices=Priority.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )
    proposed_text = forms.CharField(
        required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, recommendation: Recommendation, **kwargs):
        super().__init__(*args, prefix=recommendation.code, **kwargs)
        self.recommendation = recommendation
        code = {"code": recommendation.code}
        self.fields["support"].label = _("Do you support %(code)s?") % code
        self.fields["priority"].label = _("Priority of %(code)s") % code
        self.fields["comment"].label = _("Comment on %(code)s") % code
        self.fields["proposed_text"].label = _("Proposed rewording of %(code)s") % code
        self.fields["proposed_text"].help_text = _(
            "Optional: the recommendation as you would word it."
        )


@dataclass
class Item:
    """A recommendation as the page shows it, with its form."""

    recommendation: Recommendation
    form: AnswerForm
    title: str
    title_language: str
    text: str
    text_language: str

    @property
    def fell_back(self) -> bool:
        """Whether the title or text is shown in English for want of a translation."""
        return {self.title_language, self.text_language} != {get_language()}


@dataclass
class PillarItems:
    pillar: Pillar
    items: list[Item]


@dataclass
class Problem:
    """One line of the error summary: where to go and what is wrong."""

    anchor: str
    label: str
    message: str


def _recommendations(consultation: Consultation) -> list[Recommendation]:
    return list(
        live_recommendations(consultation)
        .select_related("pillar")
        .order_by("pillar__order", "pillar__pk", "order", "pk")
    )


def _item(recommendation: Recommendation, form: AnswerForm, language: str) -> Item:
    title, title_language = recommendation.title_in(language)
    text, text_language = recommendation.text_in(language)
    return Item(recommendation, form, title, title_language, text, text_language)


def _by_pillar(answer_forms: list[AnswerForm], language: str) -> list[PillarItems]:
    grouped: list[PillarItems] = []
    for form in answer_forms:
        pillar = form.recommendation.pillar
        if not grouped or grouped[-1].pillar.pk != pillar.pk:
            grouped.append(PillarItems(pillar, []))
        grouped[-1].items.append(_item(form.recommendation, form, language))
    return grouped


def _problems(form: forms.Form) -> list[Problem]:
    problems = []
    for field in form:
        if field.is_hidden:
            continue
        radios = isinstance(field.field.widget, forms.RadioSelect)
        anchor = f"{field.auto_id}_0" if radios else field.id_for_label
        problems.extend(Problem(anchor, str(field.label), str(e)) for e in field.errors)
    return problems


def _closed(request, consultation, *, status=200):
    return render(
        request, "feedback/open/closed.html", {"consultation": consultation}, status=status
    )


@require_http_methods(["GET", "POST"])
def submit(request, slug):
    """The open submission form; a valid one is stored unconfirmed and the link e-mailed."""
    consultation = published_consultation(request, slug)
    posted = request.method == "POST"
    if not consultation.is_open():
        return _closed(request, consultation, status=409 if posted else 200)
    if posted and too_many_attempts(request):
        response = render(
            request, "feedback/open/slow_down.html", {"consultation": consultation}, status=429
        )
        response["Retry-After"] = "3600"
        return response
    data = request.POST if posted else None
    identity = IdentityForm(data)
    if posted and identity.is_bot():
        return redirect("open-submission-sent", slug=slug)
    answer_forms = [AnswerForm(data, recommendation=r) for r in _recommendations(consultation)]
    nothing_answered = False
    if posted:
        answers_valid = all([form.is_valid() for form in answer_forms])
        nothing_answered = answers_valid and not any(
            has_answer(form.cleaned_data) for form in answer_forms
        )
        if identity.is_valid() and answers_valid and not nothing_answered:
            language = get_language()
            answers = {
                form.recommendation: {**form.cleaned_data, "language": language}
                for form in answer_forms
            }
            try:
                start_open_submission(
                    consultation,
                    identity.cleaned_data,
                    answers,
                    submission_key=identity.cleaned_data["submission_key"],
                )
            except FeedbackClosed:
                return _closed(request, consultation, status=409)
            except DuplicateSubmission:
                pass  # a parallel request with the same key stored it first
            except NothingAnswered:
                nothing_answered = True
            if not nothing_answered:
                # The same page whatever happened, so that nobody learns from it whether an
                # address was used before.
                return redirect("open-submission-sent", slug=slug)
    problems = _problems(identity) if posted else []
    for form in answer_forms:
        problems.extend(_problems(form))
    if nothing_answered:
        problems.append(Problem("answers", _("Your views"), nothing_answered_message()))
    context = {
        "consultation": consultation,
        "identity": identity,
        "pillars": _by_pillar(answer_forms, get_language()),
        "nothing_answered": nothing_answered,
        "nothing_answered_message": nothing_answered_message(),
        "any_illustrative": any(form.recommendation.illustrative for form in answer_forms),
        "problems": problems,
    }
    return render(request, "feedback/open/form.html", context, status=400 if posted else 200)


def nothing_answered_message() -> str:
    return _(
        "Give at least one answer: your support, a priority, a comment or a proposed rewording "
        "on any recommendation."
    )


def sent(request, slug):
    """'Check your e-mail': the same whether the submission was new, repeated or a robot's."""
    consultation = published_consultation(request, slug)
    return render(request, "feedback/open/sent.html", {"consultation": consultation})


@require_http_methods(["GET", "POST"])
def confirm(request, slug, token):
    """GET shows a button (mail scanners that follow links confirm nothing); POST confirms."""
    respondent = respondent_for_token(token)
    if (
        respondent is None
        or respondent.consultation.slug != slug
        or respondent.consultation.status == Consultation.Status.DRAFT
    ):
        raise Http404
    consultation = respondent.consultation
    context = {"consultation": consultation}
    if request.method == "POST":
        try:
            confirm_open_submission(respondent)
        except FeedbackClosed:
            response = render(request, "feedback/open/confirm_closed.html", context, status=409)
        else:
            return redirect(request.path)
    elif respondent.confirmed_at is not None:
        response = render(request, "feedback/open/confirmed.html", context)
    elif not consultation.is_open():
        response = render(request, "feedback/open/confirm_closed.html", context)
    else:
        context["answer_count"] = respondent.answers.filter(is_current=True).count()
        response = render(request, "feedback/open/confirm.html", context)
    # The address is a secret: keep it and the page out of shared caches.
    response["Cache-Control"] = "private, no-store"
    return response
