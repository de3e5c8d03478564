"""The decision whether to carry out a review, and the outcomes each type of review allows. Each
function checks its guard, changes and flushes, records who did what in the review's timeline, and
refreshes the clocks; the request commits once. A refused step raises DomainError and changes
nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from casework.auth.models import User
from casework.core.errors import DomainError
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.lifecycle import TRANSITIONS, Move, check_move, check_version, finish, move_to
from casework.reviews.models import Decision, DecisionOutcome, PanelResponse, Review, ReviewType
from casework.reviews.referral.changes import plain

# --- decision ---------------------------------------------------------------------------

OUTCOME_MOVES = {
    DecisionOutcome.LOCAL_REVIEW: Move.DECIDE_LOCAL_REVIEW,
    DecisionOutcome.NO_REVIEW: Move.DECIDE_NO_REVIEW,
    DecisionOutcome.NATIONAL_REVIEW: Move.DECIDE_NATIONAL_REVIEW,
}


def decision_outcomes(review_type: ReviewType) -> list[DecisionOutcome]:
    return [o for o, move in OUTCOME_MOVES.items() if TRANSITIONS[move].destination in review_type.stages]


@dataclass
class DecisionDetails:
    outcome: DecisionOutcome | None
    criteria_met: list[str]
    regard_had_to: list[str]
    rationale: str
    decided_on: date | None
    decided_by: str


def record_decision(review: Review, details: DecisionDetails, version: int | None, by: User) -> Review:
    check_version(review, version)
    required(details.outcome, "outcome", "Select the decision")
    assert details.outcome is not None
    if details.outcome not in decision_outcomes(review.review_type):
        raise DomainError(
            f"A {review.review_type.code} cannot end in '{details.outcome.label}'", field="outcome"
        )
    move = OUTCOME_MOVES[details.outcome]
    check_move(review, move)
    review_type = review.review_type
    known_criteria = {c["key"] for c in review_type.decision_criteria}
    known_regard = {c["key"] for c in review_type.regard_circumstances}
    if set(details.criteria_met) - known_criteria:
        raise DomainError("Select criteria from the list", field="criteria_met")
    if set(details.regard_had_to) - known_regard:
        raise DomainError("Select circumstances from the list", field="regard_had_to")
    if details.outcome == DecisionOutcome.LOCAL_REVIEW and not details.criteria_met:
        raise DomainError("Select the criteria the case meets for a local review", field="criteria_met")
    required(details.rationale, "rationale", "Explain the reasons for the decision")
    required(
        details.decided_by,
        "decided_by",
        "Enter who made the decision, for example the three safeguarding partners",
    )
    required(details.decided_on, "decided_on", "Enter the date of the decision")
    not_future(details.decided_on, "decided_on", "The date of the decision")
    not_before(
        details.decided_on,
        review.referral.became_aware_on,
        "decided_on",
        "The decision cannot be before the partnership became aware of the case",
    )
    rapid = review.rapid_review
    if rapid:
        not_before(
            details.decided_on,
            rapid.meeting_on,
            "decided_on",
            "The decision cannot be before the rapid review meeting",
        )
    if details.outcome == DecisionOutcome.NATIONAL_REVIEW and not (
        rapid and rapid.panel_response == PanelResponse.NATIONAL_REVIEW
    ):
        raise DomainError(
            "Record the Panel's response that it will carry out a national review "
            "before recording this decision",
            field="outcome",
        )
    review.decision = Decision(
        outcome=details.outcome,
        criteria_met=list(details.criteria_met),
        regard_had_to=list(details.regard_had_to),
        rationale=details.rationale.strip(),
        decided_on=details.decided_on,
        decided_by=details.decided_by.strip(),
        recorded_by=by,
    )
    move_to(
        review,
        move,
        {
            "outcome": details.outcome.value,
            "criteria_met": details.criteria_met,
            "regard_had_to": details.regard_had_to,
            "decided_on": plain(details.decided_on),
        },
    )
    return finish(review)
