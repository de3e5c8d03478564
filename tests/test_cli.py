"""The command-line tasks: ``create-admin`` (the first administrator, password at a hidden prompt)
and ``demo`` (the fictional partnership, loaded only where missing).

``flask --app wsgi ...`` pushes an application context before running a command; the test runner
invokes ``app.cli`` directly and does not, so ``run`` pushes one for the command. Requests are made
outside it, so the test client gets contexts of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.auth.navigation import home_for
from casework.auth.passwords import hash_password
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.demo import DEMO_AGENCIES, DEMO_USERS
from casework.demo.reviews import DEMO_REVIEWS
from casework.notifications.models import Notification, OutboxMessage, Reminder
from casework.notifications.reminders import run_daily_pass
from tests.conftest import make_user, post_form, sign_in
from tests.support.demo import load_demo
from tests.support.http import sign_in_fully

ADMIN_PASSWORD = "velvet harbour compass morning"


@contextmanager
def database(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.rollback()


def run(app: Flask, *args: str, input: str | None = None) -> Result:
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), input=input)


def create_admin(app: Flask, password: str, confirm: str | None = None, **options: str) -> Result:
    options = {"name": "Ada Lovelace", "email": "Ada.Lovelace@Example.org", **options}
    args = ["create-admin", "--name", options["name"], "--email", options["email"]]
    return run(app, *args, input=f"{password}\n{password if confirm is None else confirm}\n")


def count(app: Flask, model: type[Any]) -> int:
    with database(app):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def users_by_email(app: Flask) -> dict[str, dict[str, Any]]:
    with database(app):
        return {
            user.email: {
                "id": user.id,
                "name": user.name,
                "role": user.role,
                "agency": user.agency.name if user.agency else None,
                "active": user.active,
                "password_hash": user.password_hash,
            }
            for user in db.session.execute(select(User)).scalars()
        }


def demo_as_the_command_left_it(app: Flask) -> None:
    """The state a first ``flask demo`` leaves (the demo's rows, then today's reminders), from the
    suite's copy of the demo: the tests that need it before their own run of the command."""
    with app.app_context():
        load_demo(app)
        run_daily_pass(uk_today())


def home_path(app: Flask, role: Role) -> str:
    with app.test_request_context():
        return home_for(User(role=role))  # where a person of the role lands


# --- create-admin --------------------------------------------------------------------------


def test_create_admin_takes_the_password_at_a_hidden_prompt_and_the_admin_can_sign_in(app: Flask) -> None:
    result = create_admin(app, ADMIN_PASSWORD)

    assert result.exit_code == 0, result.output
    assert "Administrator ada.lovelace@example.org created" in result.output
    assert ADMIN_PASSWORD not in result.output, "the password is never echoed"
    users = users_by_email(app)
    assert list(users) == ["ada.lovelace@example.org"], "the email address is stored in lower case"
    admin = users["ada.lovelace@example.org"]
    assert admin["role"] == Role.ADMIN
    assert admin["active"]
    assert admin["name"] == "Ada Lovelace"
    assert admin["agency"] is None
    assert admin["password_hash"] and ADMIN_PASSWORD not in admin["password_hash"]
    with database(app):
        event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user_created")).scalar_one()
        assert event.actor_id == event.subject_id == admin["id"]

    client = app.test_client()
    # The first sign-in sets up an authenticator app, then goes on to the administrator's home.
    codes_page = sign_in_fully(client, "Ada.Lovelace@example.org", ADMIN_PASSWORD).get_data(as_text=True)
    assert f'href="{home_path(app, Role.ADMIN)}"' in codes_page
    assert client.get("/admin/users").status_code == 200


