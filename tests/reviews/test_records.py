"""The registers kept beside a review: parallel processes (and the pause that names one), the
monitoring log with written requests to the lead reviewer, the family's involvement; the rapid
review's new fields; who sees each. Through the pages, as the people who use them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from casework.agencies.models import AgencyType
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.notifications.models import Notification, OutboxMessage
from casework.reviews.appointments import services as appointments
from casework.reviews.models import (
    AssignmentRole,
    FamilyContact,
    MonitoringEntry,
    ParallelProcess,
    ProcessKind,
    ProcessStatus,
    RapidReview,
    Review,
    ReviewPause,
)
from casework.reviews.records import processes
from casework.reviews.timeline import describe_all
from tests.support.copies import replayed
from tests.support.http import client_as, page_text, post_form
from tests.support.people import make_cast
from tests.support.records import trial_and_care_proceedings
from tests.support.reviews import make_review
from tests.support.rows import stored

AGENCIES = {"X": ("Northshire Police", AgencyType.POLICE)}
TODAY = date(2026, 11, 18)  # a Wednesday


@dataclass(frozen=True)
class World:
    review_id: int
    dhr_id: int
    people: dict[str, int]


@pytest.fixture
def world(app: Flask, folder: object, today: None) -> World:
    """A CSPR gathering contributions: R1 leads it, R2 is an accepted co-reviewer; X is in scope.
    And a DHR at its decision stage."""
    return replayed(app, "records world", lambda: _build_world(app))


def _build_world(app: Flask) -> World:
    with app.app_context():
        cast = make_cast(AGENCIES)
        manager = cast.user("board_manager")
        review = make_review(
            "CSPR", "contributions", by=manager, agencies=[cast.agency("X")], reviewer=cast.user("R1")
        )
        review = stored(Review, review.id)
        co = appointments.assign_reviewer(
            review, cast.user("R2"), AssignmentRole.CO_REVIEWER, manager, version=review.version
        )
        appointments.accept_appointment(co, cast.user("R2"), declared=True)
        db.session.commit()
        dhr = make_review("DHR", "commissioning", by=manager)
        return World(review.id, dhr.id, dict(cast.user_ids))


@pytest.fixture(autouse=True)
def today() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def day(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def client(app: Flask, world: World, person: str) -> FlaskClient:
    return client_as(app, world.people[person])


def words(response: TestResponse) -> str:
    """The page's text without its tags, in single spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def assert_each_refused(
    client: FlaskClient, url: str, form: dict[str, object], *refusals: tuple[dict[str, object], str]
) -> None:
    """Each (changes, message): the good ``form`` with these changes is refused (400) with the message."""
    for changes, message in refusals:
        response = post_form(client, url, form | changes)
        assert response.status_code == 400, changes
        assert message in page_text(response), changes


def counted(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def timeline(app: Flask, review_id: int) -> str:
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent).where(AuditEvent.review_id == review_id).order_by(AuditEvent.id)
        ).scalars()
        return " | ".join(" ".join([e.sentence, *e.changes]) for e in describe_all(list(events)))


# The good form of each register.
PROCESS = {
    "kind": "criminal",
    "description": "Prosecution of the father, Crown Court",
    "status": "under_way",
    "started_on": day(TODAY - timedelta(days=30)),
    "expected_end_on": day(TODAY + timedelta(days=90)),
    "contact_name": "DI Rowe",
    "contact_organisation": "Northshire Police",
    "contact_details": "rowe@police.example",
    "notes": "No practitioner interviews before the trial.",
}

FAMILY = {
    "kind": "consent",
    "happened_on": day(TODAY),
    "who": "Mother",
    "how": "Home visit",
    "summary": "Agreed.",
}

# Changes to the good forms that each is refused with a message.
Refusals = list[tuple[dict[str, object], str]]
PROCESS_REFUSALS: Refusals = [
    ({"kind": ""}, "Select the kind of process"),
    ({"description": "  "}, "Describe the process"),
    ({"kind": "treason"}, "Not a valid choice"),
    ({"started_on": day(TODAY + timedelta(days=1))}, "The date it started must be today or in the past"),
    ({"expected_end_on": day(TODAY - timedelta(days=60))}, "The expected end cannot be before"),
    ({"status": "concluded"}, "Enter the date the process ended"),
    ({"ended_on": day(TODAY)}, "A process with an end date has concluded or was discontinued"),
    ({"started_on": ["31", "2", "2026"]}, "must be a real date"),
]
FAMILY_REFUSALS: Refusals = [
    ({"who": ""}, "Say who in the family"),
    ({"kind": ""}, "Select what kind of involvement this was"),
    ({"happened_on": day(TODAY + timedelta(days=3))}, "The date must be today or in the past"),
    ({"happened_on": day(date(2020, 1, 1))}, "cannot be before the partnership became aware"),
]


