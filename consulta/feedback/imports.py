"""Importing answers from a CSV or XLSX file: reading, checking, and writing a checked file.

Reading and checking (`parse_file`) are plain Python, without Django: they take the file's
bytes, the valid codes of the consultation (`Codes`) and what earlier imports hold (`Known`),
and give one `ImportRow` per answer, or raise `ImportProblems` listing every problem found,
each with its row (as a spreadsheet numbers it: the header is row 1, blank rows count),
its column and the reason. Messages are English, marked with `_` for `makemessages`;
views translate them with `Problem.translated`.

The file: UTF-8 CSV (with or without a byte-order mark, comma- or semicolon-separated) or an
Excel workbook (.xlsx, first sheet read), at most 5 MB (the views pass the
`IMPORT_MAX_BYTES` setting). Its type is judged by its content, not its name: a CSV must be
text (UTF-8, no NUL or other control characters), a workbook a ZIP archive holding an Office
Open XML spreadsheet (`[Content_Types].xml` declaring one, `xl/workbook.xml`) that unpacks to
a bounded size, so a ZIP bomb, an OpenDocument file or a PDF renamed ".xlsx" gets a message
naming what it is instead of reaching openpyxl. Columns are found by their header,
whatever their order, case or spacing. Each row is one answer on one recommendation; rows
with the same respondent_id (else the same email) are one respondent.

Writing (`import_file`) is the write path for imports: in one transaction it checks the file
again against the database as it is then, and writes an `ImportBatch`, its `Respondent`s and
their `Answer`s, or nothing at all. The same file (same SHA-256) twice adds nothing.
"""

import csv
import hashlib
import io
import logging
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from openpyxl import load_workbook

from consulta.lib.languages import SUPPORTED_LANGUAGES

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 64  # only the first 64 columns of a workbook are read
COLUMNS = (
    "respondent_id",
    "email",
    "stakeholder_group",
    "country",
    "session",
    "language",
    "recommendation",
    "support",
    "priority",
    "comment",
    "proposed_text",
)
IDENTITY_COLUMNS = ("respondent_id", "email")
ANSWER_COLUMNS = ("support", "priority", "comment", "proposed_text")
REQUIRED_COLUMNS = ("stakeholder_group", "recommendation")
RESPONDENT_FACTS = ("email", "stakeholder_group", "country", "session", "language")
ALIASES = {"e_mail": "email", "email_address": "email"}

SUPPORT_WORDS = {
    "no opinion": 0,
    "strongly disagree": 1,
    "disagree": 2,
    "neither agree nor disagree": 3,
    "neutral": 3,
    "agree": 4,
    "strongly agree": 5,
}
PRIORITY_WORDS = {"low": 1, "medium": 2, "high": 3, "essential": 4}
EMAIL_ADDRESS = re.compile(r'^[^@\s,;<>"]+@[^@\s,;<>"]+\.[^@\s,;<>".]+$')
XLSX_START = b"PK\x03\x04"
OLD_EXCEL_START = b"\xd0\xcf\x11\xe0"
ACCEPTED_SUFFIXES = (".csv", ".txt", ".xlsx")
# What a workbook may unpack to: far above any real answer file, far below a ZIP bomb.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 2_000
SPREADSHEET_CONTENT_TYPES = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
# Text files hold no C0 control character but tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Signatures of files that are neither CSV nor XLSX, for a message that names them.
OTHER_SIGNATURES = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"{\\rtf", b"\x1f\x8b")


def _(message: str) -> str:
    """Mark `message` for translation without translating it here (no Django in parsing)."""
    return message


@dataclass(frozen=True)
class Problem:
    message: str  # English, marked for translation, with %(name)s placeholders
    params: dict = field(default_factory=dict)
    row: int | None = None
    column: str = ""  # the column's name ("" for the whole file)
    letter: str = ""  # its spreadsheet letter, when known

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column:
            where.append(f"column {self.column}" + (f" ({self.letter})" if self.letter else ""))
        reason = self.message % self.params
        return f"{', '.join(where)}: {reason}" if where else reason

    def translated(self, gettext) -> str:
        return gettext(self.message) % self.params