def test_create_admin_asks_for_name_and_email_when_not_given(app: Flask) -> None:
    answers = f"Grace Hopper\ngrace@example.org\n{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"

    result = run(app, "create-admin", input=answers)

    assert result.exit_code == 0, result.output
    assert "Full name" in result.output and "Email address" in result.output
    assert users_by_email(app)["grace@example.org"]["role"] == Role.ADMIN


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short words", "Your password must be at least 12 characters long"),
        ("password1234", "This password is too common and easy to guess"),
        ("aaaaaaaaaaaaaaaa", "This password is too common and easy to guess"),
        ("my ada.lovelace passphrase", "Your password must not contain your email address"),
        ("Ada Lovelace", "Your password must not be your name"),
    ],
    ids=["too-short", "common", "repetition", "contains-email", "name"],
)
def test_create_admin_refuses_a_weak_password_and_saves_nothing(
    app: Flask, password: str, message: str
) -> None:
    result = create_admin(app, password)

    assert result.exit_code != 0
    assert message in result.output
    assert count(app, User) == 0
    assert count(app, AuditEvent) == 0


def test_create_admin_refuses_when_the_confirmation_differs(app: Flask) -> None:
    result = create_admin(app, ADMIN_PASSWORD, confirm="velvet harbour compass evening")

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert count(app, User) == 0


@pytest.mark.parametrize("email", ["taken@example.org", "TAKEN@Example.ORG"])
def test_create_admin_refuses_an_existing_email_address(app: Flask, email: str) -> None:
    with database(app):
        make_user(Role.REVIEWER, email="taken@example.org", name="Existing Reviewer")
    before = users_by_email(app)

    result = create_admin(app, ADMIN_PASSWORD, email=email)

    assert result.exit_code != 0
    assert "A user with this email address already exists" in result.output
    assert users_by_email(app) == before
    assert count(app, AuditEvent) == 0


def test_create_admin_has_no_password_option(app: Flask) -> None:
    args = ["create-admin", "--name", "Ada Lovelace", "--email", "ada@example.org"]

    result = run(app, *args, "--password", ADMIN_PASSWORD)

    assert result.exit_code == 2, "a usage error"
    assert "No such option" in result.output and "--password" in result.output
    assert count(app, User) == 0
    help_text = run(app, "create-admin", "--help").output
    assert "--name" in help_text and "--email" in help_text
    assert "--password" not in help_text


# --- demo ----------------------------------------------------------------------------------


def test_demo_loads_agencies_and_a_user_of_every_role_and_prints_the_sign_ins(app: Flask) -> None:
    result = run(app, "demo")

    assert result.exit_code == 0, result.output
    # + contributions, action plans, publication, the DHR in Home Office quality assurance, the SAR
    # reminder rule (the defaults are seeded), and the registers: Child E's processes, Child D's
    # monitoring and family logs, Child P's learning; Child D's publication delay; Child M, the
    # older review whose recommendation Child D repeats; the older reviews of the insight charts;
    # Child W and Adult X, concluded in the last complete reporting year (the annual report pack);
    # Child K's 7-minute briefing and its dissemination; the recommendations' outcome measures;
    # Adult G's police chronology, imported in the background
    added = len(DEMO_AGENCIES) + len(DEMO_USERS) + len(DEMO_REVIEWS) + 5 + 4 + 1 + 1 + 1 + 2 + 1 + 1 + 1
    assert f"Demo data: {added} records added." in result.output
    assert "Demo sign-ins" in result.output
    for demo in DEMO_USERS:
        line = next(line for line in result.output.splitlines() if demo.email in line)
        assert demo.password in line and demo.role.label in line
    with database(app):
        agencies = {a.name: a.agency_type for a in db.session.execute(select(Agency)).scalars()}
    assert agencies == dict(DEMO_AGENCIES)
    users = users_by_email(app)
    assert set(users) == {demo.email for demo in DEMO_USERS}
    assert {user["role"] for user in users.values()} == set(Role)
    for demo in DEMO_USERS:
        saved = users[demo.email]
        assert (saved["name"], saved["role"], saved["agency"]) == (demo.name, demo.role, demo.agency)
        assert saved["active"] and saved["password_hash"]


