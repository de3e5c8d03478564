"""Every change to findings, recommendations and actions. History rows are only ever added."""

from __future__ import annotations

import re
from datetime import date
from typing import TypeVar

from flask import g, has_request_context
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from casework.actions import resemblance
from casework.actions.models import (
    ACTION_TRANSITIONS,
    Action,
    ActionChange,
    ActionStatus,
    ChangeStatus,
    DeadlineChangeRequest,
    Finding,
    ProgressUpdate,
    Recommendation,
    Theme,
    UpdateKind,
)
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
    check_open,
    needs,
    take,
    takes,
)
from casework.reviews.models import Review, ReviewType
from casework.reviews.stages import DECISION_ENDINGS


def _version(action: Action, version: int | None) -> None:
    if version is not None and version != action.version:
        raise ConcurrentEditError("this action")


def check_action_change(action: Action, change: ActionChange, to: ActionStatus | None) -> None:
    """The guard every change of an action's status starts with: the table allows it from the
    action's status to the one asked for."""
    transition = ACTION_TRANSITIONS[change]
    if action.status not in transition.sources:
        raise DomainError(transition.refused_from)
    if to not in transition.destinations:
        raise DomainError(transition.refused_to, field="status")


def _plan_alive(review: Review) -> None:
    """A plan takes changes while its review runs, and after a decision to hold no local review
    (no review, or the Panel's national review): that learning is kept, not thrown away."""
    if not review.plan_is_open:
        check_open(review)


def _plan_open(review: Review) -> None:
    _plan_alive(review)
    if review.terms is None and not review.plan_is_open:
        raise DomainError("Recommendations and actions come after the review is commissioned")


# --- themes, findings, recommendations --------------------------------------------------


def add_theme(name: str, by: User, review_types: list[ReviewType]) -> Theme:
    """A new theme for these types; a name already in use gains the types it lacks."""
    if not by.can_track_actions():
        raise DomainError("Only a board manager can add themes")
    name = " ".join(name.split())
    if not name:
        raise DomainError("Enter the theme", field="name")
    if not review_types:
        raise DomainError("Select the types of review it applies to", field="review_types")
    existing = {t.name.casefold(): t for t in db.session.execute(db.select(Theme)).scalars()}
    theme = existing.get(name.casefold())
    if theme is not None:
        missing = [t for t in review_types if t not in theme.review_types]
        if not missing:
            raise DomainError("That theme already exists for these types of review", field="name")
        theme.review_types.extend(missing)
    else:
        theme = Theme(name=name[:120], review_types=list(review_types))
        db.session.add(theme)
    codes = [t.code for t in review_types]
    audit.record("theme_added", f"Theme added: {theme.name}", subject=theme, details={"types": codes})
    return theme


def _next_number(model: type[Finding] | type[Recommendation], review: Review) -> int:
    highest = db.session.execute(
        db.select(db.func.max(model.number)).where(model.review_id == review.id)
    ).scalar()
    return (highest or 0) + 1


P = TypeVar("P", Finding, Recommendation)


def _added(review: Review, record: P, action: str, summary: str) -> P:
    """A new finding or recommendation, with its audit event (``summary`` may name its number)."""
    db.session.add(record)
    audit.record(
        action, summary, subject=review, review=review, details={"themes": [t.name for t in record.themes]}
    )
    return record


def _written(review: Review, by: User, noun: str, text: str) -> str:
    """The text of a finding or recommendation, once the plan is open to ``by`` and it says something."""
    _plan_open(review)
    if not review.can_write_recommendations(by):
        raise DomainError(f"Only the board manager or the review's reviewer can record {noun}s")
    if not text.strip():
        raise DomainError(f"Enter the {noun}", field="text")
    return text.strip()


def add_finding(review: Review, text: str, themes: list[Theme], by: User) -> Finding:
    finding = Finding(
        review_id=review.id,
        number=_next_number(Finding, review),
        text=_written(review, by, "finding", text),
        themes=themes,
        created_by_id=by.id,
    )
    return _added(review, finding, "finding_added", f"Finding {finding.number} recorded")


def add_recommendation(
    review: Review, text: str, to_partnership: bool, agencies: list[Agency], themes: list[Theme], by: User
) -> Recommendation:
    text = _written(review, by, "recommendation", text)
    if not to_partnership and not agencies:
        raise DomainError("Say who the recommendation is addressed to", field="agencies")
    recommendation = Recommendation(
        review_id=review.id,
        number=_next_number(Recommendation, review),
        text=text,
        to_partnership=to_partnership,
        agencies=agencies,
        themes=themes,
        created_by_id=by.id,
    )
    summary = f"Recommendation {recommendation.number} recorded for {recommendation.addressed_to}"
    return _added(review, recommendation, "recommendation_added", summary)


