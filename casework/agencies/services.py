"""Contribution requests: asking agencies, their answers (documents, chronology entries, notes),
and the partnership's acceptance or return. Every step is kept in the request's history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, insert
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from casework.agencies.chronology_csv import ChronologyRow
from casework.agencies.contributions import (
    AWAITING_AGENCY,
    OPEN_STATUSES,
    REQUEST_TRANSITIONS,
    ChronologyEntry,
    ContributionKind,
    ContributionRequest,
    RequestChange,
    RequestEvent,
    RequestStatus,
)
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core import audit
from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.core.workdays import working_calendar
from casework.documents.models import Document
from casework.documents.storage import store_upload
from casework.notifications.events import contributions as events
from casework.reviews.models import Review
from casework.reviews.stages import ReviewStage

# Contributions are asked for once the review is commissioned and until it has ended.
REQUEST_STAGES = (
    ReviewStage.AWAITING_REVIEWER,
    ReviewStage.CONTRIBUTIONS,
    ReviewStage.DRAFTING,
    ReviewStage.PUBLICATION,
)


def default_due_date(review: Review) -> date:
    return working_calendar().add_working_days(uk_today(), review.review_type.contribution_days)


def _check_version(request: ContributionRequest, version: int | None) -> None:
    if version is not None and version != request.version:
        raise ConcurrentEditError("this request")


def check_request_change(request: ContributionRequest, change: RequestChange) -> None:
    """The guard every change of a request's status starts with: the table allows it from here."""
    transition = REQUEST_TRANSITIONS[change]
    if request.status not in transition.sources:
        raise DomainError(transition.refusal.format(status=request.status.label.lower()))


def _event(request: ContributionRequest, status: RequestStatus, by: User, comment: str = "") -> None:
    request.status = status
    request.history.append(RequestEvent(status=status, comment=comment.strip(), by=by))
    db.session.flush()


def _change(request: ContributionRequest, change: RequestChange, by: User, comment: str = "") -> None:
    """Records a change the guard allowed: the table names the status it leads to."""
    _event(request, REQUEST_TRANSITIONS[change].destination, by, comment)


def _audit(request: ContributionRequest, action: str, summary: str, **details: object) -> None:
    """The audit event of a step on a request, filed under its review."""
    audit.record(action, summary, subject=request, review=request.review, details=details or None)


def request_contributions(
    review: Review,
    agencies: list[Agency],
    kind: ContributionKind | None,
    instructions: str,
    due_on: date | None,
    by: User,
) -> list[ContributionRequest]:
    if review.is_ended or review.stage not in REQUEST_STAGES:
        raise DomainError("Contributions can be requested once the review is commissioned and until it ends")
    if not agencies:
        raise DomainError("Select at least one agency in scope", field="agencies")
    if kind is None:
        raise DomainError("Select what you are asking for", field="kind")
    if not instructions.strip():
        raise DomainError("Enter instructions for the agency", field="instructions")
    if due_on is None:
        raise DomainError("Enter the due date", field="due_on")
    if due_on <= uk_today():
        raise DomainError("The due date must be in the future", field="due_on")
    in_scope = {agency.id for agency in review.agencies_where("in_scope")}
    outside = [a.name for a in agencies if a.id not in in_scope]
    if outside:
        raise DomainError(f"Only agencies in scope can be asked: {', '.join(outside)}", field="agencies")
    inactive = [a.name for a in agencies if not a.active]
    if inactive:
        raise DomainError(f"These agencies are no longer active: {', '.join(inactive)}", field="agencies")
    duplicates = [
        r.agency.name
        for r in review.contribution_requests
        if r.kind == kind and r.status in OPEN_STATUSES and r.agency_id in {a.id for a in agencies}
    ]
    if duplicates:
        raise DomainError(
            f"{', '.join(duplicates)} already has an open request for {kind.label.lower()}", field="agencies"
        )
    created = []
    for agency in agencies:
        request = ContributionRequest(
            agency=agency,
            kind=kind,
            instructions=instructions.strip(),
            due_on=due_on,
            status=RequestStatus.REQUESTED,
            requested_by=by,
        )
        review.contribution_requests.append(request)
        _event(request, RequestStatus.REQUESTED, by)
        created.append(request)
    audit.record(
        "contributions_requested",
        f"{kind.label} requested from {', '.join(a.name for a in agencies)}, due {due_on:%d %B %Y}",
        subject=review,
        review=review,
        details={"kind": kind.value, "agencies": [a.name for a in agencies], "due_on": due_on.isoformat()},
    )
    for request in created:
        events.request_made(request, by)
    return created


