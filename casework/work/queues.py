"""The work queues on each role's home page, built from the same finders as the daily digest
(``notifications.due`` for what has a due date, ``notifications.waiting`` for what waits on a
decision), so the home page and the morning's email say the same thing. Each queue costs a fixed
number of queries, one per kind, whatever the data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from casework.actions.models import Action, ActionStatus
from casework.actions.rag import Rag
from casework.agencies.contributions import ContributionRequest
from casework.auth.models import User
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.together import run_together
from casework.core.workdays import working_calendar
from casework.notifications.due import (
    MEASURES,
    SOURCES,
    DueItem,
    Window,
    appointment_items,
    appointments_query,
    as_items,
    due_query,
    notice_items,
    notices_query,
    open_from,
    open_query,
    open_review,
)
from casework.notifications.models import ReminderKind
from casework.notifications.rules import current_rules
from casework.notifications.waiting import (
    WAITING,
    WaitingItem,
    WaitingKind,
    waiting_from,
    waiting_items,
    waiting_query,
)
from casework.reviews.learning.models import BriefingRecipient
from casework.reviews.models import (
    AccuracyAnswer,
    AccuracyCheck,
    AssignmentRole,
    AssignmentStatus,
    Review,
    ReviewerAssignment,
)


@dataclass(frozen=True)
class QueueItem:
    """One line of a queue: a due date (with working days left) or the day a wait began."""

    kind: str  # what it is, in words ("Red action")
    review_id: int
    reference: str
    pseudonym: str
    what: str
    link: str
    due_on: date | None = None
    days_left: int | None = None  # working days; negative when overdue
    since: date | None = None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    # The names the days_left macro reads.
    @property
    def working_days_left(self) -> int | None:
        return self.days_left

    @property
    def status(self) -> str:
        return "overdue" if self.overdue else "due"

    @property
    def urgency(self) -> tuple[int, int, str]:
        """Overdue first (the most overdue first), then due soonest, then the longest waiting."""
        if self.days_left is not None:
            return (0 if self.overdue else 1, self.days_left, self.link)
        return (2, self.since.toordinal() if self.since else 0, self.link)


def _due(
    items: Iterable[DueItem], kind: str, link: Callable[[DueItem], str] | None = None
) -> list[QueueItem]:
    """``link``: where this person deals with it, when not where its owner does."""
    return [
        QueueItem(
            kind,
            i.review_id,
            i.reference,
            i.pseudonym,
            i.what,
            link(i) if link else i.link,
            i.due_on,
            i.days_left,
        )
        for i in items
    ]


def _waiting(items: Iterable[WaitingItem], kind: str) -> list[QueueItem]:
    return [
        QueueItem(kind, i.review_id, i.reference, i.pseudonym, i.what, i.link, since=i.since) for i in items
    ]


def by_urgency(items: Iterable[QueueItem]) -> list[QueueItem]:
    return sorted(items, key=lambda item: item.urgency)


def _window(today: date) -> Window:
    return Window(today, working_calendar(), current_rules())


# Lines shown per section of a queue: the most urgent. Ten years of work can leave thousands of red
# actions; a home page lists what to deal with first and says how many there are in all.
SHOWN = 10


def most_urgent(query: Select[Any], order: str, shown: int = SHOWN) -> Select[Any]:
    """The query's ``shown`` rows that come first by the column named ``order`` (a due date, or the
    day a wait began), each carrying ``in_all``, how many rows the whole query has: the database
    picks them, so the page gets no bigger as the rows pile up. For a kind bounded by the reviews
    running now: a window over its few rows is the cheapest statement to plan."""
    columns = list(query.selected_columns)
    ranked = query.add_columns(
        func.count().over().label("in_all"),
        func.row_number().over(order_by=(query.selected_columns[order], *columns[:5])).label("nth"),
    ).subquery()
    return select(*(column for column in ranked.c if column.key != "nth")).where(ranked.c.nth <= shown)


def most_urgent_of_many(query: Select[Any], order: str, shown: int = SHOWN) -> Select[Any]:
    """``most_urgent`` for a kind that piles up with the years (open actions, which stay until
    verified): the first rows are an ORDER BY with a LIMIT, which an index on the order's column
    reads from its start, and ``in_all`` a separate count of the query's rows, which an index can
    answer alone. A window over every row would sort them all, as slow as the years behind it."""
    columns = list(query.selected_columns)
    first = query.order_by(query.selected_columns[order], *columns[:5]).limit(shown).subquery()
    in_all = query.with_only_columns(func.count(), maintain_column_froms=True).scalar_subquery()
    return select(*first.c, in_all.label("in_all"))


def _in_all(rows: list[Any]) -> int:
    return rows[0].in_all if rows else 0


# --- the board manager's "Needs your attention" --------------------------------------------


def red_while_open(today: date) -> ColumnElement[bool]:
    """Red, for an action still open (neither completed nor verified): off track or past its
    deadline, as ``rag_sql`` says of such an action. Said in two plain comparisons, the database
    can estimate how many actions match and read them in order of deadline from an index."""
    return or_(Action.status == ActionStatus.OFF_TRACK, Action.deadline < today)


class Need(LabelledEnum):
    """A kind of thing a board manager deals with; the value is its section's anchor."""

    CLOCK = "clocks", "Statutory deadlines overdue or due soon"
    LATE_REQUEST = "late-contributions", "Late contributions"
    SUBMISSION = "submissions", "Submissions to accept or return"
    VERIFICATION = "verification", "Completed actions awaiting verification"
    DEADLINE_CHANGE = "deadline-changes", "Deadline changes asked for"
    APPOINTMENT = "appointments", "Appointments not accepted"
    ACCURACY = "accuracy", "Factual accuracy answers overdue"
    RED_ACTION = "red-actions", "Red actions"
    FINDING = "findings", "Anonymisation findings waiting for a decision"
    REMEASURE = "remeasures", "Outcome re-measures overdue or due soon"


