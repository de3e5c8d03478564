"""Who may open and change which action plans and actions, over HTTP: every role against the
actions of their own agency, of another agency, of the partnership, and of a review they are not on.

Two commissioned reviews: A has agencies X and Y in scope, B has X only. R1 leads A (accepted and
declared), R2 is proposed on A but has not accepted, R3 is on nothing. LX and LY lead X and Y.
A has one recommendation with three actions: X's (owned by LX, completed with a PDF as evidence),
Y's (owned by LY, on track) and the partnership's (owned by the board manager); B has X's action
(owned by LX, not started).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from casework.actions import services
from casework.actions.models import Action, ActionStatus, ProgressUpdate
from casework.agencies.models import AgencyType
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from tests.support import worlds
from tests.support.copies import replayed
from tests.support.files import PDF, upload
from tests.support.http import SIGN_IN, assert_answer, client_as, page_text, post_form
from tests.support.people import cast_roles, make_cast
from tests.support.worlds import PSEUDONYMS, Loaded, MatrixWorld, two_reviews

AGENCIES = {"X": ("Northshire Police", AgencyType.POLICE), "Y": ("Riverside NHS Trust", AgencyType.NHS_TRUST)}
AGENCY_NAMES = {key: name for key, (name, _) in AGENCIES.items()}
ACTIONS = ("A-X", "A-Y", "A-P", "B-X")  # review, then owning agency (P: the partnership)
ROLE_OF = cast_roles(AGENCIES)
PEOPLE = tuple(ROLE_OF)
OWNER_OF = {"A-X": "LX", "A-Y": "LY", "A-P": "board_manager", "B-X": "LX"}


def actionpage_text(key: str) -> str:
    """Each action's description: unique, so a page shows whether it holds the action."""
    return f"Action {key}: brief every team on the new referral pathway"


@dataclass
class World(MatrixWorld):
    actions: dict[str, int] = field(default_factory=dict)  # "A-X" -> id
    evidence: int = 0  # the document completing A-X


def build_world(app: Flask) -> World:
    today = uk_today()
    with app.app_context():
        cast = make_cast(AGENCIES)
        world = two_reviews(World(cast), {"A": "XY", "B": "X"})
        manager, x, y = cast.user("board_manager"), cast.agency("X"), cast.agency("Y")
        recommendations = {
            "A": services.add_recommendation(
                world.review("A"), "Share incidents with a baby present.", True, [x, y], [], manager
            ),
            "B": services.add_recommendation(
                world.review("B"), "Record who lives at the address.", False, [x], [], manager
            ),
        }
        agencies = {"X": x, "Y": y, "P": None}
        for key in ACTIONS:
            review_key, _, agency_key = key.partition("-")
            action = services.add_action(
                recommendations[review_key],
                actionpage_text(key),
                agencies[agency_key],
                cast.user(OWNER_OF[key]),
                today + timedelta(days=40),
                "An audit of 20 cases.",
                manager,
            )
            world.actions[key] = action.id
        update = services.add_progress(
            db.session.get(Action, world.actions["A-X"]),
            ActionStatus.COMPLETED,
            "Every team briefed.",
            [upload(PDF, "briefing-audit.pdf")],
            cast.user("LX"),
            None,
        )
        services.add_progress(
            db.session.get(Action, world.actions["A-Y"]),
            ActionStatus.ON_TRACK,
            "Started.",
            [],
            cast.user("LY"),
            None,
        )
        db.session.commit()
        world.evidence = update.evidence[0].id
    return world


shared_world, shared_clients = worlds.matrix_fixtures(build_world, PEOPLE)


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
        *(actionpage_text(key) for key in ACTIONS),
        *(name for name in AGENCY_NAMES.values() if name != own),
    ]


# --- what each may open -----------------------------------------------------------------------

S = SIGN_IN  # anonymous: redirected to the sign-in page

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
    # Plans and actions apply the record's rule, like a download: an administrator may not know
    # they exist (404). Role pages are for their roles (403).
    "admin":         (404, 404, 404, 404, 404, 404,      404,     403, 403),
    "anonymous":     (S,   S,   S,   S,   S,   S,        S,       S,   S),
}  # fmt: skip

CASES = worlds.matrix_cases(EXPECTED, TARGETS)


def test_the_tables_cover_every_role() -> None:
    worlds.assert_tables_cover_every_role(ROLE_OF, (EXPECTED, TARGETS), (CHANGES, CHANGE_TARGETS))


