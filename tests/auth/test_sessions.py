"""Sessions end when they should: sign-out, password change, deactivation, idle and age limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from casework import create_app
from casework.auth import services
from casework.auth.models import Role, User, WebSession
from casework.core.extensions import db
from tests.conftest import (
    PASSWORD,
    client_as,
    csrf_token,
    make_user,
    post_form,
    production_config,
    sign_out,
)
from tests.support.http import second_step

COOKIE = "casework_session"
PROTECTED = "/reviews/"


def _stolen_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


NEW_PASSWORD = "a brand new passphrase for casework"


def _change_password(client: FlaskClient, current: str) -> TestResponse:
    fields = {"current_password": current, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    return post_form(client, "/account/password", fields)


def _replay(app: Flask, cookie: str):
    attacker = app.test_client()
    attacker.set_cookie(COOKIE, cookie)
    return attacker.get(PROTECTED)


def test_a_copied_cookie_works_while_the_session_lasts(app: Flask, manager: User) -> None:
    client = client_as(app, manager, through_forms=True)
    assert _replay(app, _stolen_cookie(client)).status_code == 200  # the baseline the next tests rely on


def test_signing_out_makes_every_earlier_cookie_useless(app: Flask, manager: User) -> None:
    client = client_as(app, manager, through_forms=True)
    cookie = _stolen_cookie(client)
    other_device = client_as(app, manager, through_forms=True)
    response = sign_out(client)
    assert response.status_code == 302
    replay = _replay(app, cookie)
    assert replay.status_code == 302
    assert replay.headers["Location"].startswith("/sign-in")
    # This browser's session ended; the person's other devices end from "Your sessions".
    assert other_device.get(PROTECTED).status_code == 200


def test_changing_the_password_ends_other_sessions_but_not_this_one(app: Flask, manager: User) -> None:
    client = client_as(app, manager, through_forms=True)
    cookie = _stolen_cookie(client)
    assert _change_password(client, PASSWORD).status_code == 302
    assert client.get(PROTECTED).status_code == 200
    assert _replay(app, cookie).status_code == 302
    assert client_as(app, manager, NEW_PASSWORD, through_forms=True)


def test_wrong_current_password_changes_nothing(app: Flask, manager: User) -> None:
    client = client_as(app, manager, through_forms=True)
    cookie = _stolen_cookie(client)
    response = _change_password(client, "not my password")
    assert response.status_code == 400
    assert "Your current password is not right" in response.get_data(as_text=True)
    assert _replay(app, cookie).status_code == 200
    with app.app_context():
        assert db.session.get(User, manager.id).password_changed_at == manager.password_changed_at


def test_deactivation_ends_the_users_sessions(app: Flask, manager: User) -> None:
    client = client_as(app, manager, through_forms=True)
    with app.app_context():
        admin = make_user(Role.ADMIN)
        services.deactivate_user(db.session.get(User, manager.id), db.session.get(User, admin.id))
        db.session.commit()
    assert client.get(PROTECTED).status_code == 302


def _later(seconds: int) -> time_machine.travel:
    return time_machine.travel(datetime.now(UTC) + timedelta(seconds=seconds), tick=False)


def _last_active(app: Flask, client: FlaskClient) -> datetime:
    from casework.auth.session_store import key_hash

    with app.app_context():
        row = db.session.execute(
            db.select(WebSession).where(WebSession.key_hash == key_hash(_stolen_cookie(client)))
        ).scalar_one()
        return row.last_active_at


@pytest.mark.parametrize(
    ("age_seconds", "keep_active", "why"),
    [
        (31 * 60, False, "You were signed out after 30 minutes without activity."),
        (12 * 3600 + 60, True, "You were signed out 12 hours after you signed in."),
    ],
    ids=["idle for 31 minutes", "signed in 12 hours ago"],
)
def test_old_sessions_end(app: Flask, manager: User, age_seconds: int, keep_active: bool, why: str) -> None:
    client = client_as(app, manager, through_forms=True)
    if keep_active:  # active every 20 minutes: only the absolute limit can end it
        for minutes in range(20, age_seconds // 60 - 1, 20):
            with _later(minutes * 60):
                assert client.get(PROTECTED).status_code == 200
    with _later(age_seconds):
        response = client.get(PROTECTED)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in")
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert why in page
        assert "Anything you had not saved was not saved." in page  # typed work is not lost silently
        assert client.get(PROTECTED).status_code == 302


def test_activity_keeps_a_session_alive(app: Flask, manager: User) -> None:
    client = client_as(app, manager, through_forms=True)
    signed_in = _last_active(app, client)
    with _later(29 * 60):
        assert client.get(PROTECTED).status_code == 200
        assert _last_active(app, client) - signed_in >= timedelta(minutes=29)
    with _later(50 * 60):
        assert client.get(PROTECTED).status_code == 200


def test_session_cookie_flags(app: Flask, manager: User) -> None:
    client = app.test_client()
    visitor = client.get("/sign-in")  # a visitor's session: the sign-in form's CSRF token
    password = post_form(client, "/sign-in", {"email": manager.email, "password": PASSWORD})
    signed_in = second_step(app, client, password)
    headers = visitor.headers.getlist("Set-Cookie") + signed_in.headers.getlist("Set-Cookie")
    session_cookies = [h for h in headers if h.startswith(COOKIE + "=")]
    assert len(session_cookies) == 2  # the key changes at sign-in
    assert session_cookies
    for header in session_cookies:
        lowered = header.lower()
        assert "httponly" in lowered
        assert "samesite=lax" in lowered
        assert "expires=" not in lowered  # a browser-session cookie: nothing persists for a year
        assert "secure" not in lowered  # plain http in development and tests
    assert client.get_cookie("remember_token") is None


def test_production_cookies_are_secure(app: Flask) -> None:
    config = production_config(app)
    production = create_app(config)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with production.test_request_context():
        from flask import session

        session["probe"] = 1
        response = production.make_response("ok")
        production.session_interface.save_session(production, session, response)
    assert "Secure" in response.headers["Set-Cookie"]


def test_keep_alive_renews_the_idle_timeout(app: Flask, manager: User) -> None:
    client = client_as(app, manager, through_forms=True)
    token = csrf_token(client, "/account")
    with _later(29 * 60):
        assert client.post("/session/keep-alive", headers={"X-CSRFToken": token}).status_code == 204
    with _later(58 * 60):
        assert client.get(PROTECTED).status_code == 200


def test_keep_alive_needs_the_csrf_token_and_a_live_session(app: Flask, manager: User) -> None:
    client = client_as(app, manager, through_forms=True)
    assert client.post("/session/keep-alive").status_code == 400  # no token: refused, nothing renewed
    token = csrf_token(client, "/account")
    with _later(31 * 60):
        response = client.post("/session/keep-alive", headers={"X-CSRFToken": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_signed_in_pages_carry_the_warning_with_the_configured_timings(app: Flask, manager: User) -> None:
    page = client_as(app, manager, through_forms=True).get("/account").get_data(as_text=True)
    assert 'role="dialog"' in page
    assert 'data-idle-seconds="1800"' in page and 'data-warn-seconds="120"' in page
