"""Each person's sessions, one per browser: listing them, and ending one, the others or all.

Ending a session marks its row ended (auth.session_store refuses its key from then on, telling
the browser why). Services flush; the request commits.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import ColumnElement, update

from casework.auth.models import EndReason, User, WebSession
from casework.auth.services import check_version
from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.rows import all_rows
from casework.core.timeutil import utcnow


def _live() -> ColumnElement[bool]:
    """Not ended, and within both timeouts (an expired row is ended on its next request)."""
    now, config = utcnow(), current_app.config
    return (
        WebSession.ended_at.is_(None)
        & (WebSession.signed_in_at > now - config["SESSION_ABSOLUTE_TIMEOUT"])
        & (WebSession.last_active_at > now - config["SESSION_IDLE_TIMEOUT"])
    )


def live_sessions(user: User) -> list[WebSession]:
    """The person's signed-in sessions, the most recently active first."""
    return all_rows(
        WebSession,
        WebSession.user_id == user.id,
        _live(),
        order_by=(WebSession.last_active_at.desc(), WebSession.id.desc()),
    )


def own_session(user: User, session_id: int) -> WebSession | None:
    """One of the person's sessions, ended or not; None for anyone else's."""
    row = db.session.get(WebSession, session_id)
    return row if row is not None and row.user_id == user.id else None


def _end(condition: ColumnElement[bool], why: EndReason) -> int:
    result = db.session.execute(
        update(WebSession)
        .where(condition, WebSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_why=why)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _record(user: User, action: str, message: str, **details: int) -> None:
    """The audit row of sessions ended, flushed with the change it records."""
    audit.record(action, message, subject=user, details=details)
    db.session.flush()


def end_session_of(user: User, row: WebSession, current_id: int | None) -> WebSession:
    """Sign one of the person's other devices out."""
    if row.id == current_id:
        raise DomainError("This is the device you are using. To end its session, sign out")
    if not _end((WebSession.id == row.id) & _live(), EndReason.ENDED_ELSEWHERE):
        raise DomainError("That session had already ended")
    _record(
        user,
        "session_ended",
        f"{user.email} signed out one of their other sessions ({row.device}, {row.address or 'no address'})",
        session=row.id,
    )
    return row


def end_other_sessions(user: User, current_id: int | None) -> int:
    """Sign out every device but this one."""
    ended = _end(
        (WebSession.user_id == user.id) & (WebSession.id != (current_id or 0)), EndReason.ENDED_ELSEWHERE
    )
    _record(
        user, "other_sessions_ended", f"{user.email} signed out their other sessions ({ended})", ended=ended
    )
    return ended


def end_every_session(user: User, version: int | None = None) -> int:
    """An administrator signs the person out everywhere: their next request is signed out."""
    check_version(user, version)
    live = len(live_sessions(user))
    user.end_all_sessions(EndReason.ENDED_BY_ADMIN)
    _record(
        user,
        "sessions_ended_by_admin",
        f"Every session of {user.email} ended by an administrator ({live})",
        ended=live,
    )
    return live
