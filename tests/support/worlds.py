"""The world the access tests share: people in every role around two commissioned reviews.

A and B are commissioned CSPRs by the cast's board manager. R1 leads A (appointed, accepted and
declared), R2 is proposed as A's co-reviewer and has not answered, R3 is on nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from casework.core.extensions import db
from casework.reviews import appointments
from casework.reviews.models import AssignmentRole, Review
from tests.support.people import Cast
from tests.support.reviews import make_review
from tests.support.rows import stored

PSEUDONYMS = {"A": "Child Alder", "B": "Child Birch"}


@dataclass
class TwoReviews:
    reviews: dict[str, int] = field(default_factory=dict)  # "A" -> id
    references: dict[str, str] = field(default_factory=dict)
    assignments: dict[str, int] = field(default_factory=dict)  # "R1" -> its assignment on A

    def review(self, key: str) -> Review:
        return stored(Review, self.reviews[key])


@dataclass
class MatrixWorld:
    """The people and the two reviews an access matrix runs over; each matrix adds its records."""

    cast: Cast
    two: TwoReviews

    @property
    def reviews(self) -> dict[str, int]:
        return self.two.reviews

    @property
    def references(self) -> dict[str, str]:
        return self.two.references

    @property
    def assignments(self) -> dict[str, int]:
        return self.two.assignments

    @property
    def user_ids(self) -> dict[str, int]:
        return self.cast.user_ids


def two_reviews(cast: Cast, in_scope: dict[str, Iterable[str]]) -> TwoReviews:
    """Reviews A and B, with the agencies of ``in_scope`` ({"A": "XY", "B": "X"}) in their scope."""
    made = TwoReviews()
    manager = cast.user("board_manager")
    for key in ("A", "B"):
        agencies = [cast.agency(agency) for agency in in_scope[key]]
        review = make_review(
            "CSPR", "awaiting_reviewer", by=manager, agencies=agencies, pseudonym=PSEUDONYMS[key]
        )
        made.reviews[key], made.references[key] = review.id, review.reference
    review_a = made.review("A")
    lead = appointments.assign_reviewer(
        review_a, cast.user("R1"), AssignmentRole.LEAD, manager, version=review_a.version
    )
    appointments.accept_appointment(lead, cast.user("R1"), declared=True)
    proposed = appointments.assign_reviewer(
        review_a, cast.user("R2"), AssignmentRole.CO_REVIEWER, manager, version=review_a.version
    )
    db.session.commit()
    made.assignments = {"R1": lead.id, "R2": proposed.id}
    return made


class Loaded:
    """Collects the primary keys of every instance of a model loaded from the database: proof
    that a list was filtered in the query, not after loading."""

    def __init__(self, model: type) -> None:
        self.model = model
        self.ids: list[int] = []

    def __enter__(self) -> Loaded:
        event.listen(self.model, "load", self._loaded)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.model, "load", self._loaded)

    def _loaded(self, target: Any, context: Any) -> None:
        self.ids.append(target.id)
