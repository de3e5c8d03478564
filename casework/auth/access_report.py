"""Who saw what: the reads the audit trail keeps (views of identifying details, document
downloads, exports, and views of these reports themselves), filtered for a review's or a
person's access report and written as CSV for an audit or a data-protection investigation."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.orm import joinedload

from casework.agencies.chronology_csv import spreadsheet_safe
from casework.auth.models import Role, User
from casework.core.audit import READS, AccessKind, AuditEvent
from casework.core.display import format_datetime
from casework.core.extensions import db
from casework.core.paging import Slice, slice_of
from casework.core.streaming import batches_of
from casework.core.streaming import csv_chunks as csv_chunks_of
from casework.core.timeutil import UK
from casework.reviews.models import Review

PAGE_SIZE = 50
HEADINGS = ("When", "Who", "Role", "What", "Review", "Details", "From address")


@dataclass(frozen=True)
class AccessFilters:
    person_id: int | None = None
    kind: AccessKind | None = None
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        said = [self.kind.label] if self.kind else []
        if self.date_from:
            said.append(f"from {self.date_from.isoformat()}")
        if self.date_to:
            said.append(f"to {self.date_to.isoformat()}")
        return ", ".join(said) or "everything"


def _uk_midnight(day: date) -> datetime:
    """The start of a day in England: the filter's dates are the reader's, not UTC's."""
    return datetime.combine(day, time(), tzinfo=UK)


def _conditions(filters: AccessFilters) -> list[ColumnElement[bool]]:
    found = [AuditEvent.action.in_(READS)]
    if filters.person_id is not None:
        found.append(AuditEvent.actor_id == filters.person_id)
    if filters.kind is not None:
        found.append(AuditEvent.action == filters.kind.value)
    if filters.date_from is not None:
        found.append(AuditEvent.occurred_at >= _uk_midnight(filters.date_from))
    if filters.date_to is not None:
        found.append(AuditEvent.occurred_at < _uk_midnight(filters.date_to + timedelta(days=1)))
    return found


def _reads(*where: ColumnElement[bool]) -> Select[tuple[AuditEvent]]:
    return (
        select(AuditEvent)
        .where(*where)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .options(joinedload(AuditEvent.actor))
    )


def review_conditions(review: Review, filters: AccessFilters) -> list[ColumnElement[bool]]:
    """Every read of this review's identifying details, documents and exports."""
    return [AuditEvent.review_id == review.id, *_conditions(filters)]


def person_conditions(person: User, filters: AccessFilters) -> list[ColumnElement[bool]]:
    """Everything this person opened, downloaded or exported, on every review."""
    return _conditions(AccessFilters(person.id, filters.kind, filters.date_from, filters.date_to))


def of_review(review: Review, filters: AccessFilters) -> Select[tuple[AuditEvent]]:
    return _reads(*review_conditions(review, filters))


def of_person(person: User, filters: AccessFilters) -> Select[tuple[AuditEvent]]:
    return _reads(*person_conditions(person, filters))


def page_of(query: Select[tuple[AuditEvent]], number: int) -> Slice:
    """Not counted: a person's report spans the whole trail."""
    return slice_of(query, number, PAGE_SIZE)


def readers_of(review: Review) -> list[tuple[int, str]]:
    """The people who read anything of this review, for the report's filter."""
    rows = db.session.execute(
        select(User.id, User.name)
        .join(AuditEvent, AuditEvent.actor_id == User.id)
        .where(AuditEvent.review_id == review.id, AuditEvent.action.in_(READS))
        .distinct()
        .order_by(User.name)
    ).all()
    return [(row.id, row.name) for row in rows]


def kind_of(event: AuditEvent) -> str:
    return _kind_label(event.action)


def references(events: Iterable[AuditEvent]) -> dict[int, str]:
    """The reference of each review the events name, in one query (the trail holds only ids)."""
    ids = {event.review_id for event in events if event.review_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(Review.id, Review.reference).where(Review.id.in_(ids))).all()
    return {row.id: row.reference for row in rows}


@dataclass(frozen=True)
class Export:
    """A report's CSV, fixed when it was asked for: how many entries it holds, and the last of
    them (the export's own record, made next, is not in it)."""

    count: int
    last_id: int | None

    @classmethod
    def of(cls, where: list[ColumnElement[bool]]) -> Export:
        count, last_id = db.session.execute(
            select(func.count(), func.max(AuditEvent.id)).select_from(AuditEvent).where(*where)
        ).one()
        return cls(int(count), last_id)


def csv_chunks(where: list[ColumnElement[bool]], export: Export) -> Iterator[bytes]:
    """The report as CSV, newest first, a chunk per batch of entries read straight from the
    trail (a person's report spans all of it): text a spreadsheet would run as a formula made
    inert. The query is built now and run when the first chunk is asked for."""
    query = (
        select(
            AuditEvent.occurred_at,
            User.name,
            User.role,
            AuditEvent.action,
            Review.reference,
            AuditEvent.summary,
            AuditEvent.ip_address,
        )
        .select_from(AuditEvent)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Review, Review.id == AuditEvent.review_id)
        .where(*where, AuditEvent.id <= (export.last_id or 0))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    rows = ([_csv_row(row) for row in batch] for batch in batches_of(query))
    return csv_chunks_of(HEADINGS, rows)


def _csv_row(row: Row[Any]) -> Sequence[str]:
    occurred_at, name, role, action, reference, summary, ip_address = row
    return [
        spreadsheet_safe(value)
        for value in (
            format_datetime(occurred_at),
            name if name is not None else "System",
            Role(role).label if role is not None else "",
            _kind_label(action),
            reference or "",
            summary,
            ip_address or "",
        )
    ]


def _kind_label(action: str) -> str:
    try:
        return AccessKind(action).label
    except ValueError:
        return action
