"""Organiser pages for feedback: the inbox with its filters and moderation, and closing the
consultation (importing is in `imports`).

Every view goes through `organiser_required` and `consultation_for_organiser`. Respondents'
names and e-mails appear on these pages only and are never logged. Every list is a fixed
number of queries, however many answers there are.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from consulta.consultations.models import Consultation
from consulta.feedback import actions
from consulta.feedback.models import (
    Answer,
    CapturedPoint,
    Channel,
    ModerationEntry,
    Stance,
)
from consulta.lib.countries import country_name
from consulta.permissions import consultation_for_organiser, organiser_required
from consulta.registrations.models import StakeholderGroup

PAGE_SIZE = 25
PREVIEW_ROWS = 20
PENDING_IMPORT = "consulta.pending-feedback-import"
GENERAL = "general"  # the recommendation filter's value for points on no recommendation
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# The inbox.


class InboxFilters(forms.Form):
    recommendation = forms.ChoiceField(label=_("Recommendation"), required=False)
    session = forms.ChoiceField(label=_("Region (session)"), required=False)
    group = forms.ChoiceField(
        label=_("Stakeholder group"),
        required=False,
        choices=[("", _("Any group")), *StakeholderGroup.choices],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any channel")), *Channel.choices]
    )
    stance = forms.ChoiceField(
        label=_("Stance (captured points)"),
        required=False,
        choices=[("", _("Any stance")), *Stance.choices],
    )
    hidden = forms.BooleanField(label=_("Show hidden items"), required=False)

    def __init__(self, data, *, recommendations, sessions):
        super().__init__(data)
        self.fields["recommendation"].choices = [
            (r.code, f"{r.code} {r.title_in(get_language())[0]}") for r in recommendations
        ] + [(GENERAL, gettext("General points (no recommendation)"))]
        self.fields["session"].choices = [("", _("Every region"))] + [
            (s.key, s.region) for s in sessions
        ]

    def valid_filters(self) -> dict:
        """The filters that were given and make sense; a wrong one is reported and ignored."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


def inbox_answers(consultation, filters: dict):
    """Current answers matching `filters` (recommendation aside), of every respondent."""
    answers = Answer.objects.filter(recommendation__consultation=consultation, is_current=True)
    if "stance" in filters or filters.get("channel") == Channel.LIVE_CAPTURE:
        answers = answers.none()  # answers have no stance; live capture gives points
    for name, lookup in (
        ("session", "respondent__session__key"),
        ("group", "respondent__stakeholder_group"),
        ("channel", "respondent__channel"),
    ):
        if name in filters:
            answers = answers.filter(**{lookup: filters[name]})
    if not filters.get("hidden"):
        answers = answers.filter(hidden_at__isnull=True)
    return answers


def inbox_points(consultation, filters: dict):
    points = CapturedPoint.objects.filter(session__consultation=consultation)
    if filters.get("channel", Channel.LIVE_CAPTURE) != Channel.LIVE_CAPTURE:
        points = points.none()
    for name, lookup in (
        ("session", "session__key"),
        ("group", "stakeholder_group"),
        ("stance", "stance"),
    ):
        if name in filters:
            points = points.filter(**{lookup: filters[name]})
    if not filters.get("hidden"):
        points = points.filter(hidden_at__isnull=True)
    return points


def _trail():
    return Prefetch(
        "moderation", queryset=ModerationEntry.objects.select_related("moderator").order_by("at")
    )


