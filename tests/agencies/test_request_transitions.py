"""The table of allowed changes to a contribution request's status, taken through the services
from every status: an allowed change leads to the table's status and is kept in the history; a
refused one says why and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework.agencies import services as contributions
from casework.agencies.contributions import (
    REQUEST_TRANSITIONS,
    ContributionKind,
    ContributionRequest,
    RequestChange,
    RequestEvent,
    RequestStatus,
)
from casework.agencies.models import AgencyType
from casework.auth.models import Role, User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from tests.conftest import make_agency, make_user
from tests.reviews.conftest import make_review
from tests.support.copies import replayed_in_context

S, C = RequestStatus, RequestChange

# Written out, not read from the table: (change) -> the statuses it may start from, and where it leads.
ALLOWED: dict[RequestChange, tuple[set[RequestStatus], RequestStatus]] = {
    C.SUBMIT: ({S.REQUESTED, S.RETURNED}, S.SUBMITTED),
    C.ACCEPT: ({S.SUBMITTED}, S.ACCEPTED),
    C.RETURN: ({S.SUBMITTED}, S.RETURNED),
    C.WITHDRAW: ({S.REQUESTED, S.RETURNED, S.SUBMITTED}, S.WITHDRAWN),
}
REFUSALS = {
    C.SUBMIT: "This request is {}; it cannot be changed now",
    C.ACCEPT: "This request is {}, not submitted",
    C.RETURN: "This request is {}, not submitted",
    C.WITHDRAW: "This request is {}; it cannot be withdrawn",
}
CASES = [
    (status, change, status in ALLOWED[change][0]) for status in RequestStatus for change in RequestChange
]


@dataclass
class Asked:
    request_id: int
    manager_id: int
    lead_id: int


def _ask_at(status: RequestStatus) -> Asked:
    """A learning-event request (submitted with a note alone), put at the status under test."""
    agency = make_agency("Northshire Police", AgencyType.POLICE)
    manager = make_user(Role.BOARD_MANAGER, name="Morgan Price")
    lead = make_user(Role.AGENCY_LEAD, name="Priya Police", agency=agency)
    review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[agency])
    [request] = contributions.request_contributions(
        review,
        [agency],
        ContributionKind.LEARNING_EVENT,
        "Attend the event.",
        uk_today() + timedelta(days=20),
        manager,
    )
    request.status = status  # the starting point of the row under test
    db.session.commit()
    return Asked(request.id, manager.id, lead.id)


def _take(change: RequestChange, request: ContributionRequest, manager: User, lead: User) -> None:
    version = request.version
    if change == C.SUBMIT:
        contributions.submit_request(request, "Two practitioners will attend.", lead, version)
    elif change == C.ACCEPT:
        contributions.accept_request(request, manager, version)
    elif change == C.RETURN:
        contributions.return_request(request, "Name the practitioners.", manager, version)
    else:
        contributions.withdraw_request(request, "No longer needed.", manager, version)


@pytest.mark.parametrize("change", list(RequestChange))
def test_the_table_is_the_one_written_here(change: RequestChange) -> None:
    sources, destination = ALLOWED[change]
    assert REQUEST_TRANSITIONS[change].sources == sources
    assert REQUEST_TRANSITIONS[change].destination == destination


@pytest.mark.parametrize(("status", "change", "allowed"), CASES)
def test_each_status_and_change(
    app: Flask, status: RequestStatus, change: RequestChange, allowed: bool
) -> None:
    asked = replayed_in_context(app, ("request at", status), lambda: _ask_at(status))
    with app.app_context():
        request = db.session.get(ContributionRequest, asked.request_id)
        manager, lead = db.session.get(User, asked.manager_id), db.session.get(User, asked.lead_id)
        assert request and manager and lead
        events = db.session.scalar(select(func.count(RequestEvent.id)))
        if allowed:
            _take(change, request, manager, lead)
            db.session.commit()
        else:
            with pytest.raises(DomainError) as refused:
                _take(change, request, manager, lead)
            assert refused.value.message == REFUSALS[change].format(status.label.lower())
            db.session.rollback()
    with app.app_context():
        request = db.session.get(ContributionRequest, asked.request_id)
        assert request is not None
        expected = ALLOWED[change][1] if allowed else status
        assert request.status == expected
        assert db.session.scalar(select(func.count(RequestEvent.id))) == events + (1 if allowed else 0)
        if allowed:
            assert request.history[-1].status == expected


def test_the_guard_alone_refuses_and_changes_nothing(app: Flask) -> None:
    asked = replayed_in_context(app, ("request at", S.ACCEPTED), lambda: _ask_at(S.ACCEPTED))
    with app.app_context():
        request = db.session.get(ContributionRequest, asked.request_id)
        assert request is not None
        with pytest.raises(DomainError, match="This request is accepted; it cannot be withdrawn"):
            contributions.check_request_change(request, C.WITHDRAW)
        assert request.status == S.ACCEPTED and request not in db.session.dirty
