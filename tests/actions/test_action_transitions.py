"""The table of allowed changes to an action's status, taken through the services from every
status to every status: an allowed change leads there and adds one history row; a refused one
says why and changes nothing."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from casework.actions import services
from casework.actions.models import (
    ACTION_TRANSITIONS,
    Action,
    ActionChange,
    ActionStatus,
    ProgressUpdate,
)
from casework.agencies.models import AgencyType
from casework.auth.models import Role, User
from casework.core.errors import DomainError
from casework.core.extensions import db
from tests.conftest import make_agency, make_user
from tests.reviews.conftest import make_review
from tests.support.copies import replayed_in_context
from tests.support.files import PDF
from tests.support.records import plan_action

S, C = ActionStatus, ActionChange
OWNER_REPORTS = {S.NOT_STARTED, S.ON_TRACK, S.AT_RISK, S.OFF_TRACK, S.COMPLETED}

# Written out, not read from the table: change -> (statuses it may start from, statuses it may lead to).
ALLOWED: dict[ActionChange, tuple[set[ActionStatus], set[ActionStatus]]] = {
    C.REPORT_PROGRESS: (OWNER_REPORTS, OWNER_REPORTS),
    C.VERIFY: ({S.COMPLETED}, {S.VERIFIED}),
    C.RETURN: ({S.COMPLETED}, {S.ON_TRACK, S.AT_RISK}),
}
REFUSED_FROM = {
    C.REPORT_PROGRESS: "This action is verified and closed; no further updates can be added",
    C.VERIFY: "Only a completed action, with its evidence, can be verified",
    C.RETURN: "Only a completed action can be returned",
}
REFUSED_TO = {
    C.REPORT_PROGRESS: "Select the action's status",
    C.RETURN: "Select whether the action is back on track or at risk",
}
# Verifying has one destination: the service asks for it, never the user.
CASES = [
    (start, change, to) for change in C for start in S for to in (S if change != C.VERIFY else [S.VERIFIED])
]


def _action_at(status: ActionStatus) -> tuple[int, int, int]:
    """An action of X, owned by X's lead, put at the status under test; with the manager's id."""
    agency = make_agency("Northshire Police", AgencyType.POLICE)
    manager = make_user(Role.BOARD_MANAGER, name="Morgan Price")
    owner = make_user(Role.AGENCY_LEAD, name="Priya Police", agency=agency)
    review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[agency])
    recommendation = services.add_recommendation(
        review, "Police should refer every incident where a baby is present.", True, [agency], [], manager
    )
    action = plan_action(
        recommendation,
        manager,
        agency=agency,
        owner=owner,
        description="Brief every team.",
        measure="An audit.",
        due_in=60,
    )
    action.status = status  # the starting point of the row under test
    db.session.commit()
    return action.id, manager.id, owner.id


def _action_copied(app: Flask, status: ActionStatus) -> tuple[int, int, int]:
    return replayed_in_context(app, ("action at", status), lambda: _action_at(status))


def _take(change: ActionChange, action: Action, to: ActionStatus, manager: User, owner: User) -> None:
    if change == C.REPORT_PROGRESS:
        evidence = [FileStorage(io.BytesIO(PDF), filename="evidence.pdf", content_type="application/pdf")]
        services.add_progress(action, to, "Teams briefed.", evidence, owner, action.version)
    elif change == C.VERIFY:
        services.verify_action(action, "Audit seen.", manager, action.version)
    else:
        services.return_action(action, "The audit is missing.", to, manager, action.version)


@pytest.mark.parametrize("change", list(ActionChange))
def test_the_table_is_the_one_written_here(change: ActionChange) -> None:
    sources, destinations = ALLOWED[change]
    assert ACTION_TRANSITIONS[change].sources == sources
    assert ACTION_TRANSITIONS[change].destinations == destinations


def _allowed(start: S, change: C, to: S) -> bool:
    sources, destinations = ALLOWED[change]
    return start in sources and to in destinations


ALLOWED_CASES = [case for case in CASES if _allowed(*case)]
# The refused changes from each status: one action per status tries them all in turn.
REFUSED_FROM_STATUS = {
    start: [(change, to) for first, change, to in CASES if first == start and not _allowed(first, change, to)]
    for start in S
}


@pytest.mark.parametrize(("start", "change", "to"), ALLOWED_CASES)
def test_each_allowed_change_leads_there_and_adds_one_history_row(
    app: Flask, start: S, change: C, to: S
) -> None:
    action_id, manager_id, owner_id = _action_copied(app, start)
    with app.app_context():
        action = db.session.get(Action, action_id)
        manager, owner = db.session.get(User, manager_id), db.session.get(User, owner_id)
        assert action and manager and owner
        updates = db.session.scalar(select(func.count(ProgressUpdate.id)))
        _take(change, action, to, manager, owner)
        db.session.commit()
    with app.app_context():
        action = db.session.get(Action, action_id)
        assert action is not None and action.status == to
        assert db.session.scalar(select(func.count(ProgressUpdate.id))) == updates + 1


@pytest.mark.parametrize("start", [start for start in S if REFUSED_FROM_STATUS[start]])
def test_each_refused_change_says_why_and_changes_nothing(app: Flask, start: S) -> None:
    action_id, manager_id, owner_id = _action_copied(app, start)
    with app.app_context():
        updates = db.session.scalar(select(func.count(ProgressUpdate.id)))
    for change, to in REFUSED_FROM_STATUS[start]:
        with app.app_context():
            action = db.session.get(Action, action_id)
            manager, owner = db.session.get(User, manager_id), db.session.get(User, owner_id)
            assert action and manager and owner
            with pytest.raises(DomainError) as refused:
                _take(change, action, to, manager, owner)
            if start not in ALLOWED[change][0]:
                expected = (REFUSED_FROM[change], None)
            else:
                expected = (REFUSED_TO[change], "status")
            assert (refused.value.message, refused.value.field) == expected, (change, to)
            db.session.rollback()
        with app.app_context():
            action = db.session.get(Action, action_id)
            assert action is not None and action.status == start, (change, to)
            assert db.session.scalar(select(func.count(ProgressUpdate.id))) == updates, (change, to)
