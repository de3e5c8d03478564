"""Every change to a review. Each function checks its guard, changes and flushes, records who
did what in the review's timeline, and refreshes the clocks; the request commits once.
A refused step raises DomainError and changes nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core import audit, workdays
from casework.core.db_helpers import increment
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.core.workdays import ClosureDay, working_calendar
from casework.reviews.appointments.services import has_accepted_lead, start_contributions
from casework.reviews.clock import EVENTS, deadlines_for, due_after, refresh_deadlines
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.lifecycle import (
    TRANSITIONS,
    Move,
    check_move,
    check_open,
    check_version,
    finish,
    move_to,
    takes,
)
from casework.reviews.models import (
    MAX_CARERS,
    MAX_CHILDREN,
    ConfidentialRecord,
    DeadlineExtension,
    Decision,
    DecisionOutcome,
    IdentifiedPerson,
    PanelResponse,
    PersonKind,
    RapidReview,
    RapidReviewRecommendation,
    Referral,
    Review,
    ReviewPause,
    ReviewSequence,
    ReviewType,
    TermsOfReference,
)
from casework.reviews.publication.checks import recheck_after_identifiers_changed
from casework.reviews.stages import ReviewStage

# Free text may name people despite the guidance; the timeline says it changed, not what it says.
FREE_TEXT = frozenset(
    {"incident_description", "facts_established", "immediate_safety_actions", "learning_identified"}
)


def _record_changes(
    review: Review, action: str, summary: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Timeline entry naming what changed, old and new value (free text: only that it changed)."""
    changes = {
        key: ["(text)", "(changed)"] if key in FREE_TEXT else [_plain(before.get(key)), _plain(after[key])]
        for key in after
        if before.get(key) != after[key]
    }
    if changes:
        audit.record(action, summary, subject=review, review=review, details=changes)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value.value if hasattr(value, "value") else value


# --- referral ---------------------------------------------------------------------------


@dataclass
class ReferralDetails:
    pseudonym: str
    incident_on: date
    incident_description: str
    became_aware_on: date
    panel_notified_on: date | None = None
    notifying_organisation: str = ""
    notifying_person: str = ""
    known_agencies: list[Agency] = field(default_factory=list)
    linked_references: list[str] = field(default_factory=list)


def _check_referral(review_type: ReviewType, details: ReferralDetails) -> None:
    required(
        details.pseudonym, "pseudonym", "Enter the pseudonym used for the child or adult, for example Child A"
    )
    required(details.incident_description, "incident_description", "Describe the incident")
    not_future(details.incident_on, "incident_on", "The incident date")
    not_future(details.became_aware_on, "became_aware_on", "The date the partnership became aware")
    not_future(details.panel_notified_on, "panel_notified_on", "The date the Panel was notified")
    not_before(
        details.became_aware_on,
        details.incident_on,
        "became_aware_on",
        "The date the partnership became aware must be the same as or after the incident date",
    )
    not_before(
        details.panel_notified_on,
        details.became_aware_on,
        "panel_notified_on",
        "The date the Panel was notified must be the same as or after the date the partnership became aware",
    )
    if details.panel_notified_on and not review_type.uses_event("panel_notified"):
        raise DomainError(f"A {review_type.code} is not notified to the Panel", field="panel_notified_on")


def _linked_reviews(references: list[str], exclude: Review | None = None) -> list[Review]:
    wanted = [ref.strip().upper() for ref in references if ref.strip()]
    found = db.session.execute(db.select(Review).where(Review.reference.in_(wanted))).scalars().all()
    missing = sorted(set(wanted) - {review.reference for review in found})
    if missing:
        raise DomainError(f"No review has the reference {', '.join(missing)}", field="linked_references")
    if exclude and exclude in found:
        raise DomainError("A review cannot be linked to itself", field="linked_references")
    return list(found)


def _next_reference(review_type: ReviewType, year: int) -> tuple[int, str]:
    number = increment(ReviewSequence, {"review_type_id": review_type.id, "year": year}, "last_number")
    return number, f"{review_type.code}-{year}-{number:03d}"