@pytest.mark.read_only
class TestReadOnlyMatrix:
    """Opening plans, actions and evidence only reads: one world, built once for the class."""

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
        response = worlds.opened(
            shared_clients[person], url, expected, _secrets(shared_world, person), person
        )
        if response is None:
            return
        kind, _, key = target.partition(":")
        page = page_text(response)
        if kind == "evidence":
            assert response.get_data() == PDF
        elif kind == "plan":
            assert shared_world.references[key] in page
            shown = {k for k in ACTIONS if k.startswith(key)}
            for other in ACTIONS:
                assert (actionpage_text(other) in page) == (other in shown), (person, other)
        elif kind == "action":
            assert actionpage_text(key) in page and shared_world.references[key[0]] in page
            if person.startswith("L"):  # an agency lead's page names no other agency
                for name in AGENCY_NAMES.values():
                    assert (name in page) == (name == AGENCY_NAMES[person[-1]]), (person, name)
        elif kind == "themes":
            assert "Information sharing" in page

    @pytest.mark.parametrize(("person", "own"), [("LX", ("A-X", "B-X")), ("LY", ("A-Y",))], ids=["LX", "LY"])
    def test_my_agencys_actions_lists_only_that_agencys_actions(
        self, shared_world: World, shared_clients: dict[str, FlaskClient], person: str, own: tuple[str, ...]
    ) -> None:
        with Loaded(Action) as loaded:
            response = shared_clients[person].get("/actions/mine")
        page = page_text(response)
        assert response.status_code == 200
        # filtered in the query: another agency's or the partnership's action is never loaded
        assert sorted(loaded.ids) == sorted(shared_world.actions[key] for key in own)
        for key in ACTIONS:
            listed = key in own
            assert (actionpage_text(key) in page) == listed, (person, key)
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
    "board_manager": (403,     302,      302),  # reports the partnership's progress, verifies
    "R1":            (403,     403,      403),  # sees the actions, changes nothing
    "R2":            (404,     404,      404),
    "R3":            (404,     404,      404),
    "LX":            (302,     404,      403),  # reports its own; cannot verify it
    "LY":            (404,     404,      404),  # cannot see another agency's action
    "admin":         (404,     404,      404),
    "anonymous":     (S,       S,        S),
}  # fmt: skip

CHANGE_CASES = [
    pytest.param(person, change, expected, id=f"{person}-{change}")
    for person, row in CHANGES.items()
    for change, expected in zip(CHANGE_TARGETS, row, strict=True)
    if expected == 302
]
# Refusals change nothing: they share one world, checked unchanged after them.
REFUSED_CHANGE_CASES = [
    pytest.param(person, change, expected, id=f"{person}-{change}")
    for person, row in CHANGES.items()
    for change, expected in zip(CHANGE_TARGETS, row, strict=True)
    if expected != 302
]


@pytest.fixture
def world(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path)
    return replayed(app, "actions access matrix world", lambda: build_world(app))


def _action_row(app: Flask, action_id: int) -> tuple[ActionStatus, int, int]:
    with app.app_context():
        action = db.session.get(Action, action_id)
        assert action is not None
        updates = db.session.execute(
            select(func.count()).select_from(ProgressUpdate).where(ProgressUpdate.action_id == action_id)
        ).scalar_one()
        return action.status, action.version, updates


def _post_change(client: FlaskClient, person: str, change: str, action_id: int) -> TestResponse:
    kind = change.partition(":")[0]
    data = (
        {"status": ActionStatus.AT_RISK.value, "note": "One team still to brief."}
        if kind == "progress"
        else {"note": "Evidence of impact seen."}
    )
    token_from = "/sign-in" if person == "anonymous" else "/account"
    return post_form(client, f"/actions/{action_id}/{kind}", data, token_from=token_from)


@pytest.mark.read_only
class TestRefusedChanges:
    @pytest.mark.parametrize(("person", "change", "expected"), REFUSED_CHANGE_CASES)
    def test_a_refused_change_changes_nothing_and_shows_nothing(
        self,
        app: Flask,
        shared_world: World,
        shared_clients: dict[str, FlaskClient],
        person: str,
        change: str,
        expected: int | str,
    ) -> None:
        action_id = shared_world.actions[change.partition(":")[2]]
        before = _action_row(app, action_id)
        response = _post_change(shared_clients[person], person, change, action_id)
        assert_answer(response, expected, person, change)
        assert _action_row(app, action_id) == before, (person, change)
        if expected in (403, 404):
            for secret in _secrets(shared_world, person):
                assert secret.encode() not in response.get_data(), (person, change, secret)


@pytest.mark.parametrize(("person", "change", "expected"), CHANGE_CASES)
def test_changing_an_action(app: Flask, world: World, person: str, change: str, expected: int | str) -> None:
    action_id = world.actions[change.partition(":")[2]]
    before = _action_row(app, action_id)
    response = _post_change(client_as(app, world.user_ids.get(person)), person, change, action_id)
    assert_answer(response, expected, person, change)
    status, version, updates = _action_row(app, action_id)
    assert updates == before[2] + 1
    assert status == (ActionStatus.AT_RISK if change.startswith("progress") else ActionStatus.VERIFIED)
    assert version > before[1]
