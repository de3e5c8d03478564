"""A partnership with things due on set days, for the reminder and calendar tests.

Everything happens on Monday 14 December 2026 (time-machine), a fortnight before Christmas, so
bank holidays (Friday 25 and Monday 28 December, the substitute for Boxing Day) fall inside the
windows counted. Requests, answers and actions are rows made directly with the due dates a test
wants (the services refuse due dates in the past); the reviews are built through the services.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import count

import time_machine
from flask import Flask

from casework.actions.models import Action, ActionStatus, Recommendation
from casework.agencies.contributions import ContributionKind, ContributionRequest, RequestStatus
from casework.agencies.models import AgencyType
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import UK
from casework.core.workdays import WorkingCalendar
from casework.documents.models import Document
from casework.notifications.models import Notification, OutboxMessage, Reminder
from casework.reviews.models import AccuracyAnswer, AccuracyCheck, DraftVersion, Review
from casework.reviews.referral.identifiers import PersonDetails, save_identifiers
from casework.reviews.stages import ReviewStage
from tests.support.people import make_agency, make_user
from tests.support.reviews import make_review

TODAY = date(2026, 12, 14)  # a Monday
CHILD_NAME, ADDRESS = "Kayden Whitlock", "12 Larch Close, Northshire"
_numbers = count(1)


def working_days(days: int, start: date = TODAY) -> date:
    """The working day ``days`` after ``start`` (negative: before), bank holidays left out."""
    return WorkingCalendar().add_working_days(start, days)


@contextmanager
def on(day: date) -> Iterator[None]:
    """The clock stopped at 10:00 in England on ``day``."""
    with time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=UK), tick=False):
        yield


@dataclass
class World:
    """Ids of the people, agencies and reviews."""

    people: dict[str, int] = field(default_factory=dict)
    agencies: dict[str, int] = field(default_factory=dict)
    reviews: dict[str, int] = field(default_factory=dict)

    def user(self, key: str) -> User:
        return db.session.get(User, self.people[key])  # type: ignore[return-value]

    def email(self, key: str) -> str:
        return self.user(key).email


def build_world(app: Flask) -> World:
    """Agencies X and Y; two active leads of X (LX, LX2), one switched off (LXoff), a lead of Y
    (LY); board managers M1, M2 and one switched off (Moff); a reviewer R. A CSPR commissioned
    with X and Y in scope (named "Child Alpha", with identifying details recorded), and a SAR."""
    w = World()
    with app.app_context(), on(TODAY):
        x = make_agency("Northshire Police", AgencyType.POLICE)
        y = make_agency("Riverside NHS Trust", AgencyType.NHS_TRUST)
        w.agencies = {"X": x.id, "Y": y.id}
        for key, role, agency, active in [
            ("M1", Role.BOARD_MANAGER, None, True),
            ("M2", Role.BOARD_MANAGER, None, True),
            ("Moff", Role.BOARD_MANAGER, None, False),
            ("LX", Role.AGENCY_LEAD, x, True),
            ("LX2", Role.AGENCY_LEAD, x, True),
            ("LXoff", Role.AGENCY_LEAD, x, False),
            ("LY", Role.AGENCY_LEAD, y, True),
            ("R", Role.REVIEWER, None, True),
        ]:
            w.people[key] = make_user(role, name=f"Person {key}", agency=agency, active=active).id
        manager = w.user("M1")
        cspr = make_review(
            "CSPR", ReviewStage.AWAITING_REVIEWER, manager, agencies=[x, y], pseudonym="Child Alpha"
        )
        review = db.session.get(Review, cspr.id)
        save_identifiers(review, [PersonDetails(CHILD_NAME)], [], ADDRESS, None, manager)
        db.session.commit()
        sar = make_review(
            "SAR", ReviewStage.AWAITING_REVIEWER, manager, agencies=[x, y], pseudonym="Adult Beta"
        )
        w.reviews = {"CSPR": cspr.id, "SAR": sar.id}
    return w


def add_request(
    w: World, agency: str, due: date, review: str = "CSPR", status: RequestStatus = RequestStatus.REQUESTED
) -> int:
    request = ContributionRequest(
        review_id=w.reviews[review],
        agency_id=w.agencies[agency],
        kind=ContributionKind.CHRONOLOGY,
        instructions="Your agency's contact with the family.",
        due_on=due,
        status=status,
        requested_by_id=w.people["M1"],
    )
    db.session.add(request)
    db.session.commit()
    return request.id


def add_answer(w: World, agency: str, due: date, review: str = "CSPR") -> int:
    """An agency's factual accuracy answer, not signed off, on a new draft version."""
    number = next(_numbers)
    document = Document(
        stored_name=f"draft-{number:08d}",
        original_name="report.docx",
        size=1,
        sha256="0" * 64,
        detected_type="docx",
        media_type="application/octet-stream",
        uploaded_by_id=w.people["M1"],
        review_id=w.reviews[review],
    )
    version = DraftVersion(
        review_id=w.reviews[review],
        number=number,
        document=document,
        summary="A draft",
        uploaded_by_id=w.people["R"],
    )
    check = AccuracyCheck(version=version, due_on=due, shared_by_id=w.people["M1"])
    answer = AccuracyAnswer(check=check, agency_id=w.agencies[agency])
    db.session.add_all([document, version, check, answer])
    db.session.commit()
    return answer.id


def add_action(
    w: World,
    agency: str | None,
    due: date,
    owner: str = "LX",
    status: ActionStatus = ActionStatus.NOT_STARTED,
    review: str = "CSPR",
) -> int:
    """An action of ``agency`` (None: the partnership's, owned by a board manager)."""
    recommendation = Recommendation(
        review_id=w.reviews[review],
        number=next(_numbers),
        text="Share what is known about new partners.",
        created_by_id=w.people["M1"],
    )
    action = Action(
        recommendation=recommendation,
        review_id=w.reviews[review],
        description="Train staff in sharing information about new partners.",
        agency_id=w.agencies[agency] if agency else None,
        owner_id=w.people[owner],
        success_measure="Audits show information shared.",
        original_deadline=due,
        deadline=due,
        status=status,
        created_on=TODAY,
        created_by_id=w.people["M1"],
    )
    db.session.add_all([recommendation, action])
    db.session.commit()
    return action.id


def reminded(app: Flask) -> set[tuple[int, str, bool]]:
    """(person's id, item, escalated) of every reminder recorded."""
    with app.app_context():
        rows = db.session.execute(db.select(Reminder.user_id, Reminder.item, Reminder.escalated)).all()
        return {tuple(row) for row in rows}  # type: ignore[misc]


def digests(app: Flask) -> dict[int, OutboxMessage]:
    """The digest emails in the outbox, by recipient's id (loaded)."""
    with app.app_context():
        rows = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "digest")).scalars()
        return {row.recipient_id: row for row in rows}  # type: ignore[misc]


def counts(app: Flask) -> tuple[int, int, int]:
    """Reminders, outbox messages and notifications recorded."""
    with app.app_context():
        return tuple(  # type: ignore[return-value]
            db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()
            for model in (Reminder, OutboxMessage, Notification)
        )
