"""The contribution workflow through the services and over HTTP: asking agencies, their answers
(entries typed or imported from CSV, documents, notes), return and acceptance with every step
kept, overdue requests, and the merged chronology the reviewer reads, filters, marks and exports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse

from casework.agencies import services as contributions
from casework.agencies.chronology_csv import ChronologyRow
from casework.agencies.contributions import (
    ChronologyEntry,
    ContributionKind,
    ContributionRequest,
    RequestStatus,
)
from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.appointments import services as appointments
from casework.reviews.models import AssignmentRole, Review
from casework.reviews.stages import ReviewStage
from tests.agencies.key_episodes import assert_not_marked
from tests.conftest import client_as, make_user, post_form
from tests.reviews.conftest import make_review
from tests.support.copies import replayed
from tests.support.files import PDF
from tests.support.http import page_text
from tests.support.people import THREE_AGENCIES, make_agencies
from tests.support.queue import empty_queue as empty_queue  # a fixture
from tests.support.queue import run_worker
from tests.support.readonly import built_once
from tests.support.rows import audit_trail, stored

HEADER = "date,time,practitioner_role,event,significance"
INSTRUCTIONS = "Your contact with the family from January 2025."


@dataclass
class Case:
    """A review at agency contributions: R1 leads it; X and Y are in scope, W is not."""

    review_id: int
    reference: str
    agencies: dict[str, int]
    names: dict[str, str]
    users: dict[str, User]


@pytest.fixture
def case(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Case:
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path)
    return replayed(app, "contributions case", lambda: build_case(app))


def build_case(app: Flask) -> Case:
    with app.app_context():
        agencies = make_agencies(THREE_AGENCIES)
        users = {
            "board_manager": make_user(Role.BOARD_MANAGER, name="Morgan Price"),
            "R1": make_user(Role.REVIEWER, name="Robin Lead"),
            "LX": make_user(Role.AGENCY_LEAD, name="Priya Police", agency=agencies["X"]),
            "LY": make_user(Role.AGENCY_LEAD, name="Yusuf Health", agency=agencies["Y"]),
            "LW": make_user(Role.AGENCY_LEAD, name="Wendy School", agency=agencies["W"]),
        }
        review = make_review(
            "CSPR",
            "awaiting_reviewer",
            by=users["board_manager"],
            agencies=[agencies["X"], agencies["Y"]],
            pseudonym="Child Alder",
        )
        reviewer = db.session.get(User, users["R1"].id)
        lead = appointments.assign_reviewer(
            review, reviewer, AssignmentRole.LEAD, users["board_manager"], version=review.version
        )
        appointments.accept_appointment(lead, reviewer, declared=True)
        db.session.commit()
        assert review.stage == ReviewStage.CONTRIBUTIONS
        for user in users.values():
            db.session.refresh(user)
        return Case(
            review.id,
            review.reference,
            {key: agency.id for key, agency in agencies.items()},
            {key: agency.name for key, agency in agencies.items()},
            users,
        )


# --- helpers --------------------------------------------------------------------------------


def _as(app: Flask, case: Case, person: str) -> FlaskClient:
    return client_as(app, case.users[person])


def _user(case: Case, person: str) -> User:
    return stored(User, case.users[person].id)


def _review(case: Case) -> Review:
    return stored(Review, case.review_id)


def _contribution(request_id: int) -> ContributionRequest:
    return stored(ContributionRequest, request_id)


def _ask(
    app: Flask,
    case: Case,
    agency: str = "X",
    kind: ContributionKind = ContributionKind.CHRONOLOGY,
    due: date | None = None,
) -> int:
    with app.app_context():
        [made] = contributions.request_contributions(
            _review(case),
            [db.session.get(Agency, case.agencies[agency])],  # type: ignore[list-item]
            kind,
            INSTRUCTIONS,
            due or uk_today() + timedelta(days=20),
            _user(case, "board_manager"),
        )
        db.session.commit()
        return made.id


def _add_entry(
    app: Flask, case: Case, request_id: int, day: date, event: str, at: time | None = None, person: str = "LX"
) -> int:
    with app.app_context():
        entry = contributions.add_chronology_entry(
            _contribution(request_id),
            ChronologyRow(day, at, "Response officer", event, "Routine"),
            _user(case, person),
        )
        db.session.commit()
        return entry.id


def _upload(app: Flask, case: Case, request_id: int, person: str = "LX") -> int:
    with app.app_context():
        upload = FileStorage(io.BytesIO(PDF), filename="report.pdf", content_type="application/pdf")
        document = contributions.attach_document(_contribution(request_id), upload, _user(case, person))
        db.session.commit()
        return document.id


def _step(app: Flask, case: Case, request_id: int, step: str, person: str, text: str = "") -> None:
    """One step of the workflow through its service, committed."""
    with app.app_context():
        request = _contribution(request_id)
        by = _user(case, person)
        if step == "submit":
            contributions.submit_request(request, text, by, request.version)
        elif step == "return":
            contributions.return_request(request, text, by, request.version)
        elif step == "accept":
            contributions.accept_request(request, by, request.version)
        elif step == "withdraw":
            contributions.withdraw_request(request, text, by, request.version)
        else:
            raise AssertionError(step)
        db.session.commit()


def _state(app: Flask, request_id: int) -> dict[str, object]:
    with app.app_context():
        request = _contribution(request_id)
        return {
            "status": request.status,
            "note": request.response_note,
            "history": [(e.status, e.comment) for e in request.history],
            "entries": len(request.entries),
            "documents": len(request.documents),
        }


def _requests(app: Flask, case: Case) -> list[tuple[str, str, RequestStatus]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(ContributionRequest).where(ContributionRequest.review_id == case.review_id)
        ).scalars()
        return [(r.agency.name, r.kind.value, r.status) for r in rows]


def _entry_count(app: Flask, request_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(func.count())
            .select_from(ChronologyEntry)
            .where(ChronologyEntry.request_id == request_id)
        )  # type: ignore[return-value]


def _version(app: Flask, request_id: int) -> str:
    with app.app_context():
        return str(_contribution(request_id).version)


def _import_csv(client: FlaskClient, request_id: int, data: bytes, name: str) -> TestResponse:
    """Send the CSV file ``data`` named ``name`` through the request page's import form."""
    page_url = f"/agencies/requests/{request_id}"
    file = (io.BytesIO(data), name, "text/csv")
    return post_form(client, f"{page_url}/entries/import", {"file": file}, token_from=page_url)


