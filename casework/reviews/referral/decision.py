"""The decision whether to carry out a review, and the outcomes each type of review allows. Each
function checks its guard, changes and flushes, records who did what in the review's timeline, and
refreshes the clocks; the request commits once. A refused step raises DomainError and changes
nothing.

A decision is checked against the criteria in force when the review started. A SAR's decision
says whether the review is mandatory (Care Act 2014 s44(1)-(3): every condition met) or
discretionary (s44(4): no condition needs ticking). On a CSPR the Panel can challenge the
partners' decision; the partners reconsider, and both decisions stay on record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from casework.auth.models import User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.rows import carried
from casework.core.timeutil import utcnow
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.lifecycle import (
    TRANSITIONS,
    Missing,
    Move,
    check_move,
    check_open,
    check_version,
    finish,
    move_to,
    needs,
    on_timeline,
)
from casework.reviews.models import (
    Decision,
    DecisionChallenge,
    DecisionOutcome,
    EarlierDecision,
    PanelResponse,
    Review,
    ReviewMandate,
    ReviewType,
)
from casework.reviews.referral.changes import plain
from casework.reviews.stages import ReviewStage

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
    mandate: ReviewMandate | None = None


def _check_outcome(review: Review, details: DecisionDetails) -> DecisionOutcome:
    required(details.outcome, "outcome", "Select the decision")
    assert details.outcome is not None
    if details.outcome not in decision_outcomes(review.review_type):
        raise DomainError(
            f"A {review.review_type.code} cannot end in '{details.outcome.label}'", field="outcome"
        )
    return details.outcome


def mandate_of(review: Review, details: DecisionDetails) -> ReviewMandate | None:
    """The mandate a decision records: only a review held under a type that has one."""
    if review.review_type.has_mandate and details.outcome == DecisionOutcome.LOCAL_REVIEW:
        return details.mandate
    return None


def _check_details(review: Review, details: DecisionDetails) -> None:
    """Everything a decision must say, against the criteria in force when the review started."""
    criteria = review.criteria("criteria")
    known_criteria = {c["key"] for c in criteria}
    known_regard = {c["key"] for c in review.criteria("regard")}
    if set(details.criteria_met) - known_criteria:
        raise DomainError("Select criteria from the list", field="criteria_met")
    if set(details.regard_had_to) - known_regard:
        raise DomainError("Select circumstances from the list", field="regard_had_to")
    if details.outcome == DecisionOutcome.LOCAL_REVIEW:
        if review.review_type.has_mandate:
            required(details.mandate, "mandate", "Select whether the review is mandatory or discretionary")
            # A mandatory review is one the law requires: every condition of s44(1)-(3) is met.
            # A discretionary one (s44(4)) needs none of them ticked.
            if details.mandate == ReviewMandate.MANDATORY and set(details.criteria_met) != known_criteria:
                raise DomainError(
                    "A mandatory review needs every condition of section 44(1) to (3) of the Care Act "
                    "2014: select each one, or record the review as discretionary",
                    field="criteria_met",
                )
        elif not details.criteria_met:
            raise DomainError("Select the criteria the case meets for a local review", field="criteria_met")
    required(details.rationale, "rationale", "Explain the reasons for the decision")
    required(
        details.decided_by,
        "decided_by",
        "Enter who made the decision, for example the three safeguarding partners",
    )
    required(details.decided_on, "decided_on", "Enter the date of the decision")
    not_future(details.decided_on, "decided_on", "The date of the decision")


def record_decision(review: Review, details: DecisionDetails, version: int | None, by: User) -> Review:
    check_version(review, version)
    outcome = _check_outcome(review, details)
    move = OUTCOME_MOVES[outcome]
    check_move(review, move)
    _check_details(review, details)
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
    mandate = mandate_of(review, details)
    review.decision = Decision(
        outcome=details.outcome,
        mandate=mandate,
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
            "outcome": outcome.value,
            **({"mandate": mandate.value} if mandate else {}),
            "criteria_met": details.criteria_met,
            "regard_had_to": details.regard_had_to,
            "decided_on": plain(details.decided_on),
        },
    )
    return finish(review)


# --- the Panel's challenge and the partners' reconsideration (CSPR) ----------------------


def reconsider_move(stage: ReviewStage, outcome: DecisionOutcome) -> Move | None:
    """The lifecycle's move from ``stage`` to where ``outcome`` leads, taken by reconsidering."""
    destination = TRANSITIONS[OUTCOME_MOVES[outcome]].destination
    return next(
        (
            t.move
            for t in TRANSITIONS.values()
            if t.reconsiders and (t.source, t.destination) == (stage, destination)
        ),
        None,
    )


# A decision can be challenged until the review is commissioned (or while it is "no review").
CHALLENGEABLE = (ReviewStage.COMMISSIONING, ReviewStage.NO_REVIEW)
# What an earlier decision keeps of the one a reconsideration replaces (the lists are copied).
_SUPERSEDED = ("outcome", "mandate", "rationale", "decided_on", "decided_by", "recorded_by_id", "recorded_at")


def open_challenge(review: Review) -> DecisionChallenge | None:
    return next((c for c in review.decision_challenges if c.open), None)