# --- parallel processes ---------------------------------------------------------------------


def test_a_manager_adds_a_process(app: Flask, world: World) -> None:
    manager = client(app, world, "board_manager")
    url = f"/reviews/{world.review_id}/processes"
    response = post_form(manager, url, PROCESS)
    assert response.status_code == 302
    page = page_text(manager.get(url))
    assert "Prosecution of the father, Crown Court" in page and "DI Rowe" in page
    assert "What is holding the review up" in page
    assert "recorded a parallel process: criminal investigation or prosecution (under way)" in timeline(
        app, world.review_id
    )


def added_process(app: Flask, world: World, manager: FlaskClient) -> int:
    """The manager adds PROCESS, the review's only process, through its form: its id."""
    post_form(manager, f"/reviews/{world.review_id}/processes", PROCESS)
    with app.app_context():
        return db.session.execute(select(ParallelProcess.id)).scalar_one()


def test_an_edit_from_a_stale_page_is_refused_and_changes_nothing(app: Flask, world: World) -> None:
    manager = client(app, world, "board_manager")
    process_id = added_process(app, world, manager)
    url = f"/reviews/{world.review_id}/processes/{process_id}"
    assert manager.get(url).status_code == 200

    ended = PROCESS | {"status": "concluded", "ended_on": day(TODAY), "version": "1"}
    assert post_form(manager, url, ended).status_code == 302
    stale = PROCESS | {"description": "Changed in another tab", "version": "1"}
    response = post_form(manager, url, stale)
    assert response.status_code == 400
    assert "Someone else changed this process" in page_text(response)
    with app.app_context():
        process = stored(ParallelProcess, process_id)
        assert process.status == ProcessStatus.CONCLUDED and process.description == PROCESS["description"]
        assert process.version == 2
    assert "updated a parallel process: criminal investigation or prosecution (concluded)" in timeline(
        app, world.review_id
    )


def test_a_pause_names_the_process_that_caused_it(app: Flask, world: World) -> None:
    manager = client(app, world, "board_manager")
    process_id = added_process(app, world, manager)
    with app.app_context():
        version = stored(Review, world.review_id).version
    pause = {"started_on": day(TODAY), "reason": "Criminal trial", "agreed_by": "The partners"}
    url = f"/reviews/{world.review_id}/pause"
    # A process of another review, or none at all, is not offered.
    response = post_form(manager, url, pause | {"caused_by": "999999", "version": str(version)})
    assert response.status_code == 400 and "Not a valid choice" in page_text(response)
    response = post_form(manager, url, pause | {"caused_by": str(process_id), "version": str(version)})
    assert response.status_code == 302
    with app.app_context():
        paused = db.session.execute(select(ReviewPause)).scalar_one()
        assert paused.process_id == process_id
    page = page_text(manager.get(f"/reviews/{world.review_id}"))
    assert "because of the Criminal investigation or prosecution: Prosecution of the father" in page
    assert "paused the review from 18 November 2026 because of the criminal investigation" in timeline(
        app, world.review_id
    )


def test_a_pause_without_a_process_still_works_and_its_cause_can_be_named_later(
    app: Flask, world: World
) -> None:
    manager = client(app, world, "board_manager")
    with app.app_context():
        version = stored(Review, world.review_id).version
    pause = {"started_on": day(TODAY), "reason": "Inquest", "agreed_by": "The partners", "version": version}
    assert post_form(manager, f"/reviews/{world.review_id}/pause", pause).status_code == 302
    post_form(manager, f"/reviews/{world.review_id}/processes", PROCESS | {"kind": "inquest"})
    with app.app_context():
        pause_id = db.session.execute(select(ReviewPause.id)).scalar_one()
        process_id = db.session.execute(select(ParallelProcess.id)).scalar_one()
        assert stored(ReviewPause, pause_id).process_id is None
    url = f"/reviews/{world.review_id}/pauses/{pause_id}/process"
    assert post_form(manager, url, {"process": str(process_id)}).status_code == 302
    with app.app_context():
        assert stored(ReviewPause, pause_id).process_id == process_id
    response = manager.post(  # the same again: refused, said at the top of the register
        url, data={"csrf_token": _token(manager, world), "process": str(process_id)}, follow_redirects=True
    )
    assert "The pause already names this process" in page_text(response)
    assert "was caused by the inquest" in timeline(app, world.review_id)


def _token(client: FlaskClient, world: World) -> str:
    from tests.support.http import csrf_token

    return csrf_token(client, f"/reviews/{world.review_id}/processes")