def _check_responder(request: ContributionRequest, by: User) -> None:
    if not request.can_answer(by):
        raise DomainError("Only the agency asked can answer this request")
    if request.review.is_ended:
        raise DomainError("This review has ended")
    if request.status not in AWAITING_AGENCY:
        raise DomainError(f"This request is {request.status.label.lower()}; it cannot be changed now")


def add_chronology_entry(request: ContributionRequest, row: ChronologyRow, by: User) -> ChronologyEntry:
    _check_responder(request, by)
    if request.kind != ContributionKind.CHRONOLOGY:
        raise DomainError("This request is not for a chronology")
    if row.occurred_on > uk_today():
        raise DomainError("The date must be today or in the past", field="occurred_on")
    entry = ChronologyEntry(
        review_id=request.review_id,
        agency_id=request.agency_id,
        occurred_on=row.occurred_on,
        occurred_at=row.occurred_at,
        practitioner_role=row.practitioner_role.strip(),
        event=row.event.strip(),
        significance=row.significance.strip(),
        created_by_id=by.id,
    )
    request.entries.append(entry)
    db.session.flush()
    return entry


def check_chronology_import(request: ContributionRequest, by: User) -> None:
    """The guard of an import, checked when the file is uploaded and again when it is imported."""
    _check_responder(request, by)
    if request.kind != ContributionKind.CHRONOLOGY:
        raise DomainError("This request is not for a chronology")


# Entries sent to the database in one INSERT: few round trips, bounded memory per statement.
IMPORT_BATCH = 1000


def import_chronology_rows(
    request: ContributionRequest,
    rows: Sequence[ChronologyRow],
    by: User,
    *,
    progress: Callable[[int], None] | None = None,
    ip_address: str | None = None,
) -> int:
    """Add every row as an entry of the request, in bulk INSERTs of IMPORT_BATCH rows, without
    loading the entries it already has: the time grows with the file, not with the request.
    All or nothing: the caller's one transaction commits them (the import job does).
    ``progress`` is told the count after each batch; ``ip_address``: where the upload came from,
    for the audit trail when the rows are added outside that request."""
    check_chronology_import(request, by)
    today = uk_today()
    if any(row.occurred_on > today for row in rows):
        raise DomainError("The date must be today or in the past", field="occurred_on")
    now = utcnow()
    values = [
        {
            "request_id": request.id,
            "review_id": request.review_id,
            "agency_id": request.agency_id,
            "occurred_on": row.occurred_on,
            "occurred_at": row.occurred_at,
            "practitioner_role": row.practitioner_role.strip(),
            "event": row.event.strip(),
            "significance": row.significance.strip(),
            "key_episode": False,
            "key_episode_note": "",
            "created_by_id": by.id,
            "created_at": now,
        }
        for row in rows
    ]
    for start in range(0, len(values), IMPORT_BATCH):
        db.session.execute(insert(ChronologyEntry), values[start : start + IMPORT_BATCH])
        if progress is not None:
            progress(min(start + IMPORT_BATCH, len(values)))
    event = audit.record(
        "chronology_imported",
        f"{len(rows)} chronology entries imported for {request.agency.name}",
        subject=request,
        review_id=request.review_id,
        actor=by,
        details={"rows": len(rows)},
    )
    if ip_address is not None and event.ip_address is None:
        event.ip_address = ip_address
    return len(rows)


def remove_chronology_entry(entry: ChronologyEntry, by: User) -> None:
    _check_responder(entry.request, by)
    db.session.delete(entry)
    db.session.flush()


def attach_document(request: ContributionRequest, upload: FileStorage | None, by: User) -> Document:
    _check_responder(request, by)
    if upload is None or not upload.filename:
        raise DomainError("Choose a file to upload", field="file")
    document = store_upload(upload, uploaded_by=by, review=request.review, contribution_request_id=request.id)
    request.documents.append(document)
    _audit(
        request,
        "document_uploaded",
        f"{document.original_name} uploaded for {request.agency.name}",
        document=document.id,
    )
    return document


def submit_request(request: ContributionRequest, note: str, by: User, version: int | None) -> None:
    _check_version(request, version)
    _check_responder(request, by)
    check_request_change(request, RequestChange.SUBMIT)
    if request.kind == ContributionKind.CHRONOLOGY and not request.entries:
        raise DomainError("Add at least one chronology entry before submitting", field="note")
    if request.kind in (ContributionKind.AGENCY_REPORT, ContributionKind.DOCUMENTS) and not request.documents:
        raise DomainError("Upload at least one document before submitting", field="note")
    if request.kind == ContributionKind.LEARNING_EVENT and not note.strip():
        raise DomainError("Say who will attend the learning event", field="note")
    request.response_note = note.strip()
    _change(request, RequestChange.SUBMIT, by, note)
    _audit(
        request, "contribution_submitted", f"{request.agency.name} submitted its {request.kind.label.lower()}"
    )


