"""The contributions tracker: who may open it, its filters (hostile ones too) and paging, the
working days overdue, and chasing end to end: the agency's leads told once a day, the Reminder rows,
the request's history and audit trail, and every refusal sending nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.agencies import services as contributions
from casework.agencies import tracker
from casework.agencies.contributions import ContributionKind, ContributionRequest, RequestEvent
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import working_calendar
from casework.notifications.models import Notification, OutboxMessage, Reminder
from casework.reviews.models.steps import ConfidentialRecord, IdentifiedPerson, PersonKind
from tests.support.copies import replayed
from tests.support.http import SIGN_IN, assert_answer, client_as, page_text, post_form
from tests.support.people import cast_roles, make_cast, make_user, three_agencies
from tests.support.readonly import built_once
from tests.support.reviews import make_review
from tests.support.rows import audit_trail, stored

AGENCIES = three_agencies(X="Northshire Police", Y="Riverside NHS Trust", Z="Hilltop Academy")
TRACKER = "/agencies/contributions"
CHASE = "/agencies/contributions/chase"


@dataclass
class World:
    """Reviews A (X and Y in scope) and B (X, Z). Requests: "AX" overdue chronology, "AY" report
    due later, "BX" accepted, "BZ" overdue documents. X has a second lead and a switched-off one."""

    users: dict[str, int]
    reviews: dict[str, int] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)


def _ask(review, agency, kind, manager) -> ContributionRequest:  # type: ignore[no-untyped-def]
    due = uk_today() + timedelta(days=20)
    [made] = contributions.request_contributions(review, [agency], kind, "Your contact.", due, manager)
    return made


def build_world(app: Flask) -> World:
    with app.app_context():
        cast = make_cast(AGENCIES)
        world = World(dict(cast.user_ids))
        world.users["LX2"] = make_user(Role.AGENCY_LEAD, name="Xavier Second", agency=cast.agency("X")).id
        world.users["LXoff"] = make_user(
            Role.AGENCY_LEAD, name="Old Lead", agency=cast.agency("X"), active=False
        ).id
        manager = cast.user("board_manager")
        for key, scope, name in (("A", "XY", "Child Alder"), ("B", "XZ", "Child Birch")):
            review = make_review(
                "CSPR",
                "awaiting_reviewer",
                by=manager,
                agencies=[cast.agency(a) for a in scope],
                pseudonym=name,
            )
            world.reviews[key], world.references[key] = review.id, review.reference
        a, b = stored_review(world, "A"), stored_review(world, "B")
        made = {
            "AX": _ask(a, cast.agency("X"), ContributionKind.CHRONOLOGY, manager),
            "AY": _ask(a, cast.agency("Y"), ContributionKind.AGENCY_REPORT, manager),
            "BX": _ask(b, cast.agency("X"), ContributionKind.LEARNING_EVENT, manager),
            "BZ": _ask(b, cast.agency("Z"), ContributionKind.DOCUMENTS, manager),
        }
        lead_x = cast.user("LX")
        contributions.submit_request(made["BX"], "Two practitioners will attend.", lead_x, None)
        contributions.accept_request(made["BX"], manager, None)
        # Overdue: due dates in the past, as time passing would leave them.
        made["AX"].due_on = working_calendar().add_working_days(uk_today(), -3)
        made["BZ"].due_on = working_calendar().add_working_days(uk_today(), -1)
        db.session.commit()
        world.requests = {key: request.id for key, request in made.items()}
        # The request's own news at the time it was made is not what these tests count.
        db.session.execute(db.delete(Notification))
        db.session.execute(db.delete(OutboxMessage))
        db.session.commit()
    return world


@pytest.fixture
def world(app: Flask) -> World:
    return replayed(app, "tracker world", lambda: build_world(app))


def stored_review(world: World, key: str):  # type: ignore[no-untyped-def]
    from casework.reviews.models import Review

    return stored(Review, world.reviews[key])


def _manager(app: Flask, world: World) -> FlaskClient:
    return client_as(app, world.users["board_manager"])


def _rows(app: Flask, model: type) -> list:  # type: ignore[type-arg]
    with app.app_context():
        return list(db.session.execute(db.select(model).order_by(model.id)).scalars())


def _shown(response) -> set[int]:  # type: ignore[no-untyped-def]
    return {int(n) for n in re.findall(r'data-request-id="(\d+)"', response.get_data(as_text=True))}


def _chase(client: FlaskClient, *ids: object, path: str = CHASE) -> str:
    response = post_form(client, path, {"requests": [str(i) for i in ids]}, token_from=TRACKER)
    assert response.status_code == 302, response.status_code
    return page_text(client.get(response.headers["Location"]))


# --- access, the list and the chases refused: one world, read only ----------------------------


@pytest.mark.read_only
class TestWhatOnlyReads:
    """The tests that change nothing, or are refused: one world for them all, checked unchanged."""

    @pytest.fixture(scope="class")
    @classmethod
    def world(cls, app: Flask) -> Iterator[World]:
        # Signing in and refusals add audit rows, which change no request.
        with built_once(app, lambda: build_world(app), may_add_to={"audit_events"}) as made:
            yield made

    @pytest.mark.parametrize("person", [*cast_roles(AGENCIES), None])
    def test_only_board_managers_open_the_tracker_or_chase(
        self, app: Flask, world: World, person: str | None
    ) -> None:
        client = client_as(app, world.users[person] if person else None)
        expected = 200 if person == "board_manager" else SIGN_IN if person is None else 403
        assert_answer(client.get(TRACKER), expected, person)
        if person != "board_manager":
            response = client.post(CHASE, data={"requests": [str(world.requests["AX"])]})
            assert response.status_code in ((400, 403) if person else (302, 400))
            assert _rows(app, Reminder) == [] and _rows(app, Notification) == []

    def test_the_board_manager_sees_it_in_the_navigation(self, app: Flask, world: World) -> None:
        page = page_text(_manager(app, world).get(TRACKER))
        # Its own item is lit, and the agency directory's is not.
        assert f'href="{TRACKER}" aria-current="true"' in page
        assert 'href="/agencies/" aria-current' not in page

    def test_every_request_with_its_status_and_working_days_overdue(self, app: Flask, world: World) -> None:
        response = _manager(app, world).get(TRACKER)
        assert _shown(response) == set(world.requests.values())
        text = page_text(response)
        assert "4 requests" in text and "Northshire Police" in text and "Child Alder" in text
        overdue = dict(
            re.findall(
                r'data-request-id="(\d+)".*?data-testid="overdue">([^<]*)<',
                response.get_data(as_text=True),
                re.S,
            )
        )
        ids = world.requests
        assert overdue[str(ids["AX"])] == "3" and overdue[str(ids["BZ"])] == "1"
        assert overdue[str(ids["AY"])] == overdue[str(ids["BX"])] == "\u2013"  # a dash: none
        # Only what the agency still owes can be ticked.
        boxes = set(
            re.findall(r'name="requests" type="checkbox" value="(\d+)"', response.get_data(as_text=True))
        )
        assert boxes == {str(ids["AX"]), str(ids["AY"]), str(ids["BZ"])}

    def test_filters_narrow_the_list(self, app: Flask, world: World) -> None:
        client, ids = _manager(app, world), world.requests
        with app.app_context():
            x = stored(ContributionRequest, ids["AX"]).agency_id
        cases = {
            f"?review={world.reviews['A']}": {"AX", "AY"},
            f"?agency={x}": {"AX", "BX"},
            "?status=accepted": {"BX"},
            "?overdue=1": {"AX", "BZ"},
            f"?overdue=1&agency={x}": {"AX"},
            "?q=birch": {"BX", "BZ"},
            "?q=hilltop": {"BZ"},
            f"?q={world.references['A'].lower()}": {"AX", "AY"},
        }
        for query, expected in cases.items():
            response = client.get(TRACKER + query)
            assert response.status_code == 200, query
            assert _shown(response) == {ids[key] for key in expected}, query

    @pytest.mark.parametrize(
        "query",
        [
            "?review=abc",
            "?review=-1",
            "?review=99999999999999999999",
            "?agency=1e3",
            "?status=<script>alert(1)</script>",
            "?status=ACCEPTED",
            "?overdue=maybe",
            "?q=%25",
            "?q=_",
            "?q=%27%3B%20drop%20table%20reviews%3B--",
            "?q=" + "x" * 5000,
            "?page=-3",
            "?page=abc",
            "?page=99999999999",
            "?review=1&review=2&status=requested&status=bogus",
        ],
    )
    def test_hostile_filters_show_a_list_never_an_error(self, app: Flask, world: World, query: str) -> None:
        response = _manager(app, world).get(TRACKER + query)
        assert response.status_code == 200, query
        assert "<script>alert" not in response.get_data(as_text=True)

    def test_like_wildcards_are_taken_literally(self, app: Flask, world: World) -> None:
        client = _manager(app, world)
        assert _shown(client.get(TRACKER + "?q=%25")) == set()
        assert _shown(client.get(TRACKER + "?q=_")) == set()

    def test_paging_keeps_the_filters(
        self, app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(tracker, "PAGE_SIZE", 1)
        client = _manager(app, world)
        seen = [_shown(client.get(f"{TRACKER}?overdue=1&page={n}")) for n in (1, 2)]
        assert seen[0] | seen[1] == {world.requests["AX"], world.requests["BZ"]} and seen[0] != seen[1]
        first = client.get(f"{TRACKER}?overdue=1").get_data(as_text=True)
        assert "/agencies/contributions?overdue=1&amp;page=2" in first
        beyond = page_text(client.get(f"{TRACKER}?overdue=1&page=9"))
        assert "There is no page 9" in beyond

    @pytest.mark.parametrize("bad", ["999999", "abc", "-4", "99999999999999999999", ""])
    def test_unknown_or_malformed_ids_send_nothing(self, app: Flask, world: World, bad: str) -> None:
        message = _chase(_manager(app, world), world.requests["AX"], bad)
        assert "could not be found. Nothing was sent" in message or "Select at least one" in message
        assert _rows(app, Reminder) == [] and _rows(app, OutboxMessage) == []

    def test_nothing_selected_says_so(self, app: Flask, world: World) -> None:
        message = _chase(_manager(app, world))
        assert "Select at least one request to chase" in message
        assert _rows(app, Reminder) == []

    def test_without_the_csrf_token_nothing_is_sent(self, app: Flask, world: World) -> None:
        client = _manager(app, world)
        client.get(TRACKER)
        response = client.post(CHASE, data={"requests": [str(world.requests["AX"])]})
        assert response.status_code in (302, 400)
        assert _rows(app, Reminder) == [] and _rows(app, OutboxMessage) == []


# --- the filter lists (a pseudonym changed) -------------------------------------------------


def _options(page: str, name: str) -> list[tuple[str, str, bool]]:
    """The (value, text, selected) of a filter's options, the "all" one left out."""
    select = re.search(rf'<select [^>]*name="{name}">(.*?)</select>', page, re.S)
    assert select is not None, name
    found = re.findall(r'<option value="([^"]*)" ?(selected)?>([^<]*)</option>', select.group(1))
    return [(value, text, bool(selected)) for value, selected, text in found if value]


