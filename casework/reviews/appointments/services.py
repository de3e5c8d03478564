"""Independent reviewers: profiles, declared affiliations, conflict checks and appointments.

A reviewer is independent of a review when none of the agencies in its scope is, or was in
the last CONFLICT_YEARS years, one they are affiliated with. A conflict blocks the appointment
unless a board manager records in writing why it is still right; the reviewer then accepts and
declares independence before the review opens to them.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy.orm import joinedload

from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.notifications.events.reviews import appointment_offered
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.lifecycle import (
    Move,
    check_open,
    check_version,
    on_timeline,
    take,
    takes,
)
from casework.reviews.models import (
    Affiliation,
    AssignmentRole,
    AssignmentStatus,
    Review,
    ReviewerAssignment,
    ReviewerProfile,
)
from casework.reviews.stages import ReviewStage

DECLARATION = (
    "I declare that I have no connection with the child, the family or the case, and no current "
    "or recent connection with any agency whose work this review looks at, other than any "
    "recorded on this appointment. I will tell the board manager at once if that changes."
)
# Appointments that still hold a place on the review.
LIVE = (AssignmentStatus.PROPOSED, AssignmentStatus.ACCEPTED)


# --- profiles -----------------------------------------------------------------------------


def profile_of(user: User) -> ReviewerProfile:
    profile = db.session.get(ReviewerProfile, user.id)
    if profile is None:
        profile = ReviewerProfile(user_id=user.id, organisation="")
        db.session.add(profile)
    return profile


def save_profile(user: User, organisation: str) -> ReviewerProfile:
    profile = profile_of(user)
    before = profile.organisation
    profile.organisation = organisation.strip()
    db.session.flush()
    if before != profile.organisation:
        audit.record(
            "reviewer_profile_updated",
            f"{user.name} updated their organisation",
            subject=user,
            details={"organisation": [before, profile.organisation]},
        )
    return profile


def add_affiliation(
    user: User, agency: Agency | None, started_on: date | None, ended_on: date | None, nature: str
) -> Affiliation:
    required(agency, "agency", "Select the agency")
    required(started_on, "started_on", "Enter when the link started")
    required(nature, "nature", "Describe the link, for example employed as a social worker")
    not_future(started_on, "started_on", "The start of the link")
    not_before(ended_on, started_on, "ended_on", "The link cannot end before it started")
    assert agency is not None and started_on is not None
    affiliation = Affiliation(agency=agency, started_on=started_on, ended_on=ended_on, nature=nature.strip())
    profile = profile_of(user)  # held in a variable: the collection only keeps a weak reference to it
    profile.affiliations.append(affiliation)
    audit.record(
        "affiliation_declared",
        f"{user.name} declared a link with {agency.name}",
        subject=user,
        details={
            "agency": agency.name,
            "from": started_on.isoformat(),
            "to": ended_on.isoformat() if ended_on else None,
            "nature": affiliation.nature,
        },
    )
    _recheck_reviewer(user)
    return affiliation


def remove_affiliation(user: User, affiliation: Affiliation) -> None:
    if not affiliation.can_remove(user):
        raise DomainError("That declaration is not yours")
    name = affiliation.agency.name
    db.session.delete(affiliation)
    audit.record(
        "affiliation_removed",
        f"{user.name} removed a declared link with {name}",
        subject=user,
        details={"agency": name, "nature": affiliation.nature},
    )


# --- conflicts ----------------------------------------------------------------------------


def _window_start(today: date) -> date:
    return today - relativedelta(years=current_app.config["CONFLICT_YEARS"])


def conflicts_for(reviewer: User, review: Review, agencies: list[Agency] | None = None) -> list[str]:
    """Each affiliation with an agency in scope, current or ended within the window, in words."""
    profile = db.session.get(ReviewerProfile, reviewer.id)
    if profile is None:
        return []
    in_scope = {a.id for a in (agencies if agencies is not None else review.agencies_where("in_scope"))}
    since = _window_start(uk_today())
    found = []
    for link in profile.affiliations:
        if link.agency_id in in_scope and (link.ended_on is None or link.ended_on >= since):
            period = "current" if link.ended_on is None else f"ended {link.ended_on:%d %B %Y}"
            found.append(f"{link.agency.name}: {link.nature} ({period})")
    return found


def _recheck_reviewer(reviewer: User) -> None:
    """A newly declared link is checked against the reviews the reviewer already holds."""
    for assignment in db.session.execute(
        db.select(ReviewerAssignment).where(
            ReviewerAssignment.reviewer_id == reviewer.id, ReviewerAssignment.status.in_(LIVE)
        )
    ).scalars():
        _flag_new_conflicts(assignment)


def _flag_new_conflicts(assignment: ReviewerAssignment) -> list[str]:
    known = set(assignment.overridden_conflicts) | set(assignment.flagged_conflicts)
    new = [c for c in conflicts_for(assignment.reviewer, assignment.review) if c not in known]
    if new:
        assignment.flagged_conflicts = [*assignment.flagged_conflicts, *new]
        audit.record(
            "conflict_flagged",
            f"Possible conflict of interest for {assignment.reviewer.name} on {assignment.review.reference}",
            subject=assignment.review,
            review=assignment.review,
            details={"conflicts": new},
        )
    return new


def recheck_review(review: Review) -> list[str]:
    """Re-check every live appointment after the scope changed; return the new conflicts."""
    found = []
    for assignment in review.assignments:
        if assignment.status in LIVE:
            found += [f"{assignment.reviewer.name}: {c}" for c in _flag_new_conflicts(assignment)]
    return found


def add_to_scope(review: Review, agency: Agency | None, role_note: str, version: int | None) -> list[str]:
    """Bring an agency into the review's scope; returns any new reviewer conflicts it causes."""
    check_version(review, version)
    check_open(review)
    required(agency, "agency", "Select the agency")
    assert agency is not None
    if not review.terms:
        raise DomainError("Set the terms of reference before changing the scope", field="agency")
    if agency in review.agencies_where("in_scope"):
        raise DomainError(f"{agency.name} is already in scope", field="agency")
    review.flag_agencies("in_scope", [*review.agencies_where("in_scope"), agency])
    involvement = next(i for i in review.involvements if i.agency_id == agency.id or i.agency is agency)
    involvement.role_note = role_note.strip()
    on_timeline(
        review,
        "scope_changed",
        f"{agency.name} added to the scope of {review.reference}",
        details={"added": agency.name, "role": role_note.strip()},
        touch=True,
    )
    return recheck_review(review)


