"""Every change to a recommendation's outcome: its measure, its re-measures, and a decision not to
pursue it. A recommendation is achieved only when a re-measure, with its figure and evidence,
meets the target as the partners judge it, or when they record why it is not pursued; verifying
its actions never achieves it. Each change is on the review's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from casework.actions.models import OutcomeRemeasure, Recommendation, RecommendationOutcome
from casework.auth.models import User
from casework.core import audit
from casework.core.display import format_date
from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.documents.storage import store_upload

TEXT_LIMIT = 10000
LINE_LIMIT = 500
FIGURE_LIMIT = 200


@dataclass(frozen=True)
class MeasureDetails:
    """What the set-measure form gives the service; None or "" where left empty."""

    intended_outcome: str
    measure: str
    baseline: str
    baseline_on: date | None
    target: str
    remeasure_on: date | None
    owner: User | None


@dataclass(frozen=True)
class Remeasure:
    """What the re-measure form gives the service. ``target_met`` is the partners' judgement."""

    measured_on: date | None
    figure: str
    target_met: bool | None
    evidence_note: str
    evidence: FileStorage | None
    next_remeasure_on: date | None


def _clean(text: str | None) -> str:
    return (text or "").replace("\x00", "").strip()


def _check_version(outcome: RecommendationOutcome | None, version: int | None) -> None:
    """The form carries the outcome's version, or 0 when there was none yet: a change made by
    someone else since the page was drawn is refused rather than overwritten."""
    current = outcome.version if outcome is not None else 0
    if version is not None and version != current:
        raise ConcurrentEditError("this recommendation's outcome")


def _check_open(recommendation: Recommendation, by: User) -> None:
    if not recommendation.can_manage_outcome(by):
        raise DomainError("Only a board manager can record a recommendation's outcome")
    status = recommendation.outcome_status(uk_today())
    if status.is_closed:
        raise DomainError(
            f"Recommendation {recommendation.number}'s outcome is recorded as {status.label.lower()}; "
            "it no longer changes"
        )


def _first_of(outcome: RecommendationOutcome) -> None:
    """A new outcome row, flushed: two board managers starting the same recommendation's outcome
    at once meet on its unique key, and the second is refused as a concurrent edit (the caller
    rolls back, as for any refusal)."""
    try:
        db.session.flush()
    except IntegrityError as error:
        raise ConcurrentEditError("this recommendation's outcome") from error


def _required(text: str, message: str, field: str, limit: int, noun: str) -> str:
    if not text:
        raise DomainError(message, field=field)
    if len(text) > limit:
        raise DomainError(f"{noun} must be {limit:,} characters or fewer", field=field)
    return text


def set_measure(
    recommendation: Recommendation, details: MeasureDetails, by: User, version: int | None
) -> RecommendationOutcome:
    """Set the intended outcome and its measure, or change them (a new re-measure date too)."""
    outcome = recommendation.outcome
    _check_version(outcome, version)
    _check_open(recommendation, by)
    today = uk_today()
    intended = _required(
        _clean(details.intended_outcome),
        "Describe the outcome the recommendation should bring about",
        "intended_outcome",
        TEXT_LIMIT,
        "The intended outcome",
    )
    measure = _required(
        _clean(details.measure), "Say what will be measured", "measure", TEXT_LIMIT, "The measure"
    )
    baseline = _required(
        _clean(details.baseline), "Enter the baseline, with its unit", "baseline", LINE_LIMIT, "The baseline"
    )
    if details.baseline_on is None:
        raise DomainError("Enter the date of the baseline", field="baseline_on")
    if details.baseline_on > today:
        raise DomainError("The date of the baseline cannot be in the future", field="baseline_on")
    target = _required(_clean(details.target), "Enter the target", "target", LINE_LIMIT, "The target")
    remeasure_on = details.remeasure_on
    if remeasure_on is None:
        raise DomainError("Enter the date to measure again", field="remeasure_on")
    if remeasure_on <= details.baseline_on:
        raise DomainError(
            "The date to measure again must be after the date of the baseline", field="remeasure_on"
        )
    # An unchanged date may have passed (an overdue re-measure whose wording is corrected).
    if remeasure_on < today and (outcome is None or outcome.remeasure_on != remeasure_on):
        raise DomainError("The date to measure again cannot be in the past", field="remeasure_on")
    owner = details.owner or by
    if not (owner.active and recommendation.review.can_manage(owner)):
        raise DomainError("The owner of the measure must be an active board manager", field="owner")
    new = outcome is None
    if outcome is None:
        outcome = RecommendationOutcome(recommendation=recommendation)
        db.session.add(outcome)
    outcome.intended_outcome, outcome.measure, outcome.baseline = intended, measure, baseline
    outcome.baseline_on, outcome.target, outcome.remeasure_on = details.baseline_on, target, remeasure_on
    outcome.owner, outcome.set_by, outcome.set_at = owner, by, utcnow()
    if new:
        _first_of(outcome)
    audit.record(
        "outcome_measure_set",
        f"Outcome measure {'set' if new else 'changed'} for recommendation {recommendation.number}: "
        f"measure again by {format_date(remeasure_on)}",
        subject=outcome,
        review=recommendation.review,
        details={
            "number": recommendation.number,
            "new": new,
            "remeasure_on": remeasure_on.isoformat(),
            "owner": owner.name,
        },
    )
    return outcome


