"""Importing answers from CSV and XLSX: the organiser downloads a documented template, uploads
the filled file, sees a preview (nothing written), and confirms: everything is written in one
go, or nothing. Every bad row is named with its row, column and reason; the same file twice
adds nothing; a closed consultation takes no import."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from consulta.feedback import actions, imports
from consulta.feedback.imports import Codes, ImportProblems, Known, parse_file
from consulta.feedback.models import Answer, Channel, ImportBatch, Respondent

HEADER = (
    "respondent_id,email,stakeholder_group,country,session,language,recommendation,support,"
    "priority,comment,proposed_text"
)
GOOD_CSV = f"""{HEADER}
R-1,focal.point@ngo.example,civil_society,KE,africa,en,MM-1,4,high,Families need one contact point.,
R-1,,civil_society,,,,MM-2,strongly agree,essential,,
R-2,desk@ministry.example,member_state,SE,europe,fr,MM-1,2,low,,Les États devraient coopérer.
,researcher@uni.example,academia,GH,,,HA-1,0,,Data is scarce.,
"""

CODES = Codes(
    recommendations=frozenset({"MM-1", "MM-2", "HA-1"}),
    stakeholder_groups=frozenset({"civil_society", "member_state", "academia"}),
    countries=frozenset({"KE", "SE", "GH"}),
    sessions=frozenset({"africa", "europe"}),
    withdrawn=frozenset({"HA-9"}),
)


def upload(data: bytes, name: str = "answers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def import_url(consultation) -> str:
    return reverse("manage-feedback-import", args=[consultation.slug])


def preview(client, consultation, data: bytes, name: str = "answers.csv"):
    return client.post(import_url(consultation), {"file": upload(data, name)})


def confirm(client, consultation, response):
    return client.post(
        import_url(consultation), {"token": response.context["token"], "action": "confirm"}
    )


def nothing_written() -> bool:
    return not (
        ImportBatch.objects.exists() or Respondent.objects.exists() or Answer.objects.exists()
    )


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


def problems(response) -> list[tuple]:
    return [(p["row"], p["column"], p["reason"]) for p in response.context["problems"]]


# Reading and checking the file (no database).


def test_columns_are_found_by_name_whatever_their_order_case_spacing_and_separator():
    data = (
        "\ufeffRecommendation ; Stakeholder Group;Respondent ID;SUPPORT\n"
        "mm-1;Civil_Society;R-1;Agree\n"
    ).encode()

    [row] = parse_file(data, "answers.csv", CODES, Known())

    assert (row.row, row.source_key, row.recommendation, row.stakeholder_group, row.support) == (
        2,
        "R-1",
        "MM-1",
        "civil_society",
        4,
    )


def test_rows_are_numbered_as_a_spreadsheet_shows_them_blank_rows_included():
    data = f"{HEADER}\n\nR-1,,civil_society,,,,MM-1,9,,,\n".encode()

    with pytest.raises(ImportProblems) as refused:
        parse_file(data, "answers.csv", CODES, Known())

    assert [str(p).split(":")[0] for p in refused.value.problems] == ["Row 3, column support (H)"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), ("0", 0), ("5", 5), ("no opinion", 0), ("Strongly Disagree", 1), ("4.0", 4)],
)
def test_support_takes_numbers_or_the_english_words(value, expected):
    data = f"respondent_id,stakeholder_group,recommendation,support,comment\nR,academia,MM-1,{value},x\n"

    [row] = parse_file(data.encode(), "a.csv", CODES, Known())

    assert row.support == expected


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("essential", 4), ("Medium", 2)])
def test_priority_takes_numbers_or_words(value, expected):
    data = f"respondent_id,stakeholder_group,recommendation,priority\nR,academia,MM-1,{value}\n"

    [row] = parse_file(data.encode(), "a.csv", CODES, Known())

    assert row.priority == expected


def test_a_respondents_details_given_on_one_row_hold_for_all_its_rows():
    rows = parse_file(GOOD_CSV.encode(), "a.csv", CODES, Known())

    facts = imports.respondent_facts(rows)

    assert facts["R-1"] == {
        "email": "focal.point@ngo.example",
        "stakeholder_group": "civil_society",
        "country": "KE",
        "session": "africa",
        "language": "en",
    }
    assert set(facts) == {"R-1", "R-2", "researcher@uni.example"}


def test_a_respondent_whose_rows_disagree_is_refused():
    data = f"{HEADER}\nR-1,,civil_society,KE,,,MM-1,4,,,\nR-1,,member_state,SE,,,MM-2,4,,,\n"

    with pytest.raises(ImportProblems) as refused:
        parse_file(data.encode(), "a.csv", CODES, Known())

    assert [str(p) for p in refused.value.problems] == [
        "Row 3, column stakeholder_group (C): Respondent “R-1” has stakeholder_group "
        "“civil_society” at row 2; one respondent has one stakeholder_group.",
        "Row 3, column country (D): Respondent “R-1” has country “KE” at row 2; one respondent "
        "has one country.",
    ]


def test_a_later_file_may_not_change_what_an_earlier_import_said_about_a_respondent():
    known = Known(
        respondents={
            "R-1": {
                "email": "",
                "stakeholder_group": "academia",
                "country": "KE",
                "session": "",
                "language": "",
            }
        }
    )
    data = f"{HEADER}\nR-1,,academia,KE,,,MM-1,4,,,\nR-1,,academia,GH,africa,,MM-2,4,,,\n"

    with pytest.raises(ImportProblems) as refused:
        parse_file(data.encode(), "a.csv", CODES, known)

    assert [str(p) for p in refused.value.problems] == [
        "Row 3, column country (D): Respondent “R-1” was imported earlier with country “KE”, "
        "not “GH”.",
        "Row 3, column session (E): Respondent “R-1” was imported earlier without session; an "
        "import does not change a respondent: leave this cell empty.",
    ]


def test_an_unknown_column_and_a_column_without_header_are_reported():
    data = f"{HEADER},priorty,\nR-1,,academia,,,,MM-1,4,,,,3,x\n"

    with pytest.raises(ImportProblems) as refused:
        parse_file(data.encode(), "a.csv", CODES, Known())

    assert [str(p) for p in refused.value.problems] == [
        "Row 1, column priorty (L): Unknown column “priorty”. Rename it to one of the "
        "template's columns or delete it."
    ]


def test_values_in_a_column_without_a_header_are_reported():
    data = f"{HEADER},\nR-1,,academia,,,,MM-1,4,,,,stray\n"

    with pytest.raises(ImportProblems) as refused:
        parse_file(data.encode(), "a.csv", CODES, Known())

    assert [str(p) for p in refused.value.problems] == [
        "Row 2, column L: This column has values but no header; name it or delete it."
    ]


def test_a_withdrawn_recommendation_takes_no_answers():
    data = "email,stakeholder_group,recommendation,support\na@b.example,academia,HA-9,4\n"

    with pytest.raises(ImportProblems) as refused:
        parse_file(data.encode(), "a.csv", CODES, Known())

    assert "withdrawn" in str(refused.value.problems[0])


def test_a_file_with_a_header_and_no_answer_is_refused():
    with pytest.raises(ImportProblems) as refused:
        parse_file(f"{HEADER}\n,,,\n".encode(), "a.csv", CODES, Known())

    assert [str(p) for p in refused.value.problems] == [
        "The file has a header row (row 1) but no answer."
    ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.csv", "The file is empty."),
        ("Nom;Pays\nLéa;FR\n".encode("cp1252"), "a.csv", "The file is not UTF-8 text."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "Only CSV files"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.csv", "old Excel workbook"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "not a readable Excel workbook"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "report.pdf", "Only CSV files"),
        (b"plain text", "report.xlsx", "not a readable Excel workbook"),
    ],
)
def test_a_file_that_is_not_a_csv_or_an_xlsx_is_refused_with_a_clear_message(data, name, message):
    with pytest.raises(ImportProblems) as refused:
        parse_file(data, name, CODES, Known())

    assert message in str(refused.value.problems[0])


# Uploading, previewing and confirming.


@pytest.fixture
def open_consultation(demo, before_the_sessions):
    return demo


def test_a_good_csv_is_previewed_without_writing_anything(organiser_client, open_consultation):
    response = preview(organiser_client, open_consultation, GOOD_CSV.encode())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Every row is valid. Nothing has been written yet." in page
    assert "4 answers" in page
    assert "3 respondents" in page
    assert response.context["per_recommendation"][0][0] == "MM-1"
    assert [code for code, _title, _n in response.context["per_recommendation"]] == [
        "MM-1",
        "MM-2",
        "HA-1",
    ]
    assert dict((c, n) for c, _t, n in response.context["per_recommendation"])["MM-1"] == 2
    assert "Families need one contact point." in page
    assert nothing_written()


def test_confirming_writes_exactly_the_rows_with_respondents_grouped_by_respondent_id(
    organiser_client, organiser, open_consultation
):
    data = GOOD_CSV.encode()
    response = confirm(
        organiser_client,
        open_consultation,
        preview(organiser_client, open_consultation, data, "regional-survey.csv"),
    )

    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.filename, batch.checksum, batch.rows, batch.imported_by) == (
        "regional-survey.csv",
        hashlib.sha256(data).hexdigest(),
        4,
        organiser,
    )
    respondents = {r.source_key: r for r in Respondent.objects.all()}
    assert set(respondents) == {"R-1", "R-2", "researcher@uni.example"}
    first = respondents["R-1"]
    assert (first.channel, first.stakeholder_group, first.country, first.session.key) == (
        Channel.IMPORT,
        "civil_society",
        "KE",
        "africa",
    )
    assert (first.email, first.language, first.import_batch) == (
        "focal.point@ngo.example",
        "en",
        batch,
    )
    assert all(r.confirmed_at is not None for r in respondents.values())
    assert respondents["researcher@uni.example"].session is None
    answers = {
        (a.respondent.source_key, a.recommendation.code): a
        for a in Answer.objects.select_related("respondent", "recommendation")
    }
    assert set(answers) == {
        ("R-1", "MM-1"),
        ("R-1", "MM-2"),
        ("R-2", "MM-1"),
        ("researcher@uni.example", "HA-1"),
    }
    assert (answers["R-1", "MM-2"].support, answers["R-1", "MM-2"].priority) == (5, 4)
    assert answers["R-2", "MM-1"].proposed_text == "Les États devraient coopérer."
    assert answers["R-2", "MM-1"].language == "fr"
    assert answers["researcher@uni.example", "HA-1"].support == 0
    assert all(a.is_current for a in answers.values())
    assert answers["R-1", "MM-1"].submission_key == imports.submission_key(batch.checksum, 2)
    assert answers["R-1", "MM-1"].submission_key.startswith(f"import:{batch.checksum[:48]}:")
    followed = organiser_client.get(response["Location"])
    assert "Imported 4 answers from “regional-survey.csv” (3 new respondents)." in (
        followed.content.decode()
    )
    assert "regional-survey.csv" in followed.content.decode()


def test_a_good_xlsx_is_previewed_then_imported(organiser_client, open_consultation):
    data = xlsx(
        [
            [
                "Respondent ID",
                "Stakeholder group",
                "Recommendation",
                "Support",
                "Priority",
                "Comment",
            ],
            [17, "migrant_led", "MM-3", 5, 3, "Include diaspora groups."],
            [17, "migrant_led", "MM-4", 1, None, None],
            [None, None, None, None, None, None],
            [18, "nhri", "HA-2", None, "low", None],
        ]
    )

    response = preview(organiser_client, open_consultation, data, "survey.xlsx")

    assert response.status_code == 200
    assert nothing_written()
    assert response.context["summary"].respondents == 2
    confirm(organiser_client, open_consultation, response)
    assert ImportBatch.objects.get().rows == 3
    assert sorted(Respondent.objects.values_list("source_key", flat=True)) == ["17", "18"]
    assert sorted(
        Answer.objects.values_list("respondent__source_key", "recommendation__code", "support")
    ) == [("17", "MM-3", 5), ("17", "MM-4", 1), ("18", "HA-2", None)]
    assert sorted(Answer.objects.values_list("submission_key", flat=True))[-1].endswith(":5")


def test_discarding_the_preview_writes_nothing(organiser_client, open_consultation):
    response = preview(organiser_client, open_consultation, GOOD_CSV.encode())

    organiser_client.post(
        import_url(open_consultation), {"token": response.context["token"], "action": "discard"}
    )

    assert nothing_written()
    assert confirm(organiser_client, open_consultation, response).status_code == 302
    assert nothing_written()


def test_a_forged_or_expired_preview_token_writes_nothing(organiser_client, open_consultation):
    preview(organiser_client, open_consultation, GOOD_CSV.encode())

    response = organiser_client.post(
        import_url(open_consultation), {"token": "guessed", "action": "confirm"}, follow=True
    )

    assert "This preview has expired. Upload the file again." in response.content.decode()
    assert nothing_written()


BAD_CSV = f"""{HEADER}
R-1,focal.point@ngo,civil_society,KE,africa,en,MM-1,4,,,
R-2,,nobody,XX,mars,de,MM-99,7,urgent,,
R-3,,academia,,,,MM-1,,,,
R-4,,academia,,,,MM-2,3,,,
R-4,,academia,,,,MM-2,2,,,
R-5,,academia,,,,HA-1,ok,,,
"""


def test_a_bad_file_lists_every_bad_row_with_its_column_and_reason_and_writes_nothing(
    organiser_client, open_consultation
):
    response = preview(organiser_client, open_consultation, BAD_CSV.encode())

    assert response.status_code == 400
    assert nothing_written()
    found = problems(response)
    assert [(row, column) for row, column, _reason in found] == [
        (2, "email (B)"),
        (3, "stakeholder_group (C)"),
        (3, "country (D)"),
        (3, "session (E)"),
        (3, "language (F)"),
        (3, "recommendation (G)"),
        (3, "support (H)"),
        (3, "priority (I)"),
        (4, "support, priority, comment, proposed_text"),
        (6, "recommendation (G)"),
        (7, "support (H)"),
    ]
    reasons = [reason for _row, _column, reason in found]
    assert reasons[0] == "“focal.point@ngo” is not an e-mail address."
    assert reasons[1].startswith("Unknown stakeholder group “nobody”")
    assert reasons[2].startswith("Unknown country “XX”")
    assert reasons[3].startswith("Unknown session “mars”")
    assert reasons[5] == "Unknown recommendation code “MM-99”."
    assert reasons[6].startswith("“7” is outside the scale")
    assert reasons[7].startswith("“urgent” is outside the scale")
    assert reasons[8].startswith("No answer")
    assert reasons[9] == "Respondent “R-4” answers MM-2 a second time (first at row 5)."
    page = response.content.decode()
    assert "The file was not imported; nothing was written. 11 problems:" in page
    assert "<td>email (B)</td>" in page


def test_a_file_missing_a_required_column_is_refused(organiser_client, open_consultation):
    data = b"respondent_id,support,comment\nR-1,4,Fine\n"

    response = preview(organiser_client, open_consultation, data)

    assert response.status_code == 400
    assert [reason for _r, _c, reason in problems(response)] == [
        "The required column “stakeholder_group” is missing.",
        "The required column “recommendation” is missing.",
    ]
    assert nothing_written()


def test_a_file_without_respondent_or_answer_columns_is_refused(
    organiser_client, open_consultation
):
    response = preview(organiser_client, open_consultation, b"stakeholder_group,recommendation\n")

    reasons = [reason for _r, _c, reason in problems(response)]
    assert any("“respondent_id” or an “email” column" in reason for reason in reasons)
    assert any("at least one answer column" in reason for reason in reasons)


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(organiser_client, open_consultation):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))

    response = preview(organiser_client, open_consultation, png, "photo.png")

    assert response.status_code == 400
    assert "Only CSV files (UTF-8, comma- or semicolon-separated) and Excel workbooks" in (
        response.content.decode()
    )
    assert nothing_written()


def test_a_file_larger_than_5_mb_is_refused(organiser_client, open_consultation):
    big = GOOD_CSV.encode() + b"x" * (5 * 1024 * 1024)

    response = preview(organiser_client, open_consultation, big)

    assert response.status_code == 400
    assert "The file is larger than 5 MB." in response.content.decode()
    assert nothing_written()


def test_importing_the_same_file_twice_adds_nothing_and_says_when_it_was_imported(
    organiser_client, open_consultation
):
    data = GOOD_CSV.encode()
    confirm(organiser_client, open_consultation, preview(organiser_client, open_consultation, data))

    again = preview(organiser_client, open_consultation, data, "renamed-copy.csv")

    assert again.status_code == 409
    assert (
        "This file was already imported on 20 January 2024, 09:00 UTC (“answers.csv”, 4 answers)"
        "; nothing was added." in again.content.decode()
    )
    assert (ImportBatch.objects.count(), Respondent.objects.count(), Answer.objects.count()) == (
        1,
        3,
        4,
    )


def test_confirming_the_same_file_from_two_previews_adds_it_once(
    client, organiser, open_consultation
):
    client.force_login(organiser)
    first = preview(client, open_consultation, GOOD_CSV.encode())
    other = type(client)()
    other.force_login(organiser)
    second = preview(other, open_consultation, GOOD_CSV.encode())
    confirm(client, open_consultation, first)

    response = confirm(other, open_consultation, second)

    assert response.status_code == 409
    assert "This file was already imported on" in response.content.decode()
    assert Answer.objects.count() == 4


def test_a_row_duplicating_an_answer_from_an_earlier_import_is_named(
    organiser_client, open_consultation
):
    confirm(
        organiser_client,
        open_consultation,
        preview(organiser_client, open_consultation, GOOD_CSV.encode()),
    )
    later = f"""{HEADER}