# --- appointments -------------------------------------------------------------------------


def assign_reviewer(
    review: Review,
    reviewer: User | None,
    role: AssignmentRole | None,
    by: User,
    override_reason: str = "",
    version: int | None = None,
) -> ReviewerAssignment:
    check_version(review, version)
    check_open(review)
    required(reviewer, "reviewer", "Select a reviewer")
    required(role, "role", "Select lead reviewer or co-reviewer")
    assert reviewer is not None and role is not None
    if not review.terms or review.stage in (
        ReviewStage.REFERRAL,
        ReviewStage.RAPID_REVIEW,
        ReviewStage.DECISION,
        ReviewStage.COMMISSIONING,
    ):
        raise DomainError("Commission the review before appointing a reviewer", field="reviewer")
    if not reviewer.can_lead_reviews() or not reviewer.active:
        raise DomainError("Only an active independent reviewer can be appointed", field="reviewer")
    live = [a for a in review.assignments if a.status in LIVE]
    if any(a.reviewer_id == reviewer.id for a in live):
        raise DomainError(f"{reviewer.name} is already appointed to this review", field="reviewer")
    if role == AssignmentRole.LEAD and any(a.role == AssignmentRole.LEAD for a in live):
        raise DomainError("This review already has a lead reviewer", field="role")
    conflicts = conflicts_for(reviewer, review)
    if conflicts and not override_reason.strip():
        raise DomainError(
            f"{reviewer.name} has a conflict of interest with an agency in scope: {'; '.join(conflicts)}. "
            "Choose another reviewer, or record why this appointment is still right.",
            field="reviewer",
        )
    previous = next((a for a in review.assignments if a.reviewer_id == reviewer.id), None)
    assignment = previous or ReviewerAssignment(reviewer=reviewer)
    if previous is None:
        review.assignments.append(assignment)
    assignment.role, assignment.status, assignment.assigned_by = role, AssignmentStatus.PROPOSED, by
    assignment.assigned_at, assignment.responded_at, assignment.declaration = utcnow(), None, ""
    assignment.overridden_conflicts = conflicts
    assignment.override_reason = override_reason.strip() if conflicts else ""
    assignment.flagged_conflicts = []
    on_timeline(
        review,
        "reviewer_assigned",
        f"{reviewer.name} appointed as {role.label.lower()} on {review.reference}"
        + (" despite a recorded conflict of interest" if conflicts else ""),
        details={
            "reviewer": reviewer.name,
            "role": role.value,
            "conflicts": conflicts,
            "override_reason": assignment.override_reason,
        },
        touch=True,
    )
    db.session.flush()  # the appointment's id, for the reviewer's link
    appointment_offered(assignment, by)
    return assignment


