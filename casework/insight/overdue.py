"""Insight's overdue actions over time: how many actions were overdue at each of the last months'
ends and today, counted in one statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select

from casework.actions.models import (
    Action,
)
from casework.auth.models import User
from casework.core.extensions import db
from casework.insight.figures import actions_of

OVERDUE_MONTHS = 24  # points on the overdue actions chart: 23 month ends, then today


@dataclass(frozen=True)
class OverduePoint:
    day: date  # a month's last day, or today for the current month
    count: int


def overdue_days(today: date, months: int = OVERDUE_MONTHS) -> list[date]:
    """The last day of each of the previous ``months - 1`` months, then today."""
    first_of_month = today.replace(day=1)
    # The day before the first of a month is the end of the month before it: back=1 is last month.
    ends = [
        first_of_month - relativedelta(months=back - 1) - timedelta(days=1)
        for back in range(months - 1, 0, -1)
    ]
    return [*ends, today]


def overdue_on(day: date) -> ColumnElement[bool]:
    """Overdue at the end of ``day``: it existed, its deadline had passed, and it was not reported
    completed by then (an action completed late was overdue until the day it was completed)."""
    return and_(
        Action.created_on <= day,
        Action.deadline < day,
        or_(Action.completed_on.is_(None), Action.completed_on > day),
    )


def _overdue_on_any(days: list[date]) -> ColumnElement[bool]:
    """What every action overdue on one of ``days`` (in order) also is: not completed by the first
    day, its deadline before the last. The others add nothing to any day's count, so the chart
    reads the open actions and the recently completed ones, not every action ever planned."""
    return and_(
        or_(Action.completed_on.is_(None), Action.completed_on > days[0]),
        Action.deadline < days[-1],
    )


def _first_day(column: ColumnElement[date], days: list[date], strictly: bool) -> ColumnElement[int]:
    """The position of the first of ``days`` (in order) on or after the column's date, or after it
    when ``strictly``; ``len(days)`` if none is (a NULL date included). A binary search written
    as nested CASEs: a handful of comparisons per row whatever the number of days."""

    def search(low: int, high: int) -> ColumnElement[int]:
        if low == high:
            return literal(low)
        middle = (low + high) // 2
        reached = column < days[middle] if strictly else column <= days[middle]
        return case((reached, search(low, middle)), else_=search(middle + 1, high))

    return search(0, len(days))


def overdue_over_time(user: User, today: date, type_id: int | None = None) -> list[OverduePoint]:
    """``overdue_on`` counted for each of ``overdue_days``. Rather than testing every action
    against every day, the database gives each action three positions in the list of days: the
    first by which it had been created, the first after its deadline and the first by which it had
    been completed (none: after the list); it counts the actions by those positions, and here the
    days in between add them up."""
    days = overdue_days(today)
    created, due, completed = (
        _first_day(Action.created_on, days, strictly=False).label("created"),
        _first_day(Action.deadline, days, strictly=True).label("due"),
        _first_day(Action.completed_on, days, strictly=False).label("completed"),
    )
    groups = db.session.execute(
        select(created, due, completed, func.count())
        .where(*actions_of(user, type_id), _overdue_on_any(days))
        .group_by(created, due, completed)
    ).all()
    # Each group is overdue from the later of its first two positions up to, not on, the third.
    change = [0] * (len(days) + 1)
    for created_at, due_at, completed_at, count in groups:
        start = max(created_at, due_at)
        if start < completed_at:
            change[start] += count
            change[completed_at] -= count
    counts, running = [], 0
    for step in change[: len(days)]:
        running += step
        counts.append(running)
    return [OverduePoint(day, count) for day, count in zip(days, counts, strict=True)]
