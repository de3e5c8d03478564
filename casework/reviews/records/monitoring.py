"""The monitoring log (regulation 14 of the Child Safeguarding Practice Review and Relevant Agency
(England) Regulations 2018): the partners monitor the time and quality of a review at regular
intervals, and their requests to the reviewer are made in writing. A written request is addressed
to the review's lead reviewer, who sees it and records their response."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import joinedload

from casework.auth.models import User
from casework.core.display import format_date
from casework.core.errors import DomainError, check_version
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.notifications.events.reviews import written_request_made
from casework.reviews.guards import not_future, required
from casework.reviews.lifecycle import check_open, on_timeline
from casework.reviews.models import MonitoringEntry, MonitoringKind, Review


def _checked(recorded_on: date | None, text: str) -> str:
    required(recorded_on, "recorded_on", "Enter the date")
    not_future(recorded_on, "recorded_on", "The date")
    required(text, "text", "Enter what was monitored or asked")
    return text.strip()


def lead_reviewer(review: Review) -> User | None:
    return next((a.reviewer for a in review.assignments if a.is_accepted_lead), None)


def add_entry(
    review: Review, kind: MonitoringKind | None, recorded_on: date | None, text: str, by: User
) -> MonitoringEntry:
    check_open(review)
    if not review.can_manage(by):
        raise DomainError("Only a board manager can keep the monitoring log")
    required(kind, "kind", "Select monitoring or a written request")
    text = _checked(recorded_on, text)
    addressee = None
    if kind == MonitoringKind.WRITTEN_REQUEST:
        addressee = lead_reviewer(review)
        if addressee is None:
            raise DomainError("A written request goes to the lead reviewer: appoint one first", field="kind")
    entry = MonitoringEntry(
        review=review, kind=kind, recorded_on=recorded_on, text=text, addressed_to=addressee, recorded_by=by
    )
    db.session.add(entry)
    assert recorded_on is not None and kind is not None
    if addressee is not None:
        summary = f"Written request to the lead reviewer, {format_date(recorded_on)}"
    else:
        summary = f"Time and quality of the review monitored, {format_date(recorded_on)}"
    event = "written_request_recorded" if addressee is not None else "monitoring_recorded"
    on_timeline(review, event, summary, details={"on": recorded_on.isoformat()})
    if addressee is not None:
        written_request_made(entry, by)
    return entry


def update_entry(
    entry: MonitoringEntry, recorded_on: date | None, text: str, version: int | None
) -> MonitoringEntry:
    check_version(entry, version, "this entry")
    check_open(entry.review)
    text = _checked(recorded_on, text)
    if entry.recorded_on == recorded_on and entry.text == text:
        return entry
    entry.recorded_on, entry.text = recorded_on, text  # type: ignore[assignment]
    on_timeline(
        entry.review,
        "monitoring_updated",
        f"{entry.kind.label} of {format_date(entry.recorded_on)} corrected",
        details={"kind": entry.kind.value},
    )
    return entry


def respond(entry: MonitoringEntry, response: str, version: int | None, by: User) -> MonitoringEntry:
    """The reviewer's answer to a written request addressed to them (a later answer replaces it)."""
    check_version(entry, version, "this request")
    check_open(entry.review)
    if not entry.can_respond(by):
        raise DomainError("Only the reviewer the request is addressed to can answer it")
    required(response, "response", "Enter your response")
    entry.response = response.strip()
    entry.responded_on = uk_today()
    on_timeline(
        entry.review,
        "written_request_answered",
        f"The lead reviewer answered the written request of {format_date(entry.recorded_on)}",
        details={"on": entry.recorded_on.isoformat()},
    )
    return entry


def entries_for(review: Review, user: User) -> list[MonitoringEntry]:
    """The log as ``user`` may read it: a manager all of it, a reviewer their written requests."""
    query = db.select(MonitoringEntry).where(MonitoringEntry.review_id == review.id)
    if not review.can_manage(user):
        query = query.where(
            MonitoringEntry.kind == MonitoringKind.WRITTEN_REQUEST, MonitoringEntry.addressed_to_id == user.id
        )
    query = query.order_by(MonitoringEntry.recorded_on.desc(), MonitoringEntry.id.desc()).options(
        joinedload(MonitoringEntry.addressed_to), joinedload(MonitoringEntry.recorded_by)
    )
    return list(db.session.execute(query).scalars())
