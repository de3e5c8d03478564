"""Friendly pages for errors: nothing technical is shown, nothing is changed."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from casework.core.extensions import db, login_manager
from casework.core.request_guards import UnstorableText

PAGES = {
    400: ("Sorry, there is a problem with your request", "errors/400.html"),
    403: ("You do not have permission to see this page", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("Sorry, there is a problem with your request", "errors/400.html"),
    413: ("The file or form you sent is too large", "errors/413.html"),
    500: ("Sorry, there is a problem with the service", "errors/500.html"),
    503: ("Casework is unavailable", "errors/503.html"),
}

# What the database driver raises when it cannot be reached, or the pool has no connection to give.
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)

# Shown when even the branded page cannot be drawn; no template, no database.
BARE_UNAVAILABLE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Casework is unavailable</title>"
    "</head><body><h1>Casework is unavailable</h1><p>Try again in a few minutes. Nothing you sent has "
    "been saved.</p></body></html>"
)


def _render(status: int) -> ResponseReturnValue:
    title, template = PAGES[status]
    return render_template(template, title=title), status


def log_refusal(why: str) -> None:
    """One line in the application log for a refused request (not the audit trail: a flood of
    refusals must not fill the database): who, from where, what, and why."""
    from flask_login import current_user

    who = current_user.id if current_user.is_authenticated else "anonymous"
    current_app.logger.warning(
        "Refused %s: %s %s by user %s from %s", why, request.method, request.path, who, request.remote_addr
    )


LOGGED_REFUSALS = {403: "403 forbidden", 405: "405 method not allowed"}


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    if error.response is not None:  # e.g. a redirect to the sign-in page
        return error.response
    if isinstance(error, UnstorableText):
        return render_template("errors/unstorable.html", title=PAGES[400][0]), 400
    status = error.code or 500
    if status in LOGGED_REFUSALS:
        log_refusal(LOGGED_REFUSALS[status])
    return _render(status if status in PAGES else 400 if status < 500 else 500)


def handle_csrf_error(error: CSRFError) -> ResponseReturnValue:
    db.session.rollback()
    log_refusal(f"CSRF check failed ({error.description})")
    return render_template("errors/csrf.html", title="Your form has expired"), 400


def handle_server_error(error: Exception) -> ResponseReturnValue:
    _forget_session()
    return _render(500)


def _forget_session() -> None:
    """Let go of the failed connection; the pool checks the next one before use (pre-ping)."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool has already discarded it
        current_app.logger.debug("Rollback after a lost database connection failed", exc_info=True)


def handle_database_unavailable(error: Exception) -> ResponseReturnValue:
    """503, not 500: the service is down for a while, not broken. The page is drawn for a visitor
    who is not signed in, so nothing on it asks the database (not even who is signed in)."""
    current_app.logger.error("Database unavailable: %s", error.__class__.__name__, exc_info=error)
    _forget_session()
    retry = {"Retry-After": "60"}
    if request.endpoint == "main.health":
        return {"status": "unavailable"}, 503, retry
    g._login_user = login_manager.anonymous_user()
    try:
        title, template = PAGES[503]
        return render_template(template, title=title), 503, retry
    except Exception:
        current_app.logger.exception("Could not draw the unavailable page")
        return BARE_UNAVAILABLE, 503, {"Content-Type": "text/html; charset=utf-8", **retry}


def init_error_pages(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    for error in UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(500, handle_server_error)
