"""The register of parallel processes: criminal investigations and prosecutions, inquests, IOPC
investigations, family proceedings and other reviews running alongside a review. They are why
reviews pause and why publication waits, so a pause or a publication delay names the process that
caused it, and ``delay_reasons`` describes what is holding a review up for a publication delay's
reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm.exc import StaleDataError

from casework.auth.models import User
from casework.core.answers import check_each
from casework.core.display import format_date
from casework.core.errors import ConcurrentEditError, DomainError, check_version
from casework.core.extensions import db
from casework.core.rows import all_rows
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.lifecycle import check_open, on_timeline
from casework.reviews.models import (
    ParallelProcess,
    ProcessKind,
    ProcessStatus,
    PublicationDelay,
    Review,
    ReviewPause,
)
from casework.reviews.referral.changes import plain


@dataclass
class ProcessDetails:
    kind: ProcessKind | None = None
    description: str = ""
    status: ProcessStatus | None = None
    started_on: date | None = None
    expected_end_on: date | None = None
    ended_on: date | None = None
    contact_name: str = ""
    contact_organisation: str = ""
    contact_details: str = ""
    notes: str = ""


def _checked(details: ProcessDetails) -> dict[str, Any]:
    """The details as columns, once every rule between them holds."""
    check_each(
        required,
        details,
        {
            "kind": "Select the kind of process",
            "description": "Describe the process, for example the charge or the court",
            "status": "Select the status of the process",
        },
    )
    check_each(not_future, details, {"started_on": "The date it started", "ended_on": "The date it ended"})
    not_before(
        details.expected_end_on,
        details.started_on,
        "expected_end_on",
        "The expected end cannot be before the process started",
    )
    not_before(details.ended_on, details.started_on, "ended_on", "A process cannot end before it started")
    assert details.status is not None
    if details.status.is_over and details.ended_on is None:
        raise DomainError(
            f"Enter the date the process ended ({details.status.label.lower()})", field="ended_on"
        )
    if details.ended_on is not None and not details.status.is_over:
        raise DomainError(
            "A process with an end date has concluded or was discontinued: select its status", field="status"
        )
    if details.status == ProcessStatus.UNDER_WAY and details.started_on is None:
        raise DomainError("Enter the date the process started", field="started_on")
    values = asdict(details)
    # Enums are strings too: only plain text is stripped.
    return {key: value.strip() if type(value) is str else value for key, value in values.items()}


def _snapshot(process: ParallelProcess) -> dict[str, Any]:
    return {key: plain(getattr(process, key)) for key in ProcessDetails.__dataclass_fields__}


def add_process(review: Review, details: ProcessDetails, by: User) -> ParallelProcess:
    check_open(review)
    process = ParallelProcess(review=review, recorded_by=by, **_checked(details))
    db.session.add(process)
    on_timeline(
        review,
        "process_added",
        f"Parallel process recorded: {process.kind.label}",
        details={"kind": process.kind.value, "status": process.status.value},
    )
    return process


def update_process(process: ParallelProcess, details: ProcessDetails, version: int | None) -> ParallelProcess:
    check_version(process, version, "this process")
    review = process.review
    check_open(review)
    before = _snapshot(process)
    for key, value in _checked(details).items():
        setattr(process, key, value)
    after = _snapshot(process)
    # Names and contact details are not copied into the timeline: only what changed.
    changed = sorted(key for key in after if before[key] != after[key])
    if not changed:
        return process
    try:
        db.session.flush()
    except StaleDataError as error:  # another save went first
        raise ConcurrentEditError("this process") from error
    on_timeline(
        review,
        "process_updated",
        f"Parallel process updated: {process.kind.label}",
        details={"kind": process.kind.value, "status": process.status.value, "changed": changed},
    )
    return process


def processes_of(review: Review) -> list[ParallelProcess]:
    return all_rows(
        ParallelProcess,
        ParallelProcess.review_id == review.id,
        order_by=(ParallelProcess.started_on.is_(None), ParallelProcess.started_on, ParallelProcess.id),
    )


def process_of_review(
    review: Review, process_id: int | None, field: str = "caused_by"
) -> ParallelProcess | None:
    """The process a new pause or publication delay names, which must be on this review's
    register and not yet over (a concluded process holds nothing up from now on)."""
    if process_id is None:
        return None
    process = db.session.get(ParallelProcess, process_id)
    if process is None or process.review_id != review.id:
        raise DomainError("Select a process of this review", field=field)
    if process.status.is_over:
        raise DomainError(f"The {process.title} is {process.status.label.lower()}", field=field)
    return process


def name_pause_cause(review: Review, pause: ReviewPause, process: ParallelProcess | None) -> ReviewPause:
    """Say which process caused a pause recorded before the process was on the register (or
    correct it); the pause's dates and reason do not change."""
    if pause.review_id != review.id:
        raise DomainError("Select a pause of this review")
    if process is not None and process.review_id != review.id:
        raise DomainError("Select a process of this review", field="caused_by")
    if pause.process_id == (process.id if process else None):
        raise DomainError("The pause already names this process" if process else "The pause names no process")
    pause.process = process
    on_timeline(
        review,
        "pause_cause_named",
        f"The pause from {format_date(pause.started_on)} "
        + (f"was caused by the {process.kind.label.lower()}" if process else "names no process"),
        details={"started_on": plain(pause.started_on), "kind": process.kind.value if process else None},
    )
    return pause


def delay_reasons(review: Review) -> str:
    """What is holding the review up, in words for a publication delay's reason: first the
    processes the review's delays name (in the order the delays were recorded, whatever their
    status now: they are why publication waited), then each other process not yet over, with its
    status and expected end. Each process once; empty when nothing is."""
    # When a delay first named the process: one query for the ordering and the register.
    first_named = (
        db.select(func.min(PublicationDelay.id))
        .where(PublicationDelay.process_id == ParallelProcess.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(ParallelProcess, first_named)
        .where(ParallelProcess.review_id == review.id)
        .order_by(
            first_named.is_(None),
            first_named,
            ParallelProcess.started_on.is_(None),
            ParallelProcess.started_on,
            ParallelProcess.id,
        )
    ).all()
    named = [process for process, first in rows if first is not None]
    others = [process for process, first in rows if first is None and not process.status.is_over]
    return "; ".join(_described(process) for process in named + others)


def describe_delay(listed: list[ParallelProcess]) -> str:
    return "; ".join(_described(process) for process in listed if not process.status.is_over)


def _described(process: ParallelProcess) -> str:
    when = f", expected to end {format_date(process.expected_end_on)}" if process.expected_end_on else ""
    return f"{process.kind.label}: {process.description} ({process.status.label.lower()}{when})"
