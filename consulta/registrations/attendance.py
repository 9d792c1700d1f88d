"""Attendance: reading a Zoom registration or attendee report, and recording who attended.

`parse_zoom_report` and `match_rows` are plain Python (no Django): they turn the bytes of a
CSV file into rows and pair those rows with registrations by e-mail. Zoom puts summary blocks
(`Meeting ID,Topic,…`, `Host Details` …) and blank lines before the participants' table; the
table's header is the last row with a column named like "Email", "User Email" or
"Email Address" that is not a summary header.

The file's type is judged by its content: a workbook, a PDF, an image or any file holding NUL
or other control characters is refused with a message saying what to upload instead, and a
file over `IMPORT_MAX_BYTES` (the views pass the setting) is refused unread.

A file with any problem gives no rows at all: `ReportProblems` lists every problem, naming
row numbers (the line in the file, counting from 1). Messages are marked with `_` so that
`makemessages` finds them; views translate them with `Problem.translated`.

Recording attendance is in `actions` (`record_zoom_attendance`, `mark_attendance`).
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

MAX_BYTES = 5 * 1024 * 1024
# Zoom exports CSV; these start the files people upload instead (XLSX/ODS, XLS, PDF, images).
NOT_CSV_SIGNATURES = (
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
)
# Text holds no C0 control character but tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _(message: str) -> str:
    """Mark `message` for translation without translating it here (no Django in parsing)."""
    return message


EMAIL_HEADER = re.compile(r"^(user |attendee |registrant |participant )?e-?mail( address)?$")
SUMMARY_HEADERS = frozenset({"topic", "meeting id", "webinar id"})
NAME_HEADER = re.compile(r"^(user |attendee |participant )?name( \(original name\))?$")
EMAIL_ADDRESS = re.compile(r'^[^@\s,;<>"]+@[^@\s,;<>"]+\.[^@\s,;<>".]+$')


class Row(NamedTuple):
    row: int  # the line of the file it starts on, counting from 1
    email: str  # lower case; "" when Zoom gives none (a guest who did not sign in)
    name: str


@dataclass(frozen=True)
class Problem:
    message: str  # English, marked for translation, with %(name)s placeholders
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % self.params

    def translated(self, gettext) -> str:
        return gettext(self.message) % self.params


class ReportProblems(Exception):
    """The file cannot be imported; `problems` says why, row by row where it can."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def too_large(max_bytes: int) -> Problem:
    return Problem(
        _("The file is larger than %(limit)s MB."), {"limit": f"{max_bytes / 1024 / 1024:g}"}
    )


NOT_CSV = _(
    "The file is not a CSV report. Export the registration or attendee report from Zoom as "
    "CSV and upload that file."
)


def _decode(data: bytes) -> str:
    if data.startswith(NOT_CSV_SIGNATURES):
        raise ReportProblems([Problem(NOT_CSV)])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    raise ReportProblems(
        [
            Problem(
                _(
                    "The file is not UTF-8 text. Export the report from Zoom again, or save it "
                    "as “CSV UTF-8”."
                )
            )
        ]
    )


def _normalise(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").replace("_", " ").strip().lower().split())


def _read_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """[(line the row starts on, cells)] for every row of `text`."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, line = [], 1
    try:
        for cells in reader:
            rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ReportProblems(
            [
                Problem(
                    _("Row %(row)s cannot be read as CSV (%(reason)s)."),
                    {"row": line, "reason": str(error)},
                )
            ]
        ) from None
    return rows


def _header_index(rows: list[tuple[int, list[str]]]) -> int | None:
    """Position in `rows` of the participants' header row, or None."""
    found = None
    for index, (_line, cells) in enumerate(rows):
        names = {_normalise(cell) for cell in cells}
        if any(EMAIL_HEADER.match(name) for name in names) and not names & SUMMARY_HEADERS:
            found = index
    return found


def _name_getter(header: list[str]):
    names = [_normalise(cell) for cell in header]
    if "first name" in names:
        first = names.index("first name")
        last = names.index("last name") if "last name" in names else None

        def full_name(cells):
            parts = [_cell(cells, first), _cell(cells, last) if last is not None else ""]
            return " ".join(part for part in parts if part)

        return full_name
    for position, name in enumerate(names):
        if NAME_HEADER.match(name):
            return lambda cells: _cell(cells, position)
    return lambda cells: ""


def _cell(cells: list[str], position: int) -> str:
    return cells[position].strip() if position < len(cells) else ""


def parse_zoom_report(data: bytes, max_bytes: int = MAX_BYTES) -> list[Row]:
    """The participants of a Zoom report (CSV, comma- or tab-separated), one row per e-mail.

    Raises ReportProblems when the file is empty, undecodable, has no e-mail column, no
    participant, or a row whose e-mail is not an address. Left out: later rows with an e-mail
    already seen (someone who joined twice), and rows whose "Attended" column (webinar
    attendee reports list registrants who did not come) says "No".
    """
    if len(data) > max_bytes:
        raise ReportProblems([too_large(max_bytes)])
    if not data.strip():
        raise ReportProblems([Problem(_("The file is empty."))])
    text = _decode(data)
    if not text.strip():
        raise ReportProblems([Problem(_("The file is empty."))])
    if CONTROL_CHARACTERS.search(text):
        raise ReportProblems([Problem(NOT_CSV)])
    for delimiter in (",", "\t"):
        rows = _read_rows(text, delimiter)
        start = _header_index(rows)
        if start is not None:
            break
    else:
        raise ReportProblems(
            [
                Problem(
                    _(
                        "No e-mail column found: the file needs a header row with a column "
                        "such as “Email”, “User Email” or “Email Address”."
                    )
                )
            ]
        )
    header = rows[start][1]
    names = [_normalise(cell) for cell in header]
    email_at = next(i for i, name in enumerate(names) if EMAIL_HEADER.match(name))
    attended_at = names.index("attended") if "attended" in names else None
    name_of = _name_getter(header)
    result, seen, problems = [], set(), []
    for line, cells in rows[start + 1 :]:
        if not any(cell.strip() for cell in cells):
            continue
        if attended_at is not None and _cell(cells, attended_at).lower() == "no":
            continue
        email = _cell(cells, email_at).lower()
        if email and not EMAIL_ADDRESS.match(email):
            problems.append(
                Problem(
                    _("Row %(row)s: “%(value)s” is not an e-mail address."),
                    {"row": line, "value": _cell(cells, email_at)},
                )
            )
            continue
        if email and email in seen:
            continue
        seen.add(email)
        result.append(Row(line, email, name_of(cells)))
    if problems:
        raise ReportProblems(problems)
    if not result:
        raise ReportProblems(
            [
                Problem(
                    _("The file has a header row (row %(row)s) but no participant."),
                    {"row": rows[start][0]},
                )
            ]
        )
    return result


@dataclass(frozen=True)
class Matches:
    matched: list  # [(row, registration)] in the file's order
    unmatched: list[Row]


def match_rows(rows: Iterable[Row], registrations: Iterable) -> Matches:
    """Pair rows with `registrations` (objects with an `email`) by e-mail, ignoring case."""
    by_email = {registration.email.lower(): registration for registration in registrations}
    matched, unmatched = [], []
    for row in rows:
        registration = by_email.get(row.email) if row.email else None
        if registration is None:
            unmatched.append(row)
        else:
            matched.append((row, registration))
    return Matches(matched, unmatched)