def test_delay_reasons_describe_the_processes_still_running(app: Flask, world: World) -> None:
    with app.app_context():
        review = stored(Review, world.review_id)
        manager = stored(Review, world.review_id).created_by
        assert processes.delay_reasons(review) == ""
        trial, care = trial_and_care_proceedings(TODAY)
        inquest = processes.ProcessDetails(
            kind=ProcessKind.INQUEST, description="Inquest", status=ProcessStatus.EXPECTED
        )
        for details in (trial, inquest, care):
            processes.add_process(review, details, manager)
        db.session.commit()
        assert processes.delay_reasons(review) == (
            "Criminal investigation or prosecution: Trial of the father "
            "(under way, expected to end 3 March 2027); Inquest: Inquest (expected)"
        )


# --- the monitoring log -----------------------------------------------------------------------


def test_a_written_request_reaches_the_lead_reviewer_who_answers_it(app: Flask, world: World) -> None:
    manager = client(app, world, "board_manager")
    url = f"/reviews/{world.review_id}/monitoring"
    entry = {"kind": "monitoring", "recorded_on": day(TODAY), "text": "On time; the chronologies are good."}
    assert post_form(manager, url, entry | {"text": ""}).status_code == 400
    assert post_form(manager, url, entry | {"recorded_on": day(TODAY + timedelta(days=1))}).status_code == 400
    assert counted(app, MonitoringEntry) == 0
    assert post_form(manager, url, entry).status_code == 302
    request = entry | {"kind": "written_request", "text": "Send the emerging findings by Friday."}
    assert post_form(manager, url, request).status_code == 302
    with app.app_context():
        asked = db.session.execute(
            select(MonitoringEntry).where(MonitoringEntry.kind == "written_request")
        ).scalar_one()
        assert asked.addressed_to_id == world.people["R1"]
        asked_id = asked.id
        # Told in the app and by mail, without the request's words.
        told = db.session.execute(
            select(Notification).where(Notification.kind == "written_request")
        ).scalars()
        notes = list(told)
        assert [n.user_id for n in notes] == [world.people["R1"]]
        assert "written request" in notes[0].text and "emerging findings" not in notes[0].text
        mails = list(
            db.session.execute(select(OutboxMessage).where(OutboxMessage.kind == "written_request")).scalars()
        )
        assert [m.recipient_id for m in mails] == [world.people["R1"]]
        assert "emerging findings" not in mails[0].text_body

    lead = client(app, world, "R1")
    page = page_text(lead.get(url))
    assert "Send the emerging findings by Friday." in page
    assert "On time; the chronologies are good." not in page  # the partners' own monitoring
    # The co-reviewer sees no request of the lead's.
    assert "Send the emerging findings" not in page_text(client(app, world, "R2").get(url))

    respond = f"{url}/{asked_id}/response"
    assert post_form(lead, respond, {"response": " ", "version": "1"}, token_from=url).status_code == 400
    assert (
        post_form(lead, respond, {"response": "Sent today.", "version": "1"}, token_from=url).status_code
        == 302
    )
    assert "Sent today." in page_text(manager.get(url))
    # Only the addressee answers: the manager is refused with a message, nothing changes.
    response = post_form(manager, respond, {"response": "Mine.", "version": "2"}, token_from=url)
    assert response.status_code == 400
    assert "Only the reviewer the request is addressed to can answer it" in page_text(response)
    # A stale correction of the request is refused.
    response = post_form(
        manager, f"{url}/{asked_id}", {"recorded_on": day(TODAY), "text": "New", "version": "1"}
    )
    assert response.status_code == 400 and "Someone else changed this entry" in page_text(response)
    with app.app_context():
        stored_entry = stored(MonitoringEntry, asked_id)
        assert stored_entry.response == "Sent today." and stored_entry.text == request["text"]
    said = timeline(app, world.review_id)
    assert "recorded monitoring of the review's time and quality of 18 November 2026" in said
    assert "sent a written request to the lead reviewer of 18 November 2026" in said
    assert "answered the written request of 18 November 2026" in said


def test_a_written_request_needs_a_lead_reviewer(app: Flask, world: World) -> None:
    manager = client(app, world, "board_manager")
    url = f"/reviews/{world.dhr_id}/monitoring"
    response = post_form(
        manager, url, {"kind": "written_request", "recorded_on": day(TODAY), "text": "Hello"}
    )
    assert response.status_code == 400
    assert "A written request goes to the lead reviewer: appoint one first" in page_text(response)
    assert counted(app, MonitoringEntry) == 0


# --- the family's involvement ---------------------------------------------------------------