def create_referral(review_type: ReviewType, details: ReferralDetails, by: User) -> Review:
    if not review_type.active:
        raise DomainError("This type of review is no longer in use", field="review_type")
    _check_referral(review_type, details)
    linked = _linked_reviews(details.linked_references)
    year = details.became_aware_on.year
    number, reference = _next_reference(review_type, year)
    review = Review(
        review_type=review_type,
        reference=reference,
        year=year,
        number=number,
        pseudonym=details.pseudonym.strip(),
        stage=ReviewStage.REFERRAL,
        created_by=by,
    )
    review.referral = Referral(
        incident_on=details.incident_on,
        incident_description=details.incident_description.strip(),
        became_aware_on=details.became_aware_on,
        panel_notified_on=details.panel_notified_on,
        notifying_organisation=details.notifying_organisation.strip(),
        notifying_person=details.notifying_person.strip(),
    )
    review.linked_reviews = linked
    db.session.add(review)
    review.flag_agencies("known_at_referral", details.known_agencies)
    db.session.flush()
    audit.record("review_created", f"{reference} created: {review.pseudonym}", subject=review, review=review)
    return finish(review)


def _referral_snapshot(review: Review) -> dict[str, Any]:
    referral = review.referral
    return {
        "pseudonym": review.pseudonym,
        "incident_on": referral.incident_on,
        "incident_description": referral.incident_description,
        "became_aware_on": referral.became_aware_on,
        "panel_notified_on": referral.panel_notified_on,
        "notifying_organisation": referral.notifying_organisation,
        "notifying_person": referral.notifying_person,
        "known_agencies": sorted(a.name for a in review.agencies_where("known_at_referral")),
        "linked_reviews": [r.reference for r in review.linked_reviews],
    }


def _check_against_later_steps(review: Review, details: ReferralDetails) -> None:
    """A corrected referral must still come before what was recorded after it."""
    later = [
        ("rapid_review_meeting", "the rapid review meeting"),
        ("rapid_review_sent", "the date the rapid review was sent to the Panel"),
        ("decision", "the decision"),
        ("commissioned", "the commissioning of the review"),
    ]
    for event, words in later:
        when = EVENTS[event].read(review)
        if when and details.became_aware_on and details.became_aware_on > when:
            raise DomainError(
                f"The date the partnership became aware cannot be after {words} ({when:%d %B %Y})",
                field="became_aware_on",
            )
        if (
            when
            and details.panel_notified_on
            and event == "rapid_review_sent"
            and details.panel_notified_on > when
        ):
            raise DomainError(
                f"The date the Panel was notified cannot be after {words} ({when:%d %B %Y})",
                field="panel_notified_on",
            )
    first_pause = min((pause.started_on for pause in review.pauses), default=None)
    if first_pause and details.became_aware_on and details.became_aware_on > first_pause:
        raise DomainError(
            "The date the partnership became aware cannot be after the review was paused "
            f"({first_pause:%d %B %Y})",
            field="became_aware_on",
        )


def update_referral(review: Review, details: ReferralDetails, version: int | None) -> Review:
    check_version(review, version)
    check_open(review)
    _check_referral(review.review_type, details)
    _check_against_later_steps(review, details)
    if (
        review.stage != ReviewStage.REFERRAL
        and review.referral.panel_notified_on
        and not details.panel_notified_on
    ):
        raise DomainError(
            "The date the Panel was notified cannot be removed once the rapid review has started",
            field="panel_notified_on",
        )
    linked = _linked_reviews(details.linked_references, exclude=review)
    before = _referral_snapshot(review)
    referral = review.referral
    review.pseudonym = details.pseudonym.strip()
    referral.incident_on = details.incident_on
    referral.incident_description = details.incident_description.strip()
    referral.became_aware_on = details.became_aware_on
    referral.panel_notified_on = details.panel_notified_on
    referral.notifying_organisation = details.notifying_organisation.strip()
    referral.notifying_person = details.notifying_person.strip()
    review.linked_reviews = linked
    review.flag_agencies("known_at_referral", details.known_agencies)
    review.updated_at = utcnow()  # the version moves even when only child rows changed
    db.session.flush()
    _record_changes(
        review, "referral_updated", "Referral details changed", before, _referral_snapshot(review)
    )
    return finish(review)


