"""Time arithmetic for sessions and their programmes, free of Django so it can be tested alone."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


def time_zone_problem(name: str) -> str | None:
    """Say why `name` is not a usable IANA time zone, or None if it is."""
    if not name:
        return "a time zone is required (an IANA name such as Europe/Paris)"
    if name in available_timezones():
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
        return f"unknown time zone {name!r}; use an IANA name such as Europe/Paris or Asia/Bangkok"
    return None


def slot_problem(start: datetime, end: datetime) -> str | None:
    """Say why a session cannot run from `start` to `end`, or None if it can."""
    if end <= start:
        return f"ends ({end.isoformat()}) before or when it starts ({start.isoformat()})"
    return None


def clock_times(start: datetime, durations: list[int]) -> list[tuple[datetime, datetime]]:
    """Start and end of each programme item when the items run back to back from `start`."""
    times = []
    cursor = start
    for minutes in durations:
        item_end = cursor + timedelta(minutes=minutes)
        times.append((cursor, item_end))
        cursor = item_end
    return times


@dataclass(frozen=True)
class ProgrammeFit:
    """How a programme fills its session's slot."""

    slot_minutes: int
    programme_minutes: int

    @property
    def overflow(self) -> int:
        return max(0, self.programme_minutes - self.slot_minutes)

    @property
    def unscheduled(self) -> int:
        return max(0, self.slot_minutes - self.programme_minutes)

    def error(self) -> str | None:
        """An over-long programme cannot run in its slot: that is an error."""
        if self.overflow:
            return (
                f"the programme lasts {self.programme_minutes} minutes but the session slot is "
                f"{self.slot_minutes} minutes ({self.overflow} minutes over)"
            )
        return None

    def warning(self) -> str | None:
        """Time left unscheduled is allowed but the organiser should know about it."""
        if self.programme_minutes and self.unscheduled:
            return (
                f"the programme lasts {self.programme_minutes} minutes in a "
                f"{self.slot_minutes}-minute slot: {self.unscheduled} minutes are unscheduled"
            )
        return None


def programme_fit(start: datetime, end: datetime, durations: list[int]) -> ProgrammeFit:
    slot_minutes = int((end - start).total_seconds() // 60)
    return ProgrammeFit(slot_minutes=slot_minutes, programme_minutes=sum(durations))


@dataclass(frozen=True)
class Slot:
    """A session's place in time, enough to find clashes."""

    key: object
    region: str
    start: datetime
    end: datetime


def overlapping_slots(slots: list[Slot]) -> list[tuple[Slot, Slot]]:
    """Pairs (earlier, later) of sessions for the same region whose times overlap."""
    clashes = []
    by_region: dict[str, list[Slot]] = {}
    for slot in slots:
        by_region.setdefault(slot.region.strip().casefold(), []).append(slot)
    for same_region in by_region.values():
        ordered = sorted(same_region, key=lambda s: (s.start, s.end))
        for i, earlier in enumerate(ordered):
            for later in ordered[i + 1 :]:
                if later.start >= earlier.end:
                    break
                clashes.append((earlier, later))
    return clashes


def weeks_to_shift(first_day: date, target: date) -> int:
    """Whole weeks to move a round so that its first day lands on or just after `target`.

    Whole weeks keep every session on its weekday, which participants and interpreters plan
    around; a target that is not the same weekday moves the round to the next such day.
    """
    days = (target - first_day).days
    return -((-days) // 7)


def shift_keeping_wall_time(moment: datetime, zone: str, weeks: int) -> datetime:
    """Move `moment` by whole weeks keeping its clock time in `zone` (across DST changes)."""
    local = moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    moved = local + timedelta(weeks=weeks)
    return moved.replace(tzinfo=ZoneInfo(zone))
