"""The daily pass: who is reminded of what on a given day, the record of each reminder, and one
digest email and one notification per person.

Everything is written with the unique keys of the rows (a reminder: person, item and day; the
digest: person, "digest", "daily" and day), each insert doing nothing when its key exists: a pass
re-run the same day, or two passes running at once on two servers, add nothing the first did not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite

from casework.auth.models import Role, User
from casework.core.display import format_date
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.core.workdays import working_calendar
from casework.notifications.due import AGENCY, MANAGERS, PERSON, DueItem, Window, everything_due
from casework.notifications.models import OutboxMessage, Reminder, ReminderKind
from casework.notifications.outbox import add_notification, message_key, queue_mail
from casework.notifications.rules import current_rules
from casework.notifications.telling import absolute, render_mail

DIGEST = ("digest", "daily")  # the digest's kind and item in its outbox and notification keys
CHUNK = 500  # keys per lookup: well inside every database's limit on bound parameters


@dataclass(frozen=True)
class Line:
    item: DueItem
    escalated: bool


@dataclass
class PersonReport:
    user_id: int
    email: str
    lines: int
    escalations: int
    reminders_added: int = 0
    digest_queued: bool = False


@dataclass
class PassReport:
    day: date
    dry_run: bool
    working_day: bool = True  # no pass on weekends, bank holidays and closure days
    items: int = 0
    people: list[PersonReport] = field(default_factory=list)

    @property
    def digests(self) -> int:
        return sum(person.digest_queued for person in self.people)

    @property
    def reminders(self) -> int:
        return sum(person.reminders_added for person in self.people)


def _recipients(items: list[DueItem]) -> dict[int, User]:
    """Everyone an item concerns, active accounts only, in one query."""
    agencies = {item.owners.id for item in items if item.owners.kind == AGENCY}
    people = {item.owners.id for item in items if item.owners.kind == PERSON}
    if not items:
        return {}
    found = db.session.execute(
        select(User).where(
            User.active.is_(True),
            or_(
                User.role == Role.BOARD_MANAGER,
                (User.role == Role.AGENCY_LEAD) & User.agency_id.in_(agencies),
                User.id.in_(people),
            ),
        )
    ).scalars()
    return {user.id: user for user in found}


def lines_by_person(items: list[DueItem], users: dict[int, User]) -> dict[int, dict[str, Line]]:
    """Each person's lines, one per item; an escalation outranks a reminder of the same item."""
    managers = [u.id for u in users.values() if u.role == Role.BOARD_MANAGER]
    leads: dict[int | None, list[int]] = {}
    for user in users.values():
        if user.role == Role.AGENCY_LEAD:
            leads.setdefault(user.agency_id, []).append(user.id)
    lines: dict[int, dict[str, Line]] = {}
    for item in items:
        owners = {
            AGENCY: lambda i=item: leads.get(i.owners.id, []),
            PERSON: lambda i=item: [i.owners.id] if i.owners.id in users else [],
            MANAGERS: lambda: managers,
        }[item.owners.kind]()
        for user_id in owners:
            lines.setdefault(user_id, {})[item.item] = Line(item, item.escalate and user_id in managers)
        if item.escalate:
            for user_id in managers:
                lines.setdefault(user_id, {})[item.item] = Line(item, True)
    return lines


def insert_new(model: type[Any], rows: list[dict[str, Any]]) -> list[str]:
    """Insert the rows whose key is new, in key order (two passes never wait on each other in a
    circle); the keys inserted. One statement run over the rows: the driver sends them in batches."""
    if not rows:
        return []
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = model.__table__
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)
    rows = sorted(rows, key=lambda row: row["key"])
    return list(db.session.connection().execute(statement, rows).scalars())


def reminder_key(user_id: int, line: Line, day: date) -> str:
    return f"{user_id}:{line.item.item}:{day.isoformat()}"


def _reminder_rows(day: date, lines: dict[int, dict[str, Line]]) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "key": reminder_key(user_id, line, day),
            "user_id": user_id,
            "kind": line.item.kind,
            "item": line.item.item,
            "review_id": line.item.review_id,
            "day": day,
            "escalated": line.escalated,
            "by_id": None,
            "created_at": now,
        }
        for user_id, mine in lines.items()
        for line in mine.values()
    ]