def test_the_filter_lists_name_each_review_and_agency_with_a_request(app: Flask, world: World) -> None:
    with app.app_context():
        x = stored(ContributionRequest, world.requests["AX"]).agency_id
        review_a = stored_review(world, "A")
        # A pseudonym is typed by people: its text is escaped in the list.
        review_a.pseudonym = 'Child <Alder> & "Ash"'
        db.session.commit()
    page = (
        _manager(app, world).get(f"{TRACKER}?review={world.reviews['A']}&agency={x}").get_data(as_text=True)
    )
    assert _options(page, "review") == [
        (str(world.reviews["A"]), f"{world.references['A']} (Child &lt;Alder&gt; &amp; &#34;Ash&#34;)", True),
        (str(world.reviews["B"]), f"{world.references['B']} (Child Birch)", False),
    ]
    assert [(text, selected) for _, text, selected in _options(page, "agency")] == [
        ("Hilltop Academy", False),
        ("Northshire Police", True),
        ("Riverside NHS Trust", False),
    ]
    assert not any(
        selected
        for *_, selected in _options(_manager(app, world).get(TRACKER).get_data(as_text=True), "review")
    )


# --- chasing --------------------------------------------------------------------------------


def test_chasing_tells_the_agencys_active_leads_and_records_it(app: Flask, world: World) -> None:
    client, ids = _manager(app, world), world.requests
    message = _chase(client, ids["AX"], ids["BZ"])
    assert "Reminder sent for 2 requests to 3 agency leads." in message

    reminders = _rows(app, Reminder)
    told = {(r.user_id, r.item) for r in reminders}
    assert told == {
        (world.users["LX"], f"request:{ids['AX']}"),
        (world.users["LX2"], f"request:{ids['AX']}"),
        (world.users["LZ"], f"request:{ids['BZ']}"),
    }
    assert {r.by_id for r in reminders} == {world.users["board_manager"]}
    assert {r.day for r in reminders} == {uk_today()}
    assert {r.review_id for r in reminders} == {world.reviews["A"], world.reviews["B"]}

    mail = _rows(app, OutboxMessage)
    assert sorted(m.recipient_id for m in mail) == sorted(
        [world.users["LX"], world.users["LX2"], world.users["LZ"]]
    )
    assert world.users["LXoff"] not in {m.recipient_id for m in mail}
    about_ax = next(m for m in mail if m.recipient_id == world.users["LX"])
    assert world.references["A"] in about_ax.subject and "Child Alder" in about_ax.subject
    assert "3 working days overdue" in about_ax.text_body
    assert f"/agencies/requests/{ids['AX']}" in about_ax.text_body
    assert len(_rows(app, Notification)) == 3

    # On the request's history, its page, and the audit trail; the status is unchanged.
    with app.app_context():
        request = stored(ContributionRequest, ids["AX"])
        chased = [e for e in request.history if e.reminder]
        assert len(chased) == 1 and chased[0].by_id == world.users["board_manager"]
        assert request.status.value == "requested"
    page = re.sub(r"<[^>]+>", "", page_text(client.get(f"/agencies/requests/{ids['AX']}")))
    assert "Reminder sent by Morgan Price" in page and "Priya Police" in page
    assert len(audit_trail(app, "contribution_chased")) == 2
    # The tracker says when each was last reminded.
    assert uk_today().strftime("%-d %B %Y") in page_text(client.get(TRACKER))