def test_running_demo_again_adds_nothing_and_keeps_a_changed_password(app: Flask) -> None:
    demo_as_the_command_left_it(app)
    manager = next(demo for demo in DEMO_USERS if demo.role == Role.BOARD_MANAGER)
    changed = "a passphrase only the manager knows"
    with database(app):
        user = db.session.execute(select(User).where(User.email == manager.email)).scalar_one()
        user.password_hash = hash_password(changed)
        db.session.commit()
    users, agencies = users_by_email(app), count(app, Agency)

    result = run(app, "demo")

    assert result.exit_code == 0, result.output
    assert "Demo data already loaded." in result.output
    assert manager.email in result.output, "the sign-ins are printed every time"
    assert users_by_email(app) == users
    assert count(app, Agency) == agencies
    assert sign_in(app.test_client(), manager.email, changed).status_code == 302
    assert sign_in(app.test_client(), manager.email, manager.password).status_code == 400


def test_demo_adds_back_only_what_is_missing(app: Flask) -> None:
    demo_as_the_command_left_it(app)
    # The second board manager has no records of their own but what they were told and reminded
    # of, so it can be removed outright with those.
    spare = next(demo for demo in DEMO_USERS if demo.email == "manager2@northshire.example")
    with database(app):
        spare_id = db.session.execute(db.select(User.id).where(User.email == spare.email)).scalar_one()
        db.session.execute(db.delete(Notification).where(Notification.user_id == spare_id))
        db.session.execute(db.delete(OutboxMessage).where(OutboxMessage.recipient_id == spare_id))
        db.session.execute(db.delete(Reminder).where(Reminder.user_id == spare_id))
        db.session.execute(db.delete(User).where(User.email == spare.email))
        db.session.commit()

    result = run(app, "demo")

    assert result.exit_code == 0, result.output
    assert "Demo data: 1 records added." in result.output
    assert count(app, User) == len(DEMO_USERS)
    assert count(app, Agency) == len(DEMO_AGENCIES)


def test_demo_refuses_a_production_installation(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "ENV_NAME", "production")

    result = run(app, "demo")

    assert result.exit_code != 0
    assert "not loaded into a production installation" in result.output
    assert count(app, User) == count(app, Agency) == 0


def test_every_demo_user_signs_in_with_the_documented_password(app: Flask) -> None:
    demo_as_the_command_left_it(app)

    for demo in DEMO_USERS:
        client = app.test_client()
        response = sign_in(client, demo.email, demo.password)
        assert response.headers["Location"] == "/sign-in/code", demo.email
        shown = run(app, "demo-code", demo.email)  # the code their app would show
        assert shown.exit_code == 0, shown.output
        code = shown.output.split()[0]
        response = post_form(client, "/sign-in/code", {"code": code})
        assert response.status_code == 302, demo.email
        assert urlsplit(response.headers["Location"]).path == home_path(app, demo.role)
        account = client.get("/account")
        assert account.status_code == 200
        assert demo.name in account.get_data(as_text=True)


def test_demo_code_is_for_demo_users_outside_production(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with database(app):
        make_user(Role.BOARD_MANAGER, email="real.person@example.org")
    assert "not one of the demo users" in run(app, "demo-code", "real.person@example.org").output
    assert "run make demo first" in run(app, "demo-code", DEMO_USERS[0].email).output
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    refused = run(app, "demo-code", DEMO_USERS[0].email)
    assert refused.exit_code != 0 and "never shown by a production installation" in refused.output


def test_reset_second_factor_from_the_command_line(app: Flask) -> None:
    with database(app):
        user_id = make_user(Role.ADMIN, email="only.admin@example.org").id
    result = run(app, "reset-second-factor", "Only.Admin@example.org")
    assert result.exit_code == 0, result.output
    with database(app):
        saved = db.session.get(User, user_id)
        assert saved.totp_secret is None and not saved.has_authenticator
        assert db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "second_factor_reset")
        ).scalar_one()
    assert run(app, "reset-second-factor", "nobody@example.org").exit_code != 0
