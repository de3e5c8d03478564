"""Signed-in sessions: start, end, and the idle and absolute timeouts.

The session cookie carries the user's session token (see User.get_id), the time the user
signed in and the time of their last request. Replacing the token on the user row ends
every session at once; the two timestamps end a single session when it is too old.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from casework.auth.models import User
from casework.core.display import duration
from casework.core.extensions import db, login_manager

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    return db.session.execute(
        db.select(User)
        .where(User.session_token == session_token, User.active.is_(True))
        .options(joinedload(User.agency))  # every page's header names it
    ).scalar_one_or_none()


def start_session(user: User) -> None:
    session.clear()  # nothing from before sign-in survives into the new session
    session.permanent = False  # a browser-session cookie: no long-lived "remember me"
    login_user(user, remember=False)
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now


def end_session() -> None:
    logout_user()
    session.clear()


def check_session_age() -> ResponseReturnValue | None:
    """before_request hook: end sessions that were idle or open too long."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    config = current_app.config
    signed_in_at = session.get(SIGNED_IN_AT, 0)
    last_seen_at = session.get(LAST_SEEN_AT, 0)
    idle = now - last_seen_at > config["SESSION_IDLE_TIMEOUT"].total_seconds()
    too_long = now - signed_in_at > config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    if idle or too_long:
        end_session()
        flash(ended_message(idle=idle))
        return redirect(url_for("auth.sign_in", next=request.full_path if request.method == "GET" else None))
    session[LAST_SEEN_AT] = now
    return None


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
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(check_session_age)