def record_remeasure(
    recommendation: Recommendation, result: Remeasure, by: User, version: int | None
) -> OutcomeRemeasure:
    """Record a re-measure: the figure, its date and evidence, and whether it meets the target.
    Met, the recommendation is achieved; not met, it is measured again on a new date."""
    outcome = recommendation.outcome
    _check_version(outcome, version)
    _check_open(recommendation, by)
    if outcome is None or not outcome.has_measure:
        raise DomainError("Set the outcome's measure before recording a re-measure")
    today = uk_today()
    if result.measured_on is None:
        raise DomainError("Enter the date it was measured", field="measured_on")
    if result.measured_on > today:
        raise DomainError("The date it was measured cannot be in the future", field="measured_on")
    if outcome.baseline_on is not None and result.measured_on < outcome.baseline_on:
        raise DomainError(
            f"The date it was measured cannot be before the baseline's ({format_date(outcome.baseline_on)})",
            field="measured_on",
        )
    figure = _required(
        _clean(result.figure), "Enter the figure measured", "figure", FIGURE_LIMIT, "The figure"
    )
    if result.target_met is None:
        raise DomainError("Select whether the result meets the target", field="target_met")
    note = _clean(result.evidence_note)
    if len(note) > TEXT_LIMIT:
        raise DomainError(
            f"Describe the evidence in {TEXT_LIMIT:,} characters or fewer", field="evidence_note"
        )
    upload = result.evidence if result.evidence is not None and result.evidence.filename else None
    if not note and upload is None:
        raise DomainError("Describe the evidence of the result, or attach it", field="evidence_note")
    next_on = None if result.target_met else result.next_remeasure_on
    if not result.target_met:
        if next_on is None:
            raise DomainError(
                "Enter the date to measure again, as the target is not met", field="next_remeasure_on"
            )
        if next_on <= today:
            raise DomainError("The date to measure again must be after today", field="next_remeasure_on")
    # The file last: a refused file leaves nothing behind, and nothing is kept for a refused form.
    document = None
    if upload is not None:
        try:
            document = store_upload(upload, uploaded_by=by, review=recommendation.review)
        except DomainError as error:
            raise DomainError(error.message, field="evidence") from error
    remeasure = OutcomeRemeasure(
        measured_on=result.measured_on,
        figure=figure,
        target_met=result.target_met,
        evidence_note=note,
        evidence=document,
        next_remeasure_on=next_on,
        recorded_by=by,
    )
    outcome.remeasures.append(remeasure)
    outcome.last_measured_on = result.measured_on
    if result.target_met:
        outcome.achieved_on = result.measured_on
    else:
        outcome.remeasure_on = next_on
    met = "target met" if next_on is None else f"target not met, measure again by {format_date(next_on)}"
    audit.record(
        "outcome_remeasured",
        f"Recommendation {recommendation.number} re-measured on {format_date(result.measured_on)}: {met}",
        subject=outcome,
        review=recommendation.review,
        details={
            "number": recommendation.number,
            "measured_on": result.measured_on.isoformat(),
            "target_met": result.target_met,
            "next_remeasure_on": next_on.isoformat() if next_on else None,
            "evidence": 1 if document else 0,
        },
    )
    return remeasure


def decide_not_to_pursue(
    recommendation: Recommendation, reason: str, by: User, version: int | None
) -> RecommendationOutcome:
    """The partners' decision not to pursue the recommendation, with their reason: it ends its
    outcome as a decision, not a silence. It may come before any measure is set."""
    outcome = recommendation.outcome
    _check_version(outcome, version)
    _check_open(recommendation, by)
    reason = _required(
        _clean(reason), "Give the partners' reason for not pursuing it", "reason", TEXT_LIMIT, "The reason"
    )
    new = outcome is None
    if outcome is None:
        outcome = RecommendationOutcome(recommendation=recommendation)
        db.session.add(outcome)
    outcome.not_pursued_reason, outcome.not_pursued_by, outcome.not_pursued_at = reason, by, utcnow()
    if new:
        _first_of(outcome)
    audit.record(
        "outcome_not_pursued",
        f"Recommendation {recommendation.number} not pursued: {reason}",
        subject=outcome,
        review=recommendation.review,
        details={"number": recommendation.number},
    )
    return outcome
