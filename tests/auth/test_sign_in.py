"""Signing in: right and wrong passwords, unknown emails, and throttling that an attacker cannot
turn against the account's owner (per account and address, per recognised browser, per account
across addresses, per address across accounts), refused before any password hash."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from casework.auth.device_cookies import DEVICE_COOKIE
from casework.auth.models import Role, User
from casework.auth.throttling import throttle
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from tests.auth.sign_in_support import (
    ATTACKER,
    CONNECTION,
    LOCKED,
    REAL_USER,
    WRONG,
    HashCounter,
    app_like,
    body,
    client_at,
    flood_with_unknown_emails,
    row_counts,
    session_rows,
    sign_in_from,
)
from tests.conftest import PASSWORD, client_as, csrf_token, make_user, sign_in, sign_out
from tests.support.http import second_step, sign_in_fully


@pytest.fixture
def user(app: Flask) -> User:
    with app.app_context():
        return make_user(Role.BOARD_MANAGER, email="morgan@example.org")


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> HashCounter:
    return HashCounter.install(monkeypatch)


def test_right_password_signs_in_and_lands_on_the_roles_home(client: FlaskClient, user: User) -> None:
    response = sign_in(client, "  MORGAN@example.org ", PASSWORD)  # case and spaces forgiven
    assert response.headers["Location"] == "/sign-in/code"  # the password alone opens nothing
    assert client.get("/reviews/").status_code == 302
    response = second_step(client.application, client, response)
    assert response.headers["Location"] == "/reviews/dashboard"
    page = client.get("/reviews/").get_data(as_text=True)
    assert "Signed in as Person" in page


def test_signing_in_recognises_the_browser_with_a_signed_cookie_for_the_sign_in_page_only(
    client: FlaskClient, user: User
) -> None:
    response = sign_in_fully(client, user.email, PASSWORD)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{DEVICE_COOKIE}="))
    assert "Path=/sign-in" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Max-Age=" in cookie
    assert user.email not in cookie and "morgan" not in cookie  # a keyed hash, never the email


def test_wrong_password_and_unknown_email_get_the_same_answer(client: FlaskClient, user: User) -> None:
    wrong = sign_in(client, user.email, "not the right password")
    unknown = sign_in(client, "nobody@example.org", "not the right password")
    assert wrong.status_code == unknown.status_code == 400
    assert WRONG in wrong.get_data(as_text=True)
    assert body(wrong).replace(user.email, "X") == body(unknown).replace("nobody@example.org", "X")
    assert client.get("/reviews/").status_code == 302  # still signed out


def test_empty_fields_get_messages(client: FlaskClient) -> None:
    page = sign_in(client, "", "").get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert "<title>Error: Sign in" in page


def test_ten_failures_from_one_address_lock_it_even_with_the_right_password(
    app: Flask, client: FlaskClient, user: User
) -> None:
    for attempt in range(9):
        assert LOCKED not in sign_in(client, user.email, f"wrong password {attempt}").get_data(as_text=True)
    tenth = sign_in(client, user.email, "wrong password 10")
    assert tenth.status_code == 429
    assert f"{LOCKED} to sign in with this email address. Try again in 15 minutes" in tenth.get_data(
        as_text=True
    )
    locked = sign_in(client, user.email, PASSWORD)
    assert locked.status_code == 429
    assert 840 < int(locked.headers["Retry-After"]) <= 900
    assert LOCKED in locked.get_data(as_text=True)
    with app.app_context():
        actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
        assert actions.count("sign_in_failed") == 10  # the refused attempt was not even checked
        assert actions.count("account_locked") == 1
        assert "signed_in" not in actions


def test_a_locked_known_email_and_a_locked_unknown_one_get_the_same_answer(
    client: FlaskClient, user: User
) -> None:
    for attempt in range(10):
        sign_in(client, user.email, f"wrong password {attempt}")
        sign_in(client, "ghost@example.org", f"wrong password {attempt}")
    known = sign_in(client, user.email, PASSWORD)
    unknown = sign_in(client, "ghost@example.org", "anything at all")
    assert known.status_code == unknown.status_code == 429
    assert LOCKED in known.get_data(as_text=True)
    assert body(known).replace(user.email, "X") == body(unknown).replace("ghost@example.org", "X")


def test_the_real_user_signs_in_throughout_while_another_address_keeps_failing(
    app: Flask, user: User, hashes: HashCounter
) -> None:
    attacker = client_at(app, ATTACKER)
    for attempt in range(60):
        answer = sign_in_from(attacker, user.email, f"guess {attempt}")
        assert answer.status_code == (400 if attempt < 9 else 429), attempt  # the tenth failure locks
        if attempt % 6 == 0:  # a new browser each time: no device cookie to help
            assert sign_in_from(client_at(app, REAL_USER), user.email).status_code == 302
    assert LOCKED in sign_in_from(attacker, user.email, PASSWORD).get_data(as_text=True)
    assert hashes.verify == 10 + 10  # the attacker's ten counted failures and the ten sign-ins


def test_a_guesser_on_many_addresses_pauses_unrecognised_browsers_but_not_the_users_own(
    app: Flask, user: User, hashes: HashCounter
) -> None:
    own_browser = client_as(app, user, address=REAL_USER, through_forms=True)
    sign_out(own_browser)
    # Thirty failures within 15 minutes from ten addresses: each address stays under its own limit.
    for address in range(10):
        bot = client_at(app, f"10.0.0.{address}")
        for attempt in range(3):
            sign_in_from(bot, user.email, f"guess {address}-{attempt}")
    new_browser = sign_in_from(client_at(app, REAL_USER), user.email)
    assert new_browser.status_code == 429
    assert LOCKED in new_browser.get_data(as_text=True)
    assert sign_in_from(client_at(app, "10.0.0.99"), user.email).status_code == 429
    verified = hashes.verify
    # The browser the user signed in with before is recognised and counted on its own.
    assert sign_in_from(own_browser, user.email).status_code == 302
    assert hashes.verify == verified + 1


def test_a_recognised_browser_that_keeps_failing_is_paused_on_its_own(app: Flask, user: User) -> None:
    own_browser = client_as(app, user, address=REAL_USER, through_forms=True)
    sign_out(own_browser)
    for attempt in range(10):
        sign_in_from(own_browser, user.email, f"mistyped {attempt}")
    assert sign_in_from(own_browser, user.email).status_code == 429
    # Another browser at the same address is counted apart from the recognised one.
    assert sign_in_from(client_at(app, REAL_USER), user.email).status_code == 302


def test_a_forged_or_borrowed_device_cookie_is_not_recognised(app: Flask, user: User) -> None:
    with app.app_context():
        other = make_user(Role.REVIEWER)
    borrowed = client_as(
        app, other, address=ATTACKER, through_forms=True
    )  # a genuine cookie, but for a different account
    sign_out(borrowed)
    forged = client_at(app, "10.9.9.9")
    forged.set_cookie(DEVICE_COOKIE, "W1siYWJjIiwiZGVmIl1d.Z0abcd.forged-signature", path="/sign-in")
    for browser, address in ((borrowed, ATTACKER), (forged, "10.9.9.9")):
        for attempt in range(10):
            sign_in_from(browser, user.email, f"guess {attempt}")
        # Counted as that address's unrecognised failures: a fresh browser there is paused too.
        assert sign_in_from(client_at(app, address), user.email).status_code == 429


def test_one_address_trying_many_accounts_is_paused_for_every_account(
    app: Flask, user: User, hashes: HashCounter
) -> None:
    sprayer = client_at(app, ATTACKER)
    for number in range(49):
        assert sign_in_from(sprayer, f"person{number}@example.org", "Summer2026!").status_code == 400
    last = sign_in_from(sprayer, "person49@example.org", "Summer2026!")
    assert last.status_code == 429
    assert f"{CONNECTION} Try again in 15 minutes" in last.get_data(as_text=True)
    refused = sign_in_from(sprayer, user.email, PASSWORD)
    assert refused.status_code == 429
    assert CONNECTION in refused.get_data(as_text=True)
    assert hashes.verify == 50
    assert sign_in_from(client_at(app, REAL_USER), user.email).status_code == 302


def test_a_refused_attempt_costs_no_password_hash(app: Flask, user: User, hashes: HashCounter) -> None:
    attacker = client_at(app, ATTACKER)
    for attempt in range(10):
        sign_in_from(attacker, user.email, f"guess {attempt}")
    assert hashes.verify == 10
    token = csrf_token(attacker, "/sign-in")
    started = time.process_time()
    for attempt in range(50):
        refused = attacker.post(
            "/sign-in", data={"csrf_token": token, "email": user.email, "password": f"more {attempt}"}
        )
        assert refused.status_code == 429
    per_refusal = (time.process_time() - started) / 50
    assert hashes.verify == 10  # not one hash for the fifty refusals

    # Against one verification at the production cost (the suite hashes cheaply).
    production = PasswordHasher()
    stored = production.hash(PASSWORD)
    started = time.process_time()
    production.verify(stored, PASSWORD)
    one_hash = time.process_time() - started
    assert per_refusal < one_hash / 5, (per_refusal, one_hash)


def test_a_flood_of_unknown_emails_leaves_no_rows_and_little_hashing(
    app: Flask, user: User, hashes: HashCounter
) -> None:
    before = row_counts(app)
    flooder = client_at(app, ATTACKER)
    flood_with_unknown_emails(flooder)
    assert row_counts(app) == before
    assert session_rows(app) == 1
    assert hashes.verify == 50  # the address limit stopped the rest before hashing


def test_a_flood_of_unknown_emails_from_many_addresses_leaves_no_rows(app: Flask, user: User) -> None:
    before = row_counts(app)
    flooder = app.test_client()
    token = csrf_token(flooder, "/sign-in")
    for number in range(150):
        answer = flooder.post(
            "/sign-in",
            data={"csrf_token": token, "email": f"nobody{number}@example.org", "password": "guess"},
            environ_base={"REMOTE_ADDR": f"10.0.{number // 250}.{number % 250}"},
        )
        assert answer.status_code == 400  # each address and email tried once: all checked
    assert row_counts(app) == before
    assert session_rows(app) == 1


def test_the_counters_never_hold_an_email_or_an_address(app: Flask, user: User) -> None:
    sign_in_from(client_at(app, ATTACKER), user.email, "wrong")
    sign_in_from(client_at(app, ATTACKER), "ghost@example.org", "wrong")
    with app.app_context():
        storage = throttle().storage
        keys = list(storage.events) + list(storage.storage)  # memory:// keeps them in these
    assert keys, "nothing was counted"
    assert all(key.startswith("casework:sign-in/") for key in keys)
    for key in keys:
        assert "@" not in key and "morgan" not in key and "ghost" not in key and ATTACKER not in key


def test_the_pause_lifts_after_its_period(app: Flask, client: FlaskClient, user: User) -> None:
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        for attempt in range(10):
            sign_in(client, user.email, f"wrong password {attempt}")
        assert sign_in(client, user.email, PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=15, seconds=1))
        assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_the_pauses_grow_for_a_guesser_who_keeps_going(app: Flask, user: User) -> None:
    attacker = client_at(app, ATTACKER)

    def ten_failures() -> str:
        for attempt in range(10):
            answer = sign_in_from(attacker, user.email, f"guess {attempt}")
            assert answer.status_code == (429 if attempt == 9 else 400)
        return answer.get_data(as_text=True)

    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        assert "Try again in 15 minutes" in ten_failures()
        traveller.shift(timedelta(minutes=16))
        assert "Try again in 44 minutes" in ten_failures()  # twenty within the hour
        traveller.shift(timedelta(minutes=45))
        assert "Try again in 23 hours" in ten_failures()  # thirty within the day
        traveller.shift(timedelta(hours=2))
        assert sign_in_from(attacker, user.email).status_code == 429
        assert sign_in_from(client_at(app, REAL_USER), user.email).status_code == 302


def test_a_success_resets_the_count_for_that_address(app: Flask, client: FlaskClient, user: User) -> None:
    for attempt in range(9):
        sign_in(client, user.email, f"wrong password {attempt}")
    assert sign_in_fully(client, user.email).status_code == 302  # both factors: the count starts again
    other = app.test_client()  # same address, a browser not recognised yet
    for attempt in range(9):
        sign_in(other, user.email, f"wrong again {attempt}")
    assert sign_in_fully(other, user.email, PASSWORD).status_code == 302


def test_an_unreachable_counter_store_refuses_sign_in_with_a_message(app: Flask, user: User) -> None:
    """Nothing listens on port 1: sign-in says so instead of failing or going unguarded."""
    broken = app_like(app, RATE_LIMIT_STORAGE_URL="redis://127.0.0.1:1/0")
    client = broken.test_client()
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 503
    assert "Signing in is not available at the moment" in response.get_data(as_text=True)
    assert client.get("/reviews/").status_code == 302
    with broken.app_context():
        db.engine.dispose()


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
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in", data={"csrf_token": token, "email": user.email, "password": PASSWORD, "next": next_url}
    )
    response = second_step(client.application, client, response)
    assert response.headers["Location"] == expected


def test_anonymous_visit_keeps_the_page_asked_for(client: FlaskClient) -> None:
    response = client.get("/agencies/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    form = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="/agencies/"' in form


def test_signing_in_and_out_leaves_the_row_version_alone(app: Flask, user: User) -> None:
    """An administrator's open edit form must not go stale because the person signed in."""
    client = client_as(app, user, through_forms=True)
    sign_out(client)
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row.version == user.version
        assert row.last_signed_in_at is not None


