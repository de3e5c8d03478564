"""A review in drafting, with its identifying details recorded, and the people events concern:
two board managers, three reviewers, two leads of agency X (one who wants no mail), a lead of Y
and an inactive lead of X. Built through the services (``copied_world``: once per process, then
put back from its copy, tests.support.copies)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import Flask
from sqlalchemy import select

from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.notifications.models import Notification, OutboxMessage
from casework.notifications.queue import huey
from casework.reviews.models import Review
from casework.reviews.referral.identifiers import PersonDetails, save_identifiers
from tests.support.copies import replayed_in_context
from tests.support.people import THREE_AGENCIES, make_cast, make_user
from tests.support.reviews import make_review

# What identifies the family: none of it may appear in anything people are told.
CHILD, CARER = "Marigold Thistlewaite", "Bartholomew Thistlewaite"
BORN = date(2025, 3, 14)
ADDRESS = "14 Larkspur Close, Northshire NS1 4QT"
IDENTIFYING = (
    "Marigold",
    "Thistlewaite",
    "Bartholomew",
    "Larkspur",
    "NS1 4QT",
    "14 March 2025",
    "2025-03-14",
)
PSEUDONYM = "Child Rowan"


@dataclass
class World:
    review_id: int
    reference: str
    people: dict[str, int] = field(default_factory=dict)
    agencies: dict[str, int] = field(default_factory=dict)

    def user(self, key: str) -> User:
        found = db.session.get(User, self.people[key])
        assert found is not None
        return found

    def review(self) -> Review:
        found = db.session.get(Review, self.review_id)
        assert found is not None
        return found


def copied_world(app: Flask) -> World:
    """The world in the emptied database, before the test opens its app context."""

    def build() -> World:
        world = build_world()
        # The mail its building queued was deleted with the rest of what it told people: the
        # tasks waking delivery for it go too.
        huey.flush()
        return world

    return replayed_in_context(app, "notifications world", build)


def build_world() -> World:
    """Inside an app context: the world, committed."""
    cast = make_cast({key: THREE_AGENCIES[key] for key in ("X", "Y")})
    people = dict(cast.user_ids)
    people["M2"] = make_user(Role.BOARD_MANAGER, name="Sam Second").id
    people["LX2"] = make_user(Role.AGENCY_LEAD, name="Quinn Quiet", agency=cast.agency("X")).id
    people["LX_off"] = make_user(Role.AGENCY_LEAD, name="Olly Gone", agency=cast.agency("X"), active=False).id
    quiet = db.session.get(User, people["LX2"])
    assert quiet is not None
    quiet.immediate_mail = False  # told in the app only
    manager = cast.user("board_manager")
    review = make_review(
        "CSPR",
        "drafting",
        by=manager,
        agencies=[cast.agency("X"), cast.agency("Y")],
        reviewer=cast.user("R1"),
        pseudonym=PSEUDONYM,
    )
    review = db.session.get(Review, review.id)
    assert review is not None
    save_identifiers(
        review,
        [PersonDetails(CHILD, date_of_birth=BORN)],
        [PersonDetails(CARER, relationship_to_child="Father")],
        ADDRESS,
        None,
        manager,
    )
    # What building the world told people is not what the tests look at.
    db.session.execute(db.delete(Notification))
    db.session.execute(db.delete(OutboxMessage))
    db.session.commit()
    return World(review.id, review.reference, people, dict(cast.agency_ids))


def notified(kind: str) -> dict[int, Notification]:
    """The notifications of this kind, by recipient."""
    rows = db.session.execute(select(Notification).where(Notification.kind == kind)).scalars()
    return {row.user_id: row for row in rows}


def mailed(kind: str) -> dict[int, OutboxMessage]:
    rows = db.session.execute(select(OutboxMessage).where(OutboxMessage.kind == kind)).scalars()
    return {row.recipient_id: row for row in rows if row.recipient_id is not None}


def counts() -> tuple[int, int]:
    return (
        db.session.execute(select(db.func.count(Notification.id))).scalar_one(),
        db.session.execute(select(db.func.count(OutboxMessage.id))).scalar_one(),
    )