def _check_decider(request: ContributionRequest, by: User, change: RequestChange) -> None:
    check_request_change(request, change)
    if not request.can_decide(by):
        raise DomainError("Only the board manager or the review's reviewer can decide on a submission")


def accept_request(request: ContributionRequest, by: User, version: int | None) -> None:
    _check_version(request, version)
    _check_decider(request, by, RequestChange.ACCEPT)
    _change(request, RequestChange.ACCEPT, by)
    _audit(request, "contribution_accepted", f"{request.agency.name}'s {request.kind.label.lower()} accepted")


def return_request(request: ContributionRequest, comment: str, by: User, version: int | None) -> None:
    _check_version(request, version)
    _check_decider(request, by, RequestChange.RETURN)
    if not comment.strip():
        raise DomainError("Say what the agency needs to change", field="comment")
    _change(request, RequestChange.RETURN, by, comment)
    _audit(
        request,
        "contribution_returned",
        f"{request.agency.name}'s {request.kind.label.lower()} returned",
        comment=comment.strip(),
    )
    events.request_returned(request, by)


def withdraw_request(request: ContributionRequest, reason: str, by: User, version: int | None) -> None:
    _check_version(request, version)
    if not request.can_withdraw(by):
        raise DomainError("Only a board manager can withdraw a request")
    check_request_change(request, RequestChange.WITHDRAW)
    if not reason.strip():
        raise DomainError("Give the reason for withdrawing the request", field="comment")
    _change(request, RequestChange.WITHDRAW, by, reason)
    _audit(request, "contribution_withdrawn", f"Request to {request.agency.name} withdrawn: {reason.strip()}")


def mark_key_episode(entry: ChronologyEntry, key: bool, note: str, by: User) -> None:
    if not entry.can_mark_key_episode(by):
        raise DomainError("Only the review's reviewer or a board manager can mark key practice episodes")
    if entry.request.status != RequestStatus.ACCEPTED:
        raise DomainError("Only entries of an accepted chronology can be marked")
    entry.key_episode, entry.key_episode_note = key, note.strip() if key else ""
    audit.record(
        "key_episode_marked" if key else "key_episode_unmarked",
        f"Entry of {entry.occurred_on:%d %B %Y} ({entry.agency.name}) "
        + ("marked as a key practice episode" if key else "no longer a key practice episode"),
        subject=entry.request.review,
        review=entry.request.review,
    )


@dataclass
class ChronologyFilters:
    agency_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    key_only: bool = False


def _merged(statement: Select[Any], review: Review, filters: ChronologyFilters) -> Select[Any]:
    """Accepted entries of every agency that pass the filters, in date order."""
    query = (
        statement.join(ContributionRequest, ContributionRequest.id == ChronologyEntry.request_id)
        .where(ChronologyEntry.review_id == review.id, ContributionRequest.status == RequestStatus.ACCEPTED)
        .order_by(
            ChronologyEntry.occurred_on,
            ChronologyEntry.occurred_at.is_(None),
            ChronologyEntry.occurred_at,
            ChronologyEntry.id,
        )
    )
    if filters.agency_id:
        query = query.where(ChronologyEntry.agency_id == filters.agency_id)
    if filters.date_from:
        query = query.where(ChronologyEntry.occurred_on >= filters.date_from)
    if filters.date_to:
        query = query.where(ChronologyEntry.occurred_on <= filters.date_to)
    if filters.key_only:
        query = query.where(ChronologyEntry.key_episode.is_(True))
    return query


def merged_chronology(review: Review, filters: ChronologyFilters) -> list[ChronologyEntry]:
    """Accepted entries of every agency, in date order: what the reviewer reads."""
    query = _merged(db.select(ChronologyEntry), review, filters).options(
        joinedload(ChronologyEntry.agency)  # every reader shows each entry's agency
    )
    return list(db.session.execute(query).scalars())


def merged_chronology_rows(review: Review, filters: ChronologyFilters) -> Select[Any]:
    """The same entries as columns, for the export to read in batches: the day, the time, the
    agency's name, the practitioner's role, the event, its significance, whether it is key."""
    columns = db.select(
        ChronologyEntry.occurred_on,
        ChronologyEntry.occurred_at,
        Agency.name,
        ChronologyEntry.practitioner_role,
        ChronologyEntry.event,
        ChronologyEntry.significance,
        ChronologyEntry.key_episode,
    ).join(Agency, Agency.id == ChronologyEntry.agency_id)
    return _merged(columns, review, filters)
