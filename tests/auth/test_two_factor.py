"""The second factor: a right password alone opens nothing; an authenticator code, or a recovery
code, finishes the sign-in once; wrong, used and replayed codes are refused and counted with the
wrong passwords; the first sign-in sets up the app; administrators reset a lost one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.auth import second_factor
from casework.auth.models import RecoveryCode, Role, User
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.notifications.models import OutboxMessage
from tests.conftest import PASSWORD, client_as, csrf_token, make_user, post_form, sign_in
from tests.support.http import page_text, second_step
from tests.support.people import authenticator_code

NOON = datetime(2026, 12, 2, 12, 0, 5, tzinfo=UTC)  # five seconds into a 30-second step
CODE_PAGE = "/sign-in/code"


@pytest.fixture
def user(app: Flask) -> User:
    with app.app_context():
        return make_user(Role.BOARD_MANAGER, email="morgan@example.org")


def password_step(client: FlaskClient, user: User) -> None:
    response = sign_in(client, user.email, PASSWORD)
    assert response.headers["Location"] == CODE_PAGE


def enter(client: FlaskClient, code: str, token: str | None = None):  # type: ignore[no-untyped-def]
    if token is None:
        return post_form(client, CODE_PAGE, {"code": code})
    return client.post(CODE_PAGE, data={"csrf_token": token, "code": code})


def stored(app: Flask, user: User) -> User:
    with app.app_context():
        return db.session.get(User, user.id)


def actions(app: Flask, user: User) -> list[str]:
    with app.app_context():
        query = select(AuditEvent.action).where(AuditEvent.subject_id == user.id).order_by(AuditEvent.id)
        return list(db.session.execute(query).scalars())


def mail_to(app: Flask, user: User) -> list[str]:
    """The person's emails, as plain text: told of every change to how they sign in."""
    with app.app_context():
        query = select(OutboxMessage.text_body).where(OutboxMessage.recipient_id == user.id)
        return list(db.session.execute(query).scalars())


def test_a_right_password_alone_opens_nothing(app: Flask, client: FlaskClient, user: User) -> None:
    password_step(client, user)
    assert client.get("/reviews/").headers["Location"].startswith("/sign-in")
    page = page_text(client.get(CODE_PAGE))
    assert "Enter your sign-in code" in page and user.email in page
    assert stored(app, user).last_signed_in_at is None
    assert "signed_in" not in actions(app, user)


def test_the_code_from_the_app_signs_in_once(app: Flask, user: User) -> None:
    with time_machine.travel(NOON, tick=False):
        client = app.test_client()
        password_step(client, user)
        response = enter(client, f" {authenticator_code(user)[:3]} {authenticator_code(user)[3:]} ")
        assert response.headers["Location"] == "/reviews/dashboard"
        assert client.get("/reviews/").status_code == 200
        with app.app_context():
            event = db.session.execute(
                select(AuditEvent).where(AuditEvent.action == "signed_in")
            ).scalar_one()
            assert event.details == {"method": "authenticator"}
        assert stored(app, user).last_signed_in_at is not None

        # The same code again, from another browser within its 30 seconds: refused.
        other = app.test_client()
        password_step(other, user)
        replayed = enter(other, authenticator_code(user))
        assert replayed.status_code == 400
        assert "already been used" in page_text(replayed)
        told = [text for text in mail_to(app, user) if "had already been used" in text]
        assert len(told) == 1  # the person is told someone tried it
        # So is the code of the step before, once a later one was used.
        earlier = authenticator_code(user, step=second_factor.current_step() - 1)
        assert enter(other, earlier).status_code == 400
    with time_machine.travel(NOON + timedelta(seconds=30), tick=False):
        assert enter(other, authenticator_code(user)).headers["Location"] == "/reviews/dashboard"
    assert actions(app, user).count("second_factor_failed") == 2


def test_a_code_within_one_step_of_drift_is_accepted_and_two_steps_is_not(app: Flask, user: User) -> None:
    with time_machine.travel(NOON, tick=False):
        now = second_factor.current_step()
        client = app.test_client()
        password_step(client, user)
        assert enter(client, authenticator_code(user, step=now - 2)).status_code == 400
        assert enter(client, authenticator_code(user, step=now + 1)).status_code == 302


