"""An agency's own actions ("My agency's actions"): open ones before verified ones, the overdue
first, then by deadline, a page at a time.

Sorting every action the agency ever had to show one page would cost more each year. The order
falls into four groups, each read in deadline order from an index (the actions' deadlines; the
completed ones by agency, status and deadline) only as far as the page reaches: the page is
then sorted from those few rows alone, in the order the whole list has.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, select, union_all
from sqlalchemy.orm import joinedload

from casework.actions.models import Action, ActionStatus
from casework.actions.rag import overdue_sql
from casework.auth.models import User
from casework.core.extensions import db


def list_order(today: date) -> tuple[ColumnElement[Any], ...]:
    """Open before verified, the overdue first, then by deadline (the id breaking ties)."""
    done_last = case((Action.status == ActionStatus.VERIFIED, 1), else_=0)
    overdue_first = case((overdue_sql(today), 0), else_=1)
    return (done_last, overdue_first, Action.deadline, Action.id)


def _groups(today: date) -> tuple[ColumnElement[bool], ...]:
    """Every action in exactly one group, each sorted by deadline within the list's order: the
    overdue; the open due from today; the open past their deadline but completed in time (never
    overdue); the verified."""
    still_open = Action.status != ActionStatus.VERIFIED
    return (
        overdue_sql(today),
        still_open & (Action.deadline >= today),
        (Action.status == ActionStatus.COMPLETED)
        & (Action.deadline < today)
        & (Action.completed_on <= Action.deadline),
        Action.status == ActionStatus.VERIFIED,
    )


def agency_actions(user: User, today: date, reach: int) -> Select[tuple[Action]]:
    """The actions ``user`` may see (their agency's), in :func:`list_order`, of which only the
    first ``reach`` can be read: enough for every page up to the one asked for."""
    firsts = [
        select(Action.id)
        .where(Action.visible_to(user), group)
        .order_by(Action.deadline, Action.id)
        .limit(reach)
        .subquery()
        for group in _groups(today)
    ]
    candidates = union_all(*(select(first.c.id) for first in firsts))
    return (
        db.select(Action)
        .where(Action.id.in_(candidates))
        .order_by(*list_order(today))
        .options(joinedload(Action.review))
    )
