"""Actions: planning them, their progress and status, verification, deadline changes, and
closing the review once every action is verified."""

from __future__ import annotations

from datetime import date

from flask import g, has_request_context
from werkzeug.datastructures import FileStorage

from casework.actions.models import (
    Action,
    ActionChange,
    ActionStatus,
    ChangeStatus,
    DeadlineChangeRequest,
    ProgressUpdate,
    Recommendation,
    UpdateKind,
)
from casework.actions.services.checks import check_action_change, check_version, plan_alive, plan_open
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core import audit
from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.documents.storage import store_upload
from casework.notifications.events import actions as events
from casework.reviews.lifecycle import (
    Missing,
    Move,
    needs,
    take,
    takes,
)
from casework.reviews.models import Review


def add_action(
    recommendation: Recommendation,
    description: str,
    agency: Agency | None,
    owner: User | None,
    deadline: date | None,
    success_measure: str,
    by: User,
) -> Action:
    review = recommendation.review
    plan_open(review)
    if not review.can_plan_actions(by):
        raise DomainError("Only a board manager can add actions")
    if not description.strip():
        raise DomainError("Describe what will be done", field="description")
    if not success_measure.strip():
        raise DomainError("Say what evidence will show the action made a difference", field="success_measure")
    if owner is None:
        raise DomainError("Select the named owner", field="owner")
    if deadline is None:
        raise DomainError("Enter the deadline", field="deadline")
    today = uk_today()
    if deadline < today:
        raise DomainError("The deadline cannot be before the day the action is created", field="deadline")
    if agency is not None and not agency.active:
        raise DomainError(f"{agency.name} is no longer active", field="agency")
    # The owner is someone who may report its progress (Action.can_update).
    if agency is None and not review.can_manage(owner):
        raise DomainError("A partnership action is owned by a board manager", field="owner")
    if agency is not None and not (owner.can_answer_for_agency() and owner.agency_id == agency.id):
        raise DomainError(f"{owner.name} is not an agency lead of {agency.name}", field="owner")
    if not owner.active:
        raise DomainError(f"{owner.name}'s account is deactivated", field="owner")
    action = Action(
        recommendation=recommendation,
        review_id=review.id,
        description=description.strip(),
        agency=agency,
        owner=owner,
        success_measure=success_measure.strip(),
        original_deadline=deadline,
        deadline=deadline,
        status=ActionStatus.NOT_STARTED,
        created_on=today,
        created_by_id=by.id,
    )
    db.session.add(action)
    audit.record(
        "action_added",
        f"Action added to recommendation {recommendation.number} for {action.owner_label}, "
        f"due {deadline:%d %B %Y}",
        subject=action,
        review=review,
        details={"owner": owner.name, "deadline": deadline.isoformat()},
    )
    db.session.flush()  # the action's id, for its link
    events.action_assigned(action, by)
    return action


def _entry(action: Action, kind: UpdateKind, status: ActionStatus, note: str, by: User) -> ProgressUpdate:
    update = ProgressUpdate(kind=kind, status=status, note=note.strip(), by=by)
    action.updates.append(update)
    db.session.flush()
    return update


def _set_status(action: Action, status: ActionStatus) -> None:
    """Every status change goes through here, so the day of completion stays true: set when the
    action first becomes completed, kept when verified, cleared when work on it resumes."""
    if status == ActionStatus.COMPLETED and action.status != ActionStatus.COMPLETED:
        action.completed_on = uk_today()
    elif status not in (ActionStatus.COMPLETED, ActionStatus.VERIFIED):
        action.completed_on = None
    action.status = status


def add_progress(
    action: Action,
    status: ActionStatus | None,
    note: str,
    evidence: list[FileStorage],
    by: User,
    version: int | None,
) -> ProgressUpdate:
    check_version(action, version)
    plan_alive(action.review)
    if not action.can_update(by):
        raise DomainError("Only the owning agency can report progress on this action")
    check_action_change(action, ActionChange.REPORT_PROGRESS, status)
    assert status is not None
    if not note.strip():
        raise DomainError("Describe the progress", field="note")
    files = [f for f in evidence if f is not None and f.filename]
    if status == ActionStatus.COMPLETED and not files:
        raise DomainError("Attach evidence that shows the action made a difference", field="evidence")
    # Files first: a refused file leaves no update behind, even for a caller that does not roll back.
    documents = []
    for upload in files:
        try:
            documents.append(store_upload(upload, uploaded_by=by, review=action.review))
        except DomainError as error:
            raise DomainError(error.message, field="evidence") from error
    update = _entry(action, UpdateKind.PROGRESS, status, note, by)
    for document in documents:
        document.progress_update_id = update.id
        update.evidence.append(document)
    _set_status(action, status)
    audit.record(
        "action_progress",
        f"Progress on an action of {action.review.reference}: {status.label}",
        subject=action,
        review=action.review,
        details={"status": status.value, "evidence": len(files)},
    )
    if status == ActionStatus.COMPLETED:
        events.action_completed(action, by)
    return update


