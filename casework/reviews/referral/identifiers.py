"""The confidential identifying details of a review: who the children and their parents or carers are,
and where they live; and who has looked at them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from casework.auth.models import User
from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.reviews.guards import not_future
from casework.reviews.lifecycle import check_open, check_version, on_timeline
from casework.reviews.models import (
    MAX_CARERS,
    MAX_CHILDREN,
    ConfidentialRecord,
    IdentifiedPerson,
    PersonKind,
    Review,
)
from casework.reviews.publication.checks import recheck_after_identifiers_changed


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
    # The timeline says that identifiers changed, never what they are.
    on_timeline(
        review,
        "identifiers_updated",
        f"Identifying details of {review.reference} updated",
        touch=True,
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
