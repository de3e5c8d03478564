"""The referral: recording a new case, and correcting its details later. Each function checks its
guard, changes and flushes, records who did what in the review's timeline, and refreshes the clocks;
the request commits once. A refused step raises DomainError and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core import audit
from casework.core.answers import check_each
from casework.core.db_helpers import increment
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.reviews.clock import EVENTS
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.lifecycle import check_open, check_version, finish
from casework.reviews.models import Referral, Review, ReviewSequence, ReviewType
from casework.reviews.referral.changes import record_changes
from casework.reviews.stages import ReviewStage


@dataclass
class ReferralDetails:
    pseudonym: str
    incident_on: date
    incident_description: str
    became_aware_on: date
    panel_notified_on: date | None = None
    la_became_aware_on: date | None = None
    looked_after_child_died: bool = False
    notifying_organisation: str = ""
    notifying_person: str = ""
    known_agencies: list[Agency] = field(default_factory=list)
    linked_references: list[str] = field(default_factory=list)


def _check_referral(review_type: ReviewType, details: ReferralDetails) -> None:
    check_each(
        required,
        details,
        {
            "pseudonym": "Enter the pseudonym used for the child or adult, for example Child A",
            "incident_description": "Describe the incident",
        },
    )
    check_each(
        not_future,
        details,
        {
            "incident_on": "The incident date",
            "became_aware_on": "The date the partnership became aware",
            "panel_notified_on": "The date the Panel was notified",
            "la_became_aware_on": "The date the local authority became aware",
        },
    )
    not_before(
        details.la_became_aware_on,
        details.incident_on,
        "la_became_aware_on",
        "The date the local authority became aware must be the same as or after the incident date",
    )
    if (details.la_became_aware_on or details.looked_after_child_died) and not review_type.uses_event(
        "la_became_aware"
    ):
        raise DomainError(
            f"A {review_type.code} records no local authority notification", field="la_became_aware_on"
        )
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
        la_became_aware_on=details.la_became_aware_on,
        looked_after_child_died=details.looked_after_child_died,
        panel_notified_on=details.panel_notified_on,
        notifying_organisation=details.notifying_organisation.strip(),
        notifying_person=details.notifying_person.strip(),
    )
    review.linked_reviews = linked
    db.session.add(review)
    review.flag_agencies("known_at_referral", details.known_agencies)
    audit.record("review_created", f"{reference} created: {review.pseudonym}", subject=review, review=review)
    return finish(review)


def _referral_snapshot(review: Review) -> dict[str, Any]:
    referral = review.referral
    return {
        "pseudonym": review.pseudonym,
        "incident_on": referral.incident_on,
        "incident_description": referral.incident_description,
        "became_aware_on": referral.became_aware_on,
        "la_became_aware_on": referral.la_became_aware_on,
        "looked_after_child_died": referral.looked_after_child_died,
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
    referral.la_became_aware_on = details.la_became_aware_on
    referral.looked_after_child_died = details.looked_after_child_died
    referral.panel_notified_on = details.panel_notified_on
    referral.notifying_organisation = details.notifying_organisation.strip()
    referral.notifying_person = details.notifying_person.strip()
    review.linked_reviews = linked
    review.flag_agencies("known_at_referral", details.known_agencies)
    review.updated_at = utcnow()  # the version moves even when only child rows changed
    db.session.flush()
    record_changes(review, "referral_updated", "Referral details changed", before, _referral_snapshot(review))
    return finish(review)
