"""Working days against real England and Wales bank holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casework.core.workdays import WorkingCalendar, bank_holiday_name
from casework.notifications.due import DayCounter

CALENDAR = WorkingCalendar()


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Christmas 2026: 25 Dec (Fri) and the substitute Boxing Day, Mon 28 Dec.
        (date(2026, 12, 21), 5, date(2026, 12, 30)),
        # Easter 2027: Good Friday 26 March and Easter Monday 29 March are skipped.
        (date(2027, 3, 15), 15, date(2027, 4, 7)),
        (date(2027, 3, 25), 1, date(2027, 3, 30)),
        # Day 0 is the event: Friday + 1 is Monday, Saturday + 1 is Monday too.
        (date(2026, 3, 6), 1, date(2026, 3, 9)),
        (date(2026, 3, 7), 1, date(2026, 3, 9)),
        (date(2026, 3, 2), 5, date(2026, 3, 9)),
        (date(2026, 3, 2), 0, date(2026, 3, 2)),
        # New Year 2027 and the double substitute days of Christmas 2027 (27 and 28 December).
        (date(2027, 12, 24), 1, date(2027, 12, 29)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),
        (date(2026, 3, 9), -5, date(2026, 3, 2)),
    ],
)
def test_add_working_days(start: date, days: int, expected: date) -> None:
    assert CALENDAR.add_working_days(start, days) == expected


def test_bank_holidays_come_from_the_maintained_calendar() -> None:
    assert bank_holiday_name(date(2026, 12, 28)) == "Boxing Day (observed)"
    assert bank_holiday_name(date(2027, 3, 26)) == "Good Friday"
    assert bank_holiday_name(date(2026, 3, 17)) is None  # St Patrick's Day is Northern Ireland only
    assert not CALENDAR.is_working_day(date(2027, 3, 29))


def test_closure_days_are_skipped() -> None:
    closed = WorkingCalendar(frozenset({date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)}))
    assert closed.add_working_days(date(2026, 12, 21), 5) == date(2027, 1, 5)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 12, 21), date(2026, 12, 30), 5),
        (date(2026, 12, 30), date(2026, 12, 21), -5),
        (date(2026, 3, 2), date(2026, 3, 2), 0),
        (date(2026, 3, 6), date(2026, 3, 8), 0),  # Friday to Sunday: no working day after Friday
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert CALENDAR.working_days_between(start, end) == expected


def test_the_day_counter_counts_as_the_calendar_does_over_years() -> None:
    """The queues' counter of working days left counts by arithmetic, never day by day: it agrees
    with the calendar on every day of a span of years, across bank holidays, their substitute
    days, closure days on a weekday and at a weekend, and a closure on a bank holiday."""
    closures = frozenset({date(2026, 12, 29), date(2026, 12, 25), date(2024, 6, 8), date(2022, 3, 15)})
    calendar = WorkingCalendar(closures)
    days = [date(2021, 12, 20) + timedelta(days=offset) for offset in range(0, 5 * 365 + 30, 3)]
    for today in (date(2026, 12, 2), date(2026, 12, 26), date(2026, 12, 28), date(2022, 3, 15)):
        counter = DayCounter(calendar, today, days)
        assert [counter.left(day) for day in days] == [
            calendar.working_days_between(today, day) for day in days
        ]
