"""A partnership with one of every kind of work waiting, for the home pages' queues.

Built on the reminders' world (Monday 14 December 2026; agencies X and Y with leads LX and LY;
board managers; reviewer R), with R accepted as lead of the CSPR, a second reviewer R2 on no
review and a third, R3, offered the SAR and not yet answering. Rows are made directly with the
dates a test wants (the services refuse dates in the past).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from casework.actions.models import Action, ActionStatus, ChangeStatus, DeadlineChangeRequest
from casework.agencies.contributions import RequestEvent, RequestStatus
from casework.auth.models import Role
from casework.core.extensions import db
from casework.reviews.models import (
    AccuracyAnswer,
    AccuracyComment,
    AnonymisationCheck,
    AnonymisationFinding,
    AssignmentRole,
    AssignmentStatus,
    ReviewDeadline,
    ReviewerAssignment,
)
from tests.notifications.due_world import TODAY, World, add_action, add_answer, add_request, build_world, on
from tests.notifications.due_world import working_days as wd
from tests.support.people import make_user

NOON = datetime(2026, 12, 14, 12, tzinfo=UTC)


def _assign(w: World, reviewer: str, review: str, status: AssignmentStatus) -> None:
    db.session.add(
        ReviewerAssignment(
            review_id=w.reviews[review],
            reviewer_id=w.people[reviewer],
            role=AssignmentRole.LEAD,
            status=status,
            assigned_by_id=w.people["M1"],
            assigned_at=NOON - timedelta(days=10),
            declaration="No links.",
        )
    )


@dataclass
class QueueWorld(World):
    items: dict[str, Any] = field(default_factory=dict)  # ids by name, and the clock's label


def build_queue_world(app: Flask) -> QueueWorld:
    base = build_world(app)
    w = QueueWorld(base.people, base.agencies, base.reviews)
    with app.app_context(), on(TODAY):
        for key in ("R2", "R3"):
            w.people[key] = make_user(Role.REVIEWER, name=f"Person {key}").id
        _assign(w, "R", "CSPR", AssignmentStatus.ACCEPTED)
        _assign(w, "R3", "SAR", AssignmentStatus.PROPOSED)
        db.session.commit()
        items = w.items
        # Requests: X late and X later; Y late; Y submitted; X accepted (finished).
        items["x_late"] = add_request(w, "X", wd(-3))
        items["x_later"] = add_request(w, "X", wd(20))
        items["y_late"] = add_request(w, "Y", wd(-1))
        items["y_submitted"] = add_request(w, "Y", wd(2), status=RequestStatus.SUBMITTED)
        items["x_accepted"] = add_request(w, "X", wd(-20), status=RequestStatus.ACCEPTED)
        db.session.add(
            RequestEvent(
                request_id=items["y_submitted"], status=RequestStatus.SUBMITTED, by_id=w.people["LY"], at=NOON
            )
        )
        # Accuracy: X overdue with a comment the lead reviewer has not answered; Y due later.
        items["x_answer"] = add_answer(w, "X", wd(-2))
        items["y_answer"] = add_answer(w, "Y", wd(5))
        answer = db.session.get(AccuracyAnswer, items["x_answer"])
        db.session.add(
            AccuracyComment(
                answer_id=answer.id, reference="Page 4", comment="Wrong date.", created_by_id=w.people["LX"]
            )
        )
        # Anonymisation: one undecided finding on the latest check of the X answer's version.
        check = AnonymisationCheck(
            version_id=answer.check.version_id, ran_by_id=w.people["M1"], extractable=True
        )
        db.session.add(check)
        db.session.flush()
        db.session.add(
            AnonymisationFinding(
                check_id=check.id, kind="name", label="A recorded name", location="Page 2", context=""
            )
        )
        # Actions: X overdue (red), X off track (red), X completed in time (to verify), Y green with a
        # deadline change asked for.
        items["x_overdue"] = add_action(w, "X", wd(-5))
        items["x_off_track"] = add_action(w, "X", wd(30), status=ActionStatus.OFF_TRACK)
        items["x_completed"] = add_action(w, "X", wd(10), status=ActionStatus.COMPLETED)
        items["y_green"] = add_action(w, "Y", wd(40), owner="LY")
        db.session.get(Action, items["x_completed"]).completed_on = TODAY
        db.session.add(
            DeadlineChangeRequest(
                action_id=items["y_green"],
                current_deadline=wd(40),
                proposed_deadline=wd(60),
                reason="Training dates moved.",
                status=ChangeStatus.PENDING,
                requested_by_id=w.people["LY"],
            )
        )
        # The CSPR's first running clock made overdue by a working day.
        clock = (
            db.session.execute(
                db.select(ReviewDeadline)
                .where(ReviewDeadline.review_id == w.reviews["CSPR"], ReviewDeadline.running.is_(True))
                .order_by(ReviewDeadline.position)
            )
            .scalars()
            .first()
        )
        assert clock is not None
        clock.due_on = wd(-1)
        items["clock_label"] = clock.label
        db.session.commit()
    return w
