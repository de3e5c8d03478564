"""Who may open and change which action plans and actions, over HTTP: every role against the
actions of their own agency, of another agency, of the partnership, and of a review they are not on.

Two commissioned reviews: A has agencies X and Y in scope, B has X only. R1 leads A (accepted and
declared), R2 is proposed on A but has not accepted, R3 is on nothing. LX and LY lead X and Y.
A has one recommendation with three actions: X's (owned by LX, completed with a PDF as evidence),
Y's (owned by LY, on track) and the partnership's (owned by the board manager); B has X's action
(owned by LX, not started).
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from werkzeug.datastructures import FileStorage

from casework.actions import services
from casework.actions.models import Action, ActionStatus, ProgressUpdate
from casework.agencies.models import AgencyType
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews import appointments
from casework.reviews.models import AssignmentRole
from tests.conftest import empty_database, login_as, make_agency, make_user, post_form
from tests.reviews.conftest import make_review

PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
    b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)
AGENCY_NAMES = {"X": "Northshire Police", "Y": "Riverside NHS Trust"}
PSEUDONYMS = {"A": "Child Alder", "B": "Child Birch"}
ACTIONS = ("A-X", "A-Y", "A-P", "B-X")  # review, then owning agency (P: the partnership)
ROLE_OF = {
    "board_manager": Role.BOARD_MANAGER,
    "R1": Role.REVIEWER,
    "R2": Role.REVIEWER,
    "R3": Role.REVIEWER,
    "LX": Role.AGENCY_LEAD,
    "LY": Role.AGENCY_LEAD,
    "admin": Role.ADMIN,
}
PEOPLE = tuple(ROLE_OF)
OWNER_OF = {"A-X": "LX", "A-Y": "LY", "A-P": "board_manager", "B-X": "LX"}


def action_text(key: str) -> str:
    """Each action's description: unique, so a page shows whether it holds the action."""
    return f"Action {key}: brief every team on the new referral pathway"


@dataclass
class World:
    reviews: dict[str, int] = field(default_factory=dict)  # "A" -> id
    references: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)  # "A-X" -> id
    evidence: int = 0  # the document completing A-X


def build_world(app: Flask) -> World:
    world = World()
    today = uk_today()
    with app.app_context():
        x = make_agency(AGENCY_NAMES["X"], AgencyType.POLICE)
        y = make_agency(AGENCY_NAMES["Y"], AgencyType.NHS_TRUST)
        users = {
            "board_manager": make_user(Role.BOARD_MANAGER, name="Morgan Price"),
            "R1": make_user(Role.REVIEWER, name="Robin Lead"),
            "R2": make_user(Role.REVIEWER, name="Sam Proposed"),
            "R3": make_user(Role.REVIEWER, name="Terry Elsewhere"),
            "LX": make_user(Role.AGENCY_LEAD, name="Priya Police", agency=x),
            "LY": make_user(Role.AGENCY_LEAD, name="Yusuf Health", agency=y),
            "admin": make_user(Role.ADMIN, name="Alex Admin"),
        }
        world.user_ids = {key: user.id for key, user in users.items()}
        manager = users["board_manager"]
        review_a = make_review(
            "CSPR", "awaiting_reviewer", by=manager, agencies=[x, y], pseudonym=PSEUDONYMS["A"]
        )
        review_b = make_review(
            "CSPR", "awaiting_reviewer", by=manager, agencies=[x], pseudonym=PSEUDONYMS["B"]
        )
        world.reviews = {"A": review_a.id, "B": review_b.id}
        world.references = {"A": review_a.reference, "B": review_b.reference}
        lead = appointments.assign_reviewer(
            review_a, users["R1"], AssignmentRole.LEAD, manager, version=review_a.version
        )
        appointments.accept_appointment(lead, users["R1"], declared=True)
        appointments.assign_reviewer(
            review_a, users["R2"], AssignmentRole.CO_REVIEWER, manager, version=review_a.version
        )
        recommendations = {
            "A": services.add_recommendation(
                review_a, "Share incidents with a baby present.", True, [x, y], [], manager
            ),
            "B": services.add_recommendation(
                review_b, "Record who lives at the address.", False, [x], [], manager
            ),
        }
        agencies = {"X": x, "Y": y, "P": None}
        for key in ACTIONS:
            review_key, _, agency_key = key.partition("-")
            action = services.add_action(
                recommendations[review_key],
                action_text(key),
                agencies[agency_key],
                users[OWNER_OF[key]],
                today + timedelta(days=40),
                "An audit of 20 cases.",
                manager,
            )
            world.actions[key] = action.id
        completing = db.session.get(Action, world.actions["A-X"])
        update = services.add_progress(
            completing,
            ActionStatus.COMPLETED,
            "Every team briefed.",
            [FileStorage(io.BytesIO(PDF), filename="briefing-audit.pdf", content_type="application/pdf")],
            users["LX"],
            None,
        )
        services.add_progress(
            db.session.get(Action, world.actions["A-Y"]),
            ActionStatus.ON_TRACK,
            "Started.",
            [],
            users["LY"],
            None,
        )
        db.session.commit()
        world.evidence = update.evidence[0].id
    return world