class ImportProblems(Exception):
    """The file cannot be imported; `problems` lists why, row by row where it can."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.row or 0, _column_rank(p.column)))
        super().__init__("; ".join(str(p) for p in self.problems))


def _column_rank(name: str) -> int:
    """Sort problems of one row in the template's column order."""
    return COLUMNS.index(name) if name in COLUMNS else len(COLUMNS)


@dataclass(frozen=True)
class Codes:
    """What a row may name in this consultation."""

    recommendations: frozenset[str]  # codes of recommendations that take answers
    stakeholder_groups: frozenset[str]
    countries: frozenset[str]  # ISO 3166-1 alpha-2
    sessions: frozenset[str]  # session keys
    withdrawn: frozenset[str] = frozenset()  # codes of withdrawn recommendations
    languages: tuple[str, ...] = SUPPORTED_LANGUAGES


@dataclass(frozen=True)
class Known:
    """What earlier imports of the consultation hold, by source key (respondent_id or email)."""

    respondents: dict[str, dict] = field(default_factory=dict)  # key -> RESPONDENT_FACTS
    answers: frozenset[tuple[str, str]] = frozenset()  # (key, recommendation code), current


@dataclass(frozen=True)
class ImportRow:
    """One answer, checked; `source_key` names its respondent (respondent_id, else email)."""

    row: int
    source_key: str
    respondent_id: str
    email: str
    stakeholder_group: str
    country: str
    session: str
    language: str
    recommendation: str
    support: int | None
    priority: int | None
    comment: str
    proposed_text: str


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def column_letter(position: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# Reading the file into [(row number, cells)].

NOT_A_TABLE = _(
    "Only CSV files (UTF-8, comma- or semicolon-separated) and Excel workbooks (.xlsx) can be "
    "imported, and this file is neither. Save it from your spreadsheet as “CSV UTF-8” or as "
    "“Excel workbook (.xlsx)”."
)


def read_table(
    data: bytes, filename: str = "", max_bytes: int = MAX_BYTES
) -> list[tuple[int, list[str]]]:
    """Every row of the file (the first sheet of a workbook) as text cells, numbered from 1."""
    if len(data) > max_bytes:
        raise ImportProblems([too_large(max_bytes)])
    if not data.strip():
        raise ImportProblems([Problem(_("The file is empty."))])
    suffix = filename.lower().rpartition(".")[2] if "." in filename else ""
    if suffix and f".{suffix}" not in ACCEPTED_SUFFIXES:
        raise ImportProblems([Problem(NOT_A_TABLE)])
    if data.startswith(OLD_EXCEL_START):
        raise ImportProblems(
            [
                Problem(
                    _(
                        "This is an old Excel workbook (.xls). Save it as “Excel workbook "
                        "(.xlsx)” or as “CSV UTF-8” and upload it again."
                    )
                )
            ]
        )
    if data.startswith(XLSX_START):
        _check_workbook_archive(data)
        return _read_xlsx(data)
    if suffix == "xlsx":
        raise ImportProblems([Problem(_("The file is not a readable Excel workbook (.xlsx)."))])
    if data.startswith(OTHER_SIGNATURES):
        raise ImportProblems([Problem(NOT_A_TABLE)])
    return _read_csv(data)


def too_large(max_bytes: int) -> Problem:
    return Problem(
        _("The file is larger than %(limit)s MB."), {"limit": f"{max_bytes / 1024 / 1024:g}"}
    )


def _check_workbook_archive(data: bytes) -> None:
    """A ZIP archive is read as a workbook only when it holds an Office Open XML spreadsheet
    and unpacks to a bounded size (the sizes its directory declares are the most zipfile
    will unpack)."""
    not_readable = Problem(_("The file is not a readable Excel workbook (.xlsx)."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if len(members) > MAX_ARCHIVE_MEMBERS or (
                sum(member.file_size for member in members) > MAX_UNPACKED_BYTES
            ):
                raise ImportProblems(
                    [
                        Problem(
                            _(
                                "The workbook unpacks to more than %(limit)s MB; split it into "
                                "smaller files."
                            ),
                            {"limit": MAX_UNPACKED_BYTES // 1024 // 1024},
                        )
                    ]
                )
            if "mimetype" in names and archive.read("mimetype").startswith(
                b"application/vnd.oasis.opendocument"
            ):
                raise ImportProblems(
                    [
                        Problem(
                            _(
                                "This is an OpenDocument file (.ods), not an Excel workbook. "
                                "Save it as “Excel workbook (.xlsx)” or as “CSV UTF-8” and "
                                "upload it again."
                            )
                        )
                    ]
                )
            content_types = (
                archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            )
    except ImportProblems:
        raise
    except Exception:  # zipfile raises many kinds (BadZipFile, EOFError, …) for a broken file
        raise ImportProblems([not_readable]) from None
    if "xl/workbook.xml" not in names or not any(
        kind in content_types for kind in SPREADSHEET_CONTENT_TYPES
    ):
        raise ImportProblems(
            [
                Problem(
                    _(
                        "The file is a ZIP archive but not an Excel workbook (.xlsx). Save it "
                        "from your spreadsheet as “Excel workbook (.xlsx)” or as “CSV UTF-8”."
                    )
                )
            ]
        )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key errors) for a broken file
        raise ImportProblems(
            [Problem(_("The file is not a readable Excel workbook (.xlsx)."))]
        ) from None
    try:
        if not workbook.worksheets:
            raise ImportProblems([Problem(_("The workbook has no sheet."))])
        rows = []
        cells = workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True)
        for number, values in enumerate(cells, start=1):
            if number > MAX_ROWS + 1:
                raise ImportProblems([_too_many_rows()])
            rows.append((number, [_cell_text(value) for value in values]))
    except ImportProblems:
        raise
    except Exception:
        raise ImportProblems(
            [Problem(_("The file is not a readable Excel workbook (.xlsx)."))]
        ) from None
    finally:
        workbook.close()
    return _trimmed(rows)


def _too_many_rows() -> Problem:
    return Problem(
        _("The file has more than %(limit)s answers; split it into smaller files."),
        {"limit": MAX_ROWS},
    )


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    if b"\x00" in data:
        raise ImportProblems([Problem(NOT_A_TABLE)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblems(
            [
                Problem(
                    _(
                        "The file is not UTF-8 text. Save it from your spreadsheet as "
                        "“CSV UTF-8”, or as an Excel workbook (.xlsx)."
                    )
                )
            ]
        ) from None
    if not text.strip():
        raise ImportProblems([Problem(_("The file is empty."))])
    if CONTROL_CHARACTERS.search(text):
        raise ImportProblems([Problem(NOT_A_TABLE)])
    return _trimmed(_split_csv(text, _delimiter(text)))


def _delimiter(text: str) -> str:
    """Comma or semicolon: whichever makes more known column names of the first line."""
    first_line = text.splitlines()[0] if text.splitlines() else ""

    def known(delimiter: str) -> int:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(_normalise(cell) in COLUMNS for cell in cells)

    return ";" if known(";") > known(",") else ","


def _split_csv(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, number = [], 0
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_ROWS + 1:
                raise ImportProblems([_too_many_rows()])
            rows.append((number, [cell.strip() for cell in cells]))
    except csv.Error as error:
        raise ImportProblems(
            [
                Problem(
                    _("This row cannot be read as CSV (%(reason)s)."),
                    {"reason": str(error)},
                    row=number + 1,
                )
            ]
        ) from None
    return rows


def _trimmed(rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Without the blank rows at the end (spreadsheets often keep some)."""
    while rows and not any(rows[-1][1]):
        rows.pop()
    return rows


# Mapping the header.


def _normalise(name: str) -> str:
    name = re.sub(r"[\s\-]+", "_", name.replace("\ufeff", "").strip().lower())
    return ALIASES.get(name, name)


@dataclass(frozen=True)
class Header:
    row: int
    positions: dict[str, int]  # column name -> position
    unnamed: tuple[int, ...]  # positions of columns without a header


def map_header(table: list[tuple[int, list[str]]]) -> Header:
    """Find the columns by name in the first non-blank row; report unknown and missing ones."""
    header_at = next((i for i, (_n, cells) in enumerate(table) if any(cells)), None)
    if header_at is None:
        raise ImportProblems([Problem(_("The file is empty."))])
    number, cells = table[header_at]
    positions, unnamed, problems = {}, [], []
    for position, cell in enumerate(cells):
        name = _normalise(cell)
        letter = column_letter(position)
        if not name:
            unnamed.append(position)
        elif name not in COLUMNS:
            problems.append(
                Problem(
                    _(
                        "Unknown column “%(name)s”. Rename it to one of the template's "
                        "columns or delete it."
                    ),
                    {"name": cell},
                    row=number,
                    column=cell,
                    letter=letter,
                )
            )
        elif name in positions:
            problems.append(
                Problem(
                    _("The column “%(name)s” appears twice (also column %(other)s)."),
                    {"name": name, "other": column_letter(positions[name])},
                    row=number,
                    column=name,
                    letter=letter,
                )
            )
        else:
            positions[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            problems.append(
                Problem(_("The required column “%(name)s” is missing."), {"name": name}, row=number)
            )
    if not any(name in positions for name in IDENTITY_COLUMNS):
        problems.append(
            Problem(
                _(
                    "The file needs a “respondent_id” or an “email” column to group answers "
                    "into respondents."
                ),
                row=number,
            )
        )
    if not any(name in positions for name in ANSWER_COLUMNS):
        problems.append(
            Problem(
                _(
                    "The file needs at least one answer column: “support”, “priority”, "
                    "“comment” or “proposed_text”."
                ),
                row=number,
            )
        )
    if problems:
        raise ImportProblems(problems)
    return Header(number, positions, tuple(unnamed))


# Checking every row.


def _scale(value: str, words: dict[str, int], low: int, high: int) -> int | None:
    """The number for `value` (digits or words), None when empty; ValueError when neither."""
    if not value:
        return None
    word = " ".join(value.lower().replace("_", " ").split())
    if word in words:
        return words[word]
    if re.fullmatch(r"\d+(\.0+)?", word):
        number = int(float(word))
        if low <= number <= high:
            return number
    raise ValueError(value)


class _RowChecker:
    """Checks one row after another, remembering what earlier rows said about respondents."""

    def __init__(self, header: Header, codes: Codes, known: Known):
        self.header = header
        self.codes = codes
        self.known = known
        self.problems: list[Problem] = []
        self.first_answer: dict[tuple[str, str], int] = {}  # (key, code) -> row
        self.facts: dict[str, dict[str, tuple[str, int]]] = {}  # key -> name -> (value, row)
        self.sessions = {key.lower(): key for key in codes.sessions}
        self.groups = {code.lower(): code for code in codes.stakeholder_groups}
        self.recommendations = {code.upper(): code for code in codes.recommendations}
        self.withdrawn = {code.upper(): code for code in codes.withdrawn}

    def problem(self, row: int, column: str, message: str, **params) -> None:
        position = self.header.positions.get(column)
        letter = column_letter(position) if position is not None else ""
        self.problems.append(Problem(message, params, row=row, column=column, letter=letter))

    def check(self, number: int, cells: list[str]) -> ImportRow | None:
        def get(name: str) -> str:
            position = self.header.positions.get(name)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        before = len(self.problems)
        respondent_id = get("respondent_id")
        email = get("email").lower()
        if len(respondent_id) > 200:
            self.problem(number, "respondent_id", _("Longer than 200 characters."))
        email_ok = not email or (len(email) <= 254 and EMAIL_ADDRESS.match(email))
        if not email_ok:
            self.problem(number, "email", _("“%(value)s” is not an e-mail address."), value=email)
        source_key = respondent_id or email
        if not source_key:
            self.problem(
                number,
                "respondent_id" if "respondent_id" in self.header.positions else "email",
                _("No respondent: give a respondent_id or an email."),
            )
        group = self._group(number, get("stakeholder_group"))
        country = self._country(number, get("country"))
        session = self._session(number, get("session"))
        language = self._language(number, get("language"))
        code = self._recommendation(number, get("recommendation"))
        support = self._on_scale(
            number,
            "support",
            get("support"),
            SUPPORT_WORDS,
            0,
            5,
            _(
                "“%(value)s” is outside the scale: use 1 (strongly disagree) to 5 (strongly "
                "agree), 0 for no opinion, those words, or leave it empty."
            ),
        )
        priority = self._on_scale(
            number,
            "priority",
            get("priority"),
            PRIORITY_WORDS,
            1,
            4,
            _(
                "“%(value)s” is outside the scale: use 1 to 4, or low, medium, high or "
                "essential, or leave it empty."
            ),
        )
        comment, proposed_text = get("comment"), get("proposed_text")
        if not (get("support") or get("priority") or comment or proposed_text):
            self.problems.append(
                Problem(
                    _(
                        "No answer: fill in at least one of support, priority, comment or "
                        "proposed_text."
                    ),
                    row=number,
                    column="support, priority, comment, proposed_text",
                )
            )
        if source_key and code:
            self._check_once(number, source_key, code)
        if source_key:
            facts = {
                "email": email if email_ok else "",
                "stakeholder_group": group,
                "country": country,
                "session": session,
                "language": language,
            }
            self._check_same_respondent(number, source_key, facts)
        if len(self.problems) > before:
            return None
        return ImportRow(
            row=number,
            source_key=source_key,
            respondent_id=respondent_id,
            email=email,
            stakeholder_group=group,
            country=country,
            session=session,
            language=language,
            recommendation=code,
            support=support,
            priority=priority,
            comment=comment,
            proposed_text=proposed_text,
        )

    def _group(self, number: int, value: str) -> str:
        if not value:
            self.problem(
                number, "stakeholder_group", _("Empty: every answer needs a stakeholder group.")
            )
            return ""
        code = self.groups.get(re.sub(r"[\s\-]+", "_", value.lower()))
        if code is None:
            self.problem(
                number,
                "stakeholder_group",
                _("Unknown stakeholder group “%(value)s”: use one of %(codes)s."),
                value=value,
                codes=", ".join(sorted(self.codes.stakeholder_groups)),
            )
            return ""
        return code

    def _country(self, number: int, value: str) -> str:
        if not value:
            return ""
        if value.upper() not in self.codes.countries:
            self.problem(
                number,
                "country",
                _("Unknown country “%(value)s”: use an ISO 3166-1 alpha-2 code such as KE."),
                value=value,
            )
            return ""
        return value.upper()

    def _session(self, number: int, value: str) -> str:
        if not value:
            return ""
        key = self.sessions.get(value.lower())
        if key is None:
            self.problem(
                number,
                "session",
                _("Unknown session “%(value)s”: use one of %(keys)s, or leave it empty."),
                value=value,
                keys=", ".join(sorted(self.codes.sessions)) or "—",
            )
            return ""
        return key

    def _language(self, number: int, value: str) -> str:
        if not value:
            return ""
        if value.lower() not in self.codes.languages:
            self.problem(
                number,
                "language",
                _("Unknown language “%(value)s”: use one of %(codes)s, or leave it empty."),
                value=value,
                codes=", ".join(self.codes.languages),
            )
            return ""
        return value.lower()

    def _recommendation(self, number: int, value: str) -> str:
        if not value:
            self.problem(
                number, "recommendation", _("Empty: every answer names a recommendation code.")
            )
            return ""
        code = self.recommendations.get(value.upper())
        if code is not None:
            return code
        if value.upper() in self.withdrawn:
            self.problem(
                number,
                "recommendation",
                _("The recommendation %(value)s has been withdrawn; it takes no answers."),
                value=self.withdrawn[value.upper()],
            )
        else:
            self.problem(
                number,
                "recommendation",
                _("Unknown recommendation code “%(value)s”."),
                value=value,
            )
        return ""

    def _on_scale(self, number, column, value, words, low, high, message) -> int | None:
        try:
            return _scale(value, words, low, high)
        except ValueError:
            self.problem(number, column, message, value=value)
            return None

    def _check_once(self, number: int, source_key: str, code: str) -> None:
        key = (source_key, code)
        if key in self.first_answer:
            self.problem(
                number,
                "recommendation",
                _(
                    "Respondent “%(respondent)s” answers %(code)s a second time (first at "
                    "row %(first)s)."
                ),
                respondent=source_key,
                code=code,
                first=self.first_answer[key],
            )
            return
        self.first_answer[key] = number
        if key in self.known.answers:
            self.problem(
                number,
                "recommendation",
                _(
                    "Respondent “%(respondent)s” already has an answer on %(code)s from an "
                    "earlier import; this row would duplicate it."
                ),
                respondent=source_key,
                code=code,
            )

    def _check_same_respondent(self, number: int, source_key: str, facts: dict) -> None:
        """A respondent has one group, country, session, language and e-mail: an empty cell
        says nothing, filled cells must agree with earlier rows and earlier imports."""
        seen = self.facts.setdefault(source_key, {})
        earlier = self.known.respondents.get(source_key)
        for name, value in facts.items():
            if not value:
                continue
            if earlier is not None and not earlier.get(name):
                self.problem(
                    number,
                    name,
                    _(
                        "Respondent “%(respondent)s” was imported earlier without %(fact)s; an "
                        "import does not change a respondent: leave this cell empty."
                    ),
                    respondent=source_key,
                    fact=name,
                )
            elif earlier is not None and earlier[name] != value:
                self.problem(
                    number,
                    name,
                    _(
                        "Respondent “%(respondent)s” was imported earlier with %(fact)s "
                        "“%(other)s”, not “%(value)s”."
                    ),
                    respondent=source_key,
                    fact=name,
                    other=earlier[name],
                    value=value,
                )
            elif name in seen and seen[name][0] != value:
                self.problem(
                    number,
                    name,
                    _(
                        "Respondent “%(respondent)s” has %(fact)s “%(other)s” at row "
                        "%(first)s; one respondent has one %(fact)s."
                    ),
                    respondent=source_key,
                    fact=name,
                    other=seen[name][0],
                    first=seen[name][1],
                )
            else:
                seen.setdefault(name, (value, number))


def check_rows(table: list[tuple[int, list[str]]], codes: Codes, known: Known) -> list[ImportRow]:
    """Every answer of the table, checked; ImportProblems lists every problem of every row."""
    header = map_header(table)
    checker = _RowChecker(header, codes, known)
    rows = []
    body = [(number, cells) for number, cells in table if number > header.row]
    for position in header.unnamed:
        filled = next((n for n, cells in body if position < len(cells) and cells[position]), None)
        if filled is not None:
            checker.problems.append(
                Problem(
                    _("This column has values but no header; name it or delete it."),
                    row=filled,
                    column=column_letter(position),
                )
            )
    for number, cells in body:
        if not any(cells):
            continue
        row = checker.check(number, cells)
        if row is not None:
            rows.append(row)
    if checker.problems:
        raise ImportProblems(checker.problems)
    if not rows:
        raise ImportProblems(
            [
                Problem(
                    _("The file has a header row (row %(row)s) but no answer."),
                    {"row": header.row},
                )
            ]
        )
    return rows


def parse_file(
    data: bytes, filename: str, codes: Codes, known: Known, max_bytes: int = MAX_BYTES
) -> list[ImportRow]:
    """The answers in the file, every one checked; or ImportProblems naming every problem."""
    return check_rows(read_table(data, filename, max_bytes), codes, known)


def respondent_facts(rows: list[ImportRow]) -> dict[str, dict[str, str]]:
    """{source key: RESPONDENT_FACTS}: for each fact, the value its rows give (or "")."""
    facts: dict[str, dict[str, str]] = {}
    for row in rows:
        known = facts.setdefault(row.source_key, dict.fromkeys(RESPONDENT_FACTS, ""))
        for name in RESPONDENT_FACTS:
            known[name] = known[name] or getattr(row, name)
    return facts


@dataclass(frozen=True)
class Summary:
    answers: int
    respondents: int  # distinct respondents in the file
    new_respondents: int  # of which not known from earlier imports
    per_recommendation: dict[str, int]  # code -> answers, in the file's order of first use


def summarise(rows: list[ImportRow], known: Known) -> Summary:
    keys = {row.source_key for row in rows}
    return Summary(
        answers=len(rows),
        respondents=len(keys),
        new_respondents=len(keys - set(known.respondents)),
        per_recommendation=dict(Counter(row.recommendation for row in rows)),
    )


# Writing (Django). Imported here so that reading and checking run without Django.


class AlreadyImported(Exception):
    """This very file (same checksum) was imported into the consultation before."""

    def __init__(self, batch):
        self.batch = batch
        super().__init__(f"already imported as batch {batch.pk}")


def codes_for(consultation) -> Codes:
    from consulta.consultations.models import Recommendation
    from consulta.lib.countries import country_codes
    from consulta.registrations.models import StakeholderGroup

    recommendations = dict(consultation.recommendations.values_list("code", "status"))
    withdrawn = Recommendation.Status.WITHDRAWN
    return Codes(
        recommendations=frozenset(c for c, s in recommendations.items() if s != withdrawn),
        withdrawn=frozenset(c for c, s in recommendations.items() if s == withdrawn),
        stakeholder_groups=frozenset(StakeholderGroup.values),
        countries=country_codes(),
        sessions=frozenset(consultation.sessions.values_list("key", flat=True)),
    )


def known_for(consultation) -> Known:
    """Respondents and current answers from earlier imports of `consultation`."""
    from consulta.feedback.models import Answer, Channel, Respondent

    respondents = {}
    imported = Respondent.objects.filter(consultation=consultation, channel=Channel.IMPORT)
    for respondent in imported.exclude(source_key="").select_related("session").order_by("pk"):
        respondents.setdefault(
            respondent.source_key,
            {
                "email": respondent.email,
                "stakeholder_group": respondent.stakeholder_group,
                "country": respondent.country,
                "session": respondent.session.key if respondent.session else "",
                "language": respondent.language,
            },
        )
    answers = Answer.objects.filter(
        respondent__in=imported.exclude(source_key=""), is_current=True
    ).values_list("respondent__source_key", "recommendation__code")
    return Known(respondents=respondents, answers=frozenset(answers))


def previous_import(consultation, data_checksum: str):
    """The earlier import of the same file into `consultation`, or None."""
    return consultation.imports.filter(checksum=data_checksum).first()


def check_file(consultation, data: bytes, filename: str) -> list[ImportRow]:
    """`parse_file` against the consultation's codes and earlier imports (writes nothing)."""
    from django.conf import settings

    return parse_file(
        data,
        filename,
        codes_for(consultation),
        known_for(consultation),
        max_bytes=settings.IMPORT_MAX_BYTES,
    )


def submission_key(data_checksum: str, row: int) -> str:
    """ "import:<checksum>:<row>", the checksum shortened to fit Answer.submission_key (64)."""
    return f"import:{data_checksum[:48]}:{row}"


def _audited(batch, new_respondents: int) -> dict:
    """What the audit trail keeps of an import: the file, never its respondents' e-mails."""
    return {
        "filename": batch.filename,
        "checksum": batch.checksum,
        "answers": batch.rows,
        "new_respondents": new_respondents,
    }


def import_file(consultation, data: bytes, filename: str, user):
    """Check the file against the database as it is now and write it all, or nothing.

    Raises FeedbackClosed (the consultation is closed), AlreadyImported (the same file was
    imported before) or ImportProblems (every problem of every row). Respondents known from
    earlier imports (same respondent_id, else e-mail) get the new answers; the others are
    created, confirmed (imports count), and tied to the new ImportBatch.
    """
    from django.db import IntegrityError, connection, transaction
    from django.utils import timezone

    from consulta.audit.actions import record
    from consulta.consultations.models import Consultation
    from consulta.feedback.actions import check_open
    from consulta.feedback.models import Answer, Channel, ImportBatch, Respondent

    with transaction.atomic():
        # One import at a time per consultation: the second waits, then sees the first.
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        check_open(consultation)
        data_checksum = checksum(data)
        earlier = previous_import(consultation, data_checksum)
        if earlier is not None:
            raise AlreadyImported(earlier)
        rows = check_file(consultation, data, filename)
        try:
            with transaction.atomic():
                batch = ImportBatch.objects.create(
                    consultation=consultation,
                    filename=filename[:255],
                    checksum=data_checksum,
                    rows=len(rows),
                    imported_by=user,
                )
        except IntegrityError:  # the same file, confirmed in parallel
            raise AlreadyImported(previous_import(consultation, data_checksum)) from None
        now = timezone.now()
        sessions = {session.key: session for session in consultation.sessions.all()}
        respondents = {
            respondent.source_key: respondent
            for respondent in Respondent.objects.filter(
                consultation=consultation, channel=Channel.IMPORT
            )
            .exclude(source_key="")
            .order_by("-pk")
        }
        new = [
            Respondent(
                consultation=consultation,
                channel=Channel.IMPORT,
                session=sessions.get(facts["session"]),
                stakeholder_group=facts["stakeholder_group"],
                country=facts["country"],
                language=facts["language"],
                email=facts["email"],
                confirmed_at=now,
                import_batch=batch,
                source_key=key,
            )
            for key, facts in respondent_facts(rows).items()
            if key not in respondents
        ]
        if connection.features.can_return_rows_from_bulk_insert:
            Respondent.objects.bulk_create(new, batch_size=500)
        else:
            for respondent in new:
                respondent.save()
        respondents.update({respondent.source_key: respondent for respondent in new})
        recommendations = {r.code: r for r in consultation.recommendations.all()}
        Answer.objects.bulk_create(
            [
                Answer(
                    respondent=respondents[row.source_key],
                    recommendation=recommendations[row.recommendation],
                    support=row.support,
                    priority=row.priority,
                    comment=row.comment,
                    proposed_text=row.proposed_text,
                    language=row.language or respondents[row.source_key].language,
                    is_current=True,
                    submission_key=submission_key(data_checksum, row.row),
                )
                for row in rows
            ],
            batch_size=500,
        )
        record(user, "feedback.imported", batch, after=_audited(batch, len(new)))
    log.info(
        "Feedback import %s into consultation %s: %d answers, %d new respondents",
        batch.pk,
        consultation.pk,
        len(rows),
        len(new),
    )
    return batch
