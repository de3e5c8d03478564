"""Sessions kept in the database, so every app server shares them and each can be ended.

The cookie holds only a random key (256 bits); the ``web_sessions`` row holds its SHA-256 hash,
the session's data (any keys, as Flask's own cookie sessions allow), who is signed in, and when
and where. One query loads the row with its user and the user's agency, which every page needs
anyway (auth.sessions.load_user takes the user from it). The row is written only when the data
changed, when a new key is issued, or once per CASEWORK_SESSION_ACTIVITY_SECONDS to record
activity; nothing is written for a visitor who has nothing stored.

An unknown key, or the key of an ended row, is refused: the request starts from an empty
session, and if anything is then stored it goes into a new row under a new key. Ended rows are
never reopened.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSession, SessionInterface
from sqlalchemy import Select, bindparam, delete, insert, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from casework.auth.models import EndReason, User, WebSession
from casework.core.assets import is_asset_request
from casework.core.extensions import db
from casework.core.timeutil import utcnow

log = logging.getLogger(__name__)
_serializer = TaggedJSONSerializer()  # tuples, bytes, datetimes and markup survive, as in Flask's cookie


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ServerSession(SecureCookieSession):
    """The session's data, and what this request must do to the row it came from."""

    def __init__(self, initial: dict[str, Any] | None = None, row: WebSession | None = None) -> None:
        super().__init__(initial)
        # The row's state as loaded (plain values: a rollback later in the request expires the row).
        self.row_id = row.id if row else None
        self.user: User | None = row.user if row else None
        self.signed_in_at: datetime | None = row.signed_in_at if row else None
        self.last_active_at: datetime | None = row.last_active_at if row else None
        self.refused: EndReason | None = None  # the cookie named a row ended for this reason
        self.unavailable: SQLAlchemyError | None = None  # loading failed: raised before the view
        self.ending: EndReason | None = None  # end the row when the response is saved
        self.signing_in: int | None = None  # start a signed-in row for this user under a new key
        self.stale_cookie = False  # the cookie named no live row: replaced or removed

    def end(self, why: EndReason) -> None:
        self.clear()
        self.ending = why
        self.signing_in = None

    def sign_in(self, user_id: int) -> None:
        """A new key for the signed-in session: the key used before signing in is worth nothing."""
        self.ending = EndReason.SIGNED_OUT
        self.signing_in = user_id


@functools.cache
def _session_row() -> Select[tuple[WebSession]]:
    """Built once, on first use (the mappers are then complete): every request runs it, and a
    statement built anew costs more than the query (SQLAlchemy keeps a statement's cache key, so
    its compiled form is found without building it again)."""
    user = joinedload(WebSession.user)
    return (
        db.select(WebSession)
        .where(WebSession.key_hash == bindparam("key_hash"))
        # The agency: every page's header names it. The authenticator app's key stays sealed
        # until a code is checked: decrypting it for every request would cost, and keep it in
        # memory, for nothing.
        .options(user.joinedload(User.agency), user.defer(User.totp_secret))
    )


def _load(key: str) -> WebSession | None:
    return db.session.execute(_session_row(), {"key_hash": key_hash(key)}).scalar_one_or_none()


