"""Red, amber, green: derived from an action's status, deadline and today, never typed.

The rules, in order (the first that applies wins):
  red    off track, or past its deadline and not verified;
  amber  at risk, or the deadline is within SOON working days and the action is not completed;
  green  everything else: on track, not started with time in hand, completed before the
         deadline and waiting for verification, or verified.
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
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


DONE = (ActionStatus.COMPLETED, ActionStatus.VERIFIED)


def soon_limit(today: date, calendar: WorkingCalendar | None = None) -> date:
    return (calendar or working_calendar()).add_working_days(today, SOON)


def rag_for(status: ActionStatus, deadline: date, today: date, soon: date) -> Rag:
    if status == ActionStatus.OFF_TRACK or (deadline < today and status != ActionStatus.VERIFIED):
        return Rag.RED
    if status == ActionStatus.AT_RISK or (deadline <= soon and status not in DONE):
        return Rag.AMBER
    return Rag.GREEN


def rag_of(action: Action, today: date, soon: date) -> Rag:
    return rag_for(action.status, action.deadline, today, soon)


def rag_sql(today: date, soon: date) -> ColumnElement[str]:
    return case(
        (
            (Action.status == ActionStatus.OFF_TRACK)
            | ((Action.deadline < today) & (Action.status != ActionStatus.VERIFIED)),
            Rag.RED.value,
        ),
        (
            (Action.status == ActionStatus.AT_RISK)
            | ((Action.deadline <= soon) & Action.status.not_in(DONE)),
            Rag.AMBER.value,
        ),
        else_=Rag.GREEN.value,
    )


def is_overdue(action: Action, today: date) -> bool:
    return action.deadline < today and action.status != ActionStatus.VERIFIED


def overdue_sql(today: date) -> ColumnElement[bool]:
    """``is_overdue`` as SQL, for lists that filter or sort on it."""
    return (Action.deadline < today) & (Action.status != ActionStatus.VERIFIED)
