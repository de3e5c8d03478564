"""The partnership's reporting year: April to March, labelled "2025/26", as its annual report
and the board's charts count years."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, case, extract

FIRST_MONTH = 4  # April


class ReportingYear(NamedTuple):
    start: date  # 1 April
    end: date  # 31 March of the next calendar year
    label: str  # "2025/26"


def start_year_of(day: date) -> int:
    """The calendar year in which the reporting year holding ``day`` began."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def year_starting(start_year: int) -> ReportingYear:
    return ReportingYear(
        date(start_year, FIRST_MONTH, 1),
        date(start_year + 1, FIRST_MONTH - 1, 31),
        f"{start_year}/{(start_year + 1) % 100:02d}",
    )


def reporting_year(day: date) -> ReportingYear:
    """The reporting year holding ``day``: (start, end, label)."""
    return year_starting(start_year_of(day))


def start_year_sql(column: ColumnElement[Any]) -> ColumnElement[int]:
    """``start_year_of`` in SQL, for a date column (the same on SQLite and PostgreSQL). Group on it
    through a subquery: PostgreSQL does not match an expression with bound values in GROUP BY to
    the same expression in the select list."""
    year = extract("year", column).cast(Integer)
    return year - case((extract("month", column).cast(Integer) < FIRST_MONTH, 1), else_=0)