def can_be_challenged(review: Review) -> bool:
    return (
        review.review_type.panel_can_challenge
        and review.decision is not None
        and review.stage in CHALLENGEABLE
        and open_challenge(review) is None
    )


def record_panel_challenge(
    review: Review, challenged_on: date | None, reasons: str, version: int | None, by: User
) -> DecisionChallenge:
    """The Panel disagrees with the partners' decision: its date and reasons go on record and the
    partners are to reconsider. Nothing else changes until they do."""
    check_version(review, version)
    if not review.review_type.panel_can_challenge:
        raise DomainError(f"The Panel does not challenge decisions on a {review.review_type.code}")
    decision = review.decision
    if decision is None:
        raise DomainError("There is no decision for the Panel to challenge yet")
    if open_challenge(review) is not None:
        raise DomainError(
            "The Panel's challenge is already recorded: record the partners' reconsidered decision"
        )
    if review.stage not in CHALLENGEABLE:
        raise DomainError(
            f"The decision cannot be challenged at the {review.stage.label.lower()} stage: "
            "the review has been commissioned"
        )
    if review.is_paused:
        raise DomainError("This review is paused. Resume it before recording the Panel's challenge.")
    required(challenged_on, "challenged_on", "Enter the date the Panel challenged the decision")
    assert challenged_on is not None
    not_future(challenged_on, "challenged_on", "The date of the Panel's challenge")
    not_before(
        challenged_on,
        decision.decided_on,
        "challenged_on",
        f"The Panel's challenge cannot be before the decision ({decision.decided_on:%d %B %Y})",
    )
    required(reasons, "reasons", "Enter the Panel's reasons for disagreeing with the decision")
    challenge = DecisionChallenge(challenged_on=challenged_on, reasons=reasons.strip(), recorded_by=by)
    review.decision_challenges.append(challenge)
    db.session.flush()
    on_timeline(
        review,
        "decision_challenged",
        f"The Panel challenged the decision on {challenged_on:%d %B %Y}: {reasons.strip()}",
        touch=True,
        details={"challenged_on": plain(challenged_on), "outcome": decision.outcome.value},
    )
    return challenge


def reconsider_decision(review: Review, details: DecisionDetails, version: int | None, by: User) -> Review:
    """The partners' decision after the Panel's challenge: it confirms or changes the outcome. The
    earlier decision is kept as it was; the lifecycle follows the new outcome."""
    check_version(review, version)
    challenge = open_challenge(review)
    current = review.decision
    if challenge is None or current is None:
        check_open(review)  # an ended review reopens only on a challenged decision
        raise DomainError("Record the Panel's challenge before recording a reconsidered decision")
    outcome = _check_outcome(review, details)
    if outcome == DecisionOutcome.NATIONAL_REVIEW:
        raise DomainError(
            "A national review is the Panel's decision, not a reconsidered local one", field="outcome"
        )
    move = None if outcome == current.outcome else reconsider_move(review.stage, outcome)
    if outcome != current.outcome and move is None:
        raise DomainError(
            f"The decision cannot be changed to '{outcome.label}' at this stage", field="outcome"
        )
    if move is not None:
        check_move(review, move)
    elif review.is_paused:
        raise DomainError("This review is paused. Resume it before recording the reconsidered decision.")
    _check_details(review, details)
    assert details.decided_on is not None
    not_before(
        details.decided_on,
        challenge.challenged_on,
        "decided_on",
        "The reconsidered decision cannot be before the Panel's challenge "
        f"({challenge.challenged_on:%d %B %Y})",
    )
    review.earlier_decisions.append(
        EarlierDecision(
            challenge=challenge,
            **carried(current, _SUPERSEDED),
            criteria_met=list(current.criteria_met),
            regard_had_to=list(current.regard_had_to),
            superseded_on=details.decided_on,
        )
    )
    mandate = mandate_of(review, details)
    current.outcome, current.mandate = outcome, mandate
    current.criteria_met, current.regard_had_to = list(details.criteria_met), list(details.regard_had_to)
    current.rationale, current.decided_by = details.rationale.strip(), details.decided_by.strip()
    current.decided_on, current.recorded_by = details.decided_on, by
    current.recorded_at = utcnow()
    challenge.answered_on = details.decided_on
    db.session.flush()
    said = {
        "outcome": outcome.value,
        "decided_on": plain(details.decided_on),
        "challenged_on": plain(challenge.challenged_on),
        "reconsidered": True,
    }
    if move is not None:  # a changed outcome is one move on the timeline, saying why
        move_to(review, move, said)
    else:
        on_timeline(
            review,
            "decision_reconsidered",
            f"Decision reconsidered after the Panel's challenge: {outcome.label}",
            touch=True,
            details=said,
        )
    return finish(review)


def _challenge_answered(review: Review) -> Missing | None:
    """A review the Panel challenged is commissioned only once the partners have reconsidered."""
    if open_challenge(review) is None:
        return None
    return Missing(
        "Record the partners' reconsidered decision after the Panel's challenge",
        "reviews.review_decision_reconsider",
        "The Panel challenged the decision: record the partners' reconsidered decision before "
        "commissioning the review",
    )


needs(Move.COMMISSION, _challenge_answered)
