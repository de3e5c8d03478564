"""The bulk of the benchmark's volume: copies of rows the services made, shaped as they shape
them (see scripts/bench_data.py), and the counts of what a partnership holds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time

import time_machine
from sqlalchemy import func, insert, select

from casework.actions.models import Action, ActionStatus, ProgressUpdate, Recommendation, UpdateKind
from casework.agencies.contributions import ChronologyEntry
from casework.auth.models import User
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.core.timeutil import UK
from casework.reviews.models import Review
from casework.reviews.referral.identifiers import record_identifier_view


@contextmanager
def on(day: date) -> Iterator[None]:
    """The services run as if it were ``day``, mid-morning in England."""
    with time_machine.travel(datetime.combine(day, time(10, 30), tzinfo=UK), tick=False):
        yield


BATCH = 5_000
IN_PROGRESS = (ActionStatus.ON_TRACK, ActionStatus.AT_RISK, ActionStatus.OFF_TRACK)


def _insert(model: type[db.Model], rows: list[dict[str, object]]) -> None:  # type: ignore[name-defined]
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start : start + BATCH])


def earlier_updates(target: int, notes: tuple[str, ...]) -> None:
    """Copies of each action's service-made progress update and its audit row, dated between the
    action's creation and that update, until there are ``target`` updates in all."""
    need = target - db.session.execute(select(func.count(ProgressUpdate.id))).scalar_one()
    first = select(func.min(ProgressUpdate.id)).where(ProgressUpdate.kind == UpdateKind.PROGRESS)
    sources = db.session.execute(
        select(ProgressUpdate, Action.created_on, Review.reference)
        .join(Action, Action.id == ProgressUpdate.action_id)
        .join(Review, Review.id == Action.review_id)
        .where(ProgressUpdate.id.in_(first.group_by(ProgressUpdate.action_id)))
        .order_by(ProgressUpdate.id)
    ).all()
    if need <= 0 or not sources:
        return
    audits = {
        event.subject_id: event
        for event in db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.action == "action_progress", AuditEvent.subject_type == "Action")
            .order_by(AuditEvent.id.desc())
        ).scalars()
    }
    updates: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    for index, (update, created_on, reference) in enumerate(sources):
        copies = need // len(sources) + (index < need % len(sources))
        created = datetime.combine(created_on, time(9), tzinfo=UK)
        audit = audits[update.action_id]
        for k in range(copies):
            at = created + (update.at - created) * (k + 1) / (copies + 1)
            status = update.status if update.status in IN_PROGRESS else IN_PROGRESS[k % 3]
            note = notes[k % len(notes)]
            updates.append(
                {"action_id": update.action_id, "kind": UpdateKind.PROGRESS, "status": status}
                | {"note": note, "by_id": update.by_id, "at": at}
            )
            events.append(
                {
                    "occurred_at": at,
                    "actor_id": audit.actor_id,
                    "action": audit.action,
                    "subject_type": audit.subject_type,
                    "subject_id": audit.subject_id,
                    "summary": f"Progress on an action of {reference}: {status.label}",
                    "details": {"status": status.value, "evidence": 0},
                    "review_id": audit.review_id,
                }
            )
    _insert(ProgressUpdate, updates)
    _insert(AuditEvent, events)


def identifier_views(target: int, readers: list[User], today: date) -> None:
    """Each review's identifying details viewed through the service, then copies of those rows
    (other readers, other days over the review's life) until the trail holds ``target`` rows."""
    reviews = list(db.session.execute(select(Review).order_by(Review.id)).scalars())
    for review in reviews:
        with on(review.created_at.astimezone(UK).date()):
            record_identifier_view(review, readers[0])
    db.session.flush()
    need = target - db.session.execute(select(func.count(AuditEvent.id))).scalar_one()
    if need <= 0:
        return
    rows: list[dict[str, object]] = []
    for index, review in enumerate(reviews):
        copies = need // len(reviews) + (index < need % len(reviews))
        start = review.created_at
        life = datetime.combine(today, time(9), tzinfo=UK) - start
        for k in range(copies):
            reader = readers[k % len(readers)]
            rows.append(
                {
                    "occurred_at": start + life * (k + 1) / (copies + 1),
                    "actor_id": reader.id,
                    "action": "identifiers_viewed",
                    "subject_type": "Review",
                    "subject_id": review.id,
                    "summary": f"{reader.name} viewed the identifying details of {review.reference}",
                    "review_id": review.id,
                }
            )
    _insert(AuditEvent, rows)


COUNTED = {
    "reviews": Review,
    "actions": Action,
    "progress updates": ProgressUpdate,
    "audit rows": AuditEvent,
    "chronology entries": ChronologyEntry,
    "recommendations": Recommendation,
}


def counts() -> Counter[str]:
    """What the partnership holds, by the names the scale uses."""
    found: Counter[str] = Counter()
    for name, model in COUNTED.items():
        found[name] = db.session.execute(select(func.count()).select_from(model)).scalar_one()
    return found