def _text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def _client(app: Flask, world: World, person: str) -> FlaskClient:
    client = app.test_client()
    if person != "anonymous":
        with app.app_context():
            user = db.session.get(User, world.user_ids[person])
            assert user is not None
            db.session.refresh(user)
        login_as(client, user)
    return client


def url_of(world: World, target: str) -> str:
    kind, _, key = target.partition(":")
    if kind == "plan":
        return f"/reviews/{world.reviews[key]}/action-plan"
    if kind == "action":
        return f"/actions/{world.actions[key]}"
    if kind == "evidence":
        return f"/documents/{world.evidence}"
    return {"mine": "/actions/mine", "themes": "/actions/themes"}[kind]


def _secrets(world: World, person: str) -> list[str]:
    """What a refusal must not show: the reviews, the actions, and the other agencies' names."""
    own = AGENCY_NAMES.get(person[-1]) if person.startswith("L") else None
    return [
        *PSEUDONYMS.values(),
        *world.references.values(),
        *(action_text(key) for key in ACTIONS),
        *(name for name in AGENCY_NAMES.values() if name != own),
    ]


class _Loaded:
    """Collects the primary keys of every instance of a model loaded from the database."""

    def __init__(self, model: type) -> None:
        self.model = model
        self.ids: list[int] = []

    def __enter__(self) -> _Loaded:
        event.listen(self.model, "load", self._loaded)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.model, "load", self._loaded)

    def _loaded(self, target: Any, context: Any) -> None:
        self.ids.append(target.id)


# --- what each may open -----------------------------------------------------------------------

S = "sign-in"  # anonymous: redirected to the sign-in page

TARGETS = (
    "plan:A", "plan:B",
    "action:A-X", "action:A-Y", "action:A-P", "action:B-X",
    "evidence:A-X", "mine", "themes",
)  # fmt: skip

EXPECTED: dict[str, tuple[int | str, ...]] = {
    #                plans ...  actions ................ evidence mine themes
    #                A    B     A-X  A-Y  A-P  B-X       A-X
    "board_manager": (200, 200, 200, 200, 200, 200,      200,     403, 200),
    "R1":            (200, 404, 200, 200, 200, 404,      200,     403, 403),
    "R2":            (404, 404, 404, 404, 404, 404,      404,     403, 403),
    "R3":            (404, 404, 404, 404, 404, 404,      404,     403, 403),
    # An agency lead never opens a review, so never its action plan: only its own agency's actions.
    "LX":            (404, 404, 200, 404, 404, 200,      200,     200, 403),
    "LY":            (404, 404, 404, 200, 404, 404,      404,     200, 403),
    # Case screens are for case roles (403); a download checks the record (404).
    "admin":         (403, 403, 403, 403, 403, 403,      404,     403, 403),
    "anonymous":     (S,   S,   S,   S,   S,   S,        S,       S,   S),
}  # fmt: skip

CASES = [
    pytest.param(person, target, expected, id=f"{person}-{target}")
    for person, row in EXPECTED.items()
    for target, expected in zip(TARGETS, row, strict=True)
]


def test_the_tables_cover_every_role() -> None:
    assert set(EXPECTED) == set(CHANGES) == {*PEOPLE, "anonymous"}
    assert set(ROLE_OF.values()) == set(Role)
    assert all(len(row) == len(TARGETS) for row in EXPECTED.values())
    assert all(len(row) == len(CHANGE_TARGETS) for row in CHANGES.values())