R-1,,civil_society,,,,MM-3,4,,,
R-1,,civil_society,,,,MM-1,5,,Changed my mind.,
researcher@uni.example,,academia,,,,HA-2,4,,,
"""

    response = preview(organiser_client, open_consultation, later.encode(), "later.csv")

    assert response.status_code == 400
    assert problems(response) == [
        (
            3,
            "recommendation (G)",
            "Respondent “R-1” already has an answer on MM-1 from an earlier import; this row "
            "would duplicate it.",
        )
    ]
    assert Answer.objects.count() == 4


def test_a_later_file_adds_new_answers_to_a_known_respondent(organiser_client, open_consultation):
    confirm(
        organiser_client,
        open_consultation,
        preview(organiser_client, open_consultation, GOOD_CSV.encode()),
    )
    later = f"{HEADER}\nR-1,,civil_society,KE,,,MM-3,4,,,\n"

    response = preview(organiser_client, open_consultation, later.encode(), "later.csv")
    assert response.context["summary"].new_respondents == 0
    confirm(organiser_client, open_consultation, response)

    assert Respondent.objects.filter(source_key="R-1").count() == 1
    assert Answer.objects.filter(respondent__source_key="R-1").count() == 3


def test_a_known_respondent_cannot_change_group_in_a_later_file(
    organiser_client, open_consultation
):
    confirm(
        organiser_client,
        open_consultation,
        preview(organiser_client, open_consultation, GOOD_CSV.encode()),
    )
    later = f"{HEADER}\nR-1,,academia,,,,MM-3,4,,,\n"

    response = preview(organiser_client, open_consultation, later.encode(), "later.csv")

    assert problems(response) == [
        (
            2,
            "stakeholder_group (C)",
            "Respondent “R-1” was imported earlier with stakeholder_group “civil_society”, "
            "not “academia”.",
        )
    ]


def test_a_closed_consultation_refuses_an_import(organiser_client, open_consultation):
    actions.close_consultation(open_consultation)

    page = organiser_client.get(import_url(open_consultation))
    response = preview(organiser_client, open_consultation, GOOD_CSV.encode())

    assert "nothing can be imported" in page.content.decode()
    assert 'enctype="multipart/form-data"' not in page.content.decode()
    assert response.status_code == 409
    assert "This consultation is closed" in response.content.decode()
    assert nothing_written()


def test_closing_between_preview_and_confirmation_refuses_the_import(
    organiser_client, open_consultation
):
    response = preview(organiser_client, open_consultation, GOOD_CSV.encode())
    actions.close_consultation(open_consultation)

    refused = confirm(organiser_client, open_consultation, response)

    assert refused.status_code == 409
    assert "This consultation is closed" in refused.content.decode()
    assert nothing_written()


def test_the_write_path_refuses_a_closed_consultation(organiser, open_consultation):
    actions.close_consultation(open_consultation)

    with pytest.raises(actions.FeedbackClosed):
        imports.import_file(open_consultation, GOOD_CSV.encode(), "a.csv", organiser)
    assert nothing_written()


# The template and its documentation.


def test_the_csv_template_is_the_header_row(organiser_client, demo):
    response = organiser_client.get(
        reverse("manage-feedback-import-template", args=[demo.slug, "csv"])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "feedback-import-template.csv" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig") == HEADER + "\r\n"


def test_the_xlsx_template_has_the_header_and_a_how_to_fill_sheet(organiser_client, demo):
    response = organiser_client.get(
        reverse("manage-feedback-import-template", args=[demo.slug, "xlsx"])
    )

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["Answers", "How to fill"]
    assert [c for c in next(workbook["Answers"].iter_rows(values_only=True))] == HEADER.split(",")
    how = [cell for row in workbook["How to fill"].iter_rows(values_only=True) for cell in row]
    for expected in ("stakeholder_group", "civil_society", "africa", "MM-1", "KE", "essential"):
        assert expected in how


def test_an_empty_template_filled_with_one_row_imports(organiser_client, open_consultation):
    template = organiser_client.get(
        reverse("manage-feedback-import-template", args=[open_consultation.slug, "xlsx"])
    )
    workbook = load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    workbook["Answers"].append(["R-9", "", "un_system", "", "", "", "HA-4", 3])
    filled = io.BytesIO()
    workbook.save(filled)

    response = preview(organiser_client, open_consultation, filled.getvalue(), "filled.xlsx")

    assert response.status_code == 200
    assert response.context["summary"].answers == 1


def test_the_import_page_documents_every_column_and_its_allowed_values(
    organiser_client, open_consultation
):
    demo = open_consultation
    page = organiser_client.get(import_url(demo)).content.decode()

    for column in HEADER.split(","):
        assert f"<code>{column}</code>" in page
    for code in ("civil_society", "migrant_led", "trade_union", "africa", "arab-states", "HA-4"):
        assert f"<code>{code}</code>" in page
    assert "Migrant- or diaspora-led organisation" in page
    assert "<code>strongly agree</code>" in page
    assert "<code>essential</code>" in page
    assert "<code>KE</code>" in page
    assert '<label for="id_file">' in page


def test_the_import_page_is_translated(organiser_client, demo):
    with translation.override("fr"):  # restores the language the request leaves active
        page = organiser_client.get(import_url(demo))

    assert page.status_code == 200
    assert page.request["PATH_INFO"].startswith("/fr/")
    assert "<code>recommendation</code>" in page.content.decode()
