"""Importing a Zoom report: its summary lines are skipped, the participants are matched by
e-mail within the session, the organiser sees a preview, and only confirming records anything.
A file with any problem records nothing and says which row is wrong."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consulta.registrations import actions, attendance
from consulta.registrations.attendance import ReportProblems, Row, parse_zoom_report
from consulta.registrations.models import Registration
from tests.conftest import register

MEETING_PARTICIPANTS = """\
Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants
812 3456 7890,"Regional consultation, Africa",01/29/2024 01:55:12 PM,01/29/2024 04:31:09 PM,secretariat@unnm.example,156,4

Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
UNNM Secretariat,secretariat@unnm.example,01/29/2024 01:55:12 PM,01/29/2024 04:31:09 PM,156,No
Amina Diallo,AMINA.DIALLO@example.org,01/29/2024 01:58:40 PM,01/29/2024 03:10:00 PM,72,Yes
Amina Diallo,amina.diallo@example.org,01/29/2024 03:12:00 PM,01/29/2024 04:30:00 PM,78,Yes
Kofi Mensah,kofi@example.org,01/29/2024 02:01:00 PM,01/29/2024 04:30:00 PM,149,Yes
Call-in user,,01/29/2024 02:05:00 PM,01/29/2024 04:00:00 PM,115,Yes
"""

WEBINAR_ATTENDEES = """\
Attendee Report
Report Generated:,"02/06/2024 09:12 AM"
Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered,Unique Viewers
"Regional consultation, Africa",812 3456 7890,"Jan 29, 2024 02:00 PM",150,3,2
Host Details
Attended,User Name (Original Name),Email,Join Time,Leave Time
Yes,UNNM Secretariat,secretariat@unnm.example,"Jan 29, 2024 01:55 PM","Jan 29, 2024 04:31 PM"
Attendee Details
Attended,First Name,Last Name,Email,Registration Time,Join Time
Yes,Amina,Diallo,amina.diallo@example.org,"Jan 12, 2024 10:00 AM","Jan 29, 2024 01:58 PM"
No,Kofi,Mensah,kofi@example.org,"Jan 13, 2024 11:00 AM",--
"""


# Reading the file (no database).


def test_the_participants_table_is_found_below_zooms_summary_lines():
    rows = parse_zoom_report(MEETING_PARTICIPANTS.encode())

    assert rows == [
        Row(5, "secretariat@unnm.example", "UNNM Secretariat"),
        Row(6, "amina.diallo@example.org", "Amina Diallo"),
        Row(8, "kofi@example.org", "Kofi Mensah"),
        Row(9, "", "Call-in user"),
    ]


def test_a_webinar_report_gives_its_attendees_and_leaves_out_those_who_did_not_come():
    rows = parse_zoom_report(WEBINAR_ATTENDEES.encode())

    assert rows == [Row(10, "amina.diallo@example.org", "Amina Diallo")]


def test_a_registration_report_with_first_and_last_names_is_read():
    report = (
        "Registration Report\n"
        "Topic,ID,Scheduled Time,# Registered\n"
        "Consultation,812 3456 7890,Jan 29 2024,2\n"
        "Registrant Details\n"
        "First Name,Last Name,Email Address,Registration Time\n"
        "Kofi,Mensah,kofi@example.org,Jan 13 2024\n"
    )

    assert parse_zoom_report(report.encode()) == [Row(6, "kofi@example.org", "Kofi Mensah")]


def test_a_tab_separated_file_with_a_byte_order_mark_is_read():
    report = "\ufeffName\tUser Email\tDuration\r\nAmina Diallo\tamina@example.org\t70\r\n"

    assert parse_zoom_report(report.encode("utf-8")) == [
        Row(2, "amina@example.org", "Amina Diallo")
    ]


def test_a_utf16_file_is_read():
    report = "Name,Email\nLéa Müller,lea@example.org\n"

    assert parse_zoom_report(report.encode("utf-16")) == [Row(2, "lea@example.org", "Léa Müller")]


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(ReportProblems) as refused:
        parse_zoom_report(data)
    return [str(problem) for problem in refused.value.problems]


def test_a_file_without_an_email_column_is_refused():
    problems = problems_of(b"Name,Join Time\nAmina Diallo,01/29/2024\n")

    assert len(problems) == 1
    assert "No e-mail column" in problems[0]


def test_a_file_whose_only_email_column_is_in_the_summary_is_refused():
    problems = problems_of(MEETING_PARTICIPANTS.split("\n\n")[0].encode())

    assert "No e-mail column" in problems[0]


def test_every_malformed_email_is_named_with_its_row():
    report = "Name,Email\nAmina,amina@example.org\nKofi,kofi at example\nLena,lena@\n"

    assert problems_of(report.encode()) == [
        "Row 3: “kofi at example” is not an e-mail address.",
        "Row 4: “lena@” is not an e-mail address.",
    ]


@pytest.mark.parametrize("data", [b"", b"   \n\n", "\ufeff\n".encode()])
def test_an_empty_file_is_refused(data):
    assert problems_of(data) == ["The file is empty."]


def test_a_header_without_participants_is_refused():
    assert problems_of(b"Name,Email\n\n") == [
        "The file has a header row (row 1) but no participant."
    ]


def test_a_file_that_is_not_utf8_is_refused():
    problems = problems_of("Name,Email\nLéa,lea@example.org\n".encode("cp1252"))

    assert "not UTF-8" in problems[0]


def test_rows_are_matched_by_email_ignoring_case():
    class Registered:
        def __init__(self, email):
            self.email = email

    amina = Registered("amina@example.org")
    rows = [Row(2, "amina@example.org", "A"), Row(3, "nobody@example.org", "N"), Row(4, "", "")]

    matches = attendance.match_rows(rows, [amina, Registered("kofi@example.org")])

    assert matches.matched == [(rows[0], amina)]
    assert matches.unmatched == [rows[1], rows[2]]


# The organiser's pages.


@pytest.fixture
def africa(demo):
    return demo.sessions.get(key="africa")


@pytest.fixture
def cast(africa, demo):
    """Amina and Kofi registered for Africa; Lena for Europe, with an address in the file."""
    return {
        "amina": register(africa, "Amina", "Diallo", "Amina.Diallo@example.org"),
        "kofi": register(africa, "Kofi", "Mensah", "kofi@example.org"),
        "lena": register(
            demo.sessions.get(key="europe"), "Lena", "Ivanova", "lena@example.org", language="ru"
        ),
    }


def import_url(session) -> str:
    return reverse("manage-attendance-import", args=[session.consultation.slug, session.key])


def upload(client, session, text: str | bytes, name="participants.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(import_url(session), {"report": SimpleUploadedFile(name, data, "text/csv")})


def attended() -> dict:
    return dict(Registration.objects.values_list("email", "attended"))


def test_the_import_page_asks_for_a_file(organiser_client, africa):
    response = organiser_client.get(import_url(africa))

    assert response.status_code == 200
    assert '<label for="id_report">' in response.content.decode()


def test_the_preview_lists_matches_and_unmatched_rows_and_writes_nothing(
    organiser_client, africa, cast
):
    report = MEETING_PARTICIPANTS + "Lena Ivanova,lena@example.org,,,80,Yes\n"

    response = upload(organiser_client, africa, report)

    assert response.status_code == 200
    assert [r.email for _row, r in response.context["matched"]] == [
        "amina.diallo@example.org",
        "kofi@example.org",
    ]
    assert [(row.row, row.email) for row in response.context["unmatched"]] == [
        (5, "secretariat@unnm.example"),
        (9, ""),
        (10, "lena@example.org"),  # registered, but for another session
    ]
    page = response.content.decode()
    assert "secretariat@unnm.example" in page
    assert "Confirm and record attendance" in page
    assert set(attended().values()) == {None}


def test_confirming_the_preview_marks_the_matched_registrations_as_attended(
    organiser_client, africa, cast
):
    preview = upload(organiser_client, africa, MEETING_PARTICIPANTS)

    response = organiser_client.post(
        import_url(africa), {"token": preview.context["token"], "action": "confirm"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(
        "manage-consultation", args=[africa.consultation.slug]
    )
    assert "2 registrations marked as attended." in response.content.decode()
    assert attended() == {
        "amina.diallo@example.org": True,
        "kofi@example.org": True,
        "lena@example.org": None,
    }
    marked = Registration.objects.get(email="kofi@example.org")
    assert marked.attendance_source == "zoom import"


def test_a_preview_can_be_confirmed_only_once(organiser_client, africa, cast):
    token = upload(organiser_client, africa, MEETING_PARTICIPANTS).context["token"]
    organiser_client.post(import_url(africa), {"token": token, "action": "confirm"})
    Registration.objects.update(attended=None)

    response = organiser_client.post(
        import_url(africa), {"token": token, "action": "confirm"}, follow=True
    )

    assert "This preview has expired" in response.content.decode()
    assert set(attended().values()) == {None}


def test_a_discarded_preview_records_nothing(organiser_client, africa, cast):
    token = upload(organiser_client, africa, MEETING_PARTICIPANTS).context["token"]

    organiser_client.post(import_url(africa), {"token": token, "action": "discard"})
    response = organiser_client.post(import_url(africa), {"token": token, "action": "confirm"})

    assert response.status_code == 302
    assert set(attended().values()) == {None}


def test_a_preview_cannot_be_confirmed_for_another_session(organiser_client, africa, demo, cast):
    token = upload(organiser_client, africa, MEETING_PARTICIPANTS).context["token"]

    organiser_client.post(
        import_url(demo.sessions.get(key="europe")), {"token": token, "action": "confirm"}
    )

    assert set(attended().values()) == {None}


@pytest.mark.parametrize(
    ("report", "message"),
    [
        ("Name,Join Time\nAmina Diallo,01/29/2024\n", "No e-mail column found"),
        (
            "Name,Email\nAmina,amina.diallo@example.org\nKofi,kofi(at)example.org\n",
            "Row 3: “kofi(at)example.org” is not an e-mail address.",
        ),
        ("", "The file is empty."),
    ],
    ids=["no e-mail column", "bad e-mail", "empty"],
)
def test_a_malformed_file_records_nothing_and_says_why(
    organiser_client, africa, cast, report, message
):
    response = upload(organiser_client, africa, report)

    assert response.status_code == 400
    page = response.content.decode()
    assert "nothing was recorded" in page
    assert message in page
    assert "token" not in response.context
    assert set(attended().values()) == {None}


def test_a_file_over_five_megabytes_is_refused(organiser_client, africa, cast):
    big = ("Name,Email\n" + "Amina,amina.diallo@example.org\n" * 200_000).encode()
    assert len(big) > attendance.MAX_BYTES

    response = upload(organiser_client, africa, big)

    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()
    assert set(attended().values()) == {None}


def test_an_unknown_session_is_not_found(organiser_client, demo):
    url = reverse("manage-attendance-import", args=[demo.slug, "antarctica"])

    assert organiser_client.get(url).status_code == 404


def test_recording_attendance_marks_only_the_sessions_registrations(africa, cast):
    marked = actions.record_zoom_attendance(
        africa, ["AMINA.DIALLO@example.org", "lena@example.org", ""]
    )

    assert marked == 1
    assert attended() == {
        "amina.diallo@example.org": True,
        "kofi@example.org": None,
        "lena@example.org": None,
    }
