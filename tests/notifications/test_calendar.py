"""The calendar feed: a valid ICS of the deadlines that concern the person, at a secret address
that can be reset; nothing identifying; a fixed number of queries."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import event

from casework.core.extensions import db
from tests.notifications.due_world import (
    ADDRESS,
    CHILD_NAME,
    World,
    add_action,
    add_answer,
    add_request,
    working_days,
)
from tests.support.http import client_as, page_text, post_form
from tests.support.rows import audit_trail

ADDRESS_SHOWN = re.compile(r'data-testid="calendar-address"[^>]*>(http://[^<]+)</code>')


def new_address(client: FlaskClient) -> str:
    """Create (or reset) the address on the account page; the path of the URL shown once."""
    response = post_form(client, "/account/calendar", {}, token_from="/account")
    assert response.status_code == 200
    match = ADDRESS_SHOWN.search(response.get_data(as_text=True))
    assert match, "the address is shown once"
    return match.group(1).removeprefix("http://localhost")


def events(app: Flask, path: str) -> dict[str, tuple[str, date, str]]:
    """UID -> (summary, day, description) of the feed at ``path``, read back with icalendar."""
    response = app.test_client().get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    found = {}
    for item in calendar.walk("VEVENT"):
        start, end = item.decoded("dtstart"), item.decoded("dtend")
        assert type(start) is date and (end - start).days == 1  # all-day events
        found[str(item["uid"])] = (str(item["summary"]), start, str(item["description"]))
    return found


def test_an_agency_lead_sees_their_agencys_deadlines_and_no_one_elses(app: Flask, world: World) -> None:
    with app.app_context():
        request = add_request(world, "X", working_days(12))
        answer = add_answer(world, "X", working_days(-2))
        action = add_action(world, "X", working_days(30))
        add_request(world, "Y", working_days(3))
        add_action(world, "Y", working_days(3), owner="LY")
        client = client_as(app, world.user("LX"))
    feed = events(app, new_address(client))
    assert set(feed) == {
        f"request-{request}@127.0.0.1",
        f"accuracy-{answer}@127.0.0.1",
        f"action-{action}@127.0.0.1",
    }
    summary, day, description = feed[f"request-{request}@127.0.0.1"]
    assert summary.startswith("CSPR-") and summary.endswith(": Chronology from Northshire Police")
    assert day == working_days(12)
    assert (
        "(Child Alpha)" in description and f"http://127.0.0.1:5000/agencies/requests/{request}" in description
    )


def test_a_board_manager_sees_the_statutory_clocks_and_what_they_sent(app: Flask, world: World) -> None:
    with app.app_context():
        request = add_request(world, "X", working_days(2))  # sent by M1
        owned = add_action(world, None, working_days(4), owner="M1")
        add_action(world, None, working_days(4), owner="M2")
        client = client_as(app, world.user("M1"))
    feed = events(app, new_address(client))
    clocks = {uid for uid in feed if uid.startswith("clock-")}
    assert f"clock-{world.reviews['CSPR']}-publication@127.0.0.1" in clocks
    assert {f"request-{request}@127.0.0.1", f"action-{owned}@127.0.0.1"} <= set(feed)
    assert len(feed) == len(clocks) + 2


def test_uids_stay_the_same_from_one_fetch_to_the_next(app: Flask, world: World) -> None:
    with app.app_context():
        add_request(world, "X", working_days(2))
        client = client_as(app, world.user("LX"))
    path = new_address(client)
    assert set(events(app, path)) == set(events(app, path))


def test_a_wrong_token_is_not_found(app: Flask, world: World) -> None:
    for path in ("/calendar/nothing.ics", "/calendar/" + "a" * 300 + ".ics", "/calendar/%00.ics"):
        assert app.test_client().get(path).status_code in (400, 404)


def test_resetting_the_address_retires_the_old_one(app: Flask, world: World) -> None:
    with app.app_context():
        client = client_as(app, world.user("LX"))
    old = new_address(client)
    assert "Reset address" in page_text(client.get("/account"))
    new = new_address(client)
    assert old != new
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 200
    assert [e.action for e in audit_trail(app, "calendar_address_created")] == ["calendar_address_created"]
    assert len(audit_trail(app, "calendar_address_reset")) == 1


def test_the_address_is_kept_only_as_a_hash(app: Flask, world: World) -> None:
    with app.app_context():
        client = client_as(app, world.user("LX"))
    token = new_address(client).removeprefix("/calendar/").removesuffix(".ics")
    with app.app_context():
        stored = world.user("LX").calendar_token_hash
        assert stored and token not in stored and len(stored) == 64
    assert token not in page_text(client.get("/account"))


def test_a_switched_off_persons_feed_is_not_found(app: Flask, world: World) -> None:
    with app.app_context():
        client = client_as(app, world.user("LX"))
    path = new_address(client)
    with app.app_context():
        world.user("LX").active = False
        db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_the_feed_holds_nothing_identifying(app: Flask, world: World) -> None:
    with app.app_context():
        add_request(world, "X", working_days(2))
        client = client_as(app, world.user("M1"))
    body = app.test_client().get(new_address(client)).get_data(as_text=True)
    assert "Child Alpha" in body
    for detail in (CHILD_NAME, ADDRESS, "Kayden", "Larch Close"):
        assert detail not in body


def test_the_feed_costs_the_same_queries_with_one_deadline_or_many(app: Flask, world: World) -> None:
    with app.app_context():
        add_request(world, "X", working_days(2))
        client = client_as(app, world.user("LX"))
    path = new_address(client)

    def statements() -> int:
        seen: list[str] = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert app.test_client().get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    few = statements()
    with app.app_context():
        for days in range(1, 15):
            add_request(world, "X", working_days(days))
            add_answer(world, "X", working_days(days))
            add_action(world, "X", working_days(days))
    assert statements() == few <= 6
