"""Moderators' live capture: points made in a session's discussion, typed while people speak.

Every view goes through `capture_required` and `session_for_capture` (capture_access.py);
writes go through `actions.capture_point`, `edit_point` and `delete_point`. A speaker is
recorded by stakeholder group and country; a name never appears, only the organisation of a
registration that allowed attribution. The list of points is a fixed number of queries,
however many points there are, and `points.json` is cheaper still when nothing changed.
"""

import hashlib
import uuid
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from consulta.accounts.views import PasswordLoginView
from consulta.consultations.models import Consultation
from consulta.feedback import actions
from consulta.feedback.capture_access import capture_required, session_for_capture
from consulta.feedback.models import CapturedPoint, Stance
from consulta.lib import clock
from consulta.lib.countries import country_choices
from consulta.meetings.models import Session
from consulta.permissions import is_organiser, sessions_for_capture
from consulta.registrations.models import Attribution, Registration, StakeholderGroup

GENERAL = "general"
SHORTCUT_KEYS = {
    "recommendation": "Alt+R",
    "stakeholder_group": "Alt+G",
    "country": "Alt+C",
    "attributed_to": "Alt+A",
    "note": "Alt+N",
}
NOTE_LIMIT = 1000
KEPT = ("recommendation", "stakeholder_group", "country")

# (keys, what they do); capture.js implements them, the capture page lists them.
SHORTCUTS = [
    ("Alt+1 … Alt+4", gettext_lazy("Choose the stance (in the order shown)")),
    ("Alt+R", gettext_lazy("Go to the recommendation")),
    ("Alt+G", gettext_lazy("Go to the stakeholder group")),
    ("Alt+C", gettext_lazy("Go to the country")),
    ("Alt+A", gettext_lazy("Go to “Attribute to”")),
    ("Alt+N", gettext_lazy("Go to the note")),
    ("Ctrl+Enter", gettext_lazy("Save the point (from any field)")),
]


# --- the form -------------------------------------------------------------------------------


class PointForm(forms.Form):
    """One point: recommendation (or general), speaker's group and country, stance, note."""

    recommendation = forms.ChoiceField(
        label=gettext_lazy("Recommendation"),
        error_messages={
            "required": gettext_lazy("Choose a recommendation, or General."),
            "invalid_choice": gettext_lazy(
                "Choose one of this consultation's recommendations, or General."
            ),
        },
    )
    stakeholder_group = forms.ChoiceField(
        label=gettext_lazy("Speaker's stakeholder group"),
        required=False,
        choices=[("", gettext_lazy("Choose a group")), *StakeholderGroup.choices],
        error_messages={"invalid_choice": gettext_lazy("Choose one of the stakeholder groups.")},
    )
    country = forms.ChoiceField(
        label=gettext_lazy("Speaker's country"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a country from the list.")},
    )
    attributed_to = forms.ChoiceField(
        label=gettext_lazy("Attribute to (optional)"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Choose an organisation from the list: only participants of this session "
                "who allowed attribution can be named."
            )
        },
    )
    stance = forms.ChoiceField(
        label=gettext_lazy("Stance"),
        choices=Stance.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose the stance."),
            "invalid_choice": gettext_lazy(
                "Choose one of the four stances: supports, concerns, proposes change, question."
            ),
        },
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy("Write a short note of the point made."),
            "max_length": gettext_lazy(
                "Keep the note to %(limit_value)d characters or fewer (it has %(show_value)d)."
            ),
        },
    )
    submission_key = forms.RegexField(
        regex=r"^[0-9a-f]{32}$",
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("The form was incomplete: please save the point again."),
            "invalid": gettext_lazy("The form was incomplete: please save the point again."),
        },
    )

    def __init__(self, data=None, *, session: Session, with_key: bool = True, **kwargs):
        super().__init__(data, **kwargs)
        self.session = session
        language = get_language() or "en"
        self.recommendations = {r.code: r for r in live_recommendations(session.consultation)}
        self.fields["recommendation"].choices = [
            (GENERAL, _("General")),
            *(
                (code, f"{code} — {r.title_in(language)[0]}")
                for code, r in self.recommendations.items()
            ),
        ]
        self.fields["country"].choices = [("", _("Not known")), *country_choices(language)]
        self.attributable = attributable_registrations(session)
        self.fields["attributed_to"].choices = [
            ("", _("Nobody: report by group and country only")),
            *((str(pk), row["organisation"]) for pk, row in self.attributable.items()),
        ]
        if not with_key:
            del self.fields["submission_key"]

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("attributed_to")
        speaker = self.attributable.get(int(chosen)) if chosen else None
        if not cleaned.get("stakeholder_group"):
            if speaker:
                cleaned["stakeholder_group"] = speaker["stakeholder_group"]
            elif "stakeholder_group" not in self.errors:
                self.add_error("stakeholder_group", _("Choose the speaker's stakeholder group."))
        if speaker and not cleaned.get("country"):
            cleaned["country"] = speaker["country"]
        return cleaned

    def values(self) -> dict:
        """What the actions store: ids rather than objects, and never a person's name."""
        data = self.cleaned_data
        code = data["recommendation"]
        return {
            "recommendation_id": None if code == GENERAL else self.recommendations[code].pk,
            "stakeholder_group": data["stakeholder_group"],
            "country": data["country"],
            "attributed_to_id": int(data["attributed_to"]) if data["attributed_to"] else None,
            "stance": data["stance"],
            "note": data["note"],
        }

    def prepare(self) -> str:
        """Shortcut, error and help attributes on the controls, and the focus: the first
        invalid field, else the note (ready for the next speaker). Returns the focused name."""
        for name, field in self.fields.items():
            attrs = field.widget.attrs
            if name in SHORTCUT_KEYS:
                attrs["aria-keyshortcuts"] = SHORTCUT_KEYS[name]
            described = [f"{name}-error"] if name in self.errors else []
            if name in ("note", "attributed_to"):
                described.append(f"{name}-help")
            if described:
                attrs["aria-describedby"] = " ".join(described)
            if name in self.errors:
                attrs["aria-invalid"] = "true"
        focus = next(
            (name for name in self.fields if name in self.errors and name != "submission_key"),
            "note",
        )
        if focus != "stance":
            self.fields[focus].widget.attrs["autofocus"] = True
        return focus


