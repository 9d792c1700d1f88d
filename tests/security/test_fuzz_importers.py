"""Fuzzing the importers: thousands of generated files for the feedback import (CSV in several
encodings and separators, XLSX workbooks, damaged archives) and for the Zoom attendance import
give either checked rows or the importer's own validation error (ImportProblems,
ReportProblems) naming each problem. No other exception escapes, and a refused import writes
nothing: batches, respondents, answers and attendance are exactly as before."""

import csv
import io
import zipfile

from django.contrib.auth import get_user_model
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from consulta.feedback import imports
from consulta.feedback.actions import FeedbackClosed
from consulta.feedback.models import Answer, ImportBatch, Respondent
from consulta.registrations.attendance import ReportProblems, parse_zoom_report
from consulta.registrations.models import Registration
from tests.security.conftest import fuzz_settings
from tests.security.payloads import PAYLOADS

CODES = imports.Codes(
    recommendations=frozenset({"MM-1", "MM-2", "HA-1"}),
    stakeholder_groups=frozenset({"civil_society", "member_state", "academia"}),
    countries=frozenset({"KE", "SE", "GH"}),
    sessions=frozenset({"africa", "europe"}),
    withdrawn=frozenset({"HA-9"}),
)
KNOWN = imports.Known(
    respondents={"R-1": dict.fromkeys(imports.RESPONDENT_FACTS, "") | {"country": "KE"}},
    answers=frozenset({("R-1", "MM-1")}),
)

ODD_CELLS = [
    "",
    " ",
    "0",
    "6",
    "-1",
    "4.0",
    "4.5",
    "1e3",
    "NaN",
    "TRUE",
    "strongly agree",
    "essential",
    "x" * 300,
    "a@b",
    "a@b.c",
    "R-1",
    "\x00",
    "\u202e",
    '"',
    "\r",
    "=1+1",
]
PLAUSIBLE = {
    "respondent_id": st.sampled_from(["R-1", "R-2", "R-3", ""]),
    "email": st.sampled_from(["focal@ngo.example", "desk@ministry.example", "bad address", ""]),
    "stakeholder_group": st.sampled_from(["civil_society", "member_state", "Academia", "alien"]),
    "country": st.sampled_from(["KE", "se", "ZZ", ""]),
    "session": st.sampled_from(["africa", "Europe", "mars", ""]),
    "language": st.sampled_from(["en", "FR", "xx", ""]),
    "recommendation": st.sampled_from(["MM-1", "mm-2", "HA-1", "HA-9", "ZZ-1", ""]),
    "support": st.sampled_from(["0", "5", "agree", "neutral", "7", ""]),
    "priority": st.sampled_from(["1", "high", "urgent", ""]),
}
cells = st.one_of(st.sampled_from(ODD_CELLS), st.sampled_from(PAYLOADS), st.text(max_size=20))
header_names = st.one_of(
    st.sampled_from([*imports.COLUMNS, "E-mail", " Support ", "SUPPORT", "unknown", ""]),
    st.text(max_size=8),
)


@st.composite
def tables(draw) -> list[list[str]]:
    header = draw(st.lists(header_names, min_size=0, max_size=13))
    rows = [header]
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        row = []
        for name in header:
            strategy = PLAUSIBLE.get(name.strip().lower())
            row.append(draw(strategy | cells) if strategy is not None else draw(cells))
        if draw(st.booleans()):
            row = row[: draw(st.integers(min_value=0, max_value=len(row)))]
        rows.append(row)
    return rows


VALID = {
    "respondent_id": st.sampled_from(["R-2", "R-3", "R-4"]),
    "stakeholder_group": st.sampled_from(["civil_society", "member_state", "academia"]),
    "recommendation": st.sampled_from(["MM-1", "MM-2", "HA-1"]),
    "support": st.sampled_from(["1", "4", "agree", ""]),
    "comment": st.sampled_from(PAYLOADS) | st.text(max_size=30),
}


@st.composite
def well_formed_tables(draw) -> list[list[str]]:
    """Tables that are often entirely valid, so that whole imports get written too."""
    header = list(VALID)
    rows = [header]
    for number in range(draw(st.integers(min_value=1, max_value=6))):
        row = [draw(VALID[name]) for name in header]
        row[0] = f"R-{number}-{draw(st.uuids()).hex[:8]}"
        rows.append(row)
    return rows


def damaged(draw, data: bytes) -> bytes:
    damage = draw(st.sampled_from(["none", "none", "truncate", "flip", "insert"]))
    if damage == "none" or not data:
        return data
    position = draw(st.integers(min_value=0, max_value=len(data) - 1))
    if damage == "truncate":
        return data[:position]
    byte = bytes([draw(st.integers(min_value=0, max_value=255))])
    if damage == "flip":
        return data[:position] + byte + data[position + 1 :]
    return data[:position] + byte + data[position:]


