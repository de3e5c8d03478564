"""Review stages and the moves between them: the one table of allowed transitions.

A review type lists the stages it uses, in order (data, see ReviewType.stages). A move is
allowed when the review is at the move's starting stage, the move's destination is one of the
type's stages, and for the main path that destination is the type's next stage: no skipping.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from casework.core.enums import LabelledEnum


class ReviewStage(LabelledEnum):
    REFERRAL = "referral", "Referral"
    RAPID_REVIEW = "rapid_review", "Rapid review"
    DECISION = "decision", "Decision"
    COMMISSIONING = "commissioning", "Commissioning"
    AWAITING_REVIEWER = "awaiting_reviewer", "Awaiting reviewer"
    CONTRIBUTIONS = "contributions", "Agency contributions"
    DRAFTING = "drafting", "Drafting"
    PUBLICATION = "publication", "Publication"
    ACTION_PLANNING = "action_planning", "Action planning"
    CLOSED = "closed", "Closed"
    NO_REVIEW = "no_review", "Ended: no review"
    NATIONAL_REVIEW = "national_review", "Ended: national review by the Panel"

    @property
    def is_ending(self) -> bool:
        """Stages that end the case: nothing further happens to the review."""
        return self in ENDINGS


ENDINGS = frozenset({ReviewStage.CLOSED, ReviewStage.NO_REVIEW, ReviewStage.NATIONAL_REVIEW})
# Endings reached by a decision rather than by walking the main path.
DECISION_ENDINGS = frozenset({ReviewStage.NO_REVIEW, ReviewStage.NATIONAL_REVIEW})


class Move(enum.StrEnum):
    BEGIN_RAPID_REVIEW = "begin_rapid_review"
    REFER_FOR_DECISION = "refer_for_decision"
    COMPLETE_RAPID_REVIEW = "complete_rapid_review"
    DECIDE_LOCAL_REVIEW = "decide_local_review"
    DECIDE_NO_REVIEW = "decide_no_review"
    DECIDE_NATIONAL_REVIEW = "decide_national_review"
    COMMISSION = "commission"
    START_CONTRIBUTIONS = "start_contributions"
    START_DRAFTING = "start_drafting"
    FINALISE = "finalise"
    PUBLISH = "publish"
    CLOSE = "close"

    @property
    def label(self) -> str:
        return TRANSITIONS[self].label


@dataclass(frozen=True)
class Transition:
    move: Move
    source: ReviewStage
    destination: ReviewStage
    label: str  # the button a board manager presses


TRANSITIONS: dict[Move, Transition] = {
    t.move: t
    for t in [
        Transition(
            Move.BEGIN_RAPID_REVIEW, ReviewStage.REFERRAL, ReviewStage.RAPID_REVIEW, "Start the rapid review"
        ),
        Transition(Move.REFER_FOR_DECISION, ReviewStage.REFERRAL, ReviewStage.DECISION, "Move to decision"),
        Transition(
            Move.COMPLETE_RAPID_REVIEW,
            ReviewStage.RAPID_REVIEW,
            ReviewStage.DECISION,
            "Complete the rapid review",
        ),
        Transition(
            Move.DECIDE_LOCAL_REVIEW, ReviewStage.DECISION, ReviewStage.COMMISSIONING, "Record the decision"
        ),
        Transition(Move.DECIDE_NO_REVIEW, ReviewStage.DECISION, ReviewStage.NO_REVIEW, "Record the decision"),
        Transition(
            Move.DECIDE_NATIONAL_REVIEW,
            ReviewStage.DECISION,
            ReviewStage.NATIONAL_REVIEW,
            "Record the decision",
        ),
        Transition(
            Move.COMMISSION, ReviewStage.COMMISSIONING, ReviewStage.AWAITING_REVIEWER, "Commission the review"
        ),
        # Taken when the lead reviewer accepts the appointment and declares independence.
        Transition(
            Move.START_CONTRIBUTIONS,
            ReviewStage.AWAITING_REVIEWER,
            ReviewStage.CONTRIBUTIONS,
            "Start agency contributions",
        ),
        # Taken when the lead reviewer uploads the first draft.
        Transition(Move.START_DRAFTING, ReviewStage.CONTRIBUTIONS, ReviewStage.DRAFTING, "Start drafting"),
        # Taken when the board manager marks a version final, signed off by the partners.
        Transition(Move.FINALISE, ReviewStage.DRAFTING, ReviewStage.PUBLICATION, "Mark a version final"),
        # Publishing the report, or recording the decision not to publish it.
        Transition(Move.PUBLISH, ReviewStage.PUBLICATION, ReviewStage.ACTION_PLANNING, "Publish"),
        # Allowed once every action of the review's plan is verified.
        Transition(Move.CLOSE, ReviewStage.ACTION_PLANNING, ReviewStage.CLOSED, "Close the review"),
    ]
}


def next_stage(stages: list[ReviewStage], current: ReviewStage) -> ReviewStage | None:
    """The next stage on the type's main path (endings reached by a decision are not on it)."""
    path = [stage for stage in stages if stage not in DECISION_ENDINGS]
    if current not in path:
        return None
    position = path.index(current)
    return path[position + 1] if position + 1 < len(path) else None


def move_is_allowed(stages: list[ReviewStage], current: ReviewStage, move: Move) -> bool:
    transition = TRANSITIONS[move]
    if transition.source != current or transition.destination not in stages:
        return False
    if transition.destination in DECISION_ENDINGS:
        return True
    return next_stage(stages, current) == transition.destination


def allowed_moves(stages: list[ReviewStage], current: ReviewStage) -> list[Move]:
    return [move for move in Move if move_is_allowed(stages, current, move)]