def test_wrong_codes_are_throttled_with_the_passwords(app: Flask, client: FlaskClient, user: User) -> None:
    password_step(client, user)
    answers = [enter(client, f"{number:06d}").status_code for number in range(10)]
    assert answers == [400] * 9 + [429]
    locked = enter(client, authenticator_code(user))  # even the right code waits now
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert client.get("/reviews/").status_code == 302
    # Signing in again with the password does not start the count again.
    assert sign_in(client, user.email, PASSWORD).status_code == 429


def test_recovery_codes_work_once_each(app: Flask, user: User) -> None:
    with app.app_context():
        codes = second_factor.new_recovery_codes(db.session.get(User, user.id))
        db.session.commit()
        hashes = set(db.session.execute(select(RecoveryCode.code_hash)).scalars())
    assert len(codes) == len(set(codes)) == 10
    assert not any(code.replace("-", "") in hash_ for code in codes for hash_ in hashes)  # kept hashed
    client = app.test_client()
    password_step(client, user)
    response = enter(client, codes[0].upper())  # case and the hyphen forgiven
    assert response.status_code == 302
    assert "You have 9 left" in page_text(client.get(response.headers["Location"]))
    again = app.test_client()
    password_step(again, user)
    used = enter(again, codes[0])
    assert used.status_code == 400
    assert "Enter a recovery code you have not used before" in page_text(used)
    assert enter(again, "not-a-code").status_code == 400
    assert enter(again, codes[1]).status_code == 302
    assert actions(app, user).count("recovery_code_used") == 2


def test_the_second_step_ends_if_not_finished_in_time(app: Flask, user: User) -> None:
    with time_machine.travel(NOON, tick=False):
        client = app.test_client()
        password_step(client, user)
        token = csrf_token(client, CODE_PAGE)
    with time_machine.travel(NOON + timedelta(minutes=11), tick=False):
        response = client.get(CODE_PAGE)
        assert response.headers["Location"] == "/sign-in"
        assert "the sign-in was not finished in time" in page_text(client.get("/sign-in"))
        assert enter(client, authenticator_code(user), token).headers["Location"] == "/sign-in"
        assert client.get("/reviews/").status_code == 302


def test_the_code_page_without_a_right_password_sends_to_sign_in(client: FlaskClient) -> None:
    assert client.get(CODE_PAGE).headers["Location"] == "/sign-in"
    assert client.get("/sign-in/set-up").headers["Location"] == "/sign-in"


def test_an_account_deactivated_between_the_steps_cannot_finish(app: Flask, user: User) -> None:
    client = app.test_client()
    password_step(client, user)
    token = csrf_token(client, CODE_PAGE)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert enter(client, authenticator_code(user), token).headers["Location"] == "/sign-in"
    assert client.get("/reviews/").status_code == 302


KEY = re.compile(r'data-testid="authenticator-key">([A-Z2-7 ]+)<')


def test_a_first_sign_in_sets_up_the_app_and_shows_the_recovery_codes_once(app: Flask) -> None:
    with app.app_context():
        newcomer = make_user(Role.REVIEWER, authenticator=False)
    client = app.test_client()
    assert sign_in(client, newcomer.email, PASSWORD).headers["Location"] == "/sign-in/set-up"
    page = client.get("/sign-in/set-up")
    assert page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "<svg" in text and "QR code of the key" in text
    key = KEY.search(text).group(1).replace(" ", "")  # type: ignore[union-attr]
    assert KEY.search(page_text(client.get("/sign-in/set-up"))).group(1).replace(" ", "") == key  # type: ignore[union-attr]

    wrong = post_form(client, "/sign-in/set-up", {"code": "123456"})
    assert wrong.status_code == 400 and "Enter the 6-digit code" in page_text(wrong)
    assert stored(app, newcomer).totp_secret is None  # nothing kept until a code confirms it
    assert client.get("/reviews/").status_code == 302

    done = post_form(client, "/sign-in/set-up", {"code": pyotp.TOTP(key).now()})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    saved = stored(app, newcomer)
    assert saved.totp_secret == key and saved.has_authenticator
    assert client.get("/account").status_code == 200  # signed in
    assert "authenticator_set_up" in actions(app, newcomer)