@st.composite
def csv_files(draw) -> tuple[bytes, str]:
    target = io.StringIO()
    writer = csv.writer(target, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerows(draw(tables() | well_formed_tables()))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    data = target.getvalue().encode(encoding, errors="replace")
    name = draw(st.sampled_from(["answers.csv", "answers.txt", "answers", "answers.xlsx"]))
    return damaged(draw, data), name


@st.composite
def well_formed_csv_files(draw) -> tuple[bytes, str]:
    target = io.StringIO()
    csv.writer(target).writerows(draw(well_formed_tables()))
    return target.getvalue().encode(), "answers.csv"


def workbook_bytes(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


def rezipped(data: bytes, drop: str) -> bytes:
    """The workbook's archive without the member `drop`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for member in source.infolist():
            if member.filename != drop:
                archive.writestr(member, source.read(member))
    return target.getvalue()


@st.composite
def xlsx_files(draw) -> tuple[bytes, str]:
    data = workbook_bytes(draw(tables() | well_formed_tables()))
    if draw(st.booleans()):
        members = zipfile.ZipFile(io.BytesIO(data)).namelist()
        data = rezipped(data, draw(st.sampled_from(members)))
    name = draw(st.sampled_from(["answers.xlsx", "answers.csv", "answers"]))
    return damaged(draw, data), name


def check_import(data: bytes, name: str) -> None:
    try:
        rows = imports.parse_file(data, name, CODES, KNOWN)
    except imports.ImportProblems as error:
        assert error.problems
        for problem in error.problems:
            assert str(problem)
            assert problem.translated(lambda message: message)
    else:
        assert rows
        assert all(row.recommendation in CODES.recommendations for row in rows)


@fuzz_settings(800)
@given(csv_files())
def test_a_generated_csv_is_read_or_refused_with_problems(file):
    check_import(*file)


@fuzz_settings(150)
@given(xlsx_files())
def test_a_generated_or_damaged_workbook_is_read_or_refused_with_problems(file):
    check_import(*file)


@fuzz_settings(600)
@given(st.binary(max_size=400), st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a.pdf", ""]))
def test_arbitrary_bytes_are_refused_with_problems(data, name):
    check_import(data, name)


# The Zoom attendance report.

ZOOM_HEADERS = [
    "Name (Original Name)",
    "User Email",
    "Email",
    "Email Address",
    "Join Time",
    "Duration (Minutes)",
    "Attended",
    "First Name",
    "Last Name",
    "Topic",
    "Meeting ID",
]


@st.composite
def zoom_reports(draw) -> bytes:
    rows = []
    if draw(st.booleans()):
        rows += [["Meeting ID", "Topic"], ["812 3456 7890", draw(cells)], []]
    header = draw(st.lists(st.sampled_from(ZOOM_HEADERS) | header_names, max_size=7))
    rows.append(header)
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        rows.append(
            [
                draw(st.sampled_from(["amina@example.org", "Yes", "No", "bad@", ""]) | cells)
                for _ in header
            ]
        )
    target = io.StringIO()
    csv.writer(target, delimiter=draw(st.sampled_from([",", "\t"]))).writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return damaged(draw, target.getvalue().encode(encoding, errors="replace"))


def check_zoom(data: bytes) -> None:
    try:
        rows = parse_zoom_report(data)
    except ReportProblems as error:
        assert error.problems
        assert all(str(problem) for problem in error.problems)
    else:
        assert rows


@fuzz_settings(600)
@given(zoom_reports())
def test_a_generated_zoom_report_is_read_or_refused_with_problems(data):
    check_zoom(data)


@fuzz_settings(400)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_as_a_zoom_report_are_refused_with_problems(data):
    check_zoom(data)


# Through the database: a refused file writes nothing.


def database_state() -> tuple:
    return (
        list(ImportBatch.objects.order_by("pk").values_list("pk", "checksum")),
        list(Respondent.objects.order_by("pk").values_list("pk", "source_key")),
        list(Answer.objects.order_by("pk").values_list("pk", "is_current", "comment")),
    )


@fuzz_settings(80)
@given(file=well_formed_csv_files() | csv_files() | xlsx_files())
def test_importing_a_generated_file_writes_it_whole_or_nothing(demo, before_the_sessions, file):
    user, _ = get_user_model().objects.get_or_create(username="fuzz.organiser")
    before = database_state()
    try:
        batch = imports.import_file(demo, file[0], file[1], user)
    except (imports.ImportProblems, imports.AlreadyImported, FeedbackClosed):
        assert database_state() == before
    else:
        assert Answer.objects.filter(submission_key__startswith="import:").count() >= batch.rows


@fuzz_settings(60)
@given(data=zoom_reports())
def test_uploading_a_generated_zoom_report_records_no_attendance(
    organiser_client, demo, before_the_sessions, data
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = list(Registration.objects.values_list("pk", "attended"))
    response = organiser_client.post(
        f"/en/manage/{demo.slug}/s/africa/attendance/import/",
        {"report": SimpleUploadedFile("zoom.csv", data)},
    )

    assert response.status_code in (200, 400)
    assert list(Registration.objects.values_list("pk", "attended")) == before
