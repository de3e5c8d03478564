"""What is due soon or overdue on a given day: one set-based query per kind of reminder.

Each finder selects the open items whose due date falls within their review type's reminder
window (or has passed), with just the columns a reminder shows, so a pass costs the same few
queries over ten years of records as over ten. Working days left are counted in Python from one
table of cumulative working days, never day by day per item.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import ColumnElement, Date, Select, and_, case, exists, literal, not_

from casework.actions.models import Action, ActionStatus, Recommendation, RecommendationOutcome
from casework.agencies.contributions import AWAITING_AGENCY, ContributionRequest
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.display import format_date
from casework.core.timeutil import UK
from casework.core.workdays import WorkingCalendar
from casework.notifications.models import ReminderKind
from casework.notifications.rows import Page, Rows, Words, by_kind, worded
from casework.notifications.rules import Rules
from casework.reviews.models import (
    AccuracyAnswer,
    AccuracyCheck,
    AssignmentStatus,
    DraftVersion,
    NoticeRequirement,
    Review,
    ReviewDeadline,
    ReviewerAssignment,
    ReviewNotice,
    ReviewPause,
)
from casework.reviews.stages import ENDINGS

# Who answers for an item: an agency's leads, one named person, or the board managers.
AGENCY, PERSON, MANAGERS = "agency", "person", "managers"


@dataclass(frozen=True)
class Audience:
    kind: str  # AGENCY, PERSON or MANAGERS
    id: int | None = None


@dataclass(frozen=True)
class DueItem:
    """One thing due soon or overdue. Nothing here identifies a child or family: the review is
    named by its reference and pseudonym, the item by what it is."""

    kind: ReminderKind
    item: str  # "request:12", "clock:7:publication"...
    review_id: int
    reference: str
    pseudonym: str
    what: str
    due_on: date
    days_left: int  # working days; negative when overdue
    link: str
    owners: Audience
    escalate: bool  # overdue past the rule's escalation: the board managers are told too

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


class DayCounter:
    """Working days from ``today`` to any date in a range: weekdays counted by arithmetic, less the
    bank holidays and closure days among them, so a date ten years off costs what tomorrow does."""

    def __init__(self, calendar: WorkingCalendar, today: date, dates: Iterable[date]) -> None:
        days = [today, *dates]
        self.today = today
        self._off = calendar.weekdays_off(min(days), max(days))

    def _up_to(self, day: date) -> int:
        """Working days from the first day of the proleptic calendar (a Monday) up to ``day``."""
        weeks, rest = divmod(day.toordinal(), 7)
        return weeks * 5 + min(rest, 5) - bisect_right(self._off, day)

    def left(self, due: date) -> int:
        """Like WorkingCalendar.working_days_between(today, due): negative when overdue."""
        return self._up_to(due) - self._up_to(self.today)


@dataclass
class Window:
    """The day being reminded about, the calendar and the rules, for every finder."""

    today: date
    calendar: WorkingCalendar
    rules: Rules

    def limit(self, kind: ReminderKind) -> ColumnElement[Any]:
        """The last due date that is "due soon" for each review's type, as SQL."""
        default = self.calendar.add_working_days(self.today, self.rules.defaults[kind].due_soon)
        limits = {
            type_id: self.calendar.add_working_days(self.today, timing.due_soon)
            for (rule_kind, type_id), timing in self.rules.overrides.items()
            if rule_kind == kind
        }
        if not limits:
            return sql_date(default)
        return case(limits, value=Review.review_type_id, else_=sql_date(default))

    def escalates(self, kind: ReminderKind, review_type_id: int, days_left: int) -> bool:
        after = self.rules.timing(kind, review_type_id).escalate_after
        return after is not None and -days_left >= after


def sql_date(day: date) -> ColumnElement[Any]:
    return literal(day, Date)


def open_review() -> ColumnElement[bool]:
    """Reviews still running: not ended, not paused (nothing about a paused review is chased)."""
    paused = exists().where(ReviewPause.review_id == Review.id, ReviewPause.ended_on.is_(None))
    return and_(Review.stage.not_in(ENDINGS), not_(paused))


@dataclass(frozen=True)
class Described:
    item: str
    what: str
    link: str
    owners: Audience


@dataclass(frozen=True)
class Source:
    """One kind of thing with a due date: the query of the open ones (each row has the review's
    columns and ``due_on``, the due date) and, in words over a row, what the item is."""

    kind: ReminderKind
    query: Rows
    item: Words  # "request:{request_id}": the same thing is reminded of once a day at most
    what: Words
    page: Page
    owners: Callable[[Any], Audience]
    # Only while the review runs (not ended, not paused); False: whatever the review's stage.
    running_only: bool = True

    def running(self) -> tuple[ColumnElement[bool], ...]:
        return (open_review(),) if self.running_only else ()

    def due(self, query: Select[Any]) -> ColumnElement[Any]:
        """The due date's column of ``query`` (one of this source's), to filter or sort on."""
        return query.selected_columns.due_on

    def describe(self, row: Any) -> Described:
        return Described(
            worded(self.item, row), worded(self.what, row), self.page.link(row), self.owners(row)
        )


