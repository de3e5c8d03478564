"""Working days in England: Monday to Friday, less England and Wales bank holidays (from the
maintained ``holidays`` package, substitute days included) and the partnership's own closure days.

Counting rule used everywhere: the day of the event is day 0, so "5 working days after Monday"
is the fifth working day that follows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

import holidays
from flask import g, has_app_context
from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.extensions import db
from casework.core.timeutil import UTCDateTime, utcnow

COUNTING_RULE = (
    "Working days are Monday to Friday, not counting bank holidays in England and Wales "
    "(including substitute days) or the partnership's closure days. The day of the event is "
    "day 0: a deadline of 5 working days after Monday 2 March 2026 is Monday 9 March 2026."
)


class ClosureDay(db.Model):
    """A day the partnership is closed, on top of bank holidays (e.g. a Christmas closure)."""

    __tablename__ = "closure_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    description: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holiday_name(day: date) -> str | None:
    return holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)


@dataclass(frozen=True)
class WorkingCalendar:
    closures: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _bank_holidays(day.year) and day not in self.closures

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (start is day 0); negative goes back."""
        step = 1 if days >= 0 else -1
        remaining, day = abs(days), start
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def weekdays_off(self, first: date, last: date) -> list[date]:
        """The Mondays to Fridays from ``first`` to ``last`` that are not working days (bank
        holidays and closure days), in order: with the count of weekdays, what a range of any
        length holds in working days, without walking it day by day."""
        years = range(first.year, last.year + 1)
        days = {day for year in years for day in _bank_holidays(year)} | self.closures
        return sorted(day for day in days if first <= day <= last and day.weekday() < 5)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when end is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1 for offset in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(offset))
        )


def forget_calendar() -> None:
    """Drop the request's cached calendar after closure days change."""
    if has_app_context():
        g.pop("working_calendar", None)


def working_calendar() -> WorkingCalendar:
    """The calendar with this partnership's closure days, read once per request."""
    if has_app_context() and "working_calendar" in g:
        return g.working_calendar
    closures = frozenset(db.session.execute(db.select(ClosureDay.day)).scalars())
    calendar = WorkingCalendar(closures)
    if has_app_context():
        g.working_calendar = calendar
    return calendar


def add_closure_day(day: date, description: str) -> ClosureDay:
    from casework.core import audit
    from casework.core.errors import DomainError

    if db.session.get(ClosureDay, day):
        raise DomainError("That day is already a closure day", field="day")
    if not WorkingCalendar().is_working_day(day):
        raise DomainError("That day is already a weekend or bank holiday", field="day")
    closure = ClosureDay(day=day, description=description.strip())
    db.session.add(closure)
    audit.record("closure_day_added", f"Closure day added: {day:%d %B %Y} ({closure.description})")
    return closure


def remove_closure_day(day: date) -> None:
    from casework.core import audit
    from casework.core.errors import DomainError

    closure = db.session.get(ClosureDay, day)
    if closure is None:
        raise DomainError("That day is not a closure day")
    db.session.delete(closure)
    audit.record("closure_day_removed", f"Closure day removed: {day:%d %B %Y} ({closure.description})")
