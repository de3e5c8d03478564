"""A reporting year (casework.insight.years) with the instants its days begin and end in
England, for timestamps kept in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from casework.core.timeutil import UK
from casework.insight.years import start_year_of, year_starting

FIRST_YEAR = 2000  # no record in the system is older than this


def last_complete_year(today: date) -> int:
    return start_year_of(today) - 1


@dataclass(frozen=True)
class ReportingYear:
    start_year: int
    start: date
    end: date
    label: str

    @classmethod
    def starting(cls, start_year: int) -> ReportingYear:
        return cls(start_year, *year_starting(start_year))

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