def test_the_family_log_records_entries_and_refuses_stale_ones(app: Flask, world: World) -> None:
    manager = client(app, world, "board_manager")
    url = f"/reviews/{world.review_id}/family"
    assert post_form(manager, url, FAMILY).status_code == 302
    with app.app_context():
        contact_id = db.session.execute(select(FamilyContact.id)).scalar_one()
    edit = f"{url}/{contact_id}"
    assert (
        post_form(manager, edit, FAMILY | {"summary": "Agreed to meet.", "version": "1"}).status_code == 302
    )
    response = post_form(manager, edit, FAMILY | {"summary": "Stale.", "version": "1"})
    assert response.status_code == 400 and "Someone else changed this entry" in page_text(response)
    with app.app_context():
        assert stored(FamilyContact, contact_id).summary == "Agreed to meet."
    said = timeline(app, world.review_id)
    assert "recorded the family's involvement: consent of 18 November 2026" in said
    assert "Mother" not in said and "Agreed" not in said  # the timeline says what kind, not what


def test_a_dhr_family_log_says_whether_advocacy_was_offered(app: Flask, world: World) -> None:
    manager = client(app, world, "board_manager")
    url = f"/reviews/{world.dhr_id}/family"
    assert "Not yet recorded: families are entitled to specialist advocacy" in page_text(manager.get(url))
    offered = FAMILY | {"kind": "advocacy_offered", "summary": "AAFDA advocate offered at the first meeting."}
    assert post_form(manager, url, offered).status_code == 302
    assert "Specialist advocacy offered Yes, 18 November 2026" in words(manager.get(url))


# --- bad input to the registers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("register", "form", "model", "refusals"),
    [
        pytest.param("processes", PROCESS, ParallelProcess, PROCESS_REFUSALS, id="processes"),
        pytest.param("family", FAMILY, FamilyContact, FAMILY_REFUSALS, id="family"),
    ],
)
def test_bad_input_to_a_register_is_refused_and_saves_nothing(
    app: Flask,
    world: World,
    register: str,
    form: dict[str, object],
    model: type,
    refusals: Refusals,
) -> None:
    """Each (changes, message): the good form with these changes is refused with the message."""
    manager = client(app, world, "board_manager")
    assert_each_refused(manager, f"/reviews/{world.review_id}/{register}", form, *refusals)
    assert counted(app, model) == 0


# --- who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "processes_page", "monitoring_page", "family_page", "change"),
    [
        ("board_manager", 200, 200, 200, None),
        ("R1", 200, 200, 200, 403),  # the lead reviewer reads
        ("R2", 200, 200, 403, 403),  # a co-reviewer: not the family's log
        ("R3", 404, 404, 404, 404),  # a reviewer of nothing here
        ("LX", 404, 404, 404, 404),  # an agency lead never knows these exist
        ("admin", 404, 404, 404, 404),  # not a reviewer of it: not known to exist
    ],
)
def test_who_may_see_and_change_each_register(
    app: Flask,
    world: World,
    person: str,
    processes_page: int,
    monitoring_page: int,
    family_page: int,
    change: int | None,
) -> None:
    base = f"/reviews/{world.review_id}"
    someone = client(app, world, person)
    assert someone.get(f"{base}/processes").status_code == processes_page
    assert someone.get(f"{base}/monitoring").status_code == monitoring_page
    assert someone.get(f"{base}/family").status_code == family_page
    if change is not None:
        for path, data in (("processes", PROCESS), ("family", FAMILY)):
            response = post_form(someone, f"{base}/{path}", data, token_from="/account")
            assert response.status_code == change, (path, response.status_code)
        assert counted(app, ParallelProcess) == counted(app, FamilyContact) == 0


def test_the_review_page_links_the_family_log_only_for_those_who_read_it(app: Flask, world: World) -> None:
    base = f"/reviews/{world.review_id}"
    assert f"{base}/family" in client(app, world, "R1").get(base).get_data(as_text=True)
    assert f"{base}/family" not in client(app, world, "R2").get(base).get_data(as_text=True)


# --- the rapid review's new fields ----------------------------------------------------------


def test_the_rapid_review_records_the_panels_new_questions(app: Flask) -> None:
    with app.app_context():
        review = make_review("CSPR", "rapid_review")
        manager_id, review_id, version = review.created_by_id, review.id, review.version
    manager = client_as(app, manager_id)
    answers = {
        "key_practice_episodes": "The health visit in March.",
        "family_context": "The family's first language is not English; no interpreter was offered.",
        "lived_experience": "Often hungry, rarely out of the flat.",
        "version": str(version),
    }
    response = post_form(manager, f"/reviews/{review_id}/rapid-review", answers)
    assert response.status_code == 302
    with app.app_context():
        rapid = stored(RapidReview, review_id)
        assert rapid.key_practice_episodes == "The health visit in March."
        assert rapid.lived_experience.startswith("Often hungry")
    page = page_text(manager.get(f"/reviews/{review_id}"))
    assert "no interpreter was offered" in page and "The child's lived experience" in page
    said = timeline(app, review_id)
    assert "the key practice episodes" in said and "no interpreter" not in said