_REQUESTS = Rows(
    (
        ContributionRequest.id.label("request_id"),
        ContributionRequest.kind.label("asked"),
        ContributionRequest.due_on,
        Agency.id.label("agency_id"),
        Agency.name.label("agency"),
    ),
    joins=(ContributionRequest.review, ContributionRequest.agency),
    where=(ContributionRequest.status.in_(AWAITING_AGENCY),),
)


_ACCURACY_ANSWERS = Rows(
    (
        AccuracyAnswer.id.label("answer_id"),
        AccuracyCheck.due_on,
        DraftVersion.number,
        Agency.id.label("agency_id"),
        Agency.name.label("agency"),
    ),
    joins=(AccuracyAnswer.check, AccuracyCheck.version, DraftVersion.review, AccuracyAnswer.agency),
    where=(
        AccuracyAnswer.signed_off_at.is_(None),
        DraftVersion.final_signed_off_on.is_(None),  # a final version is checked no more
    ),
)


_CLOCKS = Rows(
    (ReviewDeadline.clock_key, ReviewDeadline.label, ReviewDeadline.due_on),
    joins=(ReviewDeadline.review,),
    where=(ReviewDeadline.running.is_(True), ReviewDeadline.due_on.is_not(None)),
)


_ACTIONS = Rows(
    (
        Action.id.label("action_id"),
        Action.deadline.label("due_on"),
        Action.agency_id,
        Action.owner_id,
        Recommendation.number,
    ),
    joins=(Action.review, Action.recommendation),
    where=(Action.status.not_in((ActionStatus.COMPLETED, ActionStatus.VERIFIED)),),
)


SOURCES: dict[ReminderKind, Source] = by_kind(
    Source(
        ReminderKind.REQUEST,
        _REQUESTS,
        "request:{request_id}",
        "{asked.label} from {agency}",
        Page("agencies.request_detail", request_id="request_id"),
        lambda r: Audience(AGENCY, r.agency_id),
    ),
    Source(
        ReminderKind.ACCURACY,
        _ACCURACY_ANSWERS,
        "accuracy:{answer_id}",
        "Factual accuracy answer on draft version {number} from {agency}",
        Page("reviews.accuracy_answer", answer_id="answer_id"),
        lambda r: Audience(AGENCY, r.agency_id),
    ),
    Source(
        ReminderKind.CLOCK,
        _CLOCKS,
        "clock:{id}:{clock_key}",
        "{label}",
        Page("reviews.review_detail", review_id="id"),
        lambda r: Audience(MANAGERS),
    ),
    Source(
        ReminderKind.ACTION,
        _ACTIONS,
        "action:{action_id}",
        # The description is free text: an action is named by its recommendation.
        "Action on recommendation {number}",
        Page("actions.action_detail", action_id="action_id"),
        lambda r: Audience(AGENCY, r.agency_id) if r.agency_id else Audience(PERSON, r.owner_id),
    ),
)


_MEASURES = Rows(
    (
        Recommendation.id.label("recommendation_id"),
        Recommendation.number,
        RecommendationOutcome.remeasure_on.label("due_on"),
        RecommendationOutcome.owner_id,
    ),
    joins=(RecommendationOutcome.recommendation, Recommendation.review),
    where=(RecommendationOutcome.is_open(),),
)


# Re-measures fall due long after a review has closed (closing needs every action verified, and
# impact shows later), so they are chased whatever the review's stage. Not one of SOURCES: the
# calendar feed, which lists the deadlines of running reviews, leaves them out.
MEASURES = Source(
    ReminderKind.MEASURE,
    _MEASURES,
    "measure:{recommendation_id}",
    "Re-measure the outcome of recommendation {number}",
    Page("reviews.review_outcome", review_id="id", recommendation_id="recommendation_id"),
    lambda r: Audience(PERSON, r.owner_id),
    running_only=False,
)


def due_query(source: Source, window: Window, *where: ColumnElement[bool]) -> Select[Any]:
    query = source.query.select()
    return query.where(source.due(query) <= window.limit(source.kind), *source.running(), *where)


def due_from(source: Source, window: Window, session: Any, *where: ColumnElement[bool]) -> list[DueItem]:
    """The source's open items due within their type's window or overdue, in one query; ``where``
    narrows them further (one person's or one agency's)."""
    return as_items(source, window, session.execute(due_query(source, window, *where)).all())


