"""Each event tells the people the access rules name, and nobody else: not the person who made
the change, not another agency's lead, not an inactive account. What they are told names the
review by reference and pseudonym, never the family, even when the free text of the change does;
its link opens the page that deals with it for the person told; the same news about the same
thing reaches a person once a day; someone who wants no mail gets the notification only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask

from casework.actions import services as actions
from casework.actions.models import Action, ActionStatus
from casework.agencies import services as contributions
from casework.agencies.chronology_csv import ChronologyRow
from casework.agencies.contributions import ContributionKind
from casework.agencies.models import Agency
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.notifications.events import actions as action_events
from casework.notifications.events import contributions as request_events
from casework.notifications.events import reviews as review_events
from casework.reviews.appointments import services as appointments
from casework.reviews.drafts import services as drafts
from casework.reviews.models import AssignmentRole
from tests.notifications.world import (
    CHILD,
    IDENTIFYING,
    PSEUDONYM,
    World,
    copied_world,
    counts,
    mailed,
    notified,
)
from tests.support.files import PDF, upload
from tests.support.http import client_as

# Free text people type about a case may name the family: none of it reaches a message.
NAMING = f"Check everything about {CHILD}, born 14/03/2025, at 14 Larkspur Close."
DUE = timedelta(days=20)


def _agency(world: World, key: str) -> Agency:
    found = db.session.get(Agency, world.agencies[key])
    assert found is not None
    return found


def _request(world: World) -> object:
    [request] = contributions.request_contributions(
        world.review(),
        [_agency(world, "X")],
        ContributionKind.CHRONOLOGY,
        NAMING,
        uk_today() + DUE,
        world.user("board_manager"),
    )
    return request


def request_made(world: World) -> Callable[[], int]:
    request = _request(world)
    return lambda: request_events.request_made(request, world.user("board_manager"))  # type: ignore[arg-type]


def request_returned(world: World) -> Callable[[], int]:
    request = _request(world)
    lead = world.user("LX")
    row = ChronologyRow(uk_today() - timedelta(days=40), None, "Health visitor", "Home visit.", "")
    contributions.add_chronology_entry(request, row, lead)  # type: ignore[arg-type]
    contributions.submit_request(request, "Our records.", lead, None)  # type: ignore[arg-type]
    contributions.return_request(request, NAMING, world.user("board_manager"), None)  # type: ignore[arg-type]
    return lambda: request_events.request_returned(request, world.user("board_manager"))  # type: ignore[arg-type]


def appointment_offered(world: World) -> Callable[[], int]:
    manager = world.user("board_manager")
    assignment = appointments.assign_reviewer(
        world.review(), world.user("R2"), AssignmentRole.CO_REVIEWER, manager
    )
    return lambda: review_events.appointment_offered(assignment, manager)


def accuracy_shared(world: World) -> Callable[[], int]:
    manager = world.user("board_manager")
    [draft] = drafts.versions_of(world.review())
    check = drafts.share_for_accuracy(draft, [_agency(world, "X")], uk_today() + DUE, manager)
    return lambda: review_events.accuracy_check_shared(check, manager)


def _action(world: World) -> Action:
    manager = world.user("board_manager")
    recommendation = actions.add_recommendation(
        world.review(), NAMING, False, [_agency(world, "X")], [], manager
    )
    return actions.add_action(
        recommendation, NAMING, _agency(world, "X"), world.user("LX"), uk_today() + DUE, NAMING, manager
    )


def _completed(world: World) -> Action:
    action = _action(world)
    evidence = [upload(PDF, "audit.pdf")]
    actions.add_progress(action, ActionStatus.COMPLETED, NAMING, evidence, world.user("LX"), None)
    return action


def action_assigned(world: World) -> Callable[[], int]:
    action = _action(world)
    return lambda: action_events.action_assigned(action, world.user("board_manager"))


def action_completed(world: World) -> Callable[[], int]:
    action = _completed(world)
    return lambda: action_events.action_completed(action, world.user("LX"))


def action_returned(world: World) -> Callable[[], int]:
    action = _completed(world)
    actions.return_action(action, NAMING, ActionStatus.AT_RISK, world.user("board_manager"), None)
    return lambda: action_events.action_returned(action, world.user("board_manager"))


def deadline_requested(world: World) -> Callable[[], int]:
    action = _action(world)
    change = actions.request_deadline_change(action, uk_today() + DUE * 2, NAMING, world.user("LX"))
    return lambda: action_events.deadline_change_requested(change, world.user("LX"))


def deadline_decided(world: World) -> Callable[[], int]:
    action = _action(world)
    change = actions.request_deadline_change(action, uk_today() + DUE * 2, NAMING, world.user("LX"))
    actions.decide_deadline_change(change, True, NAMING, world.user("board_manager"))
    return lambda: action_events.deadline_change_decided(change, world.user("board_manager"))


@dataclass(frozen=True)
class Event:
    kind: str
    act: Callable[[World], Callable[[], int]]
    told: tuple[str, ...]  # by cast key; LX2 is told in the app only
    not_told: tuple[str, ...]
    words: str  # what the subject says is asked


EVENTS = [
    Event("request_made", request_made, ("LX", "LX2"), ("board_manager", "LY", "LX_off", "M2"), "chronology"),
    Event("request_returned", request_returned, ("LX", "LX2"), ("board_manager", "LY", "LX_off"), "returned"),
    Event("appointment_offered", appointment_offered, ("R2",), ("board_manager", "R1", "R3"), "appointment"),
    Event(
        "accuracy_shared", accuracy_shared, ("LX", "LX2"), ("board_manager", "LY", "R1"), "factual accuracy"
    ),
    Event("action_assigned", action_assigned, ("LX", "LX2"), ("board_manager", "LY", "M2"), "assigned"),
    Event("action_completed", action_completed, ("board_manager", "M2"), ("LX", "LX2", "LY"), "verification"),
    Event("action_returned", action_returned, ("LX", "LX2"), ("board_manager", "M2", "LY"), "returned"),
    Event("deadline_requested", deadline_requested, ("board_manager", "M2"), ("LX", "LX2", "LY"), "deadline"),
    Event("deadline_decided", deadline_decided, ("LX", "LX2"), ("board_manager", "M2", "LY"), "approved"),
]


@pytest.mark.parametrize("event", EVENTS, ids=[event.kind for event in EVENTS])
def test_the_right_people_are_told_once_without_identifying_anyone(
    app: Flask, folder: object, event: Event
) -> None:
    world = copied_world(app)
    with app.app_context():
        repeat = event.act(world)
        db.session.commit()
        ids = world.people
        notes, mails = notified(event.kind), mailed(event.kind)
        assert set(notes) == {ids[key] for key in event.told}, event.kind
        assert not {ids[key] for key in event.not_told} & set(notes)
        # Mail only for those who want it: LX2 chose the app only.
        assert set(mails) == {ids[key] for key in event.told if key != "LX2"}
        for note in notes.values():
            assert world.reference in note.text and PSEUDONYM in note.text
            assert event.words in note.text
        for mail in mails.values():
            assert mail.subject == notes[mail.recipient_id].text
            for body in (mail.text_body, mail.html_body):
                assert world.reference in body and PSEUDONYM in body
                assert "http://" in body and notes[mail.recipient_id].link in body
        for text in [n.text for n in notes.values()] + [
            part for m in mails.values() for part in (m.subject, m.text_body, m.html_body)
        ]:
            assert not [word for word in IDENTIFYING if word.lower() in text.lower()], text

        # The same news about the same thing, the same day: nothing more.
        before = counts()
        assert repeat() == 0
        db.session.commit()
        assert counts() == before
        links = {user_id: note.link for user_id, note in notes.items()}

    for user_id, link in links.items():
        assert client_as(app, user_id).get(link).status_code == 200, (event.kind, link)


def test_a_board_manager_is_not_told_of_their_own_partnership_action(app: Flask, folder: object) -> None:
    """The actor is left out even when the rule names them: a partnership action the board
    manager owns and completes tells only the other board manager."""
    world = copied_world(app)
    with app.app_context():
        manager = world.user("board_manager")
        recommendation = actions.add_recommendation(world.review(), "Share more.", True, [], [], manager)
        action = actions.add_action(
            recommendation, "Audit referrals.", None, manager, uk_today() + DUE, "An audit.", manager
        )
        assert notified("action_assigned") == {}
        actions.add_progress(action, ActionStatus.COMPLETED, "Done.", [upload(PDF, "a.pdf")], manager, None)
        db.session.commit()
        assert set(notified("action_completed")) == {world.people["M2"]}
        assert "the partnership" in notified("action_completed")[world.people["M2"]].text


def test_a_refused_change_tells_nobody(app: Flask, folder: object) -> None:
    world = copied_world(app)
    with app.app_context():
        with pytest.raises(Exception, match="due date"):
            contributions.request_contributions(
                world.review(),
                [_agency(world, "X")],
                ContributionKind.CHRONOLOGY,
                "Asked.",
                uk_today(),
                world.user("board_manager"),
            )
        db.session.rollback()
        assert counts() == (0, 0)
