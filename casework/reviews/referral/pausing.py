"""Pausing and resuming a review, and extending a deadline. Each function checks its guard, changes and
flushes, records who did what in the review's timeline, and refreshes the clocks; the request
commits once. A refused step raises DomainError and changes nothing."""

from __future__ import annotations

from datetime import date

from casework.auth.models import User
from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.reviews.appointments.services import start_contributions
from casework.reviews.clock import deadlines_for
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.lifecycle import check_open, check_version, finish, has_accepted_lead, on_timeline
from casework.reviews.models import DeadlineExtension, Review, ReviewPause
from casework.reviews.records.processes import process_of_review
from casework.reviews.referral.changes import plain
from casework.reviews.stages import ReviewStage


def pause_review(
    review: Review,
    started_on: date | None,
    reason: str,
    agreed_by: str,
    version: int | None,
    by: User,
    process_id: int | None = None,
) -> Review:
    """``process_id``: the parallel process on the review's register that caused the pause, if any."""
    check_version(review, version)
    check_open(review)
    if review.is_paused:
        raise DomainError("This review is already paused")
    required(reason, "reason", "Enter the reason for pausing the review, for example criminal proceedings")
    required(agreed_by, "agreed_by", "Enter who agreed the pause")
    required(started_on, "started_on", "Enter the date the pause starts")
    not_future(started_on, "started_on", "The start of the pause")
    not_before(
        started_on,
        review.referral.became_aware_on,
        "started_on",
        "A pause cannot start before the partnership became aware",
    )
    last_end = max((p.ended_on for p in review.pauses if p.ended_on), default=None)
    not_before(started_on, last_end, "started_on", "A pause cannot start before the previous pause ended")
    process = process_of_review(review, process_id)
    review.pauses.append(
        ReviewPause(
            started_on=started_on,
            reason=reason.strip(),
            agreed_by=agreed_by.strip(),
            recorded_by=by,
            process=process,
        )
    )
    cause = {"process": process.kind.value} if process else {}
    on_timeline(
        review,
        "review_paused",
        f"{review.reference} paused: {reason.strip()}",
        details={"started_on": plain(started_on), "agreed_by": agreed_by.strip(), **cause},
        touch=True,
    )
    return finish(review)


def resume_review(review: Review, ended_on: date | None, version: int | None) -> Review:
    check_version(review, version)
    check_open(review)
    pause = review.open_pause
    if pause is None:
        raise DomainError("This review is not paused")
    required(ended_on, "ended_on", "Enter the date the review resumed")
    not_future(ended_on, "ended_on", "The date the review resumed")
    not_before(ended_on, pause.started_on, "ended_on", "The review cannot resume before the pause started")
    pause.ended_on = ended_on
    review.updated_at = utcnow()
    db.session.flush()
    _start_contributions_if_ready(review)
    audit.record(
        "review_resumed",
        f"{review.reference} resumed after a pause from {pause.started_on:%d %B %Y}",
        subject=review,
        review=review,
        details={"started_on": plain(pause.started_on), "ended_on": plain(ended_on)},
    )
    return finish(review)


def _start_contributions_if_ready(review: Review) -> None:
    """A lead who accepted while the review was paused starts the contributions on resumption."""
    if review.stage == ReviewStage.AWAITING_REVIEWER and has_accepted_lead(review):
        start_contributions(review)


def extend_deadline(
    review: Review,
    clock_key: str,
    new_due_on: date | None,
    reason: str,
    agreed_by: str,
    version: int | None,
    by: User,
) -> Review:
    check_version(review, version)
    check_open(review)
    deadline = next((d for d in deadlines_for(review) if d.clock.key == clock_key), None)
    if deadline is None:
        raise DomainError("Select a deadline of this review", field="clock_key")
    if not deadline.due_on or deadline.met_on:
        raise DomainError(
            f"'{deadline.clock.label}' is not running, so it cannot be extended", field="clock_key"
        )
    required(new_due_on, "new_due_on", "Enter the new due date")
    assert new_due_on is not None
    if new_due_on <= deadline.due_on:
        raise DomainError(
            f"The new due date must be after the current one, {deadline.due_on:%d %B %Y}", field="new_due_on"
        )
    required(reason, "reason", "Enter the reason for the extension")
    required(agreed_by, "agreed_by", "Enter who agreed the extension")
    review.extensions.append(
        DeadlineExtension(
            clock_key=clock_key,
            previous_due_on=deadline.due_on,
            new_due_on=new_due_on,
            reason=reason.strip(),
            agreed_by=agreed_by.strip(),
            agreed_on=uk_today(),
            recorded_by=by,
        )
    )
    on_timeline(
        review,
        "deadline_extended",
        f"'{deadline.clock.label}' extended from {deadline.due_on:%d %B %Y} "
        f"to {new_due_on:%d %B %Y}: {reason.strip()}",
        details={"clock": clock_key, "from": plain(deadline.due_on), "to": plain(new_due_on)},
        touch=True,
    )
    return finish(review)
