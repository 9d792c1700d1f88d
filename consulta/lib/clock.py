"""Session times as people read them: in their language, with the weekday, in a named zone."""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_datetime, format_time, get_timezone_location

from consulta.lib.languages import RIGHT_TO_LEFT

UTC_ZONE = "UTC"
COMMAS = {"ar": "، "}


@lru_cache(maxsize=1)
def all_zones() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted, for the viewer's zone selector."""
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == UTC_ZONE))


def zone_label(zone: str, moment: datetime, language: str) -> str:
    """'CET' where the zone has a common abbreviation, else its main city ('Bangkok')."""
    if zone == UTC_ZONE:
        return "UTC"
    abbreviation = moment.astimezone(ZoneInfo(zone)).tzname() or ""
    if abbreviation.isalpha() and abbreviation.isupper():
        return abbreviation
    return get_timezone_location(ZoneInfo(zone), locale=_locale(language), return_city=True)


def day(moment: datetime, zone: str, language: str) -> str:
    """'Thu 1 Feb 2024' in the language's own words and order."""
    return format_datetime(
        moment.astimezone(ZoneInfo(zone)), "EEE d MMM y", locale=_locale(language)
    )


def clock(moment: datetime, zone: str, language: str) -> str:
    return format_time(moment.astimezone(ZoneInfo(zone)), "HH:mm", locale=_locale(language))


def span(start: datetime, end: datetime, zone: str, language: str) -> str:
    """'15:00–17:30 Bangkok'; the clock range is isolated left-to-right inside RTL text."""
    times = f"{clock(start, zone, language)}–{clock(end, zone, language)}"
    if language in RIGHT_TO_LEFT:
        times = f"\u2066{times}\u2069"
    return f"{times} {zone_label(zone, start, language)}"


def slot(start: datetime, end: datetime, zone: str, language: str, organiser_zone: str) -> str:
    """'Thu 1 Feb 2024, 15:00–17:30 Bangkok (09:00–11:30 CET)'; the day is the viewer's."""
    comma = COMMAS.get(language, ", ")
    text = f"{day(start, zone, language)}{comma}{span(start, end, zone, language)}"
    if zone != organiser_zone:
        other_day = day(start, organiser_zone, language)
        organiser = span(start, end, organiser_zone, language)
        if other_day != day(start, zone, language):
            organiser = f"{other_day}{comma}{organiser}"
        text += f" ({organiser})"
    return text


def _locale(language: str) -> str:
    return language.replace("-", "_")
