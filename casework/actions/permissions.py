"""Who may see and change which actions, in Python and as SQL for the tracker's queries."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, true

from casework.actions.models import Action
from casework.auth.models import Role, User
from casework.reviews.models import AssignmentStatus, Review, ReviewerAssignment
from casework.reviews.permissions import can_view, is_accepted_reviewer


def visible_actions(user: User) -> ColumnElement[bool]:
    if user.role == Role.BOARD_MANAGER:
        return true()
    if user.role == Role.AGENCY_LEAD and user.agency_id is not None:
        return Action.agency_id == user.agency_id
    if user.role == Role.REVIEWER:
        return exists().where(
            ReviewerAssignment.review_id == Action.review_id,
            ReviewerAssignment.reviewer_id == user.id,
            ReviewerAssignment.status == AssignmentStatus.ACCEPTED,
        )
    return false()


def can_view_action(user: User, action: Action) -> bool:
    if user.role == Role.AGENCY_LEAD:
        return action.agency_id is not None and action.agency_id == user.agency_id
    return can_view(user, action.review)


def can_update(user: User, action: Action) -> bool:
    """Progress is reported by the owning agency's leads; partnership actions by board managers."""
    if action.agency_id is None:
        return user.role == Role.BOARD_MANAGER
    return user.role == Role.AGENCY_LEAD and user.agency_id == action.agency_id


def can_write_recommendations(user: User, review: Review) -> bool:
    return user.role == Role.BOARD_MANAGER or (
        user.role == Role.REVIEWER and is_accepted_reviewer(user, review)
    )


def can_plan_actions(user: User) -> bool:
    return user.role == Role.BOARD_MANAGER
