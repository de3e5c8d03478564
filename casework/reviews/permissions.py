"""Who may see and do what with a review. The SQL form of each rule is used by lists and
searches, so nothing a user may not see is ever loaded for them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, true

from casework.agencies.contributions import OPEN_STATUSES, ContributionRequest
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.reviews.models import AssignmentStatus, Review, ReviewerAssignment


def _accepted_reviewer(user: User) -> ColumnElement[bool]:
    return exists().where(
        ReviewerAssignment.review_id == Review.id,
        ReviewerAssignment.reviewer_id == user.id,
        ReviewerAssignment.status == AssignmentStatus.ACCEPTED,
    )


def visible_reviews(user: User) -> ColumnElement[bool]:
    """The SQL condition selecting the reviews this user may open."""
    if user.role == Role.BOARD_MANAGER:
        return true()
    if user.role == Role.REVIEWER:
        return _accepted_reviewer(user)
    return false()  # agency leads reach reviews only through their agency's requests


def can_view(user: User, review: Review) -> bool:
    if user.role == Role.BOARD_MANAGER:
        return True
    if user.role == Role.REVIEWER:
        return is_accepted_reviewer(user, review)
    return False


def is_accepted_reviewer(user: User, review: Review) -> bool:
    return any(a.reviewer_id == user.id and a.status == AssignmentStatus.ACCEPTED for a in review.assignments)


def can_manage(user: User, review: Review) -> bool:
    """Run the review: record steps, move it on, pause it, extend deadlines, appoint, request."""
    return user.role == Role.BOARD_MANAGER


def agency_has_open_request(user: User, review: Review) -> bool:
    if user.role != Role.AGENCY_LEAD or user.agency_id is None:
        return False
    return bool(
        db.session.execute(
            db.select(
                exists().where(
                    ContributionRequest.review_id == review.id,
                    ContributionRequest.agency_id == user.agency_id,
                    ContributionRequest.status.in_(OPEN_STATUSES),
                )
            )
        ).scalar()
    )


def can_see_identifiers(user: User, review: Review) -> bool:
    """Board managers and the review's accepted reviewers; an agency lead only while their
    agency has an open request on the review (they need the names to search their records)."""
    return can_view(user, review) or agency_has_open_request(user, review)
