"""The rapid review: starting it (or going straight to the decision), recording it, completing it. Each
function checks its guard, changes and flushes, records who did what in the review's timeline, and
refreshes the clocks; the request commits once. A refused step raises DomainError and changes
nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from casework.agencies.models import Agency
from casework.core.answers import check_each
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.reviews.guards import not_before, not_future
from casework.reviews.lifecycle import (
    Move,
    check_can_take,
    check_move,
    check_open,
    check_version,
    finish,
    move_to,
    take,
    takes,
)
from casework.reviews.models import PanelResponse, RapidReview, RapidReviewRecommendation, Review
from casework.reviews.referral.changes import record_changes
from casework.reviews.stages import ReviewStage


def begin_rapid_review(review: Review, version: int | None) -> Review:
    check_can_take(review, Move.BEGIN_RAPID_REVIEW, version)
    review.rapid_review = review.rapid_review or RapidReview()
    move_to(review, Move.BEGIN_RAPID_REVIEW)
    return finish(review)


takes(Move.BEGIN_RAPID_REVIEW, lambda review, version, by: begin_rapid_review(review, version))


def refer_for_decision(review: Review, version: int | None) -> Review:
    check_version(review, version)
    check_move(review, Move.REFER_FOR_DECISION)
    move_to(review, Move.REFER_FOR_DECISION)
    return finish(review)


takes(Move.REFER_FOR_DECISION, lambda review, version, by: refer_for_decision(review, version))


@dataclass
class RapidReviewDetails:
    meeting_on: date | None = None
    facts_established: str = ""
    immediate_safety_actions: str = ""
    learning_identified: str = ""
    key_practice_episodes: str = ""
    family_context: str = ""
    lived_experience: str = ""
    recommendation: RapidReviewRecommendation | None = None
    sent_to_panel_on: date | None = None
    panel_response: PanelResponse | None = None
    panel_responded_on: date | None = None
    contributing_agencies: list[Agency] = field(default_factory=list)


RAPID_REVIEW_STAGES = (ReviewStage.RAPID_REVIEW, ReviewStage.DECISION)


def _rapid_review_snapshot(review: Review) -> dict[str, Any]:
    rapid = review.rapid_review or RapidReview()
    snapshot = {
        key: getattr(rapid, key)
        for key in RapidReviewDetails.__dataclass_fields__
        if key != "contributing_agencies"
    }
    snapshot["contributing_agencies"] = sorted(
        a.name for a in review.agencies_where("contributed_to_rapid_review")
    )
    return snapshot


def save_rapid_review(review: Review, details: RapidReviewDetails, version: int | None) -> Review:
    """Record or correct the rapid review; the Panel's answer often arrives at the decision stage."""
    check_version(review, version)
    check_open(review)
    if review.stage not in RAPID_REVIEW_STAGES or not review.review_type.has_stage(ReviewStage.RAPID_REVIEW):
        raise DomainError("The rapid review can be recorded only during the rapid review or decision stages")
    aware = review.referral.became_aware_on
    check_each(
        not_future,
        details,
        {
            "meeting_on": "The meeting date",
            "sent_to_panel_on": "The date sent to the Panel",
            "panel_responded_on": "The date of the Panel's response",
        },
    )
    not_before(
        details.meeting_on, aware, "meeting_on", "The meeting cannot be before the partnership became aware"
    )
    not_before(
        details.sent_to_panel_on,
        details.meeting_on,
        "sent_to_panel_on",
        "The rapid review cannot be sent to the Panel before the meeting",
    )
    if details.sent_to_panel_on and not details.meeting_on:
        raise DomainError(
            "Enter the meeting date before the date it was sent to the Panel", field="meeting_on"
        )
    if details.panel_response and not details.panel_responded_on:
        raise DomainError("Enter the date of the Panel's response", field="panel_responded_on")
    if details.panel_responded_on and not details.panel_response:
        raise DomainError("Select the Panel's response", field="panel_response")
    if details.panel_response and not details.sent_to_panel_on:
        raise DomainError("Enter the date the rapid review was sent to the Panel", field="sent_to_panel_on")
    not_before(
        details.panel_responded_on,
        details.sent_to_panel_on,
        "panel_responded_on",
        "The Panel cannot respond before the rapid review was sent to it",
    )
    if review.stage == ReviewStage.DECISION:
        # Completing the rapid review required these; a correction may change them, not remove them.
        for name, words in (
            ("meeting_on", "the meeting date"),
            ("recommendation", "the recommendation"),
            ("sent_to_panel_on", "the date sent to the Panel"),
        ):
            if getattr(details, name) is None:
                raise DomainError(f"The rapid review is complete: {words} cannot be removed", field=name)
    before = _rapid_review_snapshot(review)
    rapid = review.rapid_review or RapidReview()
    review.rapid_review = rapid
    for key, value in asdict(details).items():
        if key != "contributing_agencies":
            setattr(rapid, key, value.strip() if isinstance(value, str) else value)
    db.session.add(rapid)
    review.flag_agencies("contributed_to_rapid_review", details.contributing_agencies)
    review.updated_at = utcnow()
    db.session.flush()
    record_changes(
        review, "rapid_review_updated", "Rapid review recorded", before, _rapid_review_snapshot(review)
    )
    return finish(review)


def complete_rapid_review(review: Review, version: int | None) -> Review:
    return take(review, Move.COMPLETE_RAPID_REVIEW, version)


takes(Move.COMPLETE_RAPID_REVIEW, lambda review, version, by: complete_rapid_review(review, version))
