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
from sqlalchemy import ColumnElement, Date, Select, and_, case, exists, literal, not_, select

from casework.actions.models import Action, ActionStatus, Recommendation, RecommendationOutcome
from casework.agencies.contributions import AWAITING_AGENCY, ContributionRequest
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.display import format_date
from casework.core.timeutil import UK
from casework.core.workdays import WorkingCalendar
from casework.notifications.models import ReminderKind
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


REVIEW_COLUMNS = (Review.id, Review.reference, Review.pseudonym, Review.review_type_id)


@dataclass(frozen=True)
class Described:
    item: str
    what: str
    link: str
    owners: Audience


@dataclass(frozen=True)
class Source:
    """One kind of thing with a due date: the query of the open ones (each row has the review's
    columns and ``due_on``), the due date's column to filter on, and what a row is."""

    kind: ReminderKind
    query: Callable[[], Select[Any]]
    due: Callable[[], ColumnElement[Any]]
    describe: Callable[[Any], Described]
    # Only while the review runs (not ended, not paused); False: whatever the review's stage.
    running_only: bool = True

    def running(self) -> tuple[ColumnElement[bool], ...]:
        return (open_review(),) if self.running_only else ()


def _requests() -> Select[Any]:
    return (
        select(
            *REVIEW_COLUMNS,
            ContributionRequest.id.label("request_id"),
            ContributionRequest.kind.label("asked"),
            ContributionRequest.due_on,
            Agency.id.label("agency_id"),
            Agency.name.label("agency"),
        )
        .join(Review, ContributionRequest.review_id == Review.id)
        .join(Agency, ContributionRequest.agency_id == Agency.id)
        .where(ContributionRequest.status.in_(AWAITING_AGENCY))
    )


def _accuracy_answers() -> Select[Any]:
    return (
        select(
            *REVIEW_COLUMNS,
            AccuracyAnswer.id.label("answer_id"),
            AccuracyCheck.due_on,
            DraftVersion.number,
            Agency.id.label("agency_id"),
            Agency.name.label("agency"),
        )
        .join(AccuracyCheck, AccuracyAnswer.check_id == AccuracyCheck.id)
        .join(DraftVersion, AccuracyCheck.version_id == DraftVersion.id)
        .join(Review, DraftVersion.review_id == Review.id)
        .join(Agency, AccuracyAnswer.agency_id == Agency.id)
        .where(
            AccuracyAnswer.signed_off_at.is_(None),
            DraftVersion.final_signed_off_on.is_(None),  # a final version is checked no more
        )
    )


def _clocks() -> Select[Any]:
    return (
        select(*REVIEW_COLUMNS, ReviewDeadline.clock_key, ReviewDeadline.label, ReviewDeadline.due_on)
        .join(Review, ReviewDeadline.review_id == Review.id)
        .where(ReviewDeadline.running.is_(True), ReviewDeadline.due_on.is_not(None))
    )


def _actions() -> Select[Any]:
    return (
        select(
            *REVIEW_COLUMNS,
            Action.id.label("action_id"),
            Action.deadline.label("due_on"),
            Action.agency_id,
            Action.owner_id,
            Recommendation.number,
        )
        .join(Review, Action.review_id == Review.id)
        .join(Recommendation, Action.recommendation_id == Recommendation.id)
        .where(Action.status.not_in((ActionStatus.COMPLETED, ActionStatus.VERIFIED)))
    )


SOURCES: dict[ReminderKind, Source] = {
    source.kind: source
    for source in (
        Source(
            ReminderKind.REQUEST,
            _requests,
            lambda: ContributionRequest.due_on,
            lambda r: Described(
                f"request:{r.request_id}",
                f"{r.asked.label} from {r.agency}",
                url_for("agencies.request_detail", request_id=r.request_id),
                Audience(AGENCY, r.agency_id),
            ),
        ),
        Source(
            ReminderKind.ACCURACY,
            _accuracy_answers,
            lambda: AccuracyCheck.due_on,
            lambda r: Described(
                f"accuracy:{r.answer_id}",
                f"Factual accuracy answer on draft version {r.number} from {r.agency}",
                url_for("reviews.accuracy_answer", answer_id=r.answer_id),
                Audience(AGENCY, r.agency_id),
            ),
        ),
        Source(
            ReminderKind.CLOCK,
            _clocks,
            lambda: ReviewDeadline.due_on,
            lambda r: Described(
                f"clock:{r.id}:{r.clock_key}",
                r.label,
                url_for("reviews.review_detail", review_id=r.id),
                Audience(MANAGERS),
            ),
        ),
        Source(
            ReminderKind.ACTION,
            _actions,
            lambda: Action.deadline,
            lambda r: Described(
                f"action:{r.action_id}",
                # The description is free text: an action is named by its recommendation.
                f"Action on recommendation {r.number}",
                url_for("actions.action_detail", action_id=r.action_id),
                Audience(AGENCY, r.agency_id) if r.agency_id else Audience(PERSON, r.owner_id),
            ),
        ),
    )
}


