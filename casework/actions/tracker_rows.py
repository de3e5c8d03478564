"""The tracker's export rows, read in batches straight from the database.

Every cell is computed in SQL (the colour, whether it is overdue, the outcome's status, the date
of the latest history entry as a correlated MAX over the index on an action's updates), so a
row costs no query of its own and no Action object is built. The rows stream from one query
(a server-side cursor on PostgreSQL) in batches of BATCH; each batch adds one query for the
themes of its recommendations. Memory holds one batch, whatever the number of actions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Row, Select, func, select

from casework.actions.models import (
    Action,
    ActionStatus,
    OutcomeStatus,
    ProgressUpdate,
    Recommendation,
    RecommendationOutcome,
    Theme,
    recommendation_themes,
)
from casework.actions.rag import Rag, overdue_sql, rag_sql
from casework.actions.tracker import PARTNERSHIP_LABEL, TrackerFilters, ordered, owner_row
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.streaming import BATCH, batches_of
from casework.core.timeutil import UK
from casework.reviews.models import Review

Cell = str | int | date | None


class ExportRow(NamedTuple):
    """One action's cells in EXPORT_COLUMNS order (text, whole numbers, dates or None), and its
    colour for the workbook's RAG cell. A named tuple: made for every row, it must cost little."""

    values: tuple[Cell, ...]
    rag: Rag


def last_update_sql() -> Any:
    """The time of the action's latest history entry (progress, return, deadline, verification)."""
    return (
        select(func.max(ProgressUpdate.at))
        .where(ProgressUpdate.action_id == Action.id)
        .correlate(Action)
        .scalar_subquery()
    )


def export_query(user: User, filters: TrackerFilters, today: date, soon: date) -> Select[Any]:
    """The export's columns, for the tracker's filtered and sorted list."""
    columns = select(
        Review.reference,
        Recommendation.id,
        Recommendation.number,
        Recommendation.text,
        Action.description,
        func.coalesce(Agency.name, PARTNERSHIP_LABEL),
        owner_row().name,
        Action.status,
        rag_sql(today, soon),
        Action.original_deadline,
        Action.deadline,
        Action.deadline_changes,
        overdue_sql(today),
        Action.success_measure,
        last_update_sql(),
        Recommendation.difference_from_earlier,
        RecommendationOutcome.status_sql(today),
    ).select_from(Action)
    return ordered(columns, user, filters, today, soon).outerjoin(
        RecommendationOutcome, RecommendationOutcome.recommendation_id == Recommendation.id
    )


def themes_of(recommendation_ids: set[int]) -> dict[int, str]:
    """Each recommendation's theme names, A to Z, joined with "; " (one query)."""
    if not recommendation_ids:
        return {}
    named: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(recommendation_themes.c.recommendation_id, Theme.name)
        .join(Theme, Theme.id == recommendation_themes.c.theme_id)
        .where(recommendation_themes.c.recommendation_id.in_(recommendation_ids))
        .order_by(recommendation_themes.c.recommendation_id, Theme.name)
    )
    for recommendation_id, name in rows:
        named.setdefault(recommendation_id, []).append(name)
    return {key: "; ".join(names) for key, names in named.items()}


def _uk_day(moment: datetime | None) -> date | None:
    return moment.astimezone(UK).date() if moment is not None else None


# The labels of the values SQL gives, looked up once rather than built for every row (the
# enums are strings, so a member and its value find the same entry).
_STATUS = {status.value: status.label for status in ActionStatus}
_RAG = {colour.value: colour for colour in Rag}
_OUTCOME = {status.value: status.label for status in OutcomeStatus}


def _row(found: Row[Any], themes: dict[int, str]) -> ExportRow:
    (reference, recommendation_id, number, text, description, owner_label, owner_name, status,
     rag, original_deadline, deadline, changes, overdue, measure, last_update, difference,
     outcome) = found  # fmt: skip
    colour = _RAG[rag]
    values = (
        reference,
        number,
        text,
        themes.get(recommendation_id, ""),
        description,
        owner_label,
        owner_name,
        _STATUS[status],
        colour.label,
        original_deadline,
        deadline,
        changes,
        "Yes" if overdue else "No",
        measure,
        _uk_day(last_update),
        difference or "",
        _OUTCOME[outcome],
    )
    return ExportRow(values, colour)


def export_batches(
    user: User, filters: TrackerFilters, today: date, soon: date, *, batch: int | None = None
) -> Iterator[list[ExportRow]]:
    """The export's rows, a batch at a time, in the tracker's order. The query is built now (it
    reads the user's access) and run when the batches are first asked for, which may be after the
    request has committed."""
    return _batches(export_query(user, filters, today, soon), batch or BATCH)


def _batches(query: Select[Any], batch: int) -> Iterator[list[ExportRow]]:
    for rows in batches_of(query, batch):
        themes = themes_of({row[1] for row in rows})
        yield [_row(row, themes) for row in rows]