# --- confidential identifiers ----------------------------------------------------------


@dataclass
class PersonDetails:
    full_name: str
    other_names: str = ""
    date_of_birth: date | None = None
    relationship_to_child: str = ""


def save_identifiers(
    review: Review,
    children: list[PersonDetails],
    carers: list[PersonDetails],
    address: str,
    version: int | None,
    by: User | None = None,
) -> None:
    check_version(review, version)
    check_open(review)
    children = [c for c in children if c.full_name.strip()]
    carers = [c for c in carers if c.full_name.strip()]
    if not children:
        raise DomainError("Enter the name of at least one child", field="children")
    if len(children) > MAX_CHILDREN:
        raise DomainError(f"A notification covers at most {MAX_CHILDREN} children", field="children")
    if len(carers) > MAX_CARERS:
        raise DomainError(f"Enter at most {MAX_CARERS} parents or carers", field="carers")
    for field_name, people in (("children", children), ("carers", carers)):
        for person in people:
            not_future(person.date_of_birth, field_name, f"The date of birth of {person.full_name.strip()}")
    record = review.confidential or ConfidentialRecord()
    review.confidential = record
    record.address = address.strip()
    record.people = [
        IdentifiedPerson(
            kind=kind,
            position=position,
            **{k: v.strip() if isinstance(v, str) else v for k, v in asdict(person).items()},
        )
        for kind, people in ((PersonKind.CHILD, children), (PersonKind.PARENT_CARER, carers))
        for position, person in enumerate(people, start=1)
    ]
    db.session.add(record)
    review.updated_at = utcnow()
    db.session.flush()
    # The timeline says that identifiers changed, never what they are.
    audit.record(
        "identifiers_updated",
        f"Identifying details of {review.reference} updated",
        subject=review,
        review=review,
        details={
            "children": len(children),
            "parents_or_carers": len(carers),
            "address": bool(address.strip()),
        },
    )
    # An anonymisation check holds only for the identifiers it searched for: check again now.
    record.updated_at = utcnow()
    recheck_after_identifiers_changed(review, by)


def record_identifier_view(review: Review, user: User) -> None:
    audit.record(
        "identifiers_viewed",
        f"{user.name} viewed the identifying details of {review.reference}",
        subject=review,
        review=review,
        actor=user,
    )


# --- rapid review -----------------------------------------------------------------------


def begin_rapid_review(review: Review, version: int | None) -> Review:
    check_version(review, version)
    check_move(review, Move.BEGIN_RAPID_REVIEW)
    if review.review_type.uses_event("panel_notified") and not review.referral.panel_notified_on:
        raise DomainError("Record the date the Panel was notified before starting the rapid review")
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
    not_future(details.meeting_on, "meeting_on", "The meeting date")
    not_future(details.sent_to_panel_on, "sent_to_panel_on", "The date sent to the Panel")
    not_future(details.panel_responded_on, "panel_responded_on", "The date of the Panel's response")
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
    _record_changes(
        review, "rapid_review_updated", "Rapid review recorded", before, _rapid_review_snapshot(review)
    )
    return finish(review)


def complete_rapid_review(review: Review, version: int | None) -> Review:
    check_version(review, version)
    check_move(review, Move.COMPLETE_RAPID_REVIEW)
    rapid = review.rapid_review
    if not rapid or not rapid.meeting_on:
        raise DomainError("Record the rapid review meeting date before completing the rapid review")
    if not rapid.recommendation:
        raise DomainError("Record the rapid review's recommendation before completing it")
    if not rapid.sent_to_panel_on:
        raise DomainError("Record the date the rapid review was sent to the Panel before completing it")
    move_to(review, Move.COMPLETE_RAPID_REVIEW)
    return finish(review)