def test_no_identifying_details_in_what_is_sent(app: Flask, world: World) -> None:
    secrets = ["Marigold Quenby", "17 Wistelow Crescent", "14 March 2019", "2019-03-14"]
    with app.app_context():
        stored_review(world, "A").confidential = ConfidentialRecord(
            address="17 Wistelow Crescent, Northshire",
            people=[
                IdentifiedPerson(
                    kind=PersonKind.CHILD,
                    position=1,
                    full_name="Marigold Quenby",
                    date_of_birth=date(2019, 3, 14),
                )
            ],
        )
        db.session.commit()
    _chase(_manager(app, world), world.requests["AX"])
    sent = [m.subject + m.text_body + m.html_body for m in _rows(app, OutboxMessage)]
    sent += [n.text for n in _rows(app, Notification)]
    assert len(sent) == 4 and all("Child Alder" in text for text in sent)
    for text in sent:
        for secret in secrets:
            assert secret not in text


def test_a_second_chase_the_same_day_tells_nobody(app: Flask, world: World) -> None:
    client, ids = _manager(app, world), world.requests
    _chase(client, ids["AX"])
    counts = (len(_rows(app, Reminder)), len(_rows(app, OutboxMessage)), len(_rows(app, Notification)))
    message = _chase(client, ids["AX"], ids["BZ"])
    assert "Reminder sent for 1 request to 1 agency lead." in message
    assert (
        f"Already chased today, so nobody was told again: {world.references['A']} Northshire Police"
        in message
    )
    after = (len(_rows(app, Reminder)), len(_rows(app, OutboxMessage)), len(_rows(app, Notification)))
    assert after == (counts[0] + 1, counts[1] + 1, counts[2] + 1)  # only Z's lead, about BZ
    with app.app_context():
        assert len([e for e in stored(ContributionRequest, ids["AX"]).history if e.reminder]) == 1


