"""Chasing agencies by hand: a board manager selects requests on the contributions tracker and
sends a reminder now. Each of the agency's active leads is told once a day at most (a Reminder row
per person, request and day, inserted only if new), and the chase is kept on the request's
history and the audit trail. Everything is written in the request's one transaction: a refusal
sends nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from casework.agencies.contributions import ContributionRequest, RequestEvent
from casework.agencies.tracker import days_overdue
from casework.auth.models import Role, User
from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.request_guards import as_id
from casework.core.timeutil import utcnow
from casework.core.workdays import working_calendar
from casework.notifications.events.contributions import request_chased
from casework.notifications.models import Reminder, ReminderKind
from casework.notifications.reminders import insert_new
from casework.notifications.telling import tell

MOST_AT_ONCE = 200  # a page holds 25; more than this was not sent by the tracker


def chase_key(user_id: int, request_id: int, day: date) -> str:
    """One chase by hand per person, request and day. Apart from the daily pass's key, so the
    morning digest does not stop a board manager's reminder that afternoon, nor the reverse."""
    return f"{user_id}:request:{request_id}:{day.isoformat()}:chased"


@dataclass
class ChaseReport:
    chased: int = 0  # requests whose agency was told
    told: int = 0  # people told
    already: list[str] = field(default_factory=list)  # requests chased earlier today
    nobody: list[str] = field(default_factory=list)  # requests whose agency has no active lead

    @property
    def message(self) -> str:
        parts = []
        if self.chased:
            parts.append(
                f"Reminder sent for {_count(self.chased, 'request')} to {_count(self.told, 'agency lead')}."
            )
        if self.already:
            parts.append(f"Already chased today, so nobody was told again: {', '.join(self.already)}.")
        if self.nobody:
            parts.append(f"No active agency lead to tell: {', '.join(self.nobody)}.")
        return " ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _name(request: ContributionRequest) -> str:
    return f"{request.review.reference} {request.agency.name} {request.kind.label.lower()}"


def _selected(values: Iterable[str], by: User) -> list[ContributionRequest]:
    """The requests ticked, each one the person may see; refused whole if any is not."""
    values = list(values)
    if not values:
        raise DomainError("Select at least one request to chase")
    if len(values) > MOST_AT_ONCE:
        raise DomainError(f"Select at most {MOST_AT_ONCE} requests at once. Nothing was sent.")
    ids = {as_id(value) for value in values}
    found = list(
        db.session.execute(
            select(ContributionRequest)
            .where(ContributionRequest.id.in_({i for i in ids if i}), ContributionRequest.visible_to(by))
            .options(joinedload(ContributionRequest.review), joinedload(ContributionRequest.agency))
            .order_by(ContributionRequest.id)
        ).scalars()
    )
    if None in ids or len(found) != len(ids):
        missing = len(ids) - len(found)
        raise DomainError(
            f"{_count(missing, 'selected request')} could not be found. Nothing was sent: "
            "reload the tracker and select again."
        )
    closed = [f"{_name(r)} ({r.status.label.lower()})" for r in found if not r.awaits_answer]
    if closed:
        raise DomainError(
            "Only requests the agency still has to answer can be chased. Nothing was sent. "
            f"Not awaiting the agency: {', '.join(closed)}."
        )
    return found


def _leads(agency_ids: set[int]) -> dict[int, list[User]]:
    people = db.session.execute(
        select(User)
        .where(User.active.is_(True), User.role == Role.AGENCY_LEAD, User.agency_id.in_(agency_ids))
        .order_by(User.id)
    ).scalars()
    leads: dict[int, list[User]] = {}
    for person in people:
        leads.setdefault(person.agency_id or 0, []).append(person)
    return leads


def chase_requests(values: Iterable[str], by: User, today: date) -> ChaseReport:
    """Tell the leads of each selected request's agency, unless they were chased today."""
    if not by.can_manage_reviews():
        raise DomainError("Only a board manager can chase agencies")
    requests = _selected(values, by)
    leads = _leads({request.agency_id for request in requests})
    calendar, report, now = working_calendar(), ChaseReport(), utcnow()
    for request in requests:
        people = leads.get(request.agency_id, [])
        if not people:
            report.nobody.append(_name(request))
            continue
        rows = [
            {
                "key": chase_key(person.id, request.id, today),
                "user_id": person.id,
                "kind": ReminderKind.REQUEST,
                "item": f"request:{request.id}",
                "review_id": request.review_id,
                "day": today,
                "escalated": False,
                "by_id": by.id,
                "created_at": now,
            }
            for person in people
        ]
        new = set(insert_new(Reminder, rows))
        told = [person for person in people if chase_key(person.id, request.id, today) in new]
        if not told:
            report.already.append(_name(request))
            continue
        news = request_chased(request, days_overdue(request, today, calendar))
        for person in told:
            tell(person, news, day=today)
        _record(request, by, told)
        report.chased += 1
        report.told += len(told)
    return report


def _record(request: ContributionRequest, by: User, told: list[User]) -> None:
    names = ", ".join(person.name for person in told)
    # Added by id: the request's history need not be loaded to add to it.
    db.session.add(
        RequestEvent(
            request_id=request.id,
            status=request.status,
            reminder=True,
            comment=f"Reminder sent to {names}",
            by=by,
        )
    )
    audit.record(
        "contribution_chased",
        f"{request.agency.name} reminded of its {request.kind.label.lower()} ({names})",
        subject=request,
        review=request.review,
        details={"told": [person.id for person in told]},
    )
    db.session.flush()
