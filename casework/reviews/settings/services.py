"""The partnership's closure days: adding or removing one moves the working-day deadlines of
every open review."""

from __future__ import annotations

from datetime import date

from casework.core import workdays
from casework.core.extensions import db
from casework.core.workdays import ClosureDay
from casework.reviews.clock import refresh_deadlines
from casework.reviews.guards import required
from casework.reviews.models import Review


def _refresh_open_reviews() -> None:
    """Closure days move the working-day deadlines of every open review."""
    workdays.forget_calendar()
    for review in db.session.execute(db.select(Review)).scalars():
        if not review.is_ended:
            refresh_deadlines(review)
    db.session.flush()


def add_closure_day(day: date | None, description: str) -> ClosureDay:
    required(day, "day", "Enter the date the partnership is closed")
    required(description, "description", "Enter a description, for example Christmas closure")
    assert day is not None
    closure = workdays.add_closure_day(day, description)
    _refresh_open_reviews()
    return closure


def remove_closure_day(day: date) -> None:
    workdays.remove_closure_day(day)
    _refresh_open_reviews()