@pytest.fixture(scope="class")
def shared_world(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world for a class of tests that only read; its rows are deleted after the class."""
    before = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = tmp_path_factory.mktemp("uploads")
    try:
        yield build_world(app)
    finally:
        app.config["UPLOAD_FOLDER"] = before
        empty_database(app)


@pytest.fixture(scope="class")
def shared_clients(app: Flask, shared_world: World) -> dict[str, FlaskClient]:
    return {person: _client(app, shared_world, person) for person in (*PEOPLE, "anonymous")}


class TestReadOnlyMatrix:
    """These tests only read (a download adds an audit row, which changes no access), so they
    share one world, built once for the class and emptied after it."""

    @pytest.fixture(autouse=True)
    def _empty_database(self) -> None:
        """Rows stay between the tests of this class; the class's world empties them after."""

    @pytest.mark.parametrize(("person", "target", "expected"), CASES)
    def test_access(
        self,
        shared_world: World,
        shared_clients: dict[str, FlaskClient],
        person: str,
        target: str,
        expected: int | str,
    ) -> None:
        url = url_of(shared_world, target)
        response = shared_clients[person].get(url)
        if expected == S:
            assert response.status_code == 302, (url, response.status_code)
            assert response.headers["Location"].startswith("/sign-in"), response.headers["Location"]
            return
        assert response.status_code == expected, (person, url, response.status_code)
        body = response.get_data()
        if expected != 200:
            for secret in _secrets(shared_world, person):
                assert secret.encode() not in body, (person, url, secret)
            return
        kind, _, key = target.partition(":")
        page = _text(response)
        if kind == "evidence":
            assert body == PDF
        elif kind == "plan":
            assert shared_world.references[key] in page
            shown = {k for k in ACTIONS if k.startswith(key)}
            for other in ACTIONS:
                assert (action_text(other) in page) == (other in shown), (person, other)
        elif kind == "action":
            assert action_text(key) in page and shared_world.references[key[0]] in page
            if person.startswith("L"):  # an agency lead's page names no other agency
                for name in AGENCY_NAMES.values():
                    assert (name in page) == (name == AGENCY_NAMES[person[-1]]), (person, name)
        elif kind == "themes":
            assert "Information sharing" in page

    @pytest.mark.parametrize(("person", "own"), [("LX", ("A-X", "B-X")), ("LY", ("A-Y",))], ids=["LX", "LY"])
    def test_my_agencys_actions_lists_only_that_agencys_actions(
        self, shared_world: World, shared_clients: dict[str, FlaskClient], person: str, own: tuple[str, ...]
    ) -> None:
        with _Loaded(Action) as loaded:
            response = shared_clients[person].get("/actions/mine")
        page = _text(response)
        assert response.status_code == 200
        # filtered in the query: another agency's or the partnership's action is never loaded
        assert sorted(loaded.ids) == sorted(shared_world.actions[key] for key in own)
        for key in ACTIONS:
            listed = key in own
            assert (action_text(key) in page) == listed, (person, key)
            assert (f'href="/actions/{shared_world.actions[key]}"' in page) == listed, (person, key)
        mine = AGENCY_NAMES[person[-1]]
        for name in AGENCY_NAMES.values():
            assert (name in page) == (name == mine), (person, name)
        assert (shared_world.references["B"] in page) == ("B-X" in own)


# --- what each may change ---------------------------------------------------------------------

CHANGE_TARGETS = ("progress:A-X", "progress:A-P", "verify:A-X")
CHANGES: dict[str, tuple[int | str, ...]] = {
    #                progress  progress  verify
    #                on A-X    on A-P    A-X (completed, with evidence)
    "board_manager": (400,     302,      302),  # reports the partnership's progress, verifies
    "R1":            (400,     400,      400),  # sees the actions, changes nothing
    "R2":            (404,     404,      404),
    "R3":            (404,     404,      404),
    "LX":            (302,     404,      400),  # reports its own; cannot verify it
    "LY":            (404,     404,      404),  # cannot see another agency's action
    "admin":         (403,     403,      403),
    "anonymous":     (S,       S,        S),
}  # fmt: skip

CHANGE_CASES = [
    pytest.param(person, change, expected, id=f"{person}-{change}")
    for person, row in CHANGES.items()
    for change, expected in zip(CHANGE_TARGETS, row, strict=True)
]


@pytest.fixture
def world(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path)
    return build_world(app)


def _action_row(app: Flask, action_id: int) -> tuple[ActionStatus, int, int]:
    with app.app_context():
        action = db.session.get(Action, action_id)
        assert action is not None
        updates = db.session.execute(
            select(func.count()).select_from(ProgressUpdate).where(ProgressUpdate.action_id == action_id)
        ).scalar_one()
        return action.status, action.version, updates


@pytest.mark.parametrize(("person", "change", "expected"), CHANGE_CASES)
def test_changing_an_action(app: Flask, world: World, person: str, change: str, expected: int | str) -> None:
    kind, _, key = change.partition(":")
    client = _client(app, world, person)
    action_id = world.actions[key]
    before = _action_row(app, action_id)
    data = (
        {"status": ActionStatus.AT_RISK.value, "note": "One team still to brief."}
        if kind == "progress"
        else {"note": "Evidence of impact seen."}
    )
    token_from = "/sign-in" if person == "anonymous" else "/account"
    response = post_form(client, f"/actions/{action_id}/{kind}", data, token_from=token_from)

    after = _action_row(app, action_id)
    if expected == S:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in"), response.headers["Location"]
    else:
        assert response.status_code == expected, (person, change, response.status_code)
    if expected != 302:
        assert after == before, (person, change)
        if expected in (403, 404):
            for secret in _secrets(world, person):
                assert secret.encode() not in response.get_data(), (person, change, secret)
        return
    status, version, updates = after
    assert updates == before[2] + 1
    assert status == (ActionStatus.AT_RISK if kind == "progress" else ActionStatus.VERIFIED)
    assert version > before[1]
