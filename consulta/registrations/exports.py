"""The organiser's list of registrations as CSV or XLSX, safe to open in a spreadsheet.

Any text cell starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe
in both formats, so that a spreadsheet never runs what a participant typed as a formula.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO

import pycountry
from django.conf import settings
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from consulta.registrations.models import Attribution, Registration, StakeholderGroup

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """`value` with a leading apostrophe if it is text a spreadsheet could read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.name if country else code


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return gettext("yes") if value else gettext("no")


def header() -> list[str]:
    return [
        gettext("Session"),
        gettext("Region"),
        gettext("Status"),
        gettext("Given name"),
        gettext("Family name"),
        gettext("E-mail"),
        gettext("Organisation"),
        gettext("Stakeholder group"),
        gettext("Country code"),
        gettext("Country"),
        gettext("Preferred language"),
        gettext("Interpretation or accessibility needs"),
        gettext("Attribution"),
        gettext("Time zone"),
        gettext("Registered (UTC)"),
        gettext("Cancelled (UTC)"),
        gettext("Attended"),
        gettext("Attendance source"),
    ]


def _utc(moment: datetime | None) -> datetime | None:
    """A naive UTC time: spreadsheets have no time zones (the header says UTC)."""
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0) if moment else None


def rows(registrations: Iterable[Registration]) -> Iterator[list]:
    """One list of cell values per registration, in `header()`'s order.

    `registrations` should come with `select_related("session")`.
    """
    groups = dict(StakeholderGroup.choices)
    attributions = dict(Attribution.choices)
    statuses = dict(Registration.Status.choices)
    for registration in registrations:
        yield [
            registration.session.key,
            registration.session.region,
            str(statuses.get(registration.status, registration.status)),
            registration.given_name,
            registration.family_name,
            registration.email,
            registration.organisation,
            str(groups.get(registration.stakeholder_group, registration.stakeholder_group)),
            registration.country,
            country_name(registration.country),
            language_name(registration.language),
            registration.needs,
            str(attributions.get(registration.attribution, registration.attribution)),
            registration.timezone,
            _utc(registration.queued_at),
            _utc(registration.cancelled_at),
            yes_no(registration.attended),
            registration.attendance_source,
        ]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


class _Echo:
    """A file-like object whose write returns what it was given (for streaming csv)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(head: list[str], body: Iterable[list]) -> Iterator[str]:
    """The CSV file line by line, starting with a byte-order mark so spreadsheets read UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(cell) for cell in head])
    for values in body:
        yield writer.writerow([neutralise(_text(value)) for value in values])


def _xlsx_cell(value):
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def write_xlsx(head: list[str], body: Iterable[list], target: IO[bytes], *, title: str) -> None:
    """Write one sheet to `target` with a write-only workbook (rows are not kept in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_xlsx_cell(cell) for cell in head])
    for values in body:
        sheet.append([_xlsx_cell(value) for value in values])
    workbook.save(target)
