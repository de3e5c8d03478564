"""The review lifecycle in one place: the moves between stages, the one table of allowed
transitions (and which page takes each move), the guards every change starts with, and the
functions that move a review and refresh its clocks.

A review type lists the stages it uses, in order (data, see ReviewType.stages). A move is
allowed when the review is at the move's starting stage, the move's destination is one of the
type's stages, and for the main path that destination is the type's next stage: no skipping.

The stage enum itself lives in `stages`, below the models that store it; this module sits above
the models and the clocks, and the services of every later step import it, never the reverse.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from casework.auth.models import User
from casework.core import audit, errors
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.reviews.clock import refresh_deadlines
from casework.reviews.models import Review
from casework.reviews.stages import DECISION_ENDINGS, ReviewStage


class Move(enum.StrEnum):
    BEGIN_RAPID_REVIEW = "begin_rapid_review"
    REFER_FOR_DECISION = "refer_for_decision"
    COMPLETE_RAPID_REVIEW = "complete_rapid_review"
    DECIDE_LOCAL_REVIEW = "decide_local_review"
    DECIDE_NO_REVIEW = "decide_no_review"
    DECIDE_NATIONAL_REVIEW = "decide_national_review"
    RECONSIDER_LOCAL_REVIEW = "reconsider_local_review"
    RECONSIDER_NO_REVIEW = "reconsider_no_review"
    COMMISSION = "commission"
    START_CONTRIBUTIONS = "start_contributions"
    START_DRAFTING = "start_drafting"
    FINALISE = "finalise"
    PUBLISH = "publish"
    CLOSE = "close"

    @property
    def label(self) -> str:
        return TRANSITIONS[self].label


# The generic move view: a button on the review page that needs no form beyond the version.
MOVE_VIEW = "reviews.review_move"


@dataclass(frozen=True)
class Transition:
    move: Move
    source: ReviewStage
    destination: ReviewStage
    label: str  # the button a board manager presses, and the verb in a refusal
    endpoint: str = MOVE_VIEW  # the page whose form takes the move
    link: str = ""  # a form page's link among the review page's next steps ("": reached from its own page)
    done: str = ""  # what the generic move view says once the move is taken
    # Taken by the partners' reconsidered decision after the Panel's challenge: it may leave an
    # ending ("no review") and go back onto the main path.
    reconsiders: bool = False
    # A stage the type must have for the move to exist: the Panel, which receives the rapid
    # review, is who challenges a decision, so reconsidering belongs to types with one.
    requires: ReviewStage | None = None

    @property
    def simple(self) -> bool:
        return self.endpoint == MOVE_VIEW


TRANSITIONS: dict[Move, Transition] = {
    t.move: t
    for t in [
        Transition(
            Move.BEGIN_RAPID_REVIEW,
            ReviewStage.REFERRAL,
            ReviewStage.RAPID_REVIEW,
            "Start the rapid review",
            done="Rapid review started.",
        ),
        Transition(
            Move.REFER_FOR_DECISION,
            ReviewStage.REFERRAL,
            ReviewStage.DECISION,
            "Move to decision",
            done="The review has moved to the decision stage.",
        ),
        Transition(
            Move.COMPLETE_RAPID_REVIEW,
            ReviewStage.RAPID_REVIEW,
            ReviewStage.DECISION,
            "Complete the rapid review",
            done="Rapid review completed. Record the decision next.",
        ),
        # The three outcomes share one form: the review page shows one link for them.
        *[
            Transition(
                move,
                ReviewStage.DECISION,
                destination,
                "Record the decision",
                endpoint="reviews.review_decision",
                link="Record the decision",
            )
            for move, destination in [
                (Move.DECIDE_LOCAL_REVIEW, ReviewStage.COMMISSIONING),
                (Move.DECIDE_NO_REVIEW, ReviewStage.NO_REVIEW),
                (Move.DECIDE_NATIONAL_REVIEW, ReviewStage.NATIONAL_REVIEW),
            ]
        ],
        # The partners reconsider after the Panel challenged their decision (CSPR): the review
        # follows the reconsidered outcome. Confirming the outcome moves nothing.
        *[
            Transition(
                move,
                source,
                destination,
                "Record the reconsidered decision",
                endpoint="reviews.review_decision_reconsider",
                reconsiders=True,
                requires=ReviewStage.RAPID_REVIEW,
            )
            for move, source, destination in [
                (Move.RECONSIDER_LOCAL_REVIEW, ReviewStage.NO_REVIEW, ReviewStage.COMMISSIONING),
                (Move.RECONSIDER_NO_REVIEW, ReviewStage.COMMISSIONING, ReviewStage.NO_REVIEW),
            ]
        ],
        Transition(
            Move.COMMISSION,
            ReviewStage.COMMISSIONING,
            ReviewStage.AWAITING_REVIEWER,
            "Commission the review",
            endpoint="reviews.review_commissioning",
            link="Set terms of reference and commission",
        ),
        # Also taken when the lead reviewer accepts the appointment and declares independence.
        Transition(
            Move.START_CONTRIBUTIONS,
            ReviewStage.AWAITING_REVIEWER,
            ReviewStage.CONTRIBUTIONS,
            "Start agency contributions",
            done="Agency contributions have started.",
        ),
        # Taken when the lead reviewer uploads the first draft.
        Transition(
            Move.START_DRAFTING,
            ReviewStage.CONTRIBUTIONS,
            ReviewStage.DRAFTING,
            "Start drafting",
            endpoint="reviews.review_drafts",
            link="Go to the drafts",
        ),
        # Taken when the board manager marks a version final, signed off by the partners.
        Transition(
            Move.FINALISE,
            ReviewStage.DRAFTING,
            ReviewStage.PUBLICATION,
            "Mark a version final",
            # The form is on the drafts page, beside the versions it chooses from.
            endpoint="reviews.review_drafts",
            link="Mark a version final",
        ),
        # Publishing the report, or recording the decision not to publish it.
        Transition(
            Move.PUBLISH,
            ReviewStage.PUBLICATION,
            ReviewStage.ACTION_PLANNING,
            "Publish",
            endpoint="reviews.review_publication",
            link="Check and publish the report",
        ),
        # Allowed once every action of the review's plan is verified.
        Transition(
            Move.CLOSE,
            ReviewStage.ACTION_PLANNING,
            ReviewStage.CLOSED,
            "Close the review",
            done="The review is closed.",
        ),
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
    if transition.requires is not None and transition.requires not in stages:
        return False
    if transition.destination in DECISION_ENDINGS or transition.reconsiders:
        return True
    return next_stage(stages, current) == transition.destination


def allowed_moves(stages: list[ReviewStage], current: ReviewStage) -> list[Move]:
    return [move for move in Move if move_is_allowed(stages, current, move)]


@dataclass(frozen=True)
class Step:
    """One of the review page's next steps: a move to take, or, when the move still needs
    something, ``missing``: what to record first and where, instead of a button that is refused."""

    transition: Transition
    missing: Missing | None = None


def next_steps(review: Review) -> list[Step]:
    """The review page's next steps: each allowed simple move (or what it still needs), and one
    link per form page that takes an allowed move."""
    steps: list[Step] = []
    for move in allowed_moves(review.review_type.stages, review.stage):
        transition = TRANSITIONS[move]
        if transition.simple or (
            transition.link and transition.endpoint not in {s.transition.endpoint for s in steps}
        ):
            steps.append(Step(transition, missing_for(review, move)))
    return steps


# --- what a move still needs: the page shows it, the service refuses with it -------------


@dataclass(frozen=True)
class Missing:
    step: str  # what to do first, as the page's link says it: "Record the date the Panel was notified"
    endpoint: str  # the page where it is done (it takes ``review_id``)
    refusal: str  # the service's message when the move is asked for anyway


Requirement = Callable[[Review], Missing | None]
# Rules needing only the review are below; a later step's package adds its own (closing needs
# every action verified) with ``needs``, as the move handlers do with ``takes``.
_NEEDS: dict[Move, list[Requirement]] = {}


def needs(move: Move, requirement: Requirement) -> None:
    _NEEDS.setdefault(move, []).append(requirement)


def missing_for(review: Review, move: Move) -> Missing | None:
    """The first thing the move still needs, or None when it can be taken."""
    for requirement in _NEEDS.get(move, []):
        missing = requirement(review)
        if missing is not None:
            return missing
    return None


def check_ready(review: Review, move: Move) -> None:
    """The guard after check_move: the same rules the review page shows as missing."""
    missing = missing_for(review, move)
    if missing is not None:
        raise DomainError(missing.refusal)


def check_can_take(review: Review, move: Move, version: int | None) -> None:
    """Every guard of a move: the row version the form was drawn from, the table, and what the
    move still needs."""
    check_version(review, version)
    check_move(review, move)
    check_ready(review, move)


def take(review: Review, move: Move, version: int | None) -> Review:
    """A move that changes nothing but the stage, once every guard allows it."""
    check_can_take(review, move, version)
    move_to(review, move)
    return finish(review)


def _when(condition: bool, step: str, endpoint: str, refusal: str) -> Missing | None:
    return Missing(step, endpoint, refusal) if condition else None


def _panel_notified(review: Review) -> Missing | None:
    return _when(
        review.review_type.uses_event("panel_notified") and not review.referral.panel_notified_on,
        "Record the date the Panel was notified",
        "reviews.review_referral",
        "Record the date the Panel was notified before starting the rapid review",
    )


def _rapid_review_recorded(review: Review) -> Missing | None:
    rapid, page = review.rapid_review, "reviews.review_rapid_review"
    return (
        _when(
            not rapid or not rapid.meeting_on,
            "Record the date of the rapid review meeting",
            page,
            "Record the rapid review meeting date before completing the rapid review",
        )
        or _when(
            not rapid or not rapid.recommendation,
            "Record the recommendation of the rapid review",
            page,
            "Record the rapid review's recommendation before completing it",
        )
        or _when(
            not rapid or not rapid.sent_to_panel_on,
            "Record the date the rapid review was sent to the Panel",
            page,
            "Record the date the rapid review was sent to the Panel before completing it",
        )
    )


def has_accepted_lead(review: Review) -> bool:
    return any(assignment.is_accepted_lead for assignment in review.assignments)


def _lead_accepted(review: Review) -> Missing | None:
    return _when(
        not has_accepted_lead(review),
        "Appoint a lead reviewer: contributions start when they accept",
        "reviews.review_assign",
        "A lead reviewer must accept the appointment before agency contributions start",
    )


needs(Move.BEGIN_RAPID_REVIEW, _panel_notified)
needs(Move.COMPLETE_RAPID_REVIEW, _rapid_review_recorded)
needs(Move.START_CONTRIBUTIONS, _lead_accepted)


# --- guards: each raises DomainError before anything is changed -------------------------


def check_version(review: Review, version: int | None) -> None:
    errors.check_version(review, version, "this review")


def check_open(review: Review) -> None:
    if review.is_ended:
        raise DomainError(f"This review has ended ({review.stage.label}). Nothing more can be changed.")


def check_move(review: Review, move: Move) -> None:
    """The guard every stage change starts with."""
    if not TRANSITIONS[move].reconsiders:  # a reconsidered decision can reopen "no review"
        check_open(review)
    if review.is_paused:
        raise DomainError("This review is paused. Resume it before moving it on.")
    if not move_is_allowed(review.review_type.stages, review.stage, move):
        # Reconsidering is offered only after the Panel's challenge, on its own page.
        moves = [
            m
            for m in allowed_moves(review.review_type.stages, review.stage)
            if not TRANSITIONS[m].reconsiders
        ]
        following = (
            f"The next step is to {' or '.join(m.label.lower() for m in moves)}."
            if moves
            else "The review moves on from this stage when its work here is done."
        )
        raise DomainError(
            f"You cannot {TRANSITIONS[move].label.lower()} while the review is at the "
            f"{review.stage.label.lower()} stage. {following}"
        )


# --- moving ----------------------------------------------------------------------------


def on_timeline(review: Review, action: str, summary: str, *, touch: bool = False, **extra: Any) -> None:
    """Flush a change and write it on the review's timeline, in the same transaction. ``touch``:
    the change is to the review itself (its last-updated time moves)."""
    if touch:
        review.updated_at = utcnow()
    audit.record(action, summary, subject=review, review=review, **extra)


def move_to(review: Review, move: Move, details: dict[str, Any] | None = None) -> None:
    transition = TRANSITIONS[move]
    before = review.stage
    review.stage = transition.destination
    review.stage_changed_at = utcnow()
    audit.record(
        "stage_changed",
        f"{review.reference} moved from {before.label} to {transition.destination.label}",
        subject=review,
        review=review,
        details={
            "from": before.value,
            "to": transition.destination.value,
            "move": move.value,
            **(details or {}),
        },
    )


def finish(review: Review) -> Review:
    """Flush the change, then store the review's clocks and notices in one more flush. Once the
    change is flushed, nothing the refresh reads depends on the rows it writes, so its queries need
    not flush them one table at a time."""
    db.session.flush()
    with db.session.no_autoflush:
        refresh_deadlines(review)
    db.session.flush()
    return review


# The service that takes each simple move registers here, so the generic move view can call it
# without the lifecycle importing the services (they import the lifecycle).
MoveHandler = Callable[[Review, int | None, User], object]
_HANDLERS: dict[Move, MoveHandler] = {}


def takes(move: Move, handler: MoveHandler) -> None:
    if not TRANSITIONS[move].simple:
        raise ValueError(f"{move} is taken by {TRANSITIONS[move].endpoint}, not the move view")
    _HANDLERS[move] = handler


def handler_for(move: Move) -> MoveHandler | None:
    return _HANDLERS.get(move)


def take_move(review: Review, move: Move, version: int | None, by: User) -> None:
    """A simple move, asked for through the generic move view."""
    handler = _HANDLERS.get(move) if TRANSITIONS[move].simple else None
    if handler is None:
        raise DomainError(f"You cannot {TRANSITIONS[move].label.lower()} from this page.")
    handler(review, version, by)
