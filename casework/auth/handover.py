"""What a user owns, and handing it to a colleague before they leave: the open contribution
requests they sent, the actions they own, and (shown, not moved) the reviews they lead."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import joinedload, selectinload

from casework.actions.models import Action, ActionStatus
from casework.agencies.contributions import OPEN_STATUSES, ContributionRequest
from casework.auth.models import User
from casework.core import audit
from casework.core.display import plural
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.reviews.models import AssignmentRole, AssignmentStatus, ReviewerAssignment


@dataclass(frozen=True)
class Owned:
    requests: list[ContributionRequest]
    actions: list[Action]
    # A reviewer's reviews are not handed over here: a new reviewer is appointed on the review,
    # declares their independence and accepts, as any appointment needs.
    leads: list[ReviewerAssignment]

    @property
    def anything_to_hand_over(self) -> bool:
        return bool(self.requests or self.actions)


def owned_by(user: User) -> Owned:
    """Three queries, whatever the user owns."""
    requests = db.session.execute(
        db.select(ContributionRequest)
        .where(ContributionRequest.requested_by_id == user.id, ContributionRequest.status.in_(OPEN_STATUSES))
        .options(joinedload(ContributionRequest.review), joinedload(ContributionRequest.agency))
        .order_by(ContributionRequest.due_on, ContributionRequest.id)
    ).scalars()
    actions = db.session.execute(
        db.select(Action)
        .where(Action.owner_id == user.id, Action.status != ActionStatus.VERIFIED)
        .options(joinedload(Action.review), joinedload(Action.agency))
        .order_by(Action.deadline, Action.id)
    ).scalars()
    leads = db.session.execute(
        db.select(ReviewerAssignment)
        .where(
            ReviewerAssignment.reviewer_id == user.id,
            ReviewerAssignment.role == AssignmentRole.LEAD,
            ReviewerAssignment.status.in_([AssignmentStatus.PROPOSED, AssignmentStatus.ACCEPTED]),
        )
        .options(selectinload(ReviewerAssignment.review))
        .order_by(ReviewerAssignment.id)
    ).scalars()
    return Owned(list(requests), list(actions), list(leads))


def successors_for(user: User) -> list[User]:
    """Who may take the work on: active colleagues in the same role (for an agency lead, of the
    same agency, since an agency's actions stay with that agency)."""
    query = db.select(User).where(User.active.is_(True), User.id != user.id, User.role == user.role)
    if user.agency_id is not None:
        query = query.where(User.agency_id == user.agency_id)
    return list(db.session.execute(query.order_by(User.name)).scalars())


def hand_over(user: User, successor: User) -> tuple[int, int]:
    """Give ``successor`` the open requests ``user`` sent and the actions they own, in one step,
    recorded in the audit log. Returns how many of each moved."""
    if successor.id not in {person.id for person in successors_for(user)}:
        raise DomainError(
            "Choose an active colleague in the same role to hand the work to", field="successor"
        )
    owned = owned_by(user)
    if not owned.anything_to_hand_over:
        raise DomainError(f"{user.name} has no open requests or actions to hand over", field="successor")
    for request in owned.requests:
        request.requested_by_id = successor.id
    for action in owned.actions:
        action.owner_id = successor.id  # its row version moves on: an older edit is refused
    audit.record(
        "work_handed_over",
        f"{plural(len(owned.requests), 'open request')} and {plural(len(owned.actions), 'action')} "
        f"of {user.email} handed over to {successor.email}",
        subject=user,
        details={
            "to_user_id": successor.id,
            "request_ids": [request.id for request in owned.requests],
            "action_ids": [action.id for action in owned.actions],
        },
    )
    return len(owned.requests), len(owned.actions)
