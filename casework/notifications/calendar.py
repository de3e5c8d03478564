"""A person's calendar feed: the deadlines that concern them, at a secret address their calendar
program reads (it cannot sign in). Only a hash of the address's token is kept; resetting it
retires the old address. Events name the review by reference and pseudonym, never the family.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event
from sqlalchemy import ColumnElement, false, select

from casework.actions.models import Action
from casework.agencies.contributions import ContributionRequest
from casework.auth.models import Role, User
from casework.core import audit
from casework.core.display import format_date
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.notifications.due import SOURCES
from casework.notifications.models import ReminderKind
from casework.notifications.telling import absolute
from casework.reviews.models import AccuracyAnswer, AccuracyCheck, Review
from casework.reviews.stages import ENDINGS


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_calendar_address(person: User) -> str:
    """Give ``person`` a new feed address (retiring any old one); the token, shown once."""
    token = secrets.token_urlsafe(32)
    reset = person.calendar_token_hash is not None
    person.calendar_token_hash = _digest(token)
    audit.record(
        "calendar_address_reset" if reset else "calendar_address_created",
        "Calendar feed address reset; the old address no longer works"
        if reset
        else "Calendar feed address created",
        subject=person,
        actor=person,
    )
    return token


def person_for_token(token: str) -> User | None:
    """The active person whose feed this is; None for an unknown, retired or switched-off one."""
    if not token or len(token) > 100:
        return None
    return db.session.execute(
        select(User).where(User.calendar_token_hash == _digest(token), User.active.is_(True))
    ).scalar_one_or_none()


def _concerning(person: User) -> dict[ReminderKind, ColumnElement[bool]]:
    """Which deadlines of each kind concern ``person``: an agency lead, their agency's requests,
    accuracy answers and actions; a board manager, the requests and checks they sent and the
    actions they own; and everyone, the statutory clocks of the reviews they may see."""
    if person.role == Role.AGENCY_LEAD:
        agency = person.agency_id
        mine = {
            ReminderKind.REQUEST: ContributionRequest.agency_id == agency,
            ReminderKind.ACCURACY: AccuracyAnswer.agency_id == agency,
            ReminderKind.ACTION: Action.agency_id == agency,
        }
    elif person.role == Role.BOARD_MANAGER:
        mine = {
            ReminderKind.REQUEST: ContributionRequest.requested_by_id == person.id,
            ReminderKind.ACCURACY: AccuracyCheck.shared_by_id == person.id,
            ReminderKind.ACTION: Action.owner_id == person.id,
        }
    else:
        mine = {}
    clocks = {ReminderKind.CLOCK: Review.visible_to(person)}
    return {kind: mine.get(kind, false()) for kind in SOURCES} | clocks


def deadlines_for(person: User) -> list[tuple[Any, Any]]:
    """(row, described) for every open deadline that concerns ``person``: one query per kind."""
    found = []
    for kind, condition in _concerning(person).items():
        source = SOURCES[kind]
        query = source.query.select().where(condition, Review.stage.not_in(ENDINGS))
        query = query.order_by(source.due(query))
        found.extend((row, source.describe(row)) for row in db.session.execute(query).all())
    return found


def feed_for(person: User) -> bytes:
    """The ICS feed: an all-day event per deadline, with a UID that stays the same for the same
    deadline, so calendar programs update an event rather than add another."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "casework"
    calendar = Calendar()
    calendar.add("prodid", "-//Casework//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Casework deadlines ({current_app.config['PARTNERSHIP_NAME']})")
    stamp: datetime = utcnow()
    for row, described in deadlines_for(person):
        due: date = row.due_on
        event = Event()
        event.add("uid", f"{described.item.replace(':', '-')}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add("summary", f"{row.reference}: {described.what}")
        event.add(
            "description",
            f"{row.reference} ({row.pseudonym}): {described.what}, due {format_date(due)}.\n"
            f"{absolute(described.link)}",
        )
        event.add("url", absolute(described.link))
        event.add("transp", "TRANSPARENT")  # a deadline, not time taken
        calendar.add_component(event)
    return calendar.to_ical()