def learning_lines(review: Review) -> list[str]:
    """The rapid review's learning and immediate safety actions, one item a line (bullets and
    numbers dropped): the starting point of the recommendations kept from a no-review decision."""
    rapid = review.rapid_review
    if rapid is None:
        return []
    lines = f"{rapid.learning_identified}\n{rapid.immediate_safety_actions}".splitlines()
    items = (line.strip().lstrip("-*•").strip() for line in lines)
    return [re.sub(r"^\d+[.)]\s*", "", item) for item in items if item]


def keep_learning(review: Review, texts: list[str], by: User) -> list[Recommendation]:
    """Recommendations to the partnership from what a review ended without a local review
    learned (the rapid review's learning, the Panel's national recommendations), so they get
    actions with owners like any other plan's."""
    if review.stage not in DECISION_ENDINGS:
        raise DomainError(
            "This is for a review ended by a decision not to hold a local review: "
            "add this review's recommendations on its action plan"
        )
    if not review.can_plan_actions(by):
        raise DomainError("Only a board manager can turn the learning into recommendations")
    texts = [" ".join(text.split()) for text in texts if text.strip()]
    if not texts:
        raise DomainError("Enter at least one recommendation, one a line", field="recommendations")
    if any(len(text) > 10000 for text in texts):
        raise DomainError("Each recommendation must be 10,000 characters or fewer", field="recommendations")
    first = _next_number(Recommendation, review)
    added = [
        Recommendation(
            review_id=review.id, number=first + i, text=text, to_partnership=True, created_by_id=by.id
        )
        for i, text in enumerate(texts)
    ]
    db.session.add_all(added)
    audit.record(
        "learning_kept",
        f"{len(added)} recommendations recorded from the learning of {review.reference}",
        subject=review,
        review=review,
        details={"count": len(added), "from": review.stage.value},
    )
    return added


def confirm_recommendations(review: Review, by: User, differences: dict[int, str] | None = None) -> int:
    """The report is final: its recommendations are confirmed and no longer change. One that
    closely resembles an earlier review's recommendation is confirmed only with the answer to
    "what is different this time?" (``differences``, by recommendation id), kept on it."""
    _plan_open(review)
    if not review.can_plan_actions(by):
        raise DomainError("Only a board manager can confirm the recommendations")
    pending = [r for r in _recommendations(review) if r.confirmed_at is None]
    if not pending:
        raise DomainError("There are no unconfirmed recommendations")
    answers = {key: (value or "").replace("\x00", "").strip() for key, value in (differences or {}).items()}
    repeats = resemblance.close_earlier(pending)
    unanswered = [r for r in pending if r.id in repeats and not answers.get(r.id)]
    if unanswered:
        first = unanswered[0]
        raise DomainError(
            f"Recommendation {first.number} closely resembles {repeats[first.id].label} "
            f"({repeats[first.id].year}): say what is different this time before confirming"
        )
    if any(len(answers.get(r.id, "")) > 5000 for r in pending if r.id in repeats):
        raise DomainError('Each answer to "what is different this time?" must be 5,000 characters or fewer')
    for recommendation in pending:
        recommendation.confirmed_at = utcnow()
        earlier = repeats.get(recommendation.id)
        if earlier is not None:
            recommendation.resembles_id = earlier.id
            recommendation.difference_from_earlier = answers[recommendation.id]
            audit.record(
                "recommendation_repeated",
                f"Recommendation {recommendation.number} resembles {earlier.label}: "
                f"{recommendation.difference_from_earlier}",
                subject=recommendation,
                review=review,
                details={"resembles": earlier.id, "score": earlier.score},
            )
    audit.record(
        "recommendations_confirmed",
        f"{len(pending)} recommendations confirmed as final",
        subject=review,
        review=review,
    )
    return len(pending)


def _recommendations(review: Review) -> list[Recommendation]:
    return list(
        db.session.execute(
            db.select(Recommendation)
            .where(Recommendation.review_id == review.id)
            .order_by(Recommendation.number)
            .options(selectinload(Recommendation.themes))
        ).scalars()
    )


# --- actions ----------------------------------------------------------------------------


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
    _plan_open(review)
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
    _version(action, version)
    _plan_alive(action.review)
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


def verify_action(action: Action, note: str, by: User, version: int | None) -> None:
    _version(action, version)
    if not action.can_verify(by):
        raise DomainError("Only a board manager can verify an action")
    check_action_change(action, ActionChange.VERIFY, ActionStatus.VERIFIED)
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
    _version(action, version)
    if not action.can_verify(by):
        raise DomainError("Only a board manager can return an action")
    check_action_change(action, ActionChange.RETURN, status)
    assert status is not None
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
    _plan_alive(action.review)
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
    _plan_alive(action.review)
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
