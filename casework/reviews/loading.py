"""Kept only for callers outside reviews/ not yet on the access vocabulary
(``casework.auth.access``: ``@loads(Review)``, ``current_person()``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm.interfaces import ORMOption

from casework.auth.access import current_person, load_for
from casework.reviews.models import Review

me = current_person


def load_review(review_id: int, *, manage: bool = False, options: Sequence[ORMOption] = ()) -> Review:
    return load_for(Review, review_id, "manage" if manage else "view", options=options)
