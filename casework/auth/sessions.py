"""Signed-in sessions: start, end, and the idle and absolute timeouts.

Each browser's session is a row in the database (auth.session_store): the cookie carries only
its random key. The row records who signed in, when, and when the browser was last active; the
timeouts are checked against it on every request. Ending the row (signing out, "Your sessions",
an administrator, a password change) ends the session for good, wherever its cookie is.
"""

from __future__ import annotations

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from casework.auth.models import EndReason, User
from casework.auth.session_store import DatabaseSessionInterface, ServerSession
from casework.core.display import duration
from casework.core.extensions import login_manager
from casework.core.timeutil import utcnow


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The user loaded with the session's row (no query of its own), if the session's token is
    still theirs: replacing the token (User.end_all_sessions) ends every session at once."""
    user = this_session().user
    if user is None or not user.active or user.session_token != session_token:
        return None
    return user


def this_session() -> ServerSession:
    return session._get_current_object()  # type: ignore[attr-defined, no-any-return]


def start_session(user: User) -> None:
    """Sign ``user`` in: nothing from before sign-in survives, and the session gets a new key."""
    session.clear()
    session.permanent = False  # a browser-session cookie: no long-lived "remember me"
    login_user(user, remember=False)
    this_session().sign_in(user.id)
    # The CSRF secret now, so the first page after signing in has nothing new to save.
    g.pop("csrf_token", None)
    generate_csrf()


def end_session(why: EndReason = EndReason.SIGNED_OUT) -> None:
    logout_user()
    this_session().end(why)


def check_session_age() -> ResponseReturnValue | None:
    """before_request hook: refuse ended sessions, end those idle or open too long."""
    current = session._get_current_object()  # type: ignore[attr-defined]
    if not isinstance(current, ServerSession):
        return None  # a file: no session
    if current.unavailable is not None:
        raise current.unavailable  # the error pages answer it (503 when the database is away)
    if current.refused is not None and current.refused.label:
        # Ended from elsewhere: say so once (the message goes into a new session).
        message, current.refused = current.refused.label, None
        if request.endpoint == "auth.sign_in":
            flash(message)
            return None
        return _to_sign_in(message)
    if not current_user.is_authenticated or current.signed_in_at is None or current.last_active_at is None:
        return None
    now = utcnow()
    config = current_app.config
    idle = now - current.last_active_at > config["SESSION_IDLE_TIMEOUT"]
    too_long = now - current.signed_in_at > config["SESSION_ABSOLUTE_TIMEOUT"]
    if idle or too_long:
        end_session(EndReason.IDLE if idle else EndReason.TOO_LONG)
        return _to_sign_in(ended_message(idle=idle))
    return None


def _to_sign_in(message: str) -> ResponseReturnValue:
    flash(message)
    return redirect(url_for("auth.sign_in", next=request.full_path if request.method == "GET" else None))


def ended_message(*, idle: bool) -> str:
    """Why the person was signed out, and that typed work was lost: they would otherwise not know."""
    config = current_app.config
    if idle:
        why = f"after {duration(config['SESSION_IDLE_TIMEOUT'])} without activity"
    else:
        why = f"{duration(config['SESSION_ABSOLUTE_TIMEOUT'])} after you signed in"
    return f"You were signed out {why}. Anything you had not saved was not saved. Sign in again."


def timeout_settings() -> dict[str, int]:
    """What the page's warning script needs: when the idle timeout falls and how long before it
    to warn (never more than half the timeout, so a short test timeout still warns)."""
    config = current_app.config
    idle = int(config["SESSION_IDLE_TIMEOUT"].total_seconds())
    warn = min(int(config["SESSION_TIMEOUT_WARNING"].total_seconds()), idle // 2)
    return {"idle_seconds": idle, "warn_seconds": warn}


def init_sessions(app: Flask) -> None:
    app.session_interface = DatabaseSessionInterface()
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    # First of all the request's hooks: a session that could not be loaded must reach the
    # error pages before the CSRF check reads it as empty.
    app.before_request_funcs.setdefault(None, []).insert(0, check_session_age)
