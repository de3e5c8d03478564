"""What the review screens share: the review's address, and the records a URL names under a
review (a draft version, a finding of its check), which follow the review's rule."""

from __future__ import annotations

from typing import Protocol, TypeVar

from flask import abort, url_for

from casework.auth.access import Guarded, load_for
from casework.reviews.models import Review


class PartOfReview(Guarded, Protocol):
    review_id: int


P = TypeVar("P", bound=PartOfReview)


def review_url(review: Review) -> str:
    return url_for("reviews.review_detail", review_id=review.id)


def part_of(review: Review, model: type[P], record_id: int) -> P:
    """The record of ``model`` the URL names under ``review``: 404 unless it is that review's.
    The route's rule on the review says what may be done with it."""
    record = load_for(model, record_id)
    if record.review_id != review.id:
        abort(404)
    return record
