"""Organiser pages for feedback: bulk import, the inbox with its filters and moderation, and
closing the consultation.

Every view goes through `organiser_required` and `consultation_for_organiser`. Respondents'
names and e-mails appear on these pages only and are never logged. Every list is a fixed
number of queries, however many answers there are.

An uploaded file waits for confirmation in the organiser's session (its bytes, name and
checksum, under a random token): confirming checks it again against the database as it is
then and writes it all in one transaction (`imports.import_file`), or nothing.
"""

import base64
import secrets
import tempfile
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from consulta.consultations.models import Consultation
from consulta.feedback import actions, imports
from consulta.feedback.models import (
    Answer,
    CapturedPoint,
    Channel,
    ModerationEntry,
    Priority,
    Stance,
    Support,
)
from consulta.lib.countries import country_choices, country_name
from consulta.lib.languages import SUPPORTED_LANGUAGES
from consulta.permissions import consultation_for_organiser, organiser_required
from consulta.registrations.exports import neutralise
from consulta.registrations.models import StakeholderGroup

PAGE_SIZE = 25
PREVIEW_ROWS = 20
PENDING_IMPORT = "consulta.pending-feedback-import"
GENERAL = "general"  # the recommendation filter's value for points on no recommendation
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# The import template and its documentation (the import page and the "How to fill" sheet).


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    required: str
    allowed: str
    example: str


def column_docs() -> list[ColumnDoc]:
    either = gettext("respondent_id or email")
    optional = gettext("no")
    return [
        ColumnDoc(
            "respondent_id",
            either,
            gettext(
                "Your identifier for the respondent, up to 200 characters. Rows with the same "
                "respondent_id are the answers of one respondent."
            ),
            "R-017",
        ),
        ColumnDoc(
            "email",
            either,
            gettext(
                "The respondent's e-mail address. When respondent_id is empty, rows with the "
                "same e-mail are one respondent."
            ),
            "focal.point@example.org",
        ),
        ColumnDoc(
            "stakeholder_group",
            gettext("yes, on every row"),
            gettext("A stakeholder group code from the list below."),
            StakeholderGroup.CIVIL_SOCIETY.value,
        ),
        ColumnDoc(
            "country",
            optional,
            gettext("ISO 3166-1 alpha-2 country code (list below), or empty."),
            "KE",
        ),
        ColumnDoc(
            "session",
            optional,
            gettext("The key of the regional session the respondent took part in, or empty."),
            "africa",
        ),
        ColumnDoc(
            "language",
            optional,
            gettext("The language of the answer: %(codes)s, or empty.")
            % {"codes": ", ".join(SUPPORTED_LANGUAGES)},
            "fr",
        ),
        ColumnDoc(
            "recommendation",
            gettext("yes"),
            gettext("The code of the recommendation answered (list below)."),
            "MM-1",
        ),
        ColumnDoc(
            "support",
            optional,
            gettext(
                "1 (strongly disagree) to 5 (strongly agree), 0 for no opinion, or the English "
                "words (strongly disagree, disagree, neither agree nor disagree, agree, "
                "strongly agree, no opinion), or empty."
            ),
            "4",
        ),
        ColumnDoc(
            "priority",
            optional,
            gettext("1 to 4, or low, medium, high, essential, or empty."),
            "high",
        ),
        ColumnDoc("comment", optional, gettext("Free text."), ""),
        ColumnDoc(
            "proposed_text",
            optional,
            gettext("A proposed rewording of the recommendation, in full."),
            "",
        ),
    ]


def general_rules() -> list[str]:
    return [
        gettext(
            "Each row is one answer on one recommendation. Rows with the same respondent_id "
            "(else the same email) belong to one respondent."
        ),
        gettext(
            "Each row needs at least one of support, priority, comment or proposed_text, and "
            "a respondent answers each recommendation at most once per file."
        ),
        gettext(
            "A respondent's country, session, language and e-mail may be given on one of its "
            "rows only; where several rows give them, they must agree."
        ),
        gettext(
            "Columns are found by their name in the first row, in any order and whatever their "
            "case or spacing; a column with another name stops the import."
        ),
        gettext(
            "Files: CSV in UTF-8 (with or without byte-order mark), separated by commas or "
            "semicolons, or an Excel workbook (.xlsx, first sheet); at most 5 MB."
        ),
        gettext(
            "Nothing is written until you confirm the preview; a file with any problem writes "
            "nothing, and every problem is listed with its row and column."
        ),
        gettext(
            "Importing the same file twice adds nothing. A respondent already imported (same "
            "respondent_id, else the same e-mail) cannot answer the same recommendation again."
        ),
    ]