class DatabaseSessionInterface(SessionInterface):
    session_class = ServerSession

    def open_session(self, app: Flask, request: Request) -> ServerSession | None:
        if is_asset_request(request.path):
            return None  # files need no session: Flask gives them a null one, never saved
        key = request.cookies.get(self.get_cookie_name(app))
        if not key:
            return ServerSession()
        try:
            row = _load(key)
        except SQLAlchemyError as error:
            # Raised again before the view (auth.sessions), where the error pages answer it.
            session = ServerSession()
            session.unavailable = error
            return session
        if row is None or row.ended_at is not None:
            session = ServerSession()
            session.stale_cookie = True
            session.refused = row.ended_why if row else None
            return session
        return ServerSession(_serializer.loads(row.data), row)

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:  # type: ignore[override]
        if session.unavailable is not None:
            return
        now = utcnow()
        renewing = session.ending is not None or session.signing_in is not None
        data_changed = session.modified and session.row_id is not None
        new_row = renewing or (session.row_id is None and bool(session))
        if not (new_row or data_changed or renewing or self._activity_due(app, session, now)):
            if session.stale_cookie:
                self._delete_cookie(app, response)
            return
        new_key = secrets.token_urlsafe(32) if bool(session) and new_row else None
        # Whatever the request left uncommitted goes, as it would when the request ends; then
        # the session's own change is committed alone.
        db.session.rollback()
        try:
            self._write(session, new_key, now)
            db.session.commit()
        except SQLAlchemyError:
            log.warning("Could not save a session", exc_info=True)
            db.session.rollback()
        if new_key:
            # Set even when the write failed: the next request then reaches the database and
            # gets its error page (the key, unknown, gives nothing).
            self._set_cookie(app, response, new_key)
        elif renewing or session.stale_cookie:
            self._delete_cookie(app, response)

    def _activity_due(self, app: Flask, session: ServerSession, now: datetime) -> bool:
        if session.row_id is None or session.last_active_at is None:
            return False
        return now - session.last_active_at >= activity_interval(app.config)

    def _write(self, session: ServerSession, new_key: str | None, now: datetime) -> None:
        table = WebSession.__table__
        if session.row_id is not None and session.ending is not None:
            if session.user is None:  # an anonymous row has no history worth keeping
                db.session.execute(delete(table).where(table.c.id == session.row_id))
            else:
                db.session.execute(
                    update(table)
                    .where(table.c.id == session.row_id, table.c.ended_at.is_(None))
                    .values(ended_at=now, ended_why=session.ending)
                )
        if new_key is not None:
            db.session.execute(insert(table).values(_new_row(session, new_key, now)))
        elif session.row_id is not None and session.ending is None:
            values: dict[str, object] = {"last_active_at": now}
            if session.modified:
                values["data"] = _serializer.dumps(dict(session))
            db.session.execute(
                update(table).where(table.c.id == session.row_id, table.c.ended_at.is_(None)).values(values)
            )

    def _set_cookie(self, app: Flask, response: Response, key: str) -> None:
        # No expiry: a browser-session cookie, gone when the browser closes; the row's timeouts
        # end it sooner.
        response.set_cookie(self.get_cookie_name(app), key, **self._cookie_scope(app))
        response.vary.add("Cookie")

    def _delete_cookie(self, app: Flask, response: Response) -> None:
        response.delete_cookie(self.get_cookie_name(app), **self._cookie_scope(app))

    def _cookie_scope(self, app: Flask) -> dict[str, Any]:
        """Where the cookie lives and how it is guarded: the same to delete it as to set it."""
        return {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "httponly": self.get_cookie_httponly(app),
            "samesite": self.get_cookie_samesite(app),
        }


def _new_row(session: ServerSession, key: str, now: datetime) -> dict[str, object]:
    return {
        "key_hash": key_hash(key),
        "user_id": session.signing_in,
        "data": _serializer.dumps(dict(session)),
        "created_at": now,
        "signed_in_at": now if session.signing_in else None,
        "last_active_at": now,
        "user_agent": request.headers.get("User-Agent", "")[:400],
        "address": (request.remote_addr or "")[:45],
    }


def activity_interval(config: dict[str, Any]) -> timedelta:
    """How often activity is written: as configured, but at most a quarter of the idle timeout,
    so a session in use never looks idle."""
    configured = timedelta(seconds=int(config["SESSION_ACTIVITY_SECONDS"]))
    return min(configured, config["SESSION_IDLE_TIMEOUT"] / 4)


# Ended and expired rows stay this long: their browser is told why when it comes back.
ENDED_KEPT = timedelta(days=7)


def sweep_sessions(config: dict[str, Any], now: datetime | None = None) -> int:
    """Delete what no browser can use any more: anonymous rows idle longer than a signed-in
    session may last, and ended or expired rows after ENDED_KEPT. The caller commits."""
    now = now or utcnow()
    idle, absolute = config["SESSION_IDLE_TIMEOUT"], config["SESSION_ABSOLUTE_TIMEOUT"]
    kept = ENDED_KEPT
    table = WebSession.__table__
    result = db.session.execute(
        delete(table).where(
            ((table.c.user_id.is_(None)) & (table.c.last_active_at < now - max(idle, absolute)))
            | (table.c.ended_at < now - kept)
            | (table.c.signed_in_at < now - absolute - kept)
            | (table.c.last_active_at < now - idle - kept)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
