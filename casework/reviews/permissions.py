"""Kept only for callers outside reviews/ not yet on the record's own rules
(``review.can_view(user)`` and friends, in casework.reviews.models.review)."""

from __future__ import annotations

from casework.auth.models import User
from casework.reviews.models import Review


def can_view(user: User, review: Review) -> bool:
    return review.can_view(user)


def is_accepted_reviewer(user: User, review: Review) -> bool:
    return review.is_led_by(user)


def can_see_identifiers(user: User, review: Review) -> bool:
    return review.can_see_identifiers(user)
