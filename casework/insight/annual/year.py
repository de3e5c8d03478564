"""Reporting years run from 1 April to 31 March, as partnerships' yearly reports do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from casework.core.timeutil import UK

FIRST_YEAR = 2000  # no record in the system is older than this


def year_bounds(start_year: int) -> tuple[date, date, str]:
    """The first and last day of the reporting year starting in April ``start_year``, and its
    label ("2025/26")."""
    return date(start_year, 4, 1), date(start_year + 1, 3, 31), f"{start_year}/{(start_year + 1) % 100:02d}"


def year_of(day: date) -> int:
    """The first calendar year of the reporting year ``day`` falls in."""
    return day.year if day.month >= 4 else day.year - 1


def last_complete_year(today: date) -> int:
    return year_of(today) - 1


@dataclass(frozen=True)
class ReportingYear:
    start_year: int
    start: date
    end: date
    label: str

    @classmethod
    def starting(cls, start_year: int) -> ReportingYear:
        return cls(start_year, *year_bounds(start_year))

    # Timestamps are kept in UTC; the year's days are England's (1 April starts at 23:00 UTC
    # on 31 March while clocks are on summer time).
    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(), UK).astimezone(UTC)

    @property
    def ends_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), UK).astimezone(UTC)

    def is_complete(self, today: date) -> bool:
        return today > self.end