takes(Move.COMPLETE_RAPID_REVIEW, lambda review, version, by: complete_rapid_review(review, version))


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
            "decided_on": _plain(details.decided_on),
        },
    )
    return finish(review)


# --- commissioning ----------------------------------------------------------------------


@dataclass
class TermsDetails:
    scope_from: date | None
    scope_to: date | None
    key_lines_of_enquiry: str
    method: str
    family_involvement: str
    target_completion_on: date | None
    commissioned_on: date | None
    agencies_in_scope: list[Agency] = field(default_factory=list)


def default_target_completion(review: Review) -> date | None:
    """The due date of the clock the finished report meets, e.g. publication 6 months after the decision."""
    deadlines = [d for d in deadlines_for(review) if d.clock.end_event == "published"]
    if deadlines and deadlines[0].due_on:
        return deadlines[0].due_on
    start = EVENTS["decision_to_review"].read(review)
    clocks = [c for c in review.review_type.clocks if c.end_event == "published"]
    return due_after(start, clocks[0], working_calendar()) if start and clocks else None


def commission_review(review: Review, details: TermsDetails, version: int | None, by: User) -> Review:
    check_version(review, version)
    check_move(review, Move.COMMISSION)
    required(details.scope_from, "scope_from", "Enter the start of the period the review covers")
    required(details.scope_to, "scope_to", "Enter the end of the period the review covers")
    not_before(
        details.scope_to,
        details.scope_from,
        "scope_to",
        "The end of the scope period must be after its start",
    )
    required(details.key_lines_of_enquiry, "key_lines_of_enquiry", "Enter the key lines of enquiry")
    required(details.method, "method", "Describe the method of the review")
    required(details.family_involvement, "family_involvement", "Describe how the family will be involved")
    required(details.agencies_in_scope, "agencies_in_scope", "Select the agencies in the scope of the review")
    required(details.commissioned_on, "commissioned_on", "Enter the date the review was commissioned")
    not_future(details.commissioned_on, "commissioned_on", "The commissioning date")
    decided_on = review.decision.decided_on if review.decision else None
    not_before(
        details.commissioned_on,
        decided_on,
        "commissioned_on",
        "The review cannot be commissioned before the decision",
    )
    target = details.target_completion_on or default_target_completion(review)
    required(target, "target_completion_on", "Enter the target completion date")
    not_before(
        target,
        details.commissioned_on,
        "target_completion_on",
        "The target completion date must be after commissioning",
    )
    review.terms = TermsOfReference(
        scope_from=details.scope_from,
        scope_to=details.scope_to,
        key_lines_of_enquiry=details.key_lines_of_enquiry.strip(),
        method=details.method.strip(),
        family_involvement=details.family_involvement.strip(),
        target_completion_on=target,
        commissioned_on=details.commissioned_on,
        commissioned_by=by,
    )
    review.flag_agencies("in_scope", details.agencies_in_scope)
    move_to(
        review,
        Move.COMMISSION,
        {
            "agencies_in_scope": sorted(a.name for a in details.agencies_in_scope),
            "target_completion_on": _plain(target),
        },
    )
    return finish(review)


# --- pauses and extensions --------------------------------------------------------------


def pause_review(
    review: Review, started_on: date | None, reason: str, agreed_by: str, version: int | None, by: User
) -> Review:
    check_version(review, version)
    check_open(review)
    if review.is_paused:
        raise DomainError("This review is already paused")
    required(reason, "reason", "Enter the reason for pausing the review, for example criminal proceedings")
    required(agreed_by, "agreed_by", "Enter who agreed the pause")
    required(started_on, "started_on", "Enter the date the pause starts")
    not_future(started_on, "started_on", "The start of the pause")
    not_before(
        started_on,
        review.referral.became_aware_on,
        "started_on",
        "A pause cannot start before the partnership became aware",
    )
    last_end = max((p.ended_on for p in review.pauses if p.ended_on), default=None)
    not_before(started_on, last_end, "started_on", "A pause cannot start before the previous pause ended")
    review.pauses.append(
        ReviewPause(started_on=started_on, reason=reason.strip(), agreed_by=agreed_by.strip(), recorded_by=by)
    )
    review.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "review_paused",
        f"{review.reference} paused: {reason.strip()}",
        subject=review,
        review=review,
        details={"started_on": _plain(started_on), "agreed_by": agreed_by.strip()},
    )
    return finish(review)


