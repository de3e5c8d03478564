"""Signing in: right and wrong passwords, unknown emails, lockout kept in the database."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.audit import AuditEvent
from casework.auth.models import Role, SignInThrottle, User
from casework.auth.services import _digest
from casework.extensions import db
from casework.timeutil import utcnow
from tests.conftest import PASSWORD, login_as, make_user, sign_in

WRONG = "Enter a correct email address and password"
LOCKED = "Too many failed attempts"


@pytest.fixture
def user(app: Flask) -> User:
    with app.app_context():
        return make_user(Role.BOARD_MANAGER, email="morgan@example.org")


def test_right_password_signs_in_and_lands_on_the_roles_home(client: FlaskClient, user: User) -> None:
    response = sign_in(client, "  MORGAN@example.org ", PASSWORD)  # case and spaces forgiven
    assert response.status_code == 302
    assert response.headers["Location"] == "/reviews/dashboard"
    page = client.get("/reviews/").get_data(as_text=True)
    assert "Signed in as Person" in page


def test_wrong_password_and_unknown_email_get_the_same_answer(client: FlaskClient, user: User) -> None:
    wrong = sign_in(client, user.email, "not the right password")
    unknown = sign_in(client, "nobody@example.org", "not the right password")
    assert wrong.status_code == unknown.status_code == 400
    assert WRONG in wrong.get_data(as_text=True)

    def body(response) -> str:  # pages differ only in nonce, CSRF token and the typed email
        return re.sub(r'(nonce|value)="[^"]*"', "", response.get_data(as_text=True))

    assert body(wrong).replace(user.email, "X") == body(unknown).replace("nobody@example.org", "X")
    assert client.get("/reviews/").status_code == 302  # still signed out


def test_empty_fields_get_messages(client: FlaskClient) -> None:
    page = sign_in(client, "", "").get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert "<title>Error: Sign in" in page


def test_ten_failures_lock_sign_in_even_with_the_right_password(
    app: Flask, client: FlaskClient, user: User
) -> None:
    for attempt in range(9):
        assert LOCKED not in sign_in(client, user.email, f"wrong password {attempt}").get_data(as_text=True)
    with app.app_context():
        throttle = db.session.get(SignInThrottle, _digest(user.email))
        assert throttle is not None and throttle.failures == 9  # counted in the database
    assert LOCKED in sign_in(client, user.email, "wrong password 10").get_data(as_text=True)
    locked = sign_in(client, user.email, PASSWORD)
    assert locked.status_code == 400
    assert LOCKED in locked.get_data(as_text=True)
    with app.app_context():
        actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
        assert actions.count("sign_in_failed") == 10
        assert "account_locked" in actions
        assert "signed_in" not in actions


def test_the_lock_is_shared_by_every_app_server(app: Flask, user: User) -> None:
    """A second client (another server or browser) sees the lock the first one caused."""
    first, second = app.test_client(), app.test_client()
    for attempt in range(10):
        sign_in(first, user.email, f"wrong password {attempt}")
    assert LOCKED in sign_in(second, user.email, PASSWORD).get_data(as_text=True)


def test_unknown_emails_lock_the_same_way(client: FlaskClient) -> None:
    for attempt in range(10):
        sign_in(client, "ghost@example.org", f"wrong password {attempt}")
    assert LOCKED in sign_in(client, "ghost@example.org", "anything at all").get_data(as_text=True)


def test_the_lock_lifts_after_its_period(app: Flask, client: FlaskClient, user: User) -> None:
    for attempt in range(10):
        sign_in(client, user.email, f"wrong password {attempt}")
    with app.app_context():
        throttle = db.session.get(SignInThrottle, _digest(user.email))
        throttle.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    with app.app_context():
        assert db.session.get(SignInThrottle, _digest(user.email)) is None  # success clears the count


def test_a_success_resets_the_failure_count(app: Flask, client: FlaskClient, user: User) -> None:
    for attempt in range(9):
        sign_in(client, user.email, f"wrong password {attempt}")
    login_as(client, user)
    other = app.test_client()
    for attempt in range(9):
        sign_in(other, user.email, f"wrong again {attempt}")
    assert sign_in(other, user.email, PASSWORD).status_code == 302


def test_deactivated_user_cannot_sign_in(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        gone = make_user(Role.REVIEWER, active=False)
    response = sign_in(client, gone.email, PASSWORD)
    assert response.status_code == 400
    assert WRONG in response.get_data(as_text=True)


def test_user_without_a_password_yet_cannot_sign_in(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        pending = make_user(Role.REVIEWER, password=None)
    assert sign_in(client, pending.email, "").status_code == 400
    assert sign_in(client, pending.email, "any password at all").status_code == 400


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/agencies/", "/agencies/"),
        ("https://evil.example/phish", "/reviews/dashboard"),
        ("//evil.example/phish", "/reviews/dashboard"),
        ("javascript:alert(1)", "/reviews/dashboard"),
    ],
)
def test_next_only_follows_local_paths(client: FlaskClient, user: User, next_url: str, expected: str) -> None:
    from tests.conftest import csrf_token

    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in", data={"csrf_token": token, "email": user.email, "password": PASSWORD, "next": next_url}
    )
    assert response.headers["Location"] == expected


def test_anonymous_visit_keeps_the_page_asked_for(client: FlaskClient) -> None:
    response = client.get("/agencies/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    form = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="/agencies/"' in form


def test_signing_in_and_out_leaves_the_row_version_alone(app: Flask, client: FlaskClient, user: User) -> None:
    """An administrator's open edit form must not go stale because the person signed in."""
    from tests.conftest import sign_out

    login_as(client, user)
    sign_out(client)
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row.version == user.version
        assert row.last_signed_in_at is not None
        assert row.session_token != user.session_token
