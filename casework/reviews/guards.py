"""The checks every review service starts with. Each raises DomainError, naming the field
where the message belongs, before anything is changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.timeutil import uk_today
from casework.reviews.models import Review
from casework.reviews.stages import TRANSITIONS, Move, allowed_moves, move_is_allowed


def check_version(review: Review, version: int | None) -> None:
    if version is not None and version != review.version:
        raise ConcurrentEditError("this review")


def check_open(review: Review) -> None:
    if review.is_ended:
        raise DomainError(f"This review has ended ({review.stage.label}). Nothing more can be changed.")


def check_move(review: Review, move: Move) -> None:
    """The guard every stage change starts with."""
    check_open(review)
    if review.is_paused:
        raise DomainError("This review is paused. Resume it before moving it on.")
    if not move_is_allowed(review.review_type.stages, review.stage, move):
        moves = allowed_moves(review.review_type.stages, review.stage)
        following = (
            f"The next step is to {' or '.join(m.label.lower() for m in moves)}."
            if moves
            else "The review moves on from this stage when its work here is done."
        )
        raise DomainError(
            f"You cannot {TRANSITIONS[move].label.lower()} while the review is at the "
            f"{review.stage.label.lower()} stage. {following}"
        )


def not_future(value: date | None, field_name: str, what: str) -> None:
    if value and value > uk_today():
        raise DomainError(f"{what} must be today or in the past", field=field_name)


def not_before(value: date | None, earliest: date | None, field_name: str, message: str) -> None:
    if value and earliest and value < earliest:
        raise DomainError(message, field=field_name)


def required(value: Any, field_name: str, message: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        raise DomainError(message, field=field_name)
