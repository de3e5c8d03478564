"""Loading the review a URL names, with its access check: shared by every review screen."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, url_for
from flask_login import current_user
from sqlalchemy.orm.interfaces import ORMOption

from casework.auth.models import User
from casework.core.extensions import db
from casework.reviews.models import Review
from casework.reviews.permissions import can_manage, can_view


def me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def load_review(review_id: int, *, manage: bool = False, options: Sequence[ORMOption] = ()) -> Review:
    """404 for a review the user may not know exists; 403 if they see it but cannot act.
    ``options``: loader options for what the page shows, so its template never queries."""
    review = db.session.get(Review, review_id, options=options)
    if review is None or not can_view(me(), review):
        abort(404)
    if manage and not can_manage(me(), review):
        abort(403)
    return review


def review_url(review: Review) -> str:
    return url_for("reviews.review_detail", review_id=review.id)