def _check_unanswered(assignment: ReviewerAssignment, user: User, answer: str) -> None:
    """The reviewer's answer (``answer``: accept, decline) is theirs to give and not given yet."""
    if not assignment.can_answer(user):
        raise DomainError("This appointment is not yours")
    if assignment.status != AssignmentStatus.PROPOSED:
        raise DomainError(
            f"This appointment is {assignment.status.label.lower()}; there is nothing to {answer}"
        )


def accept_appointment(assignment: ReviewerAssignment, user: User, declared: bool) -> ReviewerAssignment:
    _check_unanswered(assignment, user, "accept")
    check_open(assignment.review)
    if not declared:
        raise DomainError("Confirm the declaration of independence to accept", field="declared")
    assignment.status = AssignmentStatus.ACCEPTED
    assignment.declaration = DECLARATION
    assignment.responded_at = utcnow()
    review = assignment.review
    on_timeline(
        review,
        "appointment_accepted",
        f"{user.name} accepted the appointment and declared independence",
        actor=user,
        details={"declaration": DECLARATION},
        touch=True,
    )
    if (
        assignment.role == AssignmentRole.LEAD
        and review.stage == ReviewStage.AWAITING_REVIEWER
        and not review.is_paused
    ):
        start_contributions(review)
    return assignment


def start_contributions(review: Review, version: int | None = None) -> Review:
    """Agency contributions start once a lead reviewer has accepted."""
    return take(review, Move.START_CONTRIBUTIONS, version)


takes(Move.START_CONTRIBUTIONS, lambda review, version, by: start_contributions(review, version))


def decline_appointment(assignment: ReviewerAssignment, user: User, reason: str) -> None:
    _check_unanswered(assignment, user, "decline")
    required(reason, "reason", "Say why you are declining, for example a connection with the family")
    assignment.status = AssignmentStatus.DECLINED
    assignment.responded_at = utcnow()
    on_timeline(
        assignment.review,
        "appointment_declined",
        f"{user.name} declined the appointment: {reason.strip()}",
        actor=user,
    )


def withdraw_appointment(assignment: ReviewerAssignment, reason: str, version: int | None = None) -> None:
    review = assignment.review
    check_version(review, version)
    if assignment.status not in LIVE:
        raise DomainError("This appointment has already ended")
    required(reason, "reason", "Give the reason for ending the appointment")
    assignment.status = AssignmentStatus.WITHDRAWN
    on_timeline(
        review,
        "appointment_withdrawn",
        f"Appointment of {assignment.reviewer.name} ended: {reason.strip()}",
        touch=True,
    )


def pending_appointments(user: User) -> list[ReviewerAssignment]:
    return list(
        db.session.execute(
            db.select(ReviewerAssignment)
            .where(
                ReviewerAssignment.reviewer_id == user.id,
                ReviewerAssignment.status == AssignmentStatus.PROPOSED,
            )
            .order_by(ReviewerAssignment.assigned_at)
            .options(joinedload(ReviewerAssignment.review))  # listed by the review's reference
        ).scalars()
    )


def reviewers_to_choose(review: Review) -> list[tuple[User, list[str]]]:
    """Active reviewers, each with the conflicts they would have on this review."""
    users = db.session.execute(
        db.select(User).where(User.role == Role.REVIEWER, User.active.is_(True)).order_by(User.name)
    ).scalars()
    return [(user, conflicts_for(user, review)) for user in users]
