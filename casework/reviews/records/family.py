"""The family's involvement in a review: contacts (when, who, how), consent, specialist advocacy
(for a domestic homicide review, offered at the first meeting), their input to the terms of
reference and to the draft, and what was shared with them and when. Identifying-adjacent: the
review's board managers keep it and its lead reviewer reads it; never on public pages or in mail,
and the timeline says only what kind of entry was made and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from casework.auth.models import User
from casework.core.display import format_date
from casework.core.errors import DomainError, check_version
from casework.core.extensions import db
from casework.core.rows import all_rows
from casework.reviews.guards import not_before, not_future, required
from casework.reviews.lifecycle import check_open, on_timeline
from casework.reviews.models import FamilyContact, FamilyContactKind, Review


@dataclass
class ContactDetails:
    kind: FamilyContactKind | None = None
    happened_on: date | None = None
    who: str = ""
    how: str = ""
    summary: str = ""


def _checked(review: Review, details: ContactDetails) -> dict[str, object]:
    required(details.kind, "kind", "Select what kind of involvement this was")
    required(details.happened_on, "happened_on", "Enter the date")
    not_future(details.happened_on, "happened_on", "The date")
    not_before(
        details.happened_on,
        review.referral.became_aware_on,
        "happened_on",
        "The date cannot be before the partnership became aware of the case",
    )
    required(details.who, "who", "Say who in the family, by their relationship (for example: mother)")
    return {
        "kind": details.kind,
        "happened_on": details.happened_on,
        "who": details.who.strip(),
        "how": details.how.strip(),
        "summary": details.summary.strip(),
    }


def add_contact(review: Review, details: ContactDetails, by: User) -> FamilyContact:
    check_open(review)
    if not review.can_manage(by):
        raise DomainError("Only a board manager can record the family's involvement")
    contact = FamilyContact(review=review, recorded_by=by, **_checked(review, details))
    db.session.add(contact)
    on_timeline(
        review,
        "family_involvement_recorded",
        f"Family involvement recorded: {contact.kind.label}, {format_date(contact.happened_on)}",
        details={"kind": contact.kind.value, "on": contact.happened_on.isoformat()},
    )
    return contact


def update_contact(contact: FamilyContact, details: ContactDetails, version: int | None) -> FamilyContact:
    check_version(contact, version, "this entry")
    check_open(contact.review)
    values = _checked(contact.review, details)
    if all(getattr(contact, key) == value for key, value in values.items()):
        return contact
    for key, value in values.items():
        setattr(contact, key, value)
    on_timeline(
        contact.review,
        "family_involvement_updated",
        f"Family involvement corrected: {contact.kind.label}, {format_date(contact.happened_on)}",
        details={"kind": contact.kind.value, "on": contact.happened_on.isoformat()},
    )
    return contact


def contacts_of(review: Review) -> list[FamilyContact]:
    return all_rows(
        FamilyContact,
        FamilyContact.review_id == review.id,
        order_by=(FamilyContact.happened_on, FamilyContact.id),
    )


def advocacy_offered(contacts: list[FamilyContact]) -> FamilyContact | None:
    """The first offer of specialist advocacy, which a DHR makes at the first meeting."""
    return next((c for c in contacts if c.kind == FamilyContactKind.ADVOCACY_OFFERED), None)