def _judge_evidence(
    action: Action, version: int | None, by: User, change: ActionChange, to: ActionStatus | None
) -> ActionStatus:
    """What verifying or returning an action starts with: the version the person read, a board
    manager's call, a change the table allows."""
    check_version(action, version)
    if not action.can_verify(by):
        raise DomainError(f"Only a board manager can {change.value} an action")
    check_action_change(action, change, to)
    assert to is not None
    return to


def verify_action(action: Action, note: str, by: User, version: int | None) -> None:
    _judge_evidence(action, version, by, ActionChange.VERIFY, ActionStatus.VERIFIED)
    _set_status(action, ActionStatus.VERIFIED)
    action.verified_at, action.verified_by = utcnow(), by
    _entry(action, UpdateKind.VERIFIED, ActionStatus.VERIFIED, note or "Evidence of impact verified", by)
    audit.record(
        "action_verified",
        f"Action verified on {action.review.reference}",
        subject=action,
        review=action.review,
    )


def return_action(
    action: Action, reason: str, status: ActionStatus | None, by: User, version: int | None
) -> None:
    status = _judge_evidence(action, version, by, ActionChange.RETURN, status)
    if not reason.strip():
        raise DomainError("Say why the evidence is not enough", field="note")
    _set_status(action, status)
    _entry(action, UpdateKind.RETURNED, status, reason, by)
    audit.record(
        "action_returned",
        f"Action returned on {action.review.reference}: {reason.strip()}",
        subject=action,
        review=action.review,
    )
    events.action_returned(action, by)


def request_deadline_change(
    action: Action, proposed: date | None, reason: str, by: User
) -> DeadlineChangeRequest:
    plan_alive(action.review)
    if not action.can_ask_deadline(by):
        raise DomainError("Only the action's owner or a board manager can ask for a new deadline")
    if action.status == ActionStatus.VERIFIED:
        raise DomainError("This action is verified and closed")
    if any(r.status == ChangeStatus.PENDING for r in action.deadline_requests):
        raise DomainError("A deadline change is already waiting for a decision")
    if proposed is None:
        raise DomainError("Enter the proposed deadline", field="proposed_deadline")
    if proposed == action.deadline:
        raise DomainError("The proposed deadline is the current one", field="proposed_deadline")
    if proposed < uk_today():
        raise DomainError("The proposed deadline cannot be in the past", field="proposed_deadline")
    if not reason.strip():
        raise DomainError("Give the reason for the change", field="reason")
    change = DeadlineChangeRequest(
        current_deadline=action.deadline,
        proposed_deadline=proposed,
        reason=reason.strip(),
        status=ChangeStatus.PENDING,
        requested_by=by,
    )
    action.deadline_requests.append(change)
    audit.record(
        "deadline_change_requested",
        f"New deadline {proposed:%d %B %Y} asked for an action of {action.review.reference}",
        subject=action,
        review=action.review,
        details={"reason": reason.strip()},
    )
    db.session.flush()  # the request's id, for its link
    events.deadline_change_requested(change, by)
    return change


def decide_deadline_change(change: DeadlineChangeRequest, approve: bool, note: str, by: User) -> None:
    action = change.action
    if not action.can_decide_deadline(by):
        raise DomainError("Only a board manager can decide on a deadline change")
    if change.status != ChangeStatus.PENDING:
        raise DomainError("This request has already been decided")
    plan_alive(action.review)
    if approve and action.status == ActionStatus.VERIFIED:
        raise DomainError("This action is verified and closed; its deadline no longer changes")
    if action.deadline != change.current_deadline:
        raise ConcurrentEditError("this action's deadline")
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REFUSED
    change.decided_by, change.decided_at, change.decision_note = by, utcnow(), note.strip()
    if approve:
        action.deadline = change.proposed_deadline
        action.deadline_changes += 1
        _entry(
            action,
            UpdateKind.DEADLINE,
            action.status,
            f"Deadline moved from {change.current_deadline:%d %B %Y} to {change.proposed_deadline:%d %B %Y}: "
            f"{change.reason}",
            by,
        )
    audit.record(
        "deadline_change_" + ("approved" if approve else "refused"),
        f"Deadline change for an action of {action.review.reference} {change.status.label.lower()}",
        subject=action,
        review=action.review,
    )
    events.deadline_change_decided(change, by)


def close_review(review: Review, version: int | None, by: User) -> Review:
    return take(review, Move.CLOSE, version)


def _every_action_verified(review: Review) -> Missing | None:
    # A page that counted the plan already (plan_views.plan_summary) left the answer for this request.
    unverified = (g.get("unverified_actions") or {}).get(review.id) if has_request_context() else None
    if unverified is None:
        unverified = db.session.execute(
            db.select(db.func.count(Action.id)).where(
                Action.review_id == review.id, Action.status != ActionStatus.VERIFIED
            )
        ).scalar_one()
    if not unverified:
        return None
    count = "1 action is" if unverified == 1 else f"{unverified} actions are"
    return Missing(
        f"Verify the actions of the plan ({count} not verified yet)",
        "reviews.review_action_plan",
        f"{count} not verified yet. Close the review once every action is verified.",
    )


takes(Move.CLOSE, close_review)
needs(Move.CLOSE, _every_action_verified)