def test_new_recovery_codes_need_the_password_and_replace_the_old(app: Flask, user: User) -> None:
    client = client_as(app, user, through_forms=True)
    with app.app_context():
        old = second_factor.new_recovery_codes(db.session.get(User, user.id))
        db.session.commit()
    refused = post_form(
        client, "/account/sign-in/recovery-codes", {"password": "wrong"}, token_from="/account/sign-in"
    )
    assert refused.status_code == 400 and "Your password is not right" in page_text(refused)
    made = post_form(
        client, "/account/sign-in/recovery-codes", {"password": PASSWORD}, token_from="/account/sign-in"
    )
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    new = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", made.get_data(as_text=True))
    assert len(new) == 10
    assert "10 of 10" in page_text(client.get("/account/sign-in"))
    assert sum("New recovery codes were made" in text for text in mail_to(app, user)) == 2
    other = app.test_client()
    password_step(other, user)
    assert enter(other, old[0]).status_code == 400
    assert enter(other, new[0]).status_code == 302


def test_replacing_the_app_needs_the_password_and_a_code_from_the_new_key(app: Flask, user: User) -> None:
    client = client_as(app, user, through_forms=True)
    page = page_text(client.get("/account/sign-in/app"))
    key = KEY.search(page).group(1).replace(" ", "")  # type: ignore[union-attr]
    code = pyotp.TOTP(key).now()
    refused = post_form(client, "/account/sign-in/app", {"code": code, "password": "wrong"})
    assert refused.status_code == 400
    assert stored(app, user).totp_secret != key
    done = post_form(client, "/account/sign-in/app", {"code": code, "password": PASSWORD})
    assert done.status_code == 200 and "Your new recovery codes" in page_text(done)
    assert stored(app, user).totp_secret == key
    assert "authenticator_replaced" in actions(app, user)
    assert any("A new authenticator app was set up" in text for text in mail_to(app, user))


def test_an_administrator_resets_a_lost_second_factor(app: Flask, user: User) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN, name="Alex Admin")
    person = client_as(app, user, through_forms=True)
    admin_client = client_as(app, admin, through_forms=True)
    users_page = f"/admin/users/{user.id}"
    page = page_text(admin_client.get(users_page))
    assert "Authenticator app set up" in page
    version = stored(app, user).version
    reset = f"{users_page}/second-factor/reset"
    response = post_form(admin_client, reset, {"version": version}, token_from=users_page)
    assert response.status_code == 302
    assert "has been reset and they have been signed out everywhere" in page_text(
        admin_client.get(response.headers["Location"])
    )
    saved = stored(app, user)
    assert saved.totp_secret is None and not saved.has_authenticator
    assert person.get("/reviews/").status_code == 302  # signed out everywhere
    assert "second_factor_reset" in actions(app, user)
    with app.app_context():
        mail = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.recipient_id == user.id)
        ).scalar_one()
        assert "Alex Admin" in mail.text_body and "reset the second step of your sign-in" in mail.text_body
    # Their next sign-in sets up a new app.
    assert sign_in(app.test_client(), user.email, PASSWORD).headers["Location"] == "/sign-in/set-up"
    # An administrator does not reset their own from there.
    own = post_form(
        admin_client,
        f"/admin/users/{admin.id}/second-factor/reset",
        {"version": stored(app, admin).version},
        token_from=f"/admin/users/{admin.id}",
    )
    assert own.status_code == 302 and stored(app, admin).has_authenticator


def test_a_stale_reset_is_refused(app: Flask, user: User) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN)
    admin_client = client_as(app, admin, through_forms=True)
    stale = stored(app, user).version - 1
    post_form(
        admin_client,
        f"/admin/users/{user.id}/second-factor/reset",
        {"version": stale},
        token_from=f"/admin/users/{user.id}",
    )
    assert stored(app, user).has_authenticator


def test_the_kit_signs_in_through_both_steps(app: Flask, user: User) -> None:
    """client_as's second step is a real recovery code: refusing it would fail every test."""
    client = app.test_client()
    response = sign_in(client, user.email, PASSWORD)
    assert second_step(app, client, response).headers["Location"] == "/reviews/dashboard"