def _page(request, queryset, param: str):
    """One page of `queryset`, its number read from `param`, with links to its neighbours."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))
    page.object_list = list(page.object_list)

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}"

    page.previous_url = url(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = url(page.next_page_number()) if page.has_next() else ""
    return page


def _overview(recommendations, answers, points) -> list[dict]:
    """Per recommendation: counted answers, awaiting confirmation, captured points (3 queries
    in all, with the recommendations)."""
    counted = Count("pk", filter=Q(respondent__confirmed_at__isnull=False))
    waiting = Count("pk", filter=Q(respondent__confirmed_at__isnull=True))
    by_answer = {
        row["recommendation"]: row
        for row in answers.order_by()
        .values("recommendation")
        .annotate(counted=counted, waiting=waiting)
    }
    by_point = dict(
        points.order_by()
        .values("recommendation")
        .annotate(n=Count("pk"))
        .values_list("recommendation", "n")
    )
    language = get_language()
    rows = [
        {
            "code": r.code,
            "title": r.title_in(language)[0],
            "withdrawn": r.status == r.Status.WITHDRAWN,
            "answers": by_answer.get(r.pk, {}).get("counted", 0),
            "waiting": by_answer.get(r.pk, {}).get("waiting", 0),
            "points": by_point.get(r.pk, 0),
        }
        for r in recommendations
    ]
    rows.append(
        {
            "code": GENERAL,
            "title": gettext("General points (no recommendation)"),
            "withdrawn": False,
            "answers": 0,
            "waiting": 0,
            "points": by_point.get(None, 0),
        }
    )
    return rows


def _label(items, language: str) -> None:
    """Give each item its `country_label` and, for answers, the respondent's `identity`
    (organiser pages only): registration name, e-mail and organisation, or contact details."""
    for item in items:
        code = item.respondent.country if isinstance(item, Answer) else item.country
        item.country_label = f"{country_name(code, language)} ({code})" if code else ""
        if isinstance(item, Answer):
            respondent, registration = item.respondent, item.respondent.registration
            if registration is not None:
                parts = [registration.full_name(), registration.email, registration.organisation]
            else:
                parts = [respondent.email, respondent.organisation]
                if respondent.source_key and respondent.source_key != respondent.email:
                    parts.append(
                        gettext("id %(key)s in the imported file") % {"key": respondent.source_key}
                    )
            item.identity = " · ".join(part for part in parts if part)


@organiser_required
def inbox(request, slug):
    """Answers and captured points on one recommendation, filtered; moderation; closing."""
    consultation = consultation_for_organiser(request, slug)
    recommendations = list(consultation.recommendations.select_related("pillar"))
    sessions = list(consultation.sessions.all())
    data = request.GET.copy()
    if not data.get("recommendation") and recommendations:
        data["recommendation"] = recommendations[0].code
    form = InboxFilters(data, recommendations=recommendations, sessions=sessions)
    filters = form.valid_filters()
    answers, points = inbox_answers(consultation, filters), inbox_points(consultation, filters)
    overview = _overview(recommendations, answers, points)
    chosen = filters.get("recommendation") or (
        recommendations[0].code if recommendations else GENERAL
    )
    current = next((r for r in recommendations if r.code == chosen), None)
    if current is None:
        answers = answers.none()
        points = points.filter(recommendation__isnull=True)
    else:
        answers = answers.filter(recommendation=current)
        points = points.filter(recommendation=current)
    answers = answers.select_related(
        "recommendation", "respondent__session", "respondent__registration"
    ).prefetch_related(_trail())
    order = ("-created_at", "-pk")
    counted = _page(
        request, answers.filter(respondent__confirmed_at__isnull=False).order_by(*order), "page"
    )
    waiting = _page(
        request,
        answers.filter(respondent__confirmed_at__isnull=True).order_by(*order),
        "waiting_page",
    )
    captured = _page(
        request,
        points.select_related("session", "recommendation", "author", "attributed_to")
        .prefetch_related(_trail())
        .order_by(*order),
        "points_page",
    )
    language = get_language()
    for page in (counted, waiting, captured):
        _label(page.object_list, language)
    return render(
        request,
        "feedback/manage/inbox.html",
        {
            "consultation": consultation,
            "form": form,
            "filters": filters,
            "overview": overview,
            "current": current,
            "current_title": current.title_in(language)[0] if current else "",
            "counted": counted,
            "waiting": waiting,
            "captured": captured,
            "is_closed": consultation.status
            in (Consultation.Status.CLOSED, Consultation.Status.REPORTED),
            "is_open": consultation.is_open(),
        },
    )


# Moderation.


def _item(consultation, kind: str, pk: int):
    if kind == "answer":
        return get_object_or_404(
            Answer.objects.select_related("recommendation", "respondent"),
            pk=pk,
            recommendation__consultation=consultation,
        )
    if kind == "point":
        return get_object_or_404(
            CapturedPoint.objects.select_related("recommendation", "session"),
            pk=pk,
            session__consultation=consultation,
        )
    raise Http404


def _back_to(request, consultation) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("manage-feedback", args=[consultation.slug])


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the moderation trail; the item itself is never deleted."),
        error_messages={"required": _("Give a reason for hiding this item.")},
    )


@organiser_required
@require_http_methods(["GET", "POST"])
def hide(request, slug, kind, pk):
    """Hide an answer or a captured point, with a required reason; it stays stored."""
    consultation = consultation_for_organiser(request, slug)
    item = _item(consultation, kind, pk)
    form = HideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        actions.hide(item, request.user, form.cleaned_data["reason"])
        messages.success(request, gettext("The item is hidden; it is kept, with your reason."))
        return redirect(_back_to(request, consultation))
    return render(
        request,
        "feedback/manage/hide.html",
        {
            "consultation": consultation,
            "kind": kind,
            "item": item,
            "form": form,
            "next": _back_to(request, consultation),
        },
        status=400 if request.method == "POST" else 200,
    )


@organiser_required
@require_POST
def show_again(request, slug, kind, pk):
    consultation = consultation_for_organiser(request, slug)
    item = _item(consultation, kind, pk)
    if item.hidden_at is None:
        messages.info(request, gettext("This item is not hidden."))
    else:
        actions.show_again(item, request.user, request.POST.get("reason", "")[:1000])
        messages.success(request, gettext("The item is shown again."))
    return redirect(_back_to(request, consultation))


# Closing.


@organiser_required
@require_http_methods(["GET", "POST"])
def close(request, slug):
    """The inbox's "Close the consultation" button leads here; a second, explicit confirmation
    closes it."""
    consultation = consultation_for_organiser(request, slug)
    inbox_url = reverse("manage-feedback", args=[consultation.slug])
    if consultation.status in (Consultation.Status.CLOSED, Consultation.Status.REPORTED):
        messages.info(request, gettext("This consultation is already closed."))
        return redirect(inbox_url)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        actions.close_consultation(consultation, by=request.user)
        messages.success(
            request,
            gettext(
                "The consultation is closed: no more registrations, answers or captured points."
            ),
        )
        return redirect(inbox_url)
    counts = Answer.objects.filter(
        recommendation__consultation=consultation,
        is_current=True,
        respondent__confirmed_at__isnull=True,
    ).aggregate(waiting=Count("respondent", distinct=True))
    return render(
        request,
        "feedback/manage/close.html",
        {"consultation": consultation, "waiting": counts["waiting"]},
    )
