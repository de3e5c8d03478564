"""Who may see and act on contribution requests and chronology entries, in Python and in SQL."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, true

from casework.agencies.contributions import AWAITING_AGENCY, ContributionRequest, RequestStatus
from casework.auth.models import Role, User
from casework.reviews.models import AssignmentStatus, ReviewerAssignment
from casework.reviews.permissions import can_view, is_accepted_reviewer


def visible_requests(user: User) -> ColumnElement[bool]:
    if user.role == Role.BOARD_MANAGER:
        return true()
    if user.role == Role.REVIEWER:
        return exists().where(
            ReviewerAssignment.review_id == ContributionRequest.review_id,
            ReviewerAssignment.reviewer_id == user.id,
            ReviewerAssignment.status == AssignmentStatus.ACCEPTED,
        )
    if user.role == Role.AGENCY_LEAD and user.agency_id is not None:
        return ContributionRequest.agency_id == user.agency_id
    return false()


def can_view_request(user: User, request: ContributionRequest) -> bool:
    if user.role == Role.AGENCY_LEAD:
        return user.agency_id == request.agency_id
    return can_view(user, request.review)


def can_respond(user: User, request: ContributionRequest) -> bool:
    """The agency's own lead, while the request waits for the agency."""
    return (
        user.role == Role.AGENCY_LEAD
        and user.agency_id == request.agency_id
        and request.status in AWAITING_AGENCY
        and not request.review.is_ended
    )


def can_decide(user: User, request: ContributionRequest) -> bool:
    """Accept or return a submission: the board manager or the review's accepted reviewer."""
    if request.status != RequestStatus.SUBMITTED:
        return False
    return user.role == Role.BOARD_MANAGER or (
        user.role == Role.REVIEWER and is_accepted_reviewer(user, request.review)
    )