def resume_review(review: Review, ended_on: date | None, version: int | None) -> Review:
    check_version(review, version)
    check_open(review)
    pause = review.open_pause
    if pause is None:
        raise DomainError("This review is not paused")
    required(ended_on, "ended_on", "Enter the date the review resumed")
    not_future(ended_on, "ended_on", "The date the review resumed")
    not_before(ended_on, pause.started_on, "ended_on", "The review cannot resume before the pause started")
    pause.ended_on = ended_on
    review.updated_at = utcnow()
    db.session.flush()
    _start_contributions_if_ready(review)
    audit.record(
        "review_resumed",
        f"{review.reference} resumed after a pause from {pause.started_on:%d %B %Y}",
        subject=review,
        review=review,
        details={"started_on": _plain(pause.started_on), "ended_on": _plain(ended_on)},
    )
    return finish(review)


def _start_contributions_if_ready(review: Review) -> None:
    """A lead who accepted while the review was paused starts the contributions on resumption."""
    if review.stage == ReviewStage.AWAITING_REVIEWER and has_accepted_lead(review):
        start_contributions(review)


def extend_deadline(
    review: Review,
    clock_key: str,
    new_due_on: date | None,
    reason: str,
    agreed_by: str,
    version: int | None,
    by: User,
) -> Review:
    check_version(review, version)
    check_open(review)
    deadline = next((d for d in deadlines_for(review) if d.clock.key == clock_key), None)
    if deadline is None:
        raise DomainError("Select a deadline of this review", field="clock_key")
    if not deadline.due_on or deadline.met_on:
        raise DomainError(
            f"'{deadline.clock.label}' is not running, so it cannot be extended", field="clock_key"
        )
    required(new_due_on, "new_due_on", "Enter the new due date")
    assert new_due_on is not None
    if new_due_on <= deadline.due_on:
        raise DomainError(
            f"The new due date must be after the current one, {deadline.due_on:%d %B %Y}", field="new_due_on"
        )
    required(reason, "reason", "Enter the reason for the extension")
    required(agreed_by, "agreed_by", "Enter who agreed the extension")
    review.extensions.append(
        DeadlineExtension(
            clock_key=clock_key,
            previous_due_on=deadline.due_on,
            new_due_on=new_due_on,
            reason=reason.strip(),
            agreed_by=agreed_by.strip(),
            agreed_on=uk_today(),
            recorded_by=by,
        )
    )
    review.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "deadline_extended",
        f"'{deadline.clock.label}' extended from {deadline.due_on:%d %B %Y} "
        f"to {new_due_on:%d %B %Y}: {reason.strip()}",
        subject=review,
        review=review,
        details={"clock": clock_key, "from": _plain(deadline.due_on), "to": _plain(new_due_on)},
    )
    return finish(review)


# --- the partnership's closure days -----------------------------------------------------


def _refresh_open_reviews() -> None:
    """Closure days move the working-day deadlines of every open review."""
    workdays.forget_calendar()
    for review in db.session.execute(db.select(Review)).scalars():
        if not review.is_ended:
            refresh_deadlines(review)
    db.session.flush()


def add_closure_day(day: date | None, description: str) -> ClosureDay:
    required(day, "day", "Enter the date the partnership is closed")
    required(description, "description", "Enter a description, for example Christmas closure")
    assert day is not None
    closure = workdays.add_closure_day(day, description)
    _refresh_open_reviews()
    return closure


def remove_closure_day(day: date) -> None:
    workdays.remove_closure_day(day)
    _refresh_open_reviews()
