"""Commissioning a review: its terms of reference and target completion date. Each function checks its
guard, changes and flushes, records who did what in the review's timeline, and refreshes the clocks;
the request commits once. A refused step raises DomainError and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.answers import check_each
from casework.core.workdays import working_calendar
from casework.reviews.clock import EVENTS, deadlines_for, due_after
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.lifecycle import Move, check_move, check_ready, check_version, finish, move_to
from casework.reviews.models import Review, TermsOfReference
from casework.reviews.referral.changes import plain


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


# The events a finished report meets: its sign-off (completion), its submission to the Home
# Office, or its publication.
REPORT_EVENTS = ("completed", "home_office_submitted", "published")


def default_target_completion(review: Review) -> date | None:
    """The due date of the clock the finished report meets, e.g. publication 6 months after the
    decision (a SAR's: its sign-off; a domestic abuse review's: its submission to the Home Office)."""
    deadlines = [
        d
        for d in deadlines_for(review)
        if d.clock.end_event in REPORT_EVENTS and d.clock.start_event == "decision_to_review"
    ]
    if deadlines and deadlines[0].due_on:
        return deadlines[0].due_on
    start = EVENTS["decision_to_review"].read(review)
    clocks = [
        c
        for c in review.clock_definitions
        if c.end_event in REPORT_EVENTS and c.start_event == "decision_to_review"
    ]
    return due_after(start, clocks[0], working_calendar()) if start and clocks else None


def commission_review(review: Review, details: TermsDetails, version: int | None, by: User) -> Review:
    check_version(review, version)
    check_move(review, Move.COMMISSION)
    check_ready(review, Move.COMMISSION)
    check_each(
        required,
        details,
        {
            "scope_from": "Enter the start of the period the review covers",
            "scope_to": "Enter the end of the period the review covers",
        },
    )
    not_before(
        details.scope_to,
        details.scope_from,
        "scope_to",
        "The end of the scope period must be after its start",
    )
    check_each(
        required,
        details,
        {
            "key_lines_of_enquiry": "Enter the key lines of enquiry",
            "method": "Describe the method of the review",
            "family_involvement": "Describe how the family will be involved",
            "agencies_in_scope": "Select the agencies in the scope of the review",
            "commissioned_on": "Enter the date the review was commissioned",
        },
    )
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
            "target_completion_on": plain(target),
        },
    )
    return finish(review)
