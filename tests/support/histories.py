"""Years of history on a few records of the demo partnership, added in bulk: an action with
hundreds of progress updates and their evidence, a plan of forty recommendations with their
actions, an agency lead with hundreds of actions and requests, a busy review's timeline and a
long chronology. Rows are valid (what the services would have written) but go in through
``add_all``, so a world with years of history costs a second, not minutes."""

from __future__ import annotations

import secrets
from datetime import timedelta

from casework.actions.models import (
    Action,
    ActionStatus,
    ChangeStatus,
    DeadlineChangeRequest,
    ProgressUpdate,
    Recommendation,
    UpdateKind,
)
from casework.agencies.contributions import (
    ChronologyEntry,
    ContributionKind,
    ContributionRequest,
    RequestEvent,
    RequestStatus,
)
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.documents.models import Document
from casework.reviews.models import Review

UPDATES = 200  # on one action
RECOMMENDATIONS = 40  # more on one plan
ACTIONS_EACH = 5  # actions per added recommendation, each with two updates
REQUESTS = 240  # more of one agency, over two reviews
ENTRIES = 200  # on one chronology
EVENTS = 300  # on one review's timeline


def _document(name: str, by: User, review: Review) -> Document:
    return Document(
        stored_name=secrets.token_hex(16),
        original_name=name,
        size=100,
        sha256="0" * 64,
        detected_type="pdf",
        media_type="application/pdf",
        uploaded_by_id=by.id,
        review_id=review.id,
    )


def long_action_history(action: Action, people: list[User]) -> None:
    """``UPDATES`` progress updates by several people, every tenth with evidence, and decided
    requests for new deadlines."""
    start = utcnow() - timedelta(days=3650)
    updates = [
        ProgressUpdate(
            action=action,
            kind=UpdateKind.PROGRESS,
            status=ActionStatus.AT_RISK,
            note=f"Update {number} of a long year.",
            by_id=people[number % len(people)].id,
            at=start + timedelta(days=number),
        )
        for number in range(UPDATES)
    ]
    db.session.add_all(updates)
    db.session.flush()
    for update in updates[::10]:
        document = _document(f"evidence-{update.id}.pdf", people[0], action.review)
        document.progress_update_id = update.id
        db.session.add(document)
    db.session.add_all(
        DeadlineChangeRequest(
            action=action,
            current_deadline=action.deadline,
            proposed_deadline=action.deadline + timedelta(days=number + 1),
            reason=f"Reason {number}.",
            status=ChangeStatus.REFUSED,
            requested_by_id=people[number % len(people)].id,
            decided_by_id=people[0].id,
            decided_at=start,
            decision_note="No.",
        )
        for number in range(10)
    )
    db.session.flush()


def long_plan(review: Review, agency: Agency, lead: User, manager: User) -> None:
    """``RECOMMENDATIONS`` more confirmed recommendations to ``agency``, each with
    ``ACTIONS_EACH`` actions owned by ``lead``, each action with two updates."""
    first = (
        db.session.execute(
            db.select(db.func.max(Recommendation.number)).where(Recommendation.review_id == review.id)
        ).scalar_one()
        or 0
    )
    today = uk_today()
    recommendations = [
        Recommendation(
            review_id=review.id,
            number=first + 1 + number,
            text=f"Recommendation {number} of a long plan.",
            to_partnership=False,
            confirmed_at=utcnow(),
            created_by_id=manager.id,
            agencies=[agency],
        )
        for number in range(RECOMMENDATIONS)
    ]
    db.session.add_all(recommendations)
    db.session.flush()
    actions = [
        Action(
            recommendation_id=recommendation.id,
            review_id=review.id,
            description=f"Action {number} of recommendation {recommendation.number}.",
            agency_id=agency.id,
            owner_id=lead.id,
            success_measure="Audited.",
            original_deadline=today + timedelta(days=number * 7 - 10),
            deadline=today + timedelta(days=number * 7 - 10),
            status=ActionStatus.ON_TRACK,
            created_on=today - timedelta(days=400),
            created_by_id=manager.id,
        )
        for recommendation in recommendations
        for number in range(ACTIONS_EACH)
    ]
    db.session.add_all(actions)
    db.session.flush()
    db.session.add_all(
        ProgressUpdate(
            action_id=action.id,
            kind=UpdateKind.PROGRESS,
            status=ActionStatus.ON_TRACK,
            note=f"Update {number}.",
            by_id=lead.id,
        )
        for action in actions
        for number in range(2)
    )
    db.session.flush()


def many_requests(reviews: list[Review], agency: Agency, manager: User) -> None:
    """``REQUESTS`` more requests of ``agency``, spread over ``reviews``, each with its history."""
    today = uk_today()
    kinds = list(ContributionKind)
    statuses = [RequestStatus.REQUESTED, RequestStatus.ACCEPTED, RequestStatus.WITHDRAWN]
    requests = [
        ContributionRequest(
            review_id=reviews[number % len(reviews)].id,
            agency_id=agency.id,
            kind=kinds[number % len(kinds)],
            instructions=f"Request {number}.",
            due_on=today + timedelta(days=number - 100),
            status=statuses[number % len(statuses)],
            requested_by_id=manager.id,
        )
        for number in range(REQUESTS)
    ]
    db.session.add_all(requests)
    db.session.flush()
    db.session.add_all(
        RequestEvent(request_id=request.id, status=RequestStatus.REQUESTED, by_id=manager.id)
        for request in requests
    )
    db.session.flush()


def long_chronology(request: ContributionRequest, by: User) -> None:
    """``ENTRIES`` more entries on ``request``'s chronology."""
    start = uk_today() - timedelta(days=ENTRIES + 30)
    db.session.add_all(
        ChronologyEntry(
            request_id=request.id,
            review_id=request.review_id,
            agency_id=request.agency_id,
            occurred_on=start + timedelta(days=number),
            practitioner_role="Health visitor",
            event=f"Visit {number}.",
            created_by_id=by.id,
        )
        for number in range(ENTRIES)
    )
    db.session.flush()


def long_timeline(review: Review, people: list[User]) -> None:
    """``EVENTS`` more events on ``review``'s timeline, of every kind the page words."""
    start = utcnow() - timedelta(days=EVENTS)
    db.session.add_all(
        AuditEvent(
            occurred_at=start + timedelta(days=number),
            actor_id=people[number % len(people)].id,
            action="document_uploaded" if number % 2 else "stage_changed",
            summary=f"Event {number}.",
            details={},
            review_id=review.id,
        )
        for number in range(EVENTS)
    )
    db.session.flush()
