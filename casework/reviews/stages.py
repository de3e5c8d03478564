"""The stages a review can be at: the vocabulary the review and review type models store.

It sits below the models, so it imports nothing of the reviews; the moves between stages, their
table and guards are in `lifecycle`, above the models.
"""

from __future__ import annotations

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
