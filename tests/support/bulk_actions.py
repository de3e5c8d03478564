"""Many actions and progress updates at once, in bulk INSERTs, for tests and benchmarks of the
lists and exports that must not slow down with the years (thousands of rows in a second).

The rows follow fixed rules of their number, so a test can say what any of them holds without
reading it back: see :func:`updates_of` and :func:`update_time`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from casework.actions.models import Action, ActionStatus, ProgressUpdate, Recommendation, UpdateKind
from casework.core.extensions import db
from casework.core.timeutil import UK

STATUSES = (
    ActionStatus.NOT_STARTED,
    ActionStatus.ON_TRACK,
    ActionStatus.AT_RISK,
    ActionStatus.OFF_TRACK,
    ActionStatus.COMPLETED,
    ActionStatus.VERIFIED,
)
CHUNK = 2000
FIRST_UPDATE = datetime(2024, 6, 30, 23, 30, tzinfo=UTC)  # summer: 00:30 the next day in England


def updates_of(number: int, per_action: int) -> int:
    """How many updates action ``number`` has: 0 to 2 * per_action, ``per_action`` on average
    (every (2 * per_action + 1)th action has none)."""
    return number % (2 * per_action + 1) if per_action else 0


def update_time(number: int, index: int) -> datetime:
    """When update ``index`` of action ``number`` was made (later updates later)."""
    return FIRST_UPDATE + timedelta(days=index * 3 + number % 400, minutes=number % 7)


def add_actions(
    recommendations: Sequence[Recommendation],
    *,
    owner_ids: Sequence[int],
    agency_ids: Sequence[int | None],
    created_by_id: int,
    count: int,
    updates_per_action: int = 4,
    today: date,
    first_number: int = 0,
) -> list[int]:
    """Add ``count`` actions (numbered from ``first_number``) spread over the recommendations,
    agencies (None: the partnership) and owners, with statuses and deadlines around ``today``,
    and their progress updates; their ids, in number order. Flushed, not committed."""
    ids: list[int] = []
    numbers = range(first_number, first_number + count)
    for start in range(0, count, CHUNK):
        chunk = numbers[start : start + CHUNK]
        values = []
        for number in chunk:
            recommendation = recommendations[number % len(recommendations)]
            status = STATUSES[number % len(STATUSES)]
            deadline = today + timedelta(days=number % 240 - 120)
            values.append(
                {
                    "recommendation_id": recommendation.id,
                    "review_id": recommendation.review_id,
                    "description": f"Action {number}: audit the referrals and report to the board",
                    "agency_id": agency_ids[number % len(agency_ids)],
                    "owner_id": owner_ids[number % len(owner_ids)],
                    "success_measure": f"Measure {number}: nine in ten referrals reviewed in time",
                    "original_deadline": deadline - timedelta(days=number % 3 * 14),
                    "deadline": deadline,
                    "deadline_changes": number % 3,
                    "status": status,
                    "created_on": today - timedelta(days=900),
                    "created_by_id": created_by_id,
                    "completed_on": deadline - timedelta(days=number % 5 - 2)
                    if status in (ActionStatus.COMPLETED, ActionStatus.VERIFIED)
                    else None,
                    "version": 1,
                }
            )
        made = db.session.execute(
            insert(Action).returning(Action.id, sort_by_parameter_order=True), values
        ).scalars()
        chunk_ids = list(made)
        ids.extend(chunk_ids)
        updates = [
            {
                "action_id": action_id,
                "kind": UpdateKind.PROGRESS,
                "status": ActionStatus.ON_TRACK,
                "note": f"Update {index} of action {number}",
                "by_id": created_by_id,
                "at": update_time(number, index),
            }
            for number, action_id in zip(chunk, chunk_ids, strict=True)
            for index in range(updates_of(number, updates_per_action))
        ]
        if updates:
            db.session.execute(insert(ProgressUpdate), updates)
    return ids


def last_update_day(number: int, per_action: int) -> date | None:
    """The English date of action ``number``'s latest update, or None when it has none."""
    count = updates_of(number, per_action)
    return update_time(number, count - 1).astimezone(UK).date() if count else None