def _existing(model: type[Any], keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        found.update(db.session.execute(select(model.key).where(model.key.in_(chunk))).scalars())
    return found


def _when(item: DueItem) -> str:
    days = abs(item.days_left)
    plural = "working day" if days == 1 else "working days"
    if item.days_left < 0:
        return f"{days} {plural} overdue"
    return "due today" if days == 0 else f"{days} {plural} left"


def _link(line: Line) -> str:
    """Where the line takes its reader. An accuracy answer's page is the agency's own: the board
    managers it is escalated to follow it on the review's drafts page."""
    if line.escalated and line.item.kind == ReminderKind.ACCURACY:
        return url_for("reviews.review_drafts", review_id=line.item.review_id)
    return line.item.link


def digest_sections(lines: list[Line]) -> list[tuple[str, list[dict[str, str]]]]:
    """Escalations first, then overdue (most overdue first), then due soon (soonest first)."""
    ordered = sorted(lines, key=lambda line: (line.item.due_on, line.item.reference, line.item.item))
    groups = [
        ("Escalated to you", [line for line in ordered if line.escalated]),
        ("Overdue", [line for line in ordered if not line.escalated and line.item.overdue]),
        ("Due soon", [line for line in ordered if not line.escalated and not line.item.overdue]),
    ]
    return [
        (
            title,
            [
                {
                    "review": f"{line.item.reference} ({line.item.pseudonym})",
                    "what": line.item.what,
                    "due": format_date(line.item.due_on),
                    "when": _when(line.item),
                    "url": absolute(_link(line)),
                }
                for line in group
            ],
        )
        for title, group in groups
        if group
    ]


def _count(lines: int) -> str:
    return "1 thing is" if lines == 1 else f"{lines} things are"


def _send_digest(person: User, lines: list[Line], day: date) -> bool:
    summary = f"{_count(len(lines))} due or overdue"
    subject = f"{summary}: your Casework digest for {format_date(day)}"
    text, html = render_mail(
        "digest", subject=subject, sections=digest_sections(lines), day=format_date(day), url=absolute("/")
    )
    queued = queue_mail(person, *DIGEST, subject, text, html, day=day)
    add_notification(person, *DIGEST, summary, url_for("main.index"), day=day)
    return queued


@contextmanager
def _paths() -> Iterator[None]:
    """Links are made with url_for, which needs a request; a worker or the CLI has none."""
    with nullcontext() if has_request_context() else current_app.test_request_context("/"):
        yield


def daily_pass(day: date, dry_run: bool = False) -> PassReport:
    """Find what is due or overdue on ``day``, record a reminder per person and item, and queue
    each person's digest, in the session's transaction (the caller commits). A dry run reads only."""
    calendar = working_calendar()
    if not calendar.is_working_day(day):
        return PassReport(day, dry_run, working_day=False)
    with _paths():
        items = everything_due(Window(day, calendar, current_rules()), db.session)
        users = _recipients(items)
        lines = lines_by_person(items, users)
        report = PassReport(day, dry_run, items=len(items))
        rows = _reminder_rows(day, lines)
        # Digests already sent today are not drawn again (their insert would do nothing anyway).
        sent = _existing(OutboxMessage, [message_key(users[u], *DIGEST, day) for u in lines])
        if dry_run:
            keys = [row["key"] for row in rows]
            added = set(keys) - _existing(Reminder, keys)
        else:
            added = set(insert_new(Reminder, rows))
        for user_id in sorted(lines):
            person, mine = users[user_id], list(lines[user_id].values())
            entry = PersonReport(user_id, person.email, len(mine), sum(line.escalated for line in mine))
            entry.reminders_added = sum(reminder_key(user_id, line, day) in added for line in mine)
            unsent = message_key(person, *DIGEST, day) not in sent
            entry.digest_queued = unsent if dry_run else unsent and _send_digest(person, mine, day)
            report.people.append(entry)
    return report


def run_daily_pass(day: date, dry_run: bool = False) -> PassReport:
    """The pass as a unit of work, for the queue's daily job and the command line: committed, or,
    for a dry run (and on any error), rolled back."""
    try:
        report = daily_pass(day, dry_run)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report
