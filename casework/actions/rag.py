"""Red, amber, green, and the two states of an action that is done: derived from an action's
status, deadline, the day it was completed and today, never typed.

The rules, in order (the first that applies wins):
  verified               the board manager verified the evidence;
  awaiting verification  completed on or before its deadline and waiting for the board's
                         verification: the owner did their part in time, so the wait for the
                         board never turns it red;
  red                    off track, or past its deadline and not verified (completed after the
                         deadline included: the deadline was missed);
  amber                  at risk, or the deadline is within SOON working days and not completed;
  green                  everything else: on track, or not started with time in hand.
The same rules exist as a SQL expression (rag_sql) so the tracker filters and counts in the
database; a test keeps the two in step.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, case

from casework.actions.models import Action, ActionStatus
from casework.core.enums import LabelledEnum
from casework.core.workdays import WorkingCalendar, working_calendar

SOON = 10  # working days


class Rag(LabelledEnum):
    """The colour of an action, in the order the tracker counts them (worst first)."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    AWAITING = "awaiting", "Awaiting verification"
    VERIFIED = "verified", "Verified"


DONE = (ActionStatus.COMPLETED, ActionStatus.VERIFIED)


def soon_limit(today: date, calendar: WorkingCalendar | None = None) -> date:
    return (calendar or working_calendar()).add_working_days(today, SOON)


def done_in_time(status: ActionStatus, deadline: date, completed_on: date | None) -> bool:
    """Completed on or before the deadline and waiting for verification."""
    return status == ActionStatus.COMPLETED and completed_on is not None and completed_on <= deadline


def rag_for(
    status: ActionStatus, deadline: date, today: date, soon: date, completed_on: date | None = None
) -> Rag:
    if status == ActionStatus.VERIFIED:
        return Rag.VERIFIED
    if done_in_time(status, deadline, completed_on):
        return Rag.AWAITING
    if status == ActionStatus.OFF_TRACK or deadline < today:
        return Rag.RED
    if status == ActionStatus.AT_RISK or (deadline <= soon and status not in DONE):
        return Rag.AMBER
    return Rag.GREEN


def rag_of(action: Action, today: date, soon: date) -> Rag:
    return rag_for(action.status, action.deadline, today, soon, action.completed_on)


def _done_in_time_sql() -> ColumnElement[bool]:
    # A NULL completion date compares as unknown, so it is never "in time", as in Python.
    return (Action.status == ActionStatus.COMPLETED) & (Action.completed_on <= Action.deadline)


def rag_sql(today: date, soon: date) -> ColumnElement[str]:
    return case(
        (Action.status == ActionStatus.VERIFIED, Rag.VERIFIED.value),
        (_done_in_time_sql(), Rag.AWAITING.value),
        ((Action.status == ActionStatus.OFF_TRACK) | (Action.deadline < today), Rag.RED.value),
        (
            (Action.status == ActionStatus.AT_RISK)
            | ((Action.deadline <= soon) & Action.status.not_in(DONE)),
            Rag.AMBER.value,
        ),
        else_=Rag.GREEN.value,
    )


def is_overdue(action: Action, today: date) -> bool:
    """Past the deadline and neither verified nor completed in time."""
    return (
        action.deadline < today
        and action.status != ActionStatus.VERIFIED
        and not done_in_time(action.status, action.deadline, action.completed_on)
    )


def overdue_sql(today: date) -> ColumnElement[bool]:
    """``is_overdue`` as SQL, for lists that filter or sort on it."""
    return (
        (Action.deadline < today)
        & (Action.status != ActionStatus.VERIFIED)
        & ~(_done_in_time_sql() & Action.completed_on.is_not(None))
    )