def open_query(source: Source, *where: ColumnElement[bool]) -> Select[Any]:
    return source.query.select().where(*source.running(), *where)


def open_from(source: Source, window: Window, session: Any, *where: ColumnElement[bool]) -> list[DueItem]:
    """Every open item of the source, however far off its due date, in one query: a person's
    own queue lists all they owe, where the digest only chases what falls in its window."""
    return as_items(source, window, session.execute(open_query(source, *where)).all())


def as_items(source: Source, window: Window, rows: Any) -> list[DueItem]:
    counter = DayCounter(window.calendar, window.today, (row.due_on for row in rows))
    return [
        _due_item(source.kind, row, source.describe(row), row.due_on, counter.left(row.due_on), window)
        for row in rows
    ]


def _due_item(
    kind: ReminderKind, row: Any, described: Described, due: date, left: int, window: Window
) -> DueItem:
    """A row's item: its review's columns, what the item is, and whether it escalates by the rule
    of its review's type."""
    return DueItem(
        kind,
        described.item,
        row.id,
        row.reference,
        row.pseudonym,
        described.what,
        due,
        left,
        described.link,
        described.owners,
        window.escalates(kind, row.review_type_id, left),
    )


def due_appointments(window: Window, session: Any, every: bool = False) -> list[DueItem]:
    """Appointments offered and not yet accepted: "due" N working days after the offer. Few are
    ever waiting, so the offer day is turned into a due date here rather than in SQL. ``every``:
    also those offered too recently to chase (a board manager's home lists them all)."""
    return appointment_items(window, session.execute(appointments_query()).all(), every)


_APPOINTMENTS = Rows(
    (
        ReviewerAssignment.id.label("assignment_id"),
        ReviewerAssignment.role,
        ReviewerAssignment.assigned_at,
        User.name.label("reviewer"),
    ),
    joins=(ReviewerAssignment.review, ReviewerAssignment.reviewer),
    where=(ReviewerAssignment.status == AssignmentStatus.PROPOSED, open_review()),
)


def appointments_query() -> Select[Any]:
    return _APPOINTMENTS.select()


def appointment_items(window: Window, rows: Any, every: bool = False) -> list[DueItem]:
    kind = ReminderKind.APPOINTMENT
    waiting = []
    for row in rows:
        offered = row.assigned_at.astimezone(UK).date()
        after = window.rules.timing(kind, row.review_type_id).due_soon
        due = window.calendar.add_working_days(offered, after)
        if every or due <= window.today:
            waiting.append((row, offered, due))
    counter = DayCounter(window.calendar, window.today, (due for _, _, due in waiting))
    items = []
    for row, offered, due in waiting:
        described = Described(
            f"appointment:{row.assignment_id}",
            f"{row.role.label} appointment offered to {row.reviewer} on {format_date(offered)}, "
            "not yet accepted",
            url_for("reviews.review_detail", review_id=row.id),
            Audience(MANAGERS),
        )
        items.append(_due_item(kind, row, described, due, counter.left(due), window))
    return items


_NOTICES = Rows(
    (
        ReviewNotice.id.label("notice_id"),
        ReviewNotice.due_on,
        NoticeRequirement.label,
        NoticeRequirement.recipients,
    ),
    joins=(ReviewNotice.review, ReviewNotice.requirement),
    where=(ReviewNotice.open_and_owed(), ReviewNotice.due_on.is_not(None)),
)


# Statutory notices, reminded of with the clocks. A notice is owed even when the review has ended
# (a looked-after child's death, a decision not to hold a review) or is paused: the national
# bodies are told regardless.
NOTICES = Source(
    ReminderKind.CLOCK,
    _NOTICES,
    "notice:{notice_id}",
    lambda r: f"Notice: {r.label} (to {', '.join(r.recipients)})",
    Page("reviews.review_notice", review_id="id", notice_id="notice_id"),
    lambda r: Audience(MANAGERS),
    running_only=False,
)


def due_notices(window: Window, session: Any, *where: ColumnElement[bool]) -> list[DueItem]:
    """Statutory notices owed and due within the clocks' window, or overdue, in one query."""
    return due_from(NOTICES, window, session, *where)


def notices_query(window: Window, *where: ColumnElement[bool]) -> Select[Any]:
    return due_query(NOTICES, window, *where)


def notice_items(window: Window, rows: Any) -> list[DueItem]:
    return as_items(NOTICES, window, rows)


def everything_due(window: Window, session: Any) -> list[DueItem]:
    found = [item for source in (*SOURCES.values(), MEASURES) for item in due_from(source, window, session)]
    return found + due_appointments(window, session)