def test_the_daily_digest_does_not_stop_a_chase_by_hand(app: Flask, world: World) -> None:
    from casework.notifications.reminders import daily_pass

    with app.app_context():
        daily_pass(uk_today())
        db.session.commit()
        before = db.session.execute(db.select(db.func.count(Reminder.id))).scalar_one()
    message = _chase(_manager(app, world), world.requests["AX"])
    if working_calendar_today_is_working(app):
        assert before > 0
    assert "Reminder sent for 1 request to 2 agency leads." in message


def working_calendar_today_is_working(app: Flask) -> bool:
    with app.app_context():
        return working_calendar().is_working_day(uk_today())


@pytest.mark.parametrize("key", ["BX", "withdrawn", "submitted"])
def test_requests_the_agency_does_not_owe_cannot_be_chased(app: Flask, world: World, key: str) -> None:
    ids = dict(world.requests)
    with app.app_context():
        if key == "withdrawn":
            request = stored(ContributionRequest, ids["AY"])
            contributions.withdraw_request(
                request, "No longer needed", stored_user(world, "board_manager"), None
            )
            ids[key] = request.id
        elif key == "submitted":
            request = stored(ContributionRequest, ids["BZ"])
            request.status = request.status.SUBMITTED
            ids[key] = request.id
        db.session.commit()
    message = _chase(_manager(app, world), ids["AX"], ids[key])
    assert "Only requests the agency still has to answer can be chased. Nothing was sent." in message
    assert _rows(app, Reminder) == [] and _rows(app, OutboxMessage) == [] and _rows(app, Notification) == []
    with app.app_context():
        assert not db.session.execute(db.select(RequestEvent).where(RequestEvent.reminder.is_(True))).first()


def stored_user(world: World, person: str):  # type: ignore[no-untyped-def]
    from casework.auth.models import User

    return stored(User, world.users[person])


def test_an_agency_without_active_leads_is_named(app: Flask, world: World) -> None:
    with app.app_context():
        for person in ("LZ",):
            stored_user(world, person).active = False
        db.session.commit()
    message = _chase(_manager(app, world), world.requests["BZ"])
    assert "No active agency lead to tell" in message and "Hilltop Academy" in message
    assert _rows(app, Reminder) == []


def test_the_chase_returns_to_the_filtered_tracker(app: Flask, world: World) -> None:
    client = _manager(app, world)
    response = post_form(
        client, CHASE + "?overdue=1&q=alder", {"requests": [str(world.requests["AX"])]}, token_from=TRACKER
    )
    assert response.headers["Location"] == TRACKER + "?overdue=1&q=alder"
