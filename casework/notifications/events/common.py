"""What the events share: who is told, how a review is named, dates and links."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app

from casework.auth.models import User
from casework.core.display import format_date
from casework.core.extensions import db
from casework.notifications.telling import News, tell_all
from casework.reviews.models import Review


def path_for(endpoint: str, **values: Any) -> str:
    """The path of a page inside the app. Built from the URL map rather than ``url_for`` so it
    works outside a request too (the demo, commands); mail adds BASE_URL, the app its root."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def active_users(*conditions: Any) -> list[User]:
    query = db.select(User).where(User.active.is_(True), *conditions).order_by(User.id)
    return list(db.session.execute(query).scalars())


def agency_leads(agency_id: int | None) -> list[User]:
    """The active people who answer for the agency (none for a partnership record)."""
    if agency_id is None:
        return []
    return [user for user in active_users(User.agency_id == agency_id) if user.can_answer_for_agency()]


def review_managers(review: Review) -> list[User]:
    """The active people who may run the review (``review.can_manage``)."""
    return [user for user in active_users() if review.can_manage(user)]


def named(review: Review) -> str:
    """A review as every message names it: its reference and pseudonym, never a real name."""
    return f"{review.reference} ({review.pseudonym})"


def on(day: date) -> str:
    """A date in the UK style, as pages show it: 5 March 2027."""
    return format_date(day)


def announce(people: Iterable[User], news: News, by: User | None) -> int:
    """Tell each person once, leaving out the one who made the change; how many were told."""
    chosen: dict[int, User] = {}
    for person in people:
        if by is None or person.id != by.id:
            chosen.setdefault(person.id, person)
    return tell_all(list(chosen.values()), news)


@dataclass(frozen=True)
class Told:
    """What an event says, as templates filled in from the words of its record (``{review}``,
    ``{owner}``...): the subject after the review's name, the paragraphs, the link's words. Kept as
    data so that each event is one line of who is told, and every message reads in one place."""

    kind: str
    subject: str
    paragraphs: tuple[str, ...]
    action: str

    def news(
        self, item: str, link: str, words: Mapping[str, object], details: Sequence[tuple[str, str]]
    ) -> News:
        """The news about one record: filed under ``item``, linking to its page, with its details;
        ``words`` has the review's name as ``review``."""
        return News(
            kind=self.kind,
            item=item,
            subject=f"{words['review']}: {self.subject.format_map(words)}",
            paragraphs=tuple(paragraph.format_map(words) for paragraph in self.paragraphs),
            link=link,
            action=self.action,
            details=details,
        )