def live_recommendations(consultation: Consultation):
    """Every recommendation but the withdrawn ones, in the consultation's order."""
    return actions.live_recommendations(consultation).order_by("pillar__order", "order", "code")


def attributable_registrations(session: Session) -> dict[int, dict]:
    """{registration id: organisation, group, country} for this session's participants who
    allowed attribution to their organisation; one per organisation. Names are never read."""
    rows = (
        Registration.objects.filter(session=session, attribution=Attribution.ORGANISATION)
        .exclude(status=Registration.Status.CANCELLED)
        .exclude(organisation="")
        .order_by("organisation", "pk")
        .values("pk", "organisation", "stakeholder_group", "country")
    )
    found, seen = {}, set()
    for row in rows:
        name = row["organisation"].strip()
        if name.casefold() in seen:
            continue
        seen.add(name.casefold())
        found[row["pk"]] = {**row, "organisation": name}
    return found


def point_initial(point: CapturedPoint) -> dict:
    return {
        "recommendation": point.recommendation.code if point.recommendation_id else GENERAL,
        "stakeholder_group": point.stakeholder_group,
        "country": point.country,
        "attributed_to": str(point.attributed_to_id or ""),
        "stance": point.stance,
        "note": point.note,
    }


def kept_initial(request, form: PointForm) -> dict:
    """Recommendation, group and country of the previous point (next speaker, same topic)."""
    initial = {}
    for name in KEPT:
        value = request.GET.get(name, "")
        if value and value in {str(choice) for choice, _label in form.fields[name].choices}:
            initial[name] = value
    return initial


# --- the list of points ---------------------------------------------------------------------


@dataclass
class PointRow:
    id: int
    created_at: str
    time: str
    recommendation: str | None
    recommendation_label: str
    stakeholder_group: str
    stakeholder_group_label: str
    country: str
    country_label: str
    stance: str
    stance_label: str
    note: str
    hidden: bool
    attributed_to: str | None
    author: str
    can_change: bool
    edit_url: str | None
    delete_url: str | None


def session_points(session: Session):
    """The session's points, newest first, with what the list shows (one query, no names)."""
    return (
        CapturedPoint.objects.filter(session=session)
        .annotate(
            code=F("recommendation__code"),
            organisation=F("attributed_to__organisation"),
            author_name=F("author__username"),
        )
        .order_by("-created_at", "-pk")
    )


