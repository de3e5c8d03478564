"""The review rules live on the review (``Review.can_view`` and friends); these names remain for
callers not yet moved to the methods."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from casework.auth.models import User
from casework.reviews.models import Review


def visible_reviews(user: User) -> ColumnElement[bool]:
    return Review.visible_to(user)


def can_view(user: User, review: Review) -> bool:
    return review.can_view(user)


def is_accepted_reviewer(user: User, review: Review) -> bool:
    return review.is_led_by(user)


def can_manage(user: User, review: Review) -> bool:
    return review.can_manage(user)


def can_see_identifiers(user: User, review: Review) -> bool:
    return review.can_see_identifiers(user)