@dataclass
class Attention:
    sections: dict[Need, list[QueueItem]]  # the most urgent lines of each kind
    totals: dict[Need, int]  # how many of each kind there are in all

    @property
    def counts(self) -> list[tuple[Need, int]]:
        return [(need, self.totals.get(need, 0)) for need in Need]

    @property
    def ordered(self) -> list[tuple[Need, list[QueueItem]]]:
        """The sections with something in them, the one holding the most urgent item first."""
        full = [(need, items) for need, items in self.sections.items() if items]
        return sorted(full, key=lambda section: (section[1][0].urgency, list(Need).index(section[0])))

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def attention(today: date) -> Attention:
    """Everything across the partnership waiting on a board manager: every kind's query run
    together as one statement (core.together), whatever the number of kinds, each kind's most
    urgent ``SHOWN`` lines with how many there are in all."""
    window = _window(today)
    red = red_while_open(today)
    request, accuracy = SOURCES[ReminderKind.REQUEST], SOURCES[ReminderKind.ACCURACY]
    action = SOURCES[ReminderKind.ACTION]
    # Each kind: its query and what turns its rows into the section's lines.
    kinds: list[tuple[Need, Select[Any], Callable[[list[Any]], list[QueueItem]]]] = [
        (
            Need.CLOCK,
            due_query(SOURCES[ReminderKind.CLOCK], window),
            lambda rows: _due(as_items(SOURCES[ReminderKind.CLOCK], window, rows), "Statutory deadline"),
        ),
        (
            Need.CLOCK,
            notices_query(window),
            lambda rows: _due(notice_items(window, rows), "Statutory deadline"),
        ),
        (
            Need.LATE_REQUEST,
            open_query(request, ContributionRequest.due_on < today),
            lambda rows: _due(as_items(request, window, rows), "Late contribution"),
        ),
        *(
            (need, waiting_query(WAITING[kind]), _waiting_lines(kind, words))
            for need, kind, words in (
                (Need.SUBMISSION, WaitingKind.SUBMISSION, "Submission"),
                (Need.VERIFICATION, WaitingKind.VERIFICATION, "To verify"),
                (Need.DEADLINE_CHANGE, WaitingKind.DEADLINE_CHANGE, "Deadline change"),
                (Need.FINDING, WaitingKind.FINDING, "Finding"),
            )
        ),
        (
            Need.APPOINTMENT,
            appointments_query(),
            lambda rows: _due(appointment_items(window, rows, every=True), "Appointment"),
        ),
        (
            Need.ACCURACY,
            open_query(accuracy, AccuracyCheck.due_on < today),
            # The answer's page is the agency's; the board sees the answers on the drafts page.
            lambda rows: _due(
                as_items(accuracy, window, rows),
                "Accuracy answer",
                lambda item: url_for("reviews.review_drafts", review_id=item.review_id),
            ),
        ),
        (
            Need.RED_ACTION,
            open_query(action, red),
            lambda rows: _due(as_items(action, window, rows), "Red action"),
        ),
        (
            Need.REMEASURE,
            due_query(MEASURES, window),
            lambda rows: _due(as_items(MEASURES, window, rows), "Re-measure"),
        ),
    ]
    found: dict[Need, list[QueueItem]] = {need: [] for need in Need}
    totals = dict.fromkeys(Need, 0)
    queries = [
        (most_urgent_of_many if need in _MANY else most_urgent)(query, _URGENT_FIRST.get(need, "due_on"))
        for need, query, _ in kinds
    ]
    for (need, _, lines), rows in zip(kinds, run_together(queries), strict=True):
        found[need].extend(lines(rows))
        totals[need] += _in_all(rows)
    return Attention({need: by_urgency(items)[:SHOWN] for need, items in found.items()}, totals)


# The kinds that pile up with the years; the others wait on reviews running now, a few each.
_MANY = {Need.RED_ACTION}

# The column each kind's lines are put in order of urgency by, where it is not the due date.
_URGENT_FIRST = {
    Need.SUBMISSION: "since",
    Need.VERIFICATION: "since",
    Need.DEADLINE_CHANGE: "since",
    Need.FINDING: "since",
    Need.APPOINTMENT: "assigned_at",  # offered first, due first
}