def _measures() -> Select[Any]:
    return (
        select(
            *REVIEW_COLUMNS,
            Recommendation.id.label("recommendation_id"),
            Recommendation.number,
            RecommendationOutcome.remeasure_on.label("due_on"),
            RecommendationOutcome.owner_id,
        )
        .select_from(RecommendationOutcome)
        .join(Recommendation, RecommendationOutcome.recommendation_id == Recommendation.id)
        .join(Review, Recommendation.review_id == Review.id)
        .where(RecommendationOutcome.is_open())
    )


# Re-measures fall due long after a review has closed (closing needs every action verified, and
# impact shows later), so they are chased whatever the review's stage. Not one of SOURCES: the
# calendar feed, which lists the deadlines of running reviews, leaves them out.
MEASURES = Source(
    ReminderKind.MEASURE,
    _measures,
    lambda: RecommendationOutcome.remeasure_on,
    lambda r: Described(
        f"measure:{r.recommendation_id}",
        f"Re-measure the outcome of recommendation {r.number}",
        url_for("reviews.review_outcome", review_id=r.id, recommendation_id=r.recommendation_id),
        Audience(PERSON, r.owner_id),
    ),
    running_only=False,
)


def due_query(source: Source, window: Window, *where: ColumnElement[bool]) -> Select[Any]:
    return source.query().where(source.due() <= window.limit(source.kind), *source.running(), *where)


def due_from(source: Source, window: Window, session: Any, *where: ColumnElement[bool]) -> list[DueItem]:
    """The source's open items due within their type's window or overdue, in one query; ``where``
    narrows them further (one person's or one agency's)."""
    return as_items(source, window, session.execute(due_query(source, window, *where)).all())


def open_query(source: Source, *where: ColumnElement[bool]) -> Select[Any]:
    return source.query().where(*source.running(), *where)


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


def appointments_query() -> Select[Any]:
    return (
        select(
            *REVIEW_COLUMNS,
            ReviewerAssignment.id.label("assignment_id"),
            ReviewerAssignment.role,
            ReviewerAssignment.assigned_at,
            User.name.label("reviewer"),
        )
        .join(Review, ReviewerAssignment.review_id == Review.id)
        .join(User, ReviewerAssignment.reviewer_id == User.id)
        .where(ReviewerAssignment.status == AssignmentStatus.PROPOSED, open_review())
    )


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


def _notices() -> Select[Any]:
    return (
        select(
            *REVIEW_COLUMNS,
            ReviewNotice.id.label("notice_id"),
            ReviewNotice.due_on,
            NoticeRequirement.label,
            NoticeRequirement.recipients,
        )
        .join(Review, ReviewNotice.review_id == Review.id)
        .join(NoticeRequirement, ReviewNotice.requirement_id == NoticeRequirement.id)
        .where(ReviewNotice.open_and_owed(), ReviewNotice.due_on.is_not(None))
    )


def due_notices(window: Window, session: Any, *where: ColumnElement[bool]) -> list[DueItem]:
    """Statutory notices owed and due within the clocks' window, or overdue, in one query. A
    notice is owed even when the review has ended (a looked-after child's death, a decision not
    to hold a review) or is paused: the national bodies are told regardless."""
    return notice_items(window, session.execute(notices_query(window, *where)).all())


def notices_query(window: Window, *where: ColumnElement[bool]) -> Select[Any]:
    return _notices().where(ReviewNotice.due_on <= window.limit(ReminderKind.CLOCK), *where)


def notice_items(window: Window, rows: Any) -> list[DueItem]:
    counter = DayCounter(window.calendar, window.today, (row.due_on for row in rows))
    items = []
    for row in rows:
        described = Described(
            f"notice:{row.notice_id}",
            f"Notice: {row.label} (to {', '.join(row.recipients)})",
            url_for("reviews.review_notice", review_id=row.id, notice_id=row.notice_id),
            Audience(MANAGERS),
        )
        left = counter.left(row.due_on)
        items.append(_due_item(ReminderKind.CLOCK, row, described, row.due_on, left, window))
    return items


def everything_due(window: Window, session: Any) -> list[DueItem]:
    found = [item for source in (*SOURCES.values(), MEASURES) for item in due_from(source, window, session)]
    return found + due_appointments(window, session)