def _date_fields(name: str, value: date) -> dict[str, list[str]]:
    return {name: [str(value.day), str(value.month), str(value.year)]}


def _section(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</(table|ol|ul)>', page, re.S)
    return match.group(0) if match else ""


def _rows(page: str, testid: str) -> list[list[str]]:
    """The cells of each body row of a table, as text."""
    body = _section(page, testid)
    rows = []
    for row in re.findall(r"<tr class=\"govuk-table__row\"[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if cells:
            rows.append([" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells])
    return rows


# --- the workflow ---------------------------------------------------------------------------


def test_requested_submitted_returned_submitted_accepted_through_the_services(app: Flask, case: Case) -> None:
    request_id = _ask(app, case)
    _add_entry(app, case, request_id, uk_today() - timedelta(days=40), "Attended the flat")
    _step(app, case, request_id, "submit", "LX", "Everything we hold.")
    with app.app_context(), pytest.raises(DomainError, match="Say what the agency needs to change"):
        request = _contribution(request_id)
        contributions.return_request(request, "   ", _user(case, "R1"), request.version)
    assert _state(app, request_id)["status"] == RequestStatus.SUBMITTED
    _step(app, case, request_id, "return", "R1", "Add the visits of March.")
    _add_entry(app, case, request_id, uk_today() - timedelta(days=30), "Second visit")
    _step(app, case, request_id, "submit", "LX", "March added.")
    _step(app, case, request_id, "accept", "R1")
    state = _state(app, request_id)
    assert state["status"] == RequestStatus.ACCEPTED
    assert state["note"] == "March added."
    assert state["history"] == [
        (RequestStatus.REQUESTED, ""),
        (RequestStatus.SUBMITTED, "Everything we hold."),
        (RequestStatus.RETURNED, "Add the visits of March."),
        (RequestStatus.SUBMITTED, "March added."),
        (RequestStatus.ACCEPTED, ""),
    ]
    actions = [e.action for e in audit_trail(app, "contribution_submitted")] + [
        e.action
        for e in audit_trail(app, "contribution_returned") + audit_trail(app, "contribution_accepted")
    ]
    assert sorted(actions) == sorted(
        ["contribution_submitted"] * 2 + ["contribution_returned", "contribution_accepted"]
    )
    # an accepted chronology is closed to the agency
    with app.app_context(), pytest.raises(DomainError, match="accepted; it cannot be changed"):
        contributions.add_chronology_entry(
            _contribution(request_id),
            ChronologyRow(uk_today(), None, "Officer", "Late entry", ""),
            _user(case, "LX"),
        )


def test_the_workflow_over_http_keeps_every_step_with_its_comments(app: Flask, case: Case) -> None:
    request_id = _ask(app, case)
    page_url = f"/agencies/requests/{request_id}"
    lx, manager, reviewer = _as(app, case, "LX"), _as(app, case, "board_manager"), _as(app, case, "R1")

    added = post_form(
        lx,
        f"{page_url}/entries",
        {
            **_date_fields("occurred_on", uk_today() - timedelta(days=12)),
            "occurred_at": "14:30",
            "practitioner_role": "Response officer",
            "event": "Attended a report of shouting",
            "significance": "No referral made",
        },
        token_from=page_url,
    )
    assert added.status_code == 302, page_text(added)[:2000]
    submitted = post_form(
        lx, f"{page_url}/submit", {"note": "All our contact.", "version": _version(app, request_id)}
    )
    assert submitted.status_code == 302
    assert "Submitted. The partnership will accept it or return it" in page_text(lx.get(page_url))

    refused = post_form(
        manager, f"{page_url}/return", {"comment": "  ", "version": _version(app, request_id)}
    )
    assert refused.status_code == 400
    assert "Say what the agency needs to change" in page_text(refused)
    assert _state(app, request_id)["status"] == RequestStatus.SUBMITTED

    returned = post_form(
        manager,
        f"{page_url}/return",
        {"comment": "Please add the 999 call of May.", "version": _version(app, request_id)},
    )
    assert returned.status_code == 302
    assert _state(app, request_id)["status"] == RequestStatus.RETURNED
    again = post_form(
        lx, f"{page_url}/submit", {"note": "The 999 call is added.", "version": _version(app, request_id)}
    )
    assert again.status_code == 302
    accepted = post_form(reviewer, f"{page_url}/accept", {"version": _version(app, request_id)})
    assert accepted.status_code == 302
    assert _state(app, request_id)["status"] == RequestStatus.ACCEPTED

    history = _section(page_text(manager.get(page_url)), "history")
    steps = re.findall(r"<strong>(\w+)</strong> by ([^,]+),", history)
    assert steps == [  # newest first
        ("Accepted", "Robin Lead"),
        ("Submitted", "Priya Police"),
        ("Returned", "Morgan Price"),
        ("Submitted", "Priya Police"),
        ("Requested", "Morgan Price"),
    ]
    for comment in ("All our contact.", "Please add the 999 call of May.", "The 999 call is added."):
        assert comment in history
    assert _state(app, request_id)["history"] == [
        (RequestStatus.REQUESTED, ""),
        (RequestStatus.SUBMITTED, "All our contact."),
        (RequestStatus.RETURNED, "Please add the 999 call of May."),
        (RequestStatus.SUBMITTED, "The 999 call is added."),
        (RequestStatus.ACCEPTED, ""),
    ]


def test_a_stale_version_is_refused(app: Flask, case: Case) -> None:
    request_id = _ask(app, case)
    _add_entry(app, case, request_id, uk_today() - timedelta(days=5), "Visit")
    with app.app_context():
        stale = _contribution(request_id).version
    _step(app, case, request_id, "submit", "LX", "First")
    _step(app, case, request_id, "return", "board_manager", "Again")
    with app.app_context(), pytest.raises(ConcurrentEditError):
        contributions.submit_request(_contribution(request_id), "Second", _user(case, "LX"), stale)
    assert _state(app, request_id)["status"] == RequestStatus.RETURNED


@pytest.mark.parametrize(
    ("steps", "allowed"),
    [
        ([], True),
        (["submit"], True),
        (["submit", "return"], True),
        (["submit", "accept"], False),
        (["withdraw"], False),
    ],
    ids=["requested", "submitted", "returned", "accepted", "withdrawn"],
)
def test_a_request_can_be_withdrawn_only_while_open(
    app: Flask, case: Case, steps: list[str], allowed: bool
) -> None:
    request_id = _ask(app, case)
    _add_entry(app, case, request_id, uk_today() - timedelta(days=5), "Visit")
    people = {"submit": "LX", "return": "board_manager", "accept": "R1", "withdraw": "board_manager"}
    for step in steps:
        _step(app, case, request_id, step, people[step], "Reason given")
    before = _state(app, request_id)
    manager = _as(app, case, "board_manager")
    page_url = f"/agencies/requests/{request_id}"
    assert ("Withdraw this request" in page_text(manager.get(page_url))) == allowed
    response = post_form(
        manager,
        f"{page_url}/withdraw",
        {"comment": "The agency had no contact after all.", "version": _version(app, request_id)},
    )
    after = _state(app, request_id)
    if allowed:
        assert response.status_code == 302
        assert after["status"] == RequestStatus.WITHDRAWN
        assert after["history"][-1] == (RequestStatus.WITHDRAWN, "The agency had no contact after all.")
    else:
        assert response.status_code == 400
        assert "it cannot be withdrawn" in page_text(response)
        assert after == before


def test_withdrawing_needs_a_reason_and_a_board_manager(app: Flask, case: Case) -> None:
    request_id = _ask(app, case)
    with app.app_context():
        request = _contribution(request_id)
        with pytest.raises(DomainError, match="Give the reason"):
            contributions.withdraw_request(request, " ", _user(case, "board_manager"), request.version)
        with pytest.raises(DomainError, match="Only a board manager"):
            contributions.withdraw_request(request, "Not needed", _user(case, "R1"), request.version)
    assert _state(app, request_id)["status"] == RequestStatus.REQUESTED


@pytest.mark.parametrize(
    ("kind", "note", "message"),
    [
        (ContributionKind.CHRONOLOGY, "Here it is", "Add at least one chronology entry before submitting"),
        (ContributionKind.AGENCY_REPORT, "Here it is", "Upload at least one document before submitting"),
        (ContributionKind.DOCUMENTS, "Here they are", "Upload at least one document before submitting"),
        (ContributionKind.LEARNING_EVENT, "   ", "Say who will attend the learning event"),
    ],
)
def test_an_empty_submission_is_refused_and_nothing_is_saved(
    app: Flask, case: Case, kind: ContributionKind, note: str, message: str
) -> None:
    request_id = _ask(app, case, kind=kind)
    before = _state(app, request_id)
    lx = _as(app, case, "LX")
    page_url = f"/agencies/requests/{request_id}"
    response = post_form(lx, f"{page_url}/submit", {"note": note, "version": _version(app, request_id)})
    assert response.status_code == 400
    assert message in page_text(response)
    assert _state(app, request_id) == before
    assert audit_trail(app, "contribution_submitted") == []


def test_a_learning_event_with_a_note_and_a_report_with_a_document_can_be_submitted(
    app: Flask, case: Case
) -> None:
    event_id = _ask(app, case, kind=ContributionKind.LEARNING_EVENT)
    report_id = _ask(app, case, kind=ContributionKind.AGENCY_REPORT)
    _upload(app, case, report_id)
    lx = _as(app, case, "LX")
    for request_id, note in ((event_id, "PC Jones and DS Patel will attend."), (report_id, "")):
        response = post_form(
            lx,
            f"/agencies/requests/{request_id}/submit",
            {"note": note, "version": _version(app, request_id)},
        )
        assert response.status_code == 302, page_text(response)[:2000]
    assert _state(app, event_id)["note"] == "PC Jones and DS Patel will attend."
    assert _state(app, report_id)["status"] == RequestStatus.SUBMITTED


# --- asking ---------------------------------------------------------------------------------


def _request_form(case: Case, due: date, agencies: tuple[str, ...] = ("X",), kind: str = "chronology"):  # type: ignore[no-untyped-def]
    return {
        "agencies": [str(case.agencies[key]) for key in agencies],
        "kind": kind,
        "instructions": INSTRUCTIONS,
        **_date_fields("due_on", due),
    }


def test_the_board_manager_asks_agencies_in_scope(app: Flask, case: Case) -> None:
    manager = _as(app, case, "board_manager")
    url = f"/reviews/{case.review_id}/requests/new"
    response = post_form(manager, url, _request_form(case, uk_today() + timedelta(days=10), ("X", "Y")))
    assert response.status_code == 302
    assert sorted(_requests(app, case)) == [
        ("Northshire Police", "chronology", RequestStatus.REQUESTED),
        ("Riverside NHS Trust", "chronology", RequestStatus.REQUESTED),
    ]
    [event] = audit_trail(app, "contributions_requested")
    assert event.review_id == case.review_id


@pytest.mark.parametrize("days", [-1, -30, 0])
def test_a_due_date_that_is_not_in_the_future_is_refused(app: Flask, case: Case, days: int) -> None:
    due = uk_today() + timedelta(days=days)
    manager = _as(app, case, "board_manager")
    response = post_form(manager, f"/reviews/{case.review_id}/requests/new", _request_form(case, due))
    assert response.status_code == 400
    assert "The due date must be in the future" in page_text(response)
    with app.app_context(), pytest.raises(DomainError, match="The due date must be in the future"):
        contributions.request_contributions(
            _review(case),
            [db.session.get(Agency, case.agencies["X"])],  # type: ignore[list-item]
            ContributionKind.CHRONOLOGY,
            INSTRUCTIONS,
            due,
            _user(case, "board_manager"),
        )
    assert _requests(app, case) == []


def test_an_agency_not_in_scope_cannot_be_asked(app: Flask, case: Case) -> None:
    manager = _as(app, case, "board_manager")
    url = f"/reviews/{case.review_id}/requests/new"
    assert case.names["W"] not in page_text(manager.get(url))
    response = post_form(manager, url, _request_form(case, uk_today() + timedelta(days=10), ("X", "W")))
    assert response.status_code == 400
    assert _requests(app, case) == []
    with app.app_context(), pytest.raises(DomainError, match="Only agencies in scope can be asked: Hilltop"):
        contributions.request_contributions(
            _review(case),
            [db.session.get(Agency, case.agencies[key]) for key in ("X", "W")],  # type: ignore[misc]
            ContributionKind.CHRONOLOGY,
            INSTRUCTIONS,
            uk_today() + timedelta(days=10),
            _user(case, "board_manager"),
        )
    assert _requests(app, case) == []


def test_a_second_open_request_of_the_same_kind_is_refused(app: Flask, case: Case) -> None:
    first = _ask(app, case, "X")
    manager = _as(app, case, "board_manager")
    url = f"/reviews/{case.review_id}/requests/new"
    response = post_form(manager, url, _request_form(case, uk_today() + timedelta(days=10), ("X", "Y")))
    assert response.status_code == 400
    assert "Northshire Police already has an open request for chronology" in page_text(response)
    assert len(_requests(app, case)) == 1  # not even Y's request was made
    # another kind is a different request; once the first is withdrawn, it may be asked again
    report = post_form(
        manager, url, _request_form(case, uk_today() + timedelta(days=10), ("X",), "agency_report")
    )
    assert report.status_code == 302
    _step(app, case, first, "withdraw", "board_manager", "Sent in error")
    again = post_form(manager, url, _request_form(case, uk_today() + timedelta(days=10), ("X",)))
    assert again.status_code == 302
    assert sorted(status.value for _, _, status in _requests(app, case)) == [
        "requested",
        "requested",
        "withdrawn",
    ]


def test_only_a_board_manager_asks(app: Flask, case: Case) -> None:
    url = f"/reviews/{case.review_id}/requests/new"
    assert _as(app, case, "R1").get(url).status_code == 403
    assert _as(app, case, "LX").get(url).status_code == 404


# --- overdue --------------------------------------------------------------------------------


def _set_due(app: Flask, request_id: int, due: date) -> None:
    with app.app_context():
        db.session.execute(
            db.update(ContributionRequest).where(ContributionRequest.id == request_id).values(due_on=due)
        )
        db.session.commit()


def _overdue_tags(page: str, testid: str) -> int:
    return _section(page, testid).count('govuk-tag--red">Overdue')


def test_an_overdue_request_is_shown_on_the_review_and_the_agency_list(app: Flask, case: Case) -> None:
    request_id = _ask(app, case, "X")
    _ask(app, case, "Y")
    manager, lx = _as(app, case, "board_manager"), _as(app, case, "LX")
    review_url = f"/reviews/{case.review_id}"
    assert _overdue_tags(page_text(manager.get(review_url)), "agencies") == 0
    assert _overdue_tags(page_text(lx.get("/agencies/mine")), "requests") == 0

    _set_due(app, request_id, uk_today() - timedelta(days=1))
    review_page = page_text(manager.get(review_url))
    assert _overdue_tags(review_page, "agencies") == 1
    row = re.search(r'data-agency="Northshire Police".*?</tr>', review_page, re.S)
    assert row and "Overdue" in row.group(0)
    assert _overdue_tags(page_text(lx.get("/agencies/mine")), "requests") == 1
    assert "Overdue" in page_text(lx.get(f"/agencies/requests/{request_id}"))

    # once submitted, it waits for the partnership, not the agency: no longer overdue
    _add_entry(app, case, request_id, uk_today() - timedelta(days=3), "Visit")
    _step(app, case, request_id, "submit", "LX", "Late, sorry.")
    assert _overdue_tags(page_text(manager.get(review_url)), "agencies") == 0
    assert _overdue_tags(page_text(lx.get("/agencies/mine")), "requests") == 0


def test_a_returned_request_past_its_due_date_is_overdue(app: Flask, case: Case) -> None:
    request_id = _ask(app, case, "X")
    _add_entry(app, case, request_id, uk_today() - timedelta(days=3), "Visit")
    _step(app, case, request_id, "submit", "LX", "")
    _step(app, case, request_id, "return", "board_manager", "Add more")
    _set_due(app, request_id, uk_today() - timedelta(days=2))
    assert _overdue_tags(page_text(_as(app, case, "LX").get("/agencies/mine")), "requests") == 1


# --- entries: CSV import and typed -----------------------------------------------------------


def _csv_problems(page: str) -> list[tuple[str, str, str]]:
    return [(row[0], row[1], row[2]) for row in _rows(page, "csv-problems")]


def _many_rows(count: int, row: str = "1/2/2025,,PC,Visit,\r\n") -> bytes:
    return (HEADER + "\r\n" + row * count).encode()


MALFORMED = {
    "bad dates": (
        (
            f"{HEADER}\r\n01/02/2025,09:30,PC,Good row,\r\n31/02/2025,,PC,No such day,\r\n"
            f"2025-13-01,,PC,No such month,\r\nyesterday,,PC,Not a date,\r\n"
        ).encode(),
        [
            ("3", "date", "is not a real date"),
            ("4", "date", "is not a real date"),
            ("5", "date", "is not a date"),
        ],
    ),
    "missing columns": (
        b"date,practitioner_role,event\r\n01/02/2025,PC,Visit\r\n",
        [("1", "", 'missing the columns "time" and "significance"')],
    ),
    "Latin-1": (
        f"{HEADER}\r\n01/02/2025,,PC,Paid \u00a35 for a taxi,\r\n".encode("latin-1"),
        [("", "", "not saved as UTF-8 text: there is a character that cannot be read on line 2")],
    ),
    "empty file": (b"", [("", "", "The file is empty")]),
    "100,000 rows": (_many_rows(100_000), [("", "", "The file has more than 5,000 entries")]),
    "100,000 long rows": (
        _many_rows(100_000, "01/02/2025,09:30,Response officer,Attended the flat,Routine\r\n"),
        [("", "", "The file is larger than 5 MB")],
    ),
    "missing role and event": (
        f"{HEADER}\r\n01/02/2025,25:00,,,\r\n".encode(),
        [
            ("2", "time", '"25:00" is not a time'),
            ("2", "practitioner_role", "Enter the practitioner's role"),
            ("2", "event", "Enter what happened"),
        ],
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_csv_lists_its_problems_and_imports_nothing(app: Flask, case: Case, name: str) -> None:
    data, expected = MALFORMED[name]
    request_id = _ask(app, case)
    before = _state(app, request_id)
    lx = _as(app, case, "LX")
    response = _import_csv(lx, request_id, data, "police-chronology.csv")
    page = page_text(response)
    assert response.status_code == 400
    assert "The chronology file could not be imported" in page
    assert "Nothing from it has been imported." in page
    problems = _csv_problems(page)
    assert len(problems) == len(expected), problems
    for (row, column, message), (want_row, want_column, want_message) in zip(problems, expected, strict=True):
        assert (row, column) == (want_row, want_column), problems
        assert want_message in message, problems
    assert _state(app, request_id) == before
    assert _entry_count(app, request_id) == 0
    assert audit_trail(app, "chronology_imported") == []


def test_an_import_without_a_file_is_refused(app: Flask, case: Case) -> None:
    request_id = _ask(app, case)
    lx = _as(app, case, "LX")
    page_url = f"/agencies/requests/{request_id}"
    response = post_form(lx, f"{page_url}/entries/import", {}, token_from=page_url)
    assert response.status_code == 400
    assert "Choose a CSV file to import" in page_text(response)
    assert _entry_count(app, request_id) == 0


def test_a_good_csv_imports_every_row(app: Flask, case: Case, empty_queue: None) -> None:
    request_id = _ask(app, case)
    lx = _as(app, case, "LX")
    data = (
        "\ufeff" + HEADER + "\r\n"
        "14/02/2025,09:30,Response officer,Attended a report of shouting,Referral not made\r\n"
        '2025-01-03,,Neighbourhood officer,"Visited after a neighbour\'s call, nobody answered",Low\r\n'
        '20/03/2025,23:05,Call handler,=HYPERLINK("http://example.org"),\r\n'
        ",,,,\r\n"
    ).encode()
    response = _import_csv(lx, request_id, data, "chronology.csv")
    assert response.status_code == 302, page_text(response)[:3000]
    assert run_worker() == ["run_background_job"]  # the import is the worker's
    assert "3 entries imported." in page_text(lx.get(response.headers["Location"]))
    with app.app_context():
        entries = [
            (e.occurred_on, e.occurred_at, e.practitioner_role, e.event, e.significance)
            for e in db.session.execute(
                db.select(ChronologyEntry)
                .where(ChronologyEntry.request_id == request_id)
                .order_by(ChronologyEntry.occurred_on)
            ).scalars()
        ]
    assert entries == [
        (
            date(2025, 1, 3),
            None,
            "Neighbourhood officer",
            "Visited after a neighbour's call, nobody answered",
            "Low",
        ),
        (
            date(2025, 2, 14),
            time(9, 30),
            "Response officer",
            "Attended a report of shouting",
            "Referral not made",
        ),
        (date(2025, 3, 20), time(23, 5), "Call handler", '=HYPERLINK("http://example.org")', ""),
    ]
    [event] = audit_trail(app, "chronology_imported")
    assert event.details == {"rows": 3} and event.review_id == case.review_id


def test_a_second_import_adds_to_the_entries(app: Flask, case: Case, empty_queue: None) -> None:
    request_id = _ask(app, case)
    _add_entry(app, case, request_id, date(2025, 1, 1), "Typed first")
    lx = _as(app, case, "LX")
    data = f"{HEADER}\r\n02/01/2025,,PC,Imported,\r\n".encode()
    response = _import_csv(lx, request_id, data, "c.csv")
    assert response.status_code == 302
    assert _entry_count(app, request_id) == 1
    run_worker()
    assert _entry_count(app, request_id) == 2


@pytest.mark.parametrize("bad_time", ["25:00", "9.30", "noon", "14:3", "14:60"])
def test_a_typed_entry_with_a_bad_time_is_refused(app: Flask, case: Case, bad_time: str) -> None:
    request_id = _ask(app, case)
    lx = _as(app, case, "LX")
    page_url = f"/agencies/requests/{request_id}"
    response = post_form(
        lx,
        f"{page_url}/entries",
        {
            **_date_fields("occurred_on", uk_today() - timedelta(days=2)),
            "occurred_at": bad_time,
            "practitioner_role": "Response officer",
            "event": "Attended the flat",
        },
    )
    assert response.status_code == 400
    assert "Enter the time like 14:30" in page_text(response)
    assert _entry_count(app, request_id) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"occurred_on": ["", "", ""]}, "Enter the date of the event"),
        ({"occurred_on": ["31", "2", "2025"]}, "must be a real date"),
        ({"practitioner_role": ""}, "Enter the practitioner's role"),
        ({"event": ""}, "Describe what happened"),
        ({"tomorrow": True}, "The date must be today or in the past"),
    ],
)
def test_a_typed_entry_with_missing_or_bad_details_is_refused(
    app: Flask, case: Case, fields: dict[str, object], message: str
) -> None:
    request_id = _ask(app, case)
    lx = _as(app, case, "LX")
    form: dict[str, object] = {
        **_date_fields("occurred_on", uk_today() - timedelta(days=2)),
        "occurred_at": "",
        "practitioner_role": "Response officer",
        "event": "Attended the flat",
    }
    if fields.pop("tomorrow", False):
        form.update(_date_fields("occurred_on", uk_today() + timedelta(days=1)))
    form.update(fields)
    response = post_form(lx, f"/agencies/requests/{request_id}/entries", form, token_from="/agencies/mine")
    assert response.status_code == 400
    assert message in page_text(response)
    assert _entry_count(app, request_id) == 0


def test_an_entry_can_be_added_only_to_a_chronology(app: Flask, case: Case) -> None:
    request_id = _ask(app, case, kind=ContributionKind.AGENCY_REPORT)
    with app.app_context(), pytest.raises(DomainError, match="not for a chronology"):
        contributions.add_chronology_entry(
            _contribution(request_id),
            ChronologyRow(uk_today(), None, "Officer", "Visit", ""),
            _user(case, "LX"),
        )


# --- the merged chronology ------------------------------------------------------------------


@dataclass
class Merged:
    x_request: int
    y_request: int
    entries: dict[str, int]  # label -> entry id


DAY = date(2025, 3, 1)


def _merged(app: Flask, case: Case, accept_y: bool = True) -> Merged:
    """X's chronology accepted with three entries (two on one day, typed out of order); Y's
    with one entry between them, accepted or only submitted."""
    x_request, y_request = _ask(app, case, "X"), _ask(app, case, "Y")
    entries = {
        "x-late": _add_entry(app, case, x_request, DAY + timedelta(days=20), "X: last event"),
        "x-afternoon": _add_entry(app, case, x_request, DAY, "X: afternoon call", time(14, 0)),
        "x-morning": _add_entry(app, case, x_request, DAY, "X: morning visit", time(9, 0)),
        "y-middle": _add_entry(
            app, case, y_request, DAY + timedelta(days=10), "=cmd|' /C calc'!A0", person="LY"
        ),
    }
    _step(app, case, x_request, "submit", "LX", "")
    _step(app, case, x_request, "accept", "R1")
    _step(app, case, y_request, "submit", "LY", "")
    if accept_y:
        _step(app, case, y_request, "accept", "board_manager")
    return Merged(x_request, y_request, entries)


def _case_merged(app: Flask) -> tuple[Case, Merged]:
    case = build_case(app)
    return case, _merged(app, case)


def _chronology_ids(page: str) -> list[int]:
    return [
        int(n)
        for n in re.findall(r'<tr class="govuk-table__row" id="entry-(\d+)"', _section(page, "chronology"))
    ]


def test_the_merged_chronology_shows_only_accepted_entries_in_date_order(app: Flask, case: Case) -> None:
    merged = _merged(app, case, accept_y=False)
    reviewer = _as(app, case, "R1")
    url = f"/reviews/{case.review_id}/chronology"
    e = merged.entries
    assert _chronology_ids(page_text(reviewer.get(url))) == [e["x-morning"], e["x-afternoon"], e["x-late"]]
    _step(app, case, merged.y_request, "accept", "board_manager")
    page = page_text(reviewer.get(url))
    assert _chronology_ids(page) == [e["x-morning"], e["x-afternoon"], e["y-middle"], e["x-late"]]
    assert "4 entries" in page


def _order_of_one_day(app: Flask, case: Case) -> tuple[int, dict[str, int]]:
    """A chronology with two entries on one day, one without a time, typed untimed first."""
    request_id = _ask(app, case)
    entries = {
        "untimed": _add_entry(app, case, request_id, DAY, "Untimed: a letter was sent"),
        "timed": _add_entry(app, case, request_id, DAY, "Timed: a home visit", time(16, 45)),
        "earlier": _add_entry(app, case, request_id, DAY - timedelta(days=1), "The day before"),
    }
    return request_id, entries


def test_entries_without_a_time_come_last_in_their_day(app: Flask, case: Case) -> None:
    request_id, entries = _order_of_one_day(app, case)
    _step(app, case, request_id, "submit", "LX", "")
    _step(app, case, request_id, "accept", "R1")
    page = page_text(_as(app, case, "R1").get(f"/reviews/{case.review_id}/chronology"))
    assert _chronology_ids(page) == [entries["earlier"], entries["timed"], entries["untimed"]]


def test_the_request_page_lists_a_days_entries_as_the_merged_chronology_does(app: Flask, case: Case) -> None:
    request_id, _ = _order_of_one_day(app, case)
    page = page_text(_as(app, case, "LX").get(f"/agencies/requests/{request_id}"))
    entries = _section(page, "entries")
    order = [entries.index(text) for text in ("The day before", "Timed: a home visit", "Untimed: a letter")]
    assert order == sorted(order)


@pytest.mark.read_only
class TestReadingTheMergedChronology:
    """The merged chronology read, filtered, exported and printed: one case with X's and Y's
    chronologies accepted for them all, checked unchanged after the class (exports add audit rows)."""

    @pytest.fixture(scope="class")
    @classmethod
    def merged_case(
        cls, app: Flask, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[tuple[Case, Merged]]:
        folder = tmp_path_factory.mktemp("uploads")
        with built_once(app, lambda: _case_merged(app), may_add_to={"audit_events"}, uploads=folder) as made:
            yield made

    @pytest.fixture(scope="class")
    @classmethod
    def case(cls, merged_case: tuple[Case, Merged]) -> Case:
        return merged_case[0]

    @pytest.fixture(scope="class")
    @classmethod
    def merged(cls, merged_case: tuple[Case, Merged]) -> Merged:
        return merged_case[1]

    def test_the_merged_chronology_filters_by_agency_and_dates(
        self, app: Flask, case: Case, merged: Merged
    ) -> None:
        e = merged.entries
        reviewer = _as(app, case, "R1")
        url = f"/reviews/{case.review_id}/chronology"

        def shown(**args: str) -> list[int]:
            return _chronology_ids(page_text(reviewer.get(url, query_string=args)))

        assert shown(agency=str(case.agencies["Y"])) == [e["y-middle"]]
        assert shown(agency=str(case.agencies["X"])) == [e["x-morning"], e["x-afternoon"], e["x-late"]]
        assert shown(**{"from": (DAY + timedelta(days=1)).isoformat()}) == [e["y-middle"], e["x-late"]]
        assert shown(to=DAY.isoformat()) == [e["x-morning"], e["x-afternoon"]]
        middle = (DAY + timedelta(days=10)).isoformat()
        assert shown(**{"from": middle, "to": middle}) == [e["y-middle"]]
        assert shown(agency=str(case.agencies["Y"]), to=DAY.isoformat()) == []
        assert shown(agency="nonsense", **{"from": "not-a-date"}) == [
            e["x-morning"],
            e["x-afternoon"],
            e["y-middle"],
            e["x-late"],
        ]
        # the agency filter offers the agencies with accepted entries
        page = page_text(reviewer.get(url))
        assert (
            f'<option value="{case.agencies["X"]}"' in page
            and f'<option value="{case.agencies["Y"]}"' in page
        )
        assert f'<option value="{case.agencies["W"]}"' not in page

    def test_the_csv_export_has_the_rows_and_neutralises_formulas(self, app: Flask, case: Case) -> None:
        reviewer = _as(app, case, "R1")
        response = reviewer.get(f"/reviews/{case.review_id}/chronology.csv")
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert f'filename="{case.reference}-chronology.csv"' in response.headers["Content-Disposition"]
        raw = response.get_data(as_text=True)
        assert raw.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff"), newline="")))
        assert rows[0] == [
            "date",
            "time",
            "agency",
            "practitioner_role",
            "event",
            "significance",
            "key_episode",
        ]
        day = DAY.strftime("%d/%m/%Y")
        assert [row[:3] + row[4:5] for row in rows[1:]] == [
            [day, "09:00", "Northshire Police", "X: morning visit"],
            [day, "14:00", "Northshire Police", "X: afternoon call"],
            [
                (DAY + timedelta(days=10)).strftime("%d/%m/%Y"),
                "",
                "Riverside NHS Trust",
                "'=cmd|' /C calc'!A0",
            ],
            [(DAY + timedelta(days=20)).strftime("%d/%m/%Y"), "", "Northshire Police", "X: last event"],
        ]
        assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)
        [event] = audit_trail(app, "chronology_exported")
        assert event.review_id == case.review_id and event.actor_id == case.users["R1"].id
        # the filters apply to the export too
        filtered = reviewer.get(
            f"/reviews/{case.review_id}/chronology.csv", query_string={"agency": case.agencies["Y"]}
        )
        assert len(list(csv.reader(io.StringIO(filtered.get_data(as_text=True))))) == 2

    def test_the_printable_page_renders(self, app: Flask, case: Case) -> None:
        page = page_text(_as(app, case, "board_manager").get(f"/reviews/{case.review_id}/chronology?print=1"))
        assert "Confidential." in page and "4 entries" in page
        assert page.index("X: morning visit") < page.index("X: afternoon call") < page.index("X: last event")
        assert "=cmd|" in page  # shown as text, escaped
        assert 'class="govuk-header' not in page  # the bare page, without the service's navigation

    def test_the_printable_page_carries_the_date_it_was_printed(self, app: Flask, case: Case) -> None:
        page = page_text(_as(app, case, "board_manager").get(f"/reviews/{case.review_id}/chronology?print=1"))
        today = uk_today()
        printed = re.search(r"Printed (.*?) from Casework", page)
        assert printed is not None
        assert printed.group(1).strip() in {
            today.isoformat(),
            today.strftime("%d/%m/%Y"),
            f"{today.day} {today:%B %Y}",
            today.strftime("%d %B %Y"),
        }

    def test_the_chronology_filters_dates_in_day_month_and_year_boxes(self, app: Flask, case: Case) -> None:
        client = _as(app, case, "board_manager")
        later = DAY + timedelta(days=15)
        url = f"/reviews/{case.review_id}/chronology"
        response = client.get(
            url, query_string={"from-day": later.day, "from-month": later.month, "from-year": later.year}
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "1 entry" in page_text(response)
        assert "X: last event" in page and "X: morning visit" not in page
        assert f'id="from-day" name="from-day" type="text" inputmode="numeric" value="{later.day}"' in page
        assert f"from={later.isoformat()}" in page  # the download and print links keep the filter

        wrong = client.get(url, query_string={"to-day": "31", "to-month": "2", "to-year": "2026"})
        assert wrong.status_code == 200
        assert "To must be a real date, for example 27 3 2026" in page_text(wrong)
        assert "4 entries" in page_text(wrong)  # a date that is not one filters nothing


def test_the_reviewer_marks_key_episodes_and_it_is_audited(app: Flask, case: Case) -> None:
    merged = _merged(app, case)
    entry = merged.entries["y-middle"]
    reviewer = _as(app, case, "R1")
    url = f"/reviews/{case.review_id}/chronology"
    response = post_form(
        reviewer, f"{url}/{entry}/key", {"mark": "1", "note": "The 999 call was not linked"}, token_from=url
    )
    assert response.status_code == 302
    with app.app_context():
        found = db.session.get(ChronologyEntry, entry)
        assert found is not None
        assert (found.key_episode, found.key_episode_note) == (True, "The 999 call was not linked")
    [event] = audit_trail(app, "key_episode_marked")
    assert event.review_id == case.review_id and event.actor_id == case.users["R1"].id
    assert _chronology_ids(page_text(reviewer.get(url, query_string={"key": "1"}))) == [entry]
    assert "The 999 call was not linked" in page_text(reviewer.get(url))

    unmarked = post_form(reviewer, f"{url}/{entry}/key", {"mark": "0"}, token_from=url)
    assert unmarked.status_code == 302
    assert len(audit_trail(app, "key_episode_unmarked")) == 1
    assert _chronology_ids(page_text(reviewer.get(url, query_string={"key": "1"}))) == []


def test_an_agency_lead_cannot_mark_key_episodes(app: Flask, case: Case) -> None:
    merged = _merged(app, case)
    entry = merged.entries["x-morning"]
    assert_not_marked(app, _as(app, case, "LX"), case.review_id, entry, "Ours", token_from="/agencies/mine")
    with app.app_context():
        with pytest.raises(DomainError, match="Only the review's reviewer or a board manager"):
            contributions.mark_key_episode(
                db.session.get(ChronologyEntry, entry),  # type: ignore[arg-type]
                True,
                "Ours",
                _user(case, "LX"),
            )
        db.session.rollback()
        assert db.session.get(ChronologyEntry, entry).key_episode is False  # type: ignore[union-attr]
    assert audit_trail(app, "key_episode_marked") == []


def test_only_accepted_entries_can_be_marked(app: Flask, case: Case) -> None:
    request_id = _ask(app, case)
    entry = _add_entry(app, case, request_id, DAY, "Visit")
    with app.app_context(), pytest.raises(DomainError, match="Only entries of an accepted chronology"):
        contributions.mark_key_episode(
            db.session.get(ChronologyEntry, entry),  # type: ignore[arg-type]
            True,
            "",
            _user(case, "R1"),
        )
