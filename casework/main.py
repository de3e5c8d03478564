"""The front door and the health check."""

from datetime import date

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text

from casework.auth.access import public
from casework.auth.navigation import home_for
from casework.core.error_pages import UNAVAILABLE
from casework.core.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.sign_in"))


# The day the accessibility statement was last reviewed against the checks it describes.
STATEMENT_REVIEWED = date(2026, 12, 1)


@bp.route("/accessibility")
@public
def accessibility() -> ResponseReturnValue:
    """The accessibility statement, in the form public sector bodies publish, linked from every
    footer; tests/test_accessibility_statement.py keeps what it says about testing true."""
    return render_template("accessibility.html", reviewed=STATEMENT_REVIEWED)


@bp.route("/healthz")
@public
def health() -> ResponseReturnValue:
    """For load balancers: the app answers and reaches its database (503 takes it out of rotation)."""
    try:
        db.session.execute(text("SELECT 1"))
    except UNAVAILABLE as error:
        current_app.logger.error("Health check: database unavailable (%s)", error.__class__.__name__)
        db.session.rollback()
        return {"status": "unavailable"}, 503
    return {"status": "ok"}