def point_rows(session: Session, user, capture_open: bool, points=None) -> list[PointRow]:
    """The points (default: all the session's) as the capture screen shows them."""
    language = get_language() or "en"
    countries = dict(country_choices(language))
    groups = dict(StakeholderGroup.choices)
    stances = dict(Stance.choices)
    args = [session.consultation.slug, session.key]
    rows = []
    for point in session_points(session) if points is None else points:
        can_change = capture_open and point.author_id == user.pk and point.hidden_at is None
        rows.append(
            PointRow(
                id=point.pk,
                created_at=point.created_at.isoformat(),
                time=clock.clock(point.created_at, session.timezone, language),
                recommendation=point.code,
                recommendation_label=point.code or _("General"),
                stakeholder_group=point.stakeholder_group,
                stakeholder_group_label=str(groups.get(point.stakeholder_group, "")),
                country=point.country,
                country_label=countries.get(point.country, point.country) or "—",
                stance=point.stance,
                stance_label=str(stances.get(point.stance, point.stance)),
                note="" if point.hidden_at else point.note,
                hidden=point.hidden_at is not None,
                attributed_to=point.organisation,
                author=point.author_name,
                can_change=can_change,
                edit_url=reverse("capture-edit", args=[*args, point.pk]) if can_change else None,
                delete_url=reverse("capture-delete", args=[*args, point.pk])
                if can_change
                else None,
            )
        )
    return rows


def points_etag(session: Session, user, capture_open: bool) -> str:
    """Changes whenever a point of the session is added, edited, deleted, hidden or shown
    again, or capture closes: one aggregate query."""
    summary = CapturedPoint.objects.filter(session=session).aggregate(
        count=Count("pk"),
        last_id=Max("pk"),
        last_change=Max("updated_at"),
        hidden=Count("hidden_at"),
        last_hidden=Max("hidden_at"),
    )
    parts = [*map(str, summary.values()), str(capture_open), str(user.pk), get_language() or ""]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def closed_message(session: Session) -> str:
    """Why points of this session can no longer be captured, edited or deleted."""
    if session.status == Session.Status.HELD:
        return _(
            "This session is marked as held: its points can no longer be captured, edited "
            "or deleted."
        )
    if session.consultation.status in (Consultation.Status.CLOSED, Consultation.Status.REPORTED):
        return _("The consultation is closed: points can no longer be captured, edited or deleted.")
    return _(
        "The consultation is not open for feedback at the moment: points cannot be captured, "
        "edited or deleted."
    )


def capture_url(session: Session, kept: dict | None = None) -> str:
    url = reverse("capture", args=[session.consultation.slug, session.key])
    kept = {k: v for k, v in (kept or {}).items() if v}
    return f"{url}?{urlencode(kept)}" if kept else url


def _point_or_404(session: Session, pk: int) -> CapturedPoint:
    point = (
        CapturedPoint.objects.select_related("session__consultation", "recommendation")
        .filter(session=session, pk=pk)
        .first()
    )
    if point is None:
        raise Http404
    return point


# --- views ----------------------------------------------------------------------------------


class CaptureLogin(PasswordLoginView):
    """Moderators are not staff: the admin's login would refuse them, so they log in here
    (with the same lock-out, two-factor and `next` checks as the admin's login)."""

    template_name = "feedback/capture/login.html"
    next_page = reverse_lazy("capture-sessions")


@capture_required
@require_GET
def sessions(request):
    """The sessions this user may capture: those of the consultations they organise, and those
    they moderate."""
    found = list(sessions_for_capture(request.user).annotate(point_count=Count("captured_points")))
    if not found and not is_organiser(request.user):
        raise PermissionDenied
    language = get_language() or "en"
    rows = [
        {
            "session": s,
            "when": clock.slot(s.starts_at, s.ends_at, s.timezone, language, s.timezone),
            "open": actions.session_capture_open(s),
        }
        for s in found
    ]
    return render(request, "feedback/capture/sessions.html", {"rows": rows})


def _capture_page(request, session, *, form=None, status=200, problem=""):
    capture_open = actions.session_capture_open(session)
    rows = point_rows(session, request.user, capture_open)
    autofocus = form.prepare() if form is not None and capture_open else ""
    kept = {name: request.GET.get(name, "") for name in KEPT}
    language = get_language() or "en"
    context = {
        "session": session,
        "consultation": session.consultation,
        "when": clock.slot(
            session.starts_at, session.ends_at, session.timezone, language, session.timezone
        ),
        "zone": clock.zone_label(session.timezone, session.starts_at, language),
        "form": form if capture_open else None,
        "autofocus": autofocus,
        "capture_open": capture_open,
        "closed_message": "" if capture_open else closed_message(session),
        "problem": problem,
        "rows": rows,
        "etag": points_etag(session, request.user, capture_open),
        "points_url": reverse("capture-points", args=[session.consultation.slug, session.key]),
        "refresh_url": capture_url(session, kept),
        "shortcuts": SHORTCUTS,
        "note_limit": NOTE_LIMIT,
    }
    return render(request, "feedback/capture/capture.html", context, status=status)