def test_an_ipv6_client_cannot_dodge_the_address_limit_by_changing_address_within_its_block(
    app: Flask, user: User
) -> None:
    for number in range(10):
        sign_in_from(client_at(app, f"2001:db8:1:2::{number + 1:x}"), user.email, f"guess {number}")
    assert sign_in_from(client_at(app, "2001:db8:1:2:ffff::99"), user.email).status_code == 429
    assert sign_in_from(client_at(app, "2001:db8:1:3::1"), user.email).status_code == 302


def test_a_mistyped_limit_setting_stops_the_app_at_start(app: Flask) -> None:
    with pytest.raises(RuntimeError, match="CASEWORK_SIGN_IN_ACCOUNT_LIMITS"):
        app_like(app, SIGN_IN_ACCOUNT_LIMITS="thirty a minute")


def test_production_warns_when_each_process_would_count_on_its_own(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    from casework import create_app
    from config import ProductionConfig

    settings = {
        "SECRET_KEY": "a-production-key-of-at-least-32-characters",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
    }
    with caplog.at_level("WARNING"):
        create_app(type("Production", (ProductionConfig,), settings))
    assert "CASEWORK_RATE_LIMIT_STORAGE_URL" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        create_app(
            type("Production", (ProductionConfig,), {**settings, "RATE_LIMIT_STORAGE_URL": "redis://x"})
        )
    assert "CASEWORK_RATE_LIMIT_STORAGE_URL" not in caplog.text
