"""Before someone leaves, an administrator sees what they own and hands it to a colleague in
one step: open requests they sent, actions they own; the reviews they lead are listed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from casework.actions.models import Action, ActionStatus
from casework.agencies.contributions import OPEN_STATUSES, ContributionRequest
from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from tests.conftest import client_as, empty_database, make_user, post_form
from tests.support.demo import load_demo


@dataclass(frozen=True)
class World:
    manager: int
    manager2: int
    police_lead: int
    new_police_lead: int
    health_lead: int
    admin_email: str


def _id(email: str) -> int:
    return db.session.execute(db.select(User.id).where(User.email == email)).scalar_one()


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    with app.app_context():
        load_demo(app)
        police = db.session.execute(db.select(Agency).where(Agency.name == "Northshire Police")).scalar_one()
        db.session.commit()
        admin = make_user(Role.ADMIN)
        newcomer = make_user(Role.AGENCY_LEAD, name="Nia Newcomer", agency=police)
        built = World(
            manager=_id("manager@northshire.example"),
            manager2=_id("manager2@northshire.example"),
            police_lead=_id("police.lead@northshire.example"),
            new_police_lead=newcomer.id,
            health_lead=_id("health.lead@northshire.example"),
            admin_email=admin.email,
        )
    yield built  # outside the app context: each request of the test has its own
    empty_database(app)


def _open_requests(user_id: int) -> int:
    return db.session.execute(
        db.select(db.func.count(ContributionRequest.id)).where(
            ContributionRequest.requested_by_id == user_id, ContributionRequest.status.in_(OPEN_STATUSES)
        )
    ).scalar_one()


def _open_actions(user_id: int) -> int:
    return db.session.execute(
        db.select(db.func.count(Action.id)).where(
            Action.owner_id == user_id, Action.status != ActionStatus.VERIFIED
        )
    ).scalar_one()


def test_the_user_page_lists_what_they_own_and_offers_colleagues_in_the_same_role(
    app: Flask, world: World
) -> None:
    client = client_as(app, world.admin_email)
    page = client.get(f"/admin/users/{world.police_lead}").get_data(as_text=True)
    with app.app_context():
        owned_actions = _open_actions(world.police_lead)
    assert owned_actions > 0
    owned = page[page.index('data-testid="owned"') :]
    assert owned.count("/actions/") == owned_actions
    select = page[page.index('id="hand-over-successor"') :]
    choices = re.findall(r'<option value="(\d+)"', select[: select.index("</select>")])
    assert choices == [str(world.new_police_lead)]  # the same agency's leads only, never the health lead


def test_handing_over_moves_requests_in_one_step_and_records_it(app: Flask, world: World) -> None:
    with app.app_context():
        requests = _open_requests(world.manager)
        actions = _open_actions(world.manager)
    assert requests > 0
    client = client_as(app, world.admin_email)
    page = f"/admin/users/{world.manager}"
    response = post_form(client, f"{page}/hand-over", {"successor": world.manager2}, token_from=page)
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{requests} open request{'s' if requests != 1 else ''} and" in shown
    with app.app_context():
        assert _open_requests(world.manager) == 0 and _open_actions(world.manager) == 0
        assert _open_requests(world.manager2) >= requests
        [event] = db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == "work_handed_over")
        ).scalars()
        assert event.subject_id == world.manager and event.details["to_user_id"] == world.manager2
        assert len(event.details["request_ids"]) == requests and len(event.details["action_ids"]) == actions


@pytest.mark.parametrize("who", ["health_lead", "police_lead"])
def test_work_goes_only_to_an_active_colleague_in_the_same_role(app: Flask, world: World, who: str) -> None:
    client = client_as(app, world.admin_email)
    page = f"/admin/users/{world.police_lead}"
    with app.app_context():
        before = _open_actions(world.police_lead)
    response = post_form(client, f"{page}/hand-over", {"successor": getattr(world, who)}, token_from=page)
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True) or "Choose" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert _open_actions(world.police_lead) == before  # nothing moved


def test_the_set_password_link_lasts_whole_hours_and_can_be_copied(app: Flask, world: World) -> None:
    client = client_as(app, world.admin_email)
    page = f"/admin/users/{world.health_lead}"
    response = post_form(client, f"{page}/set-password-link", {}, token_from=page)
    text = response.get_data(as_text=True)
    assert "for 72 hours" in text and "72.0" not in text
    assert 'data-copy="set-password-link"' in text and 'id="set-password-link"' in text
