"""Who saw what: the reads the audit trail keeps (views of identifying details, document
downloads, exports, and views of these reports themselves), filtered for a review's or a
person's access report and written as CSV for an audit or a data-protection investigation."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import joinedload

from casework.agencies.chronology_csv import spreadsheet_safe
from casework.auth.models import User
from casework.core.audit import READS, AccessKind, AuditEvent
from casework.core.display import format_datetime
from casework.core.extensions import db
from casework.core.paging import Slice, slice_of
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


def of_review(review: Review, filters: AccessFilters) -> Select[tuple[AuditEvent]]:
    """Every read of this review's identifying details, documents and exports."""
    return _reads(AuditEvent.review_id == review.id, *_conditions(filters))


def of_person(person: User, filters: AccessFilters) -> Select[tuple[AuditEvent]]:
    """Everything this person opened, downloaded or exported, on every review."""
    chosen = AccessFilters(person.id, filters.kind, filters.date_from, filters.date_to)
    return _reads(*_conditions(chosen))


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
    try:
        return AccessKind(event.action).label
    except ValueError:
        return event.action


def references(events: Iterable[AuditEvent]) -> dict[int, str]:
    """The reference of each review the events name, in one query (the trail holds only ids)."""
    ids = {event.review_id for event in events if event.review_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(Review.id, Review.reference).where(Review.id.in_(ids))).all()
    return {row.id: row.reference for row in rows}


def to_csv(events: Sequence[AuditEvent]) -> str:
    """The report as CSV, newest first, text a spreadsheet would run as a formula made inert."""
    named = references(events)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for event in events:
        writer.writerow([spreadsheet_safe(value) for value in _row(event, named)])
    return "\ufeff" + out.getvalue()  # the BOM makes Excel read UTF-8


def _row(event: AuditEvent, named: dict[int, str]) -> Sequence[str]:
    actor = event.actor
    return (
        format_datetime(event.occurred_at),
        actor.name if actor else "System",
        actor.role.label if actor else "",
        kind_of(event),
        named.get(event.review_id, "") if event.review_id is not None else "",
        event.summary,
        event.ip_address or "",
    )
