"""Organiser pages for importing feedback from a file: the template and its documentation,
upload, preview and confirmation.

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
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from consulta.consultations.models import Consultation
from consulta.feedback import actions, imports
from consulta.feedback.models import (
    Priority,
    Support,
)
from consulta.lib.countries import country_choices
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
        """Refuse an oversized file before reading it; its content is judged by the parser."""
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                imports.too_large(settings.IMPORT_MAX_BYTES).translated(gettext)
            )
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
