from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from consulta.lib.schedule import (
    Slot,
    clock_times,
    overlapping_slots,
    programme_fit,
    shift_keeping_wall_time,
    time_zone_problem,
    weeks_to_shift,
)

PARIS = ZoneInfo("Europe/Paris")


def at(day, hour, minute=0):
    return datetime(2024, 1, day, hour, minute, tzinfo=PARIS)


def test_programme_items_run_back_to_back_from_the_session_start():
    times = clock_times(at(29, 14), [5, 15, 15, 45, 10])
    assert [f"{s:%H:%M}-{e:%H:%M}" for s, e in times] == [
        "14:00-14:05",
        "14:05-14:20",
        "14:20-14:35",
        "14:35-15:20",
        "15:20-15:30",
    ]


def test_a_short_programme_is_a_warning_and_a_long_one_an_error():
    short = programme_fit(at(29, 14), at(29, 16, 30), [5, 15, 15, 45, 10])
    assert short.error() is None
    assert "60 minutes are unscheduled" in short.warning()
    long = programme_fit(at(29, 14), at(29, 15), [45, 30])
    assert long.warning() is None
    assert "15 minutes over" in long.error()
    exact = programme_fit(at(29, 14), at(29, 15), [60])
    assert exact.error() is None and exact.warning() is None


def test_sessions_of_the_same_region_clash_only_when_their_times_overlap():
    slots = [
        Slot("a", "Africa", at(29, 14), at(29, 16)),
        Slot("b", "africa ", at(29, 15), at(29, 17)),
        Slot("c", "Africa", at(29, 17), at(29, 18)),
        Slot("d", "Europe", at(29, 14), at(29, 16)),
    ]
    clashes = overlapping_slots(slots)
    assert [(a.key, b.key) for a, b in clashes] == [("a", "b")]


def test_unknown_time_zones_are_named():
    assert time_zone_problem("Asia/Bangkok") is None
    assert "Europe/Pariss" in time_zone_problem("Europe/Pariss")
    assert time_zone_problem("../../etc/passwd") is not None


def test_a_new_round_moves_by_whole_weeks_to_keep_weekdays():
    monday = date(2024, 1, 29)
    assert weeks_to_shift(monday, date(2026, 12, 7)) * 7 == (date(2026, 12, 7) - monday).days
    # A Wednesday target moves the round to the following Monday.
    weeks = weeks_to_shift(monday, date(2026, 12, 9))
    moved = date.fromordinal(monday.toordinal() + weeks * 7)
    assert moved == date(2026, 12, 14)


def test_shifting_keeps_the_clock_time_across_a_daylight_saving_change():
    winter_session = datetime(2024, 1, 29, 13, 0, tzinfo=UTC)  # 14:00 in Paris
    moved = shift_keeping_wall_time(winter_session, "Europe/Paris", weeks=10)  # into April
    assert moved.astimezone(PARIS).strftime("%Y-%m-%d %H:%M") == "2024-04-08 14:00"
    assert moved.astimezone(UTC).hour == 12
