"""Sessions kept in the database, one per browser: "Your sessions", signing one device or all the
others out, an administrator ending all of a person's sessions, and the keys that are refused
(replayed after sign-out, expired, ended elsewhere, unknown)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from casework.auth.models import EndReason, Role, User, WebSession
from casework.auth.session_store import ENDED_KEPT, key_hash, sweep_sessions
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from tests.conftest import PASSWORD, client_as, make_user, post_form, sign_out
from tests.support.http import page_text, second_step
from tests.support.people import authenticator_code

COOKIE = "casework_session"
PROTECTED = "/reviews/"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
EDGE = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)


def _browser(app: Flask, person: User, agent: str, address: str = "192.0.2.10") -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    client.environ_base["REMOTE_ADDR"] = address
    response = post_form(client, "/sign-in", {"email": person.email, "password": PASSWORD})
    second_step(app, client, response)
    return client


def _key(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def _row(app: Flask, key: str) -> WebSession | None:
    with app.app_context():
        return db.session.execute(
            select(WebSession).where(WebSession.key_hash == key_hash(key))
        ).scalar_one_or_none()


def _rows(app: Flask) -> list[WebSession]:
    with app.app_context():
        return list(db.session.execute(select(WebSession).order_by(WebSession.id)).scalars())


def _follow(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in"), path
    return page_text(client.get(response.headers["Location"]))


def _audited(app: Flask, action: str) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        ).scalar_one()


def _later(seconds: int) -> time_machine.travel:
    return time_machine.travel(datetime.now(UTC) + timedelta(seconds=seconds), tick=False)


def test_your_sessions_lists_each_device_and_marks_this_one(app: Flask, manager: User) -> None:
    laptop = _browser(app, manager, FIREFOX, "192.0.2.10")
    _browser(app, manager, SAFARI, "198.51.100.7")
    page = page_text(laptop.get("/account/sessions"))
    assert "Firefox on Windows" in page and "192.0.2.10" in page
    assert "Safari on iPhone" in page and "198.51.100.7" in page
    assert page.count("This device") == 1
    # The most recently active first; the tag on the laptop's own row.
    assert page.index("Safari on iPhone") < page.index("Firefox on Windows") < page.index("This device")
    assert "Sign out all other sessions" in page
    assert "See where you are signed in" in page_text(laptop.get("/account"))


def test_signing_one_other_device_out(app: Flask, manager: User) -> None:
    laptop, phone = _browser(app, manager, FIREFOX), _browser(app, manager, SAFARI)
    phone_row = _row(app, _key(phone))
    assert phone_row is not None
    path = f"/account/sessions/{phone_row.id}/end"
    response = post_form(laptop, path, {}, token_from="/account/sessions")
    assert response.status_code == 302
    assert "Safari on iPhone has been signed out." in page_text(laptop.get(response.headers["Location"]))
    assert "You were signed out from another device" in _follow(phone, PROTECTED)
    assert phone.get(PROTECTED).status_code == 302  # told once, and never back
    assert laptop.get(PROTECTED).status_code == 200
    assert _audited(app, "session_ended") == 1
    assert _by_id(app, phone_row.id).ended_why is EndReason.ENDED_ELSEWHERE
    # Again: already ended, so nothing changes and the person is told.
    again = post_form(laptop, path, {}, token_from="/account/sessions")
    assert "That session had already ended" in page_text(laptop.get(again.headers["Location"]))
    assert _audited(app, "session_ended") == 1


def _by_id(app: Flask, row_id: int) -> WebSession:
    with app.app_context():
        row = db.session.get(WebSession, row_id)
        assert row is not None
        return row


def test_this_device_and_other_peoples_sessions_cannot_be_ended_here(app: Flask, manager: User) -> None:
    laptop = _browser(app, manager, FIREFOX)
    mine = _row(app, _key(laptop))
    assert mine is not None
    response = post_form(laptop, f"/account/sessions/{mine.id}/end", {}, token_from="/account/sessions")
    assert "This is the device you are using" in page_text(laptop.get(response.headers["Location"]))
    assert laptop.get(PROTECTED).status_code == 200
    with app.app_context():
        someone = make_user(Role.REVIEWER)
    theirs = _row(app, _key(_browser(app, someone, SAFARI)))
    assert theirs is not None
    path = f"/account/sessions/{theirs.id}/end"
    assert post_form(laptop, path, {}, token_from="/account/sessions").status_code == 404
    assert laptop.post(path).status_code == 400  # no CSRF token


def test_signing_out_all_other_devices(app: Flask, manager: User) -> None:
    laptop = _browser(app, manager, FIREFOX)
    others = [_browser(app, manager, SAFARI), _browser(app, manager, EDGE)]
    with app.app_context():
        bystander = make_user(Role.REVIEWER)
    theirs = _browser(app, bystander, FIREFOX)
    response = post_form(laptop, "/account/sessions/end-others", {}, token_from="/account/sessions")
    assert "2 other sessions signed out" in page_text(laptop.get(response.headers["Location"]))
    for other in others:
        assert "You were signed out from another device" in _follow(other, PROTECTED)
    assert laptop.get(PROTECTED).status_code == 200
    assert theirs.get(PROTECTED).status_code == 200  # someone else's sessions are untouched
    assert _audited(app, "other_sessions_ended") == 1
    page = page_text(laptop.get("/account/sessions"))
    assert "Edge on macOS" not in page and "Sign out all other sessions" not in page


def test_an_administrator_ends_every_session_of_a_person(app: Flask, manager: User) -> None:
    laptop, phone = _browser(app, manager, FIREFOX), _browser(app, manager, SAFARI)
    with app.app_context():
        admin = make_user(Role.ADMIN)
        version = db.session.get(User, manager.id).version
    admin_client = client_as(app, admin, through_forms=True)
    page = page_text(admin_client.get(f"/admin/users/{manager.id}"))
    assert "Firefox on Windows" in page and "Safari on iPhone" in page and "End all sessions" in page
    assert "This device" not in page  # the administrator's own browser is not among them
    path = f"/admin/users/{manager.id}/end-sessions"
    response = post_form(admin_client, path, {"version": version}, token_from=f"/admin/users/{manager.id}")
    assert response.status_code == 302
    page = page_text(admin_client.get(response.headers["Location"]))
    assert "signed out everywhere" in page and "is not signed in anywhere" in page
    for device in (laptop, phone):
        assert "An administrator signed you out" in _follow(device, PROTECTED)
    assert admin_client.get("/admin/users").status_code == 200  # the administrator's own session goes on
    assert _audited(app, "sessions_ended_by_admin") == 1
    assert (
        client_as(app, manager, through_forms=True).get(PROTECTED).status_code == 200
    )  # they can sign in again


def test_a_cookie_replayed_after_signing_out_gets_nothing(app: Flask, manager: User) -> None:
    client = _browser(app, manager, FIREFOX)
    key = _key(client)
    sign_out(client)
    row = _row(app, key)
    assert row is not None and row.ended_why is EndReason.SIGNED_OUT
    thief = app.test_client()
    thief.set_cookie(COOKIE, key)
    response = thief.get(PROTECTED)
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert "Set-Cookie" in response.headers  # the dead key is taken away
    thief.set_cookie(COOKIE, key)
    assert thief.get("/account").status_code == 302
    again = _row(app, key)
    assert again is not None and again.ended_at == row.ended_at  # never reopened


def test_an_unknown_key_is_refused(app: Flask, manager: User) -> None:
    visitor = app.test_client()
    key = secrets.token_urlsafe(32)
    visitor.set_cookie(COOKIE, key)
    response = visitor.get(PROTECTED)
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    # The "Sign in to see this page" message is kept for the visitor under a new key of its own.
    assert [row.user_id for row in _rows(app)] == [None]
    assert _key(visitor) != key and _row(app, key) is None


def test_idle_and_too_old_sessions_are_refused_by_the_server_and_stay_ended(
    app: Flask, manager: User
) -> None:
    idle, busy = _browser(app, manager, FIREFOX), _browser(app, manager, SAFARI)
    idle_key, busy_key = _key(idle), _key(busy)
    with _later(25 * 60):
        assert busy.get(PROTECTED).status_code == 200  # activity recorded on the row
    with _later(31 * 60):
        assert "after 30 minutes without activity" in _follow(idle, PROTECTED)
        assert busy.get(PROTECTED).status_code == 200
    for minutes in range(50, 12 * 60, 25):  # active all day: only the absolute limit ends it
        with _later(minutes * 60):
            assert busy.get(PROTECTED).status_code == 200
    with _later(12 * 3600 + 60):
        assert "12 hours after you signed in" in _follow(busy, PROTECTED)
    assert _row(app, idle_key).ended_why is EndReason.IDLE  # type: ignore[union-attr]
    assert _row(app, busy_key).ended_why is EndReason.TOO_LONG  # type: ignore[union-attr]
    # Back in time, or replayed: an ended row stays ended.
    for key in (idle_key, busy_key):
        replay = app.test_client()
        replay.set_cookie(COOKIE, key)
        assert replay.get(PROTECTED).status_code == 302


def test_signing_in_changes_the_key(app: Flask, manager: User) -> None:
    client = app.test_client()
    client.get("/sign-in")  # the form's CSRF token: the visitor's session has a row
    before = _key(client)
    visitor_row = _row(app, before)
    assert visitor_row is not None and visitor_row.user_id is None
    second_step(app, client, post_form(client, "/sign-in", {"email": manager.email, "password": PASSWORD}))
    after = _key(client)
    assert after != before
    assert _row(app, before) is None  # the visitor's row is gone: a planted key is worth nothing
    signed_in = _row(app, after)
    assert signed_in is not None and signed_in.user_id == manager.id
    assert signed_in.data.count("csrf_token") == 1  # made at sign-in, not on the next page
    fixed = app.test_client()
    fixed.set_cookie(COOKIE, before)
    assert fixed.get(PROTECTED).status_code == 302


def test_the_cookie_holds_only_a_random_key_and_the_row_its_hash(app: Flask, manager: User) -> None:
    client = _browser(app, manager, FIREFOX)
    key = _key(client)
    assert len(key) >= 43 and "." not in key  # 256 random bits, nothing signed or readable
    with app.app_context():
        stored = db.session.execute(select(WebSession.key_hash)).scalars().all()
    assert stored == [key_hash(key)] and key not in stored[0]


def test_visitors_with_nothing_stored_have_no_session_row(app: Flask) -> None:
    visitor = app.test_client()
    for path in ("/published-reviews/", "/accessibility", "/healthz"):
        response = visitor.get(path)
        assert response.status_code == 200, path
        assert COOKIE not in response.headers.get("Set-Cookie", "")
    assert _rows(app) == []
    visitor.get("/sign-in")
    assert [(row.user_id, row.signed_in_at) for row in _rows(app)] == [(None, None)]


def test_the_first_page_after_signing_in_writes_nothing(app: Flask, manager: User) -> None:
    client = app.test_client()  # with the app's code: a recovery code leaves a message to show
    post_form(client, "/sign-in", {"email": manager.email, "password": PASSWORD})
    assert post_form(client, "/sign-in/code", {"code": authenticator_code(manager)}).status_code == 302
    written: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith("SELECT"):
            written.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for path in ("/account", PROTECTED, "/account/sessions"):
            assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert written == []


def test_changing_the_password_signs_other_devices_out_saying_why(app: Flask, manager: User) -> None:
    laptop, phone = _browser(app, manager, FIREFOX), _browser(app, manager, SAFARI)
    new = "a brand new passphrase for casework"
    fields = {"current_password": PASSWORD, "new_password": new, "confirm_password": new}
    assert post_form(laptop, "/account/password", fields).status_code == 302
    assert "Your password was changed" in _follow(phone, PROTECTED)
    assert laptop.get(PROTECTED).status_code == 200
    page = page_text(laptop.get("/account/sessions"))
    assert page.count("This device") == 1 and "Safari on iPhone" not in page


def test_the_sweep_removes_what_no_browser_can_use(app: Flask, manager: User) -> None:
    start = datetime.now(UTC)
    with time_machine.travel(start - timedelta(days=10), tick=False):
        app.test_client().get("/sign-in")  # a visitor long gone
        sign_out(_browser(app, manager, EDGE))  # ended long ago
        _browser(app, manager, SAFARI)  # expired long ago, never ended
    with time_machine.travel(start - timedelta(days=1), tick=False):
        ended_recently = _browser(app, manager, FIREFOX)
        sign_out(ended_recently)  # kept a while: its browser is told why when it returns
    live = _browser(app, manager, FIREFOX)
    app.test_client().get("/sign-in")  # a visitor today
    with app.app_context():
        assert len(_rows(app)) == 8  # each sign-out leaves a visitor's row with its message
        removed = sweep_sessions(app.config)
        db.session.commit()
    left = _rows(app)
    assert removed == 5
    assert key_hash(_key(live)) in {row.key_hash for row in left}
    assert sorted((row.user_id is not None, row.ended_why or "") for row in left) == [
        (False, ""),
        (True, ""),
        (True, EndReason.SIGNED_OUT),
    ]
    assert timedelta(days=1) < ENDED_KEPT


def test_a_device_signed_out_elsewhere_is_told_on_the_sign_in_page_too(app: Flask, manager: User) -> None:
    laptop, phone = _browser(app, manager, FIREFOX), _browser(app, manager, SAFARI)
    post_form(laptop, "/account/sessions/end-others", {}, token_from="/account/sessions")
    page = phone.get("/sign-in")
    assert page.status_code == 200
    assert "You were signed out from another device" in page_text(page)
    assert "You were signed out from another device" not in page_text(phone.get("/sign-in"))  # once


def test_the_session_keeps_any_data_between_requests(app: Flask, manager: User) -> None:
    """Keys of any kind, as Flask's own sessions allow: tuples, dates, nested values."""
    client = _browser(app, manager, FIREFOX)
    moment = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    with client.session_transaction() as session:
        session["pending"] = {"step": ("code", 2), "since": moment}
    with client.session_transaction() as session:
        assert session["pending"] == {"step": ("code", 2), "since": moment}
    assert client.get(PROTECTED).status_code == 200  # still signed in, same key
    row = _row(app, _key(client))
    assert row is not None and "pending" in row.data