def every_line_of(need: Need) -> str | None:
    """Where a board manager finds every line of a kind beyond the most urgent, when a list of them
    exists (the action and contribution trackers, filtered)."""
    if need is Need.RED_ACTION:
        return url_for("actions.index", rag=Rag.RED.value)
    if need is Need.VERIFICATION:
        return url_for("actions.index", status=ActionStatus.COMPLETED.value)
    if need is Need.LATE_REQUEST:
        return url_for("agencies.contributions", overdue="1")
    return None


def _waiting_lines(kind: WaitingKind, words: str) -> Callable[[list[Any]], list[QueueItem]]:
    return lambda rows: _waiting(waiting_items(WAITING[kind], rows), words)


# --- the agency lead's "What your agency owes" ---------------------------------------------


@dataclass(frozen=True)
class Owed:
    """What an agency owes: the soonest due lines, how many are open in all, and the briefings."""

    items: list[QueueItem]
    in_all: int
    briefings: list[QueueItem]


def agency_owes(user: User, today: date, shown: int = SHOWN * 2) -> Owed:
    """The agency's open requests, accuracy checks and actions, the ``shown`` soonest due, then the
    learning briefings it has still to acknowledge, longest waiting first: four queries."""
    window, agency = _window(today), user.agency_id
    owed = [
        (SOURCES[ReminderKind.REQUEST], ContributionRequest.agency_id == agency, "Contribution request"),
        (SOURCES[ReminderKind.ACCURACY], AccuracyAnswer.agency_id == agency, "Factual accuracy check"),
        (SOURCES[ReminderKind.ACTION], Action.agency_id == agency, "Action"),
    ]
    items, in_all = [], 0
    for source, theirs, words in owed:
        # An agency's open actions pile up with the years; its requests and checks do not.
        pick = most_urgent_of_many if source.kind is ReminderKind.ACTION else most_urgent
        rows = db.session.execute(pick(open_query(source, theirs), "due_on", shown)).all()
        items += _due(as_items(source, window, rows), words)
        in_all += _in_all(rows)
    items.sort(key=lambda item: (item.due_on, item.kind, item.link))
    return Owed(items[:shown], in_all, briefings_to_acknowledge(agency))


def briefings_to_acknowledge(agency_id: int | None) -> list[QueueItem]:
    """Learning briefings sent to the agency and not yet acknowledged: one query. They have no
    due date; they wait on the agency from the day they were sent."""
    rows = db.session.execute(
        db.select(
            BriefingRecipient.id, BriefingRecipient.sent_on, Review.id, Review.reference, Review.pseudonym
        )
        .join(Review, Review.id == BriefingRecipient.review_id)
        .where(BriefingRecipient.agency_id == agency_id, BriefingRecipient.acknowledged_at.is_(None))
        .order_by(BriefingRecipient.sent_on, BriefingRecipient.id)
    ).all()
    return [
        QueueItem(
            "Learning briefing",
            review_id,
            reference,
            pseudonym,
            "Acknowledge the 7-minute briefing",
            url_for("briefings.received", briefing_recipient_id=recipient_id),
            since=sent_on,
        )
        for recipient_id, sent_on, review_id, reference, pseudonym in rows
    ]


# --- the reviewer's "Your tasks" -----------------------------------------------------------


@dataclass
class ReviewTasks:
    review_id: int
    reference: str
    pseudonym: str
    items: list[QueueItem] = field(default_factory=list)


def _lead_of(user: User) -> ColumnElement[bool]:
    """Reviews the user leads and has accepted: only the lead answers accuracy comments."""
    return Review.assignments.any(
        and_(
            ReviewerAssignment.reviewer_id == user.id,
            ReviewerAssignment.role == AssignmentRole.LEAD,
            ReviewerAssignment.status == AssignmentStatus.ACCEPTED,
        )
    )


def reviewer_tasks(user: User, today: date) -> list[ReviewTasks]:
    """Per review the user leads or co-reviews (accepted): contributions to read, comments to
    answer, deadlines running. Reviews with nothing to do are listed too, last."""
    window, session, mine = _window(today), db.session, Review.led_by(user)
    reviews = session.execute(
        db.select(Review.id, Review.reference, Review.pseudonym)
        .where(mine, open_review())
        .order_by(Review.reference)
    ).all()
    tasks = {row.id: ReviewTasks(row.id, row.reference, row.pseudonym) for row in reviews}
    items = [
        *_waiting(waiting_from(WAITING[WaitingKind.SUBMISSION], session, mine), "Contribution to read"),
        *_waiting(waiting_from(WAITING[WaitingKind.COMMENT], session, _lead_of(user)), "Comment to answer"),
        *_due(open_from(SOURCES[ReminderKind.CLOCK], window, session, mine), "Deadline"),
    ]
    for item in by_urgency(items):
        if item.review_id in tasks:
            tasks[item.review_id].items.append(item)
    return sorted(
        tasks.values(), key=lambda t: (not t.items, t.items[0].urgency if t.items else (), t.reference)
    )