def support_scale() -> list[tuple[int, str, str]]:
    words = {number: word for word, number in reversed(imports.SUPPORT_WORDS.items())}
    return [(value, label, words[value]) for value, label in Support.choices]


def priority_scale() -> list[tuple[int, str, str]]:
    words = {number: word for word, number in imports.PRIORITY_WORDS.items()}
    return [(value, label, words[value]) for value, label in Priority.choices]


def template_context(consultation: Consultation) -> dict:
    """What the import page and the XLSX template document, in the reader's language."""
    language = get_language()
    return {
        "columns": column_docs(),
        "rules": general_rules(),
        "groups": StakeholderGroup.choices,
        "sessions": list(consultation.sessions.values_list("key", "region")),
        "recommendations": [
            (r.code, r.title_in(language)[0])
            for r in actions.live_recommendations(consultation).select_related("pillar")
        ],
        "languages": _language_names(),
        "support_scale": support_scale(),
        "priority_scale": priority_scale(),
        "countries": country_choices(language),
    }


def _language_names():
    names = dict(settings.LANGUAGES)
    return [(code, names.get(code, code)) for code in SUPPORTED_LANGUAGES]


@organiser_required
def import_template(request, slug, fmt):
    """The empty template: CSV (header only) or XLSX (with a "How to fill" sheet)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    consultation = consultation_for_organiser(request, slug)
    name = f"{consultation.slug}-feedback-import-template"
    if fmt == "csv":
        response = HttpResponse(
            "\ufeff" + ",".join(imports.COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    _write_template_xlsx(template_context(consultation), target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX_TYPE)


def _write_template_xlsx(doc: dict, target) -> None:
    def cell(value):
        value = str(value) if value is not None else ""
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))

    workbook = Workbook()
    answers = workbook.active
    answers.title = "Answers"
    answers.append(list(imports.COLUMNS))
    answers.freeze_panes = "A2"
    how = workbook.create_sheet(gettext("How to fill")[:31])

    def section(title, head, rows):
        how.append([cell(title)])
        how.append([cell(h) for h in head])
        for row in rows:
            how.append([cell(value) for value in row])
        how.append([])

    how.append([cell(gettext("Fill in the “Answers” sheet: one row per answer."))])
    for rule in doc["rules"]:
        how.append([cell(rule)])
    how.append([])
    section(
        gettext("Columns"),
        [gettext("Column"), gettext("Required"), gettext("Allowed values"), gettext("Example")],
        [(c.name, c.required, c.allowed, c.example) for c in doc["columns"]],
    )
    section(gettext("Stakeholder groups"), [gettext("Code"), gettext("Group")], doc["groups"])
    section(gettext("Sessions"), [gettext("Key"), gettext("Region")], doc["sessions"])
    section(gettext("Recommendations"), [gettext("Code"), gettext("Title")], doc["recommendations"])
    section(gettext("Languages"), [gettext("Code"), gettext("Language")], doc["languages"])
    section(
        gettext("Support"),
        [gettext("Value"), gettext("Meaning"), gettext("Or the English words")],
        doc["support_scale"],
    )
    section(
        gettext("Priority"),
        [gettext("Value"), gettext("Meaning"), gettext("Or the English word")],
        doc["priority_scale"],
    )
    section(gettext("Countries"), [gettext("Code"), gettext("Country")], doc["countries"])
    for sheet in (answers, how):
        for letter in "ABCD":
            sheet.column_dimensions[letter].width = 28
    workbook.save(target)


# Uploading, previewing and confirming an import.


class ImportUpload(forms.Form):
    file = forms.FileField(
        label=_("File to import (CSV or XLSX)"),
        allow_empty_file=True,  # the parser says "The file is empty."
        widget=forms.FileInput(attrs={"accept": f".csv,.xlsx,text/csv,{XLSX_TYPE}"}),
        help_text=_("Filled in like the template; at most 5 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(gettext("The file is larger than 5 MB."))
        return upload


def _when(moment) -> str:
    moment = timezone.localtime(moment)
    return f"{formats.date_format(moment, 'j F Y')}, {moment:%H:%M} UTC"


def _already_imported_message(batch) -> str:
    return gettext(
        "This file was already imported on %(when)s (“%(filename)s”, %(rows)s answers); "
        "nothing was added."
    ) % {"when": _when(batch.imported_at), "filename": batch.filename, "rows": batch.rows}


def _problem_rows(error: imports.ImportProblems) -> list[dict]:
    return [
        {
            "row": problem.row,
            "column": problem.column + (f" ({problem.letter})" if problem.letter else ""),
            "reason": problem.translated(gettext),
        }
        for problem in error.problems
    ]


def _import_page(request, consultation, *, form=None, problems=(), notice="", status=200):
    return render(
        request,
        "feedback/manage/import.html",
        {
            "consultation": consultation,
            "form": form or ImportUpload(),
            "problems": problems,
            "notice": notice,
            "is_open": consultation.is_open(),
            "batches": consultation.imports.select_related("imported_by"),
            **template_context(consultation),
        },
        status=status,
    )


def _closed_notice() -> str:
    return gettext(
        "This consultation is closed: it takes no more feedback, so nothing can be imported."
    )


@organiser_required
@require_http_methods(["GET", "POST"])
def import_answers(request, slug):
    """Upload a file, see what it holds, confirm: nothing is written before the confirmation."""
    consultation = consultation_for_organiser(request, slug)
    if request.method == "GET":
        return _import_page(request, consultation)
    if "token" in request.POST:
        return _finish_import(request, consultation)
    if not consultation.is_open():
        return _import_page(request, consultation, notice=_closed_notice(), status=409)
    form = ImportUpload(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, consultation, form=form, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    filename = upload.name or "upload"
    batch = imports.previous_import(consultation, imports.checksum(data))
    if batch is not None:
        return _import_page(
            request, consultation, notice=_already_imported_message(batch), status=409
        )
    try:
        rows = imports.check_file(consultation, data, filename)
    except imports.ImportProblems as error:
        return _import_page(request, consultation, problems=_problem_rows(error), status=400)
    return _preview(request, consultation, data, filename, rows)


def _preview(request, consultation, data, filename, rows):
    """Keep the file in the user's session under a random token and show what it holds.

    One import waits for confirmation at a time: a new upload replaces the previous one.
    """
    token = secrets.token_urlsafe(16)
    request.session[PENDING_IMPORT] = {
        "token": token,
        "consultation": consultation.pk,
        "filename": filename,
        "checksum": imports.checksum(data),
        "data": base64.b64encode(data).decode("ascii"),
    }
    summary = imports.summarise(rows, imports.known_for(consultation))
    language = get_language()
    titles = {
        r.code: r.title_in(language)[0] for r in consultation.recommendations.select_related()
    }
    per_recommendation = [
        (code, titles.get(code, ""), summary.per_recommendation[code])
        for code in sorted(summary.per_recommendation, key=list(titles).index)
    ]
    return render(
        request,
        "feedback/manage/import_preview.html",
        {
            "consultation": consultation,
            "token": token,
            "filename": filename,
            "summary": summary,
            "per_recommendation": per_recommendation,
            "first_rows": rows[:PREVIEW_ROWS],
            "supports": dict(Support.choices),
            "priorities": dict(Priority.choices),
        },
    )


def _finish_import(request, consultation):
    """Confirm (write everything) or discard the import waiting in the user's session."""
    pending = request.session.get(PENDING_IMPORT) or {}
    here = reverse("manage-feedback-import", args=[consultation.slug])
    if not (
        secrets.compare_digest(str(pending.get("token", "")), request.POST["token"])
        and pending.get("consultation") == consultation.pk
    ):
        messages.error(request, gettext("This preview has expired. Upload the file again."))
        return redirect(here)
    del request.session[PENDING_IMPORT]
    if request.POST.get("action") != "confirm":
        messages.info(request, gettext("The import was discarded; nothing was written."))
        return redirect(here)
    data = base64.b64decode(pending["data"])
    try:
        batch = imports.import_file(consultation, data, pending["filename"], request.user)
    except actions.FeedbackClosed:
        return _import_page(request, consultation, notice=_closed_notice(), status=409)
    except imports.AlreadyImported as already:
        return _import_page(
            request, consultation, notice=_already_imported_message(already.batch), status=409
        )
    except imports.ImportProblems as error:  # the database changed since the preview
        return _import_page(request, consultation, problems=_problem_rows(error), status=400)
    respondents = batch.respondents.count()
    messages.success(
        request,
        ngettext(
            "Imported %(count)d answer from “%(filename)s” (%(new)d new respondents).",
            "Imported %(count)d answers from “%(filename)s” (%(new)d new respondents).",
            batch.rows,
        )
        % {"count": batch.rows, "filename": batch.filename, "new": respondents},
    )
    return redirect(here)


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
        actions.close_consultation(consultation)
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
