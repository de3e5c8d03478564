"""Who may see and do what with a review. The SQL form of each rule is used by lists and
searches, so nothing a user may not see is ever loaded for them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from casework.auth.models import Role, User
from casework.reviews.models import Review


def visible_reviews(user: User) -> ColumnElement[bool]:
    """The SQL condition selecting the reviews this user may know exist."""
    if user.role == Role.BOARD_MANAGER:
        return true()
    # Reviewers see the reviews they lead once appointed; agency leads reach only their own
    # agency's requests. Both arrive with reviewer appointments and contribution requests.
    return false()


def can_view(user: User, review: Review) -> bool:
    return user.role == Role.BOARD_MANAGER


def can_manage(user: User, review: Review) -> bool:
    """Run the review: record steps, move it on, pause it, extend its deadlines."""
    return user.role == Role.BOARD_MANAGER


def can_see_identifiers(user: User, review: Review) -> bool:
    return user.role == Role.BOARD_MANAGER