@capture_required
@require_http_methods(["GET", "POST"])
def capture(request, slug, key):
    """The capture screen: the form, the shortcuts and the session's points, newest first."""
    session = session_for_capture(request, slug, key)
    if request.method == "GET":
        form = PointForm(session=session)
        form.initial = {**kept_initial(request, form), "submission_key": uuid.uuid4().hex}
        return _capture_page(request, session, form=form)
    if not actions.session_capture_open(session):
        return _capture_page(request, session, status=409)
    form = PointForm(request.POST, session=session)
    if not form.is_valid():
        return _capture_page(request, session, form=_fresh_key(form), status=400)
    try:
        actions.capture_point(
            session, request.user, form.values(), submission_key=form.cleaned_data["submission_key"]
        )
    except actions.FeedbackClosed:
        return _capture_page(request, session, status=409)
    messages.success(request, _("Point saved."))
    return redirect(capture_url(session, {name: form.cleaned_data.get(name) for name in KEPT}))


def _fresh_key(form: PointForm) -> PointForm:
    """A re-rendered form gets a new submission key (nothing was stored with the old one)."""
    data = form.data.copy()
    data["submission_key"] = uuid.uuid4().hex
    form.data = data
    return form


@capture_required(as_json=True)
@require_GET
def points_json(request, slug, key):
    """The session's points, newest first. `?since=<etag>` answers `"changed": false` without
    listing them when nothing changed."""
    session = session_for_capture(request, slug, key)
    capture_open = actions.session_capture_open(session)
    etag = points_etag(session, request.user, capture_open)
    if request.GET.get("since") == etag:
        body = {"etag": etag, "changed": False, "capture_open": capture_open}
    else:
        rows = point_rows(session, request.user, capture_open)
        body = {
            "etag": etag,
            "changed": True,
            "capture_open": capture_open,
            "count": len(rows),
            "points": [asdict(row) for row in rows],
        }
    response = JsonResponse(body)
    response["Cache-Control"] = "private, no-store"
    return response


def _refusal(request, session, point, message, status):
    return render(
        request,
        "feedback/capture/refused.html",
        {"session": session, "point": point, "message": message, "back": capture_url(session)},
        status=status,
    )


def _check_change(request, session, point):
    """A refusal page if the user may not change `point` now, else None."""
    if point.author_id != request.user.pk:
        return _refusal(request, session, point, _("Only its author can change a point."), 403)
    if not actions.session_capture_open(session):
        return _refusal(request, session, point, closed_message(session), 409)
    if point.hidden_at is not None:
        return _refusal(
            request, session, point, _("An organiser hid this point: it can't be changed."), 403
        )
    return None


@capture_required
@require_http_methods(["GET", "POST"])
def edit(request, slug, key, pk):
    session = session_for_capture(request, slug, key)
    point = _point_or_404(session, pk)
    refused = _check_change(request, session, point)
    if refused:
        return refused
    form = PointForm(
        request.POST if request.method == "POST" else None,
        session=session,
        with_key=False,
        initial=point_initial(point),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_point(point, request.user, form.values())
        except actions.NotAllowed:
            return _refusal(request, session, point, _("Only its author can change a point."), 403)
        except actions.FeedbackClosed:
            return _refusal(request, session, point, closed_message(session), 409)
        messages.success(request, _("Point updated."))
        return redirect(capture_url(session))
    context = {
        "session": session,
        "point": point,
        "form": form,
        "autofocus": form.prepare(),
        "back": capture_url(session),
        "note_limit": NOTE_LIMIT,
    }
    status = 400 if form.is_bound else 200
    return render(request, "feedback/capture/edit.html", context, status=status)


@capture_required
@require_http_methods(["GET", "POST"])
def delete(request, slug, key, pk):
    session = session_for_capture(request, slug, key)
    point = _point_or_404(session, pk)
    refused = _check_change(request, session, point)
    if refused:
        return refused
    if request.method == "POST":
        try:
            actions.delete_point(point, request.user)
        except actions.NotAllowed:
            message = _("An organiser moderated this point: it can't be deleted.")
            return _refusal(request, session, point, message, 403)
        except actions.FeedbackClosed:
            return _refusal(request, session, point, closed_message(session), 409)
        messages.success(request, _("Point deleted."))
        return redirect(capture_url(session))
    (row,) = point_rows(session, request.user, True, session_points(session).filter(pk=point.pk))
    context = {"session": session, "point": point, "row": row, "back": capture_url(session)}
    return render(request, "feedback/capture/delete.html", context)
