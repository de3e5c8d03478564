"""Action plans: the tracker for board managers and each agency's own actions."""

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from casework.actions import bp
from casework.auth.access import roles
from casework.auth.models import Role


@bp.route("/")
@roles(Role.BOARD_MANAGER)
def index() -> ResponseReturnValue:
    return render_template("actions/index.html")


@bp.route("/mine")
@roles(Role.AGENCY_LEAD)
def mine() -> ResponseReturnValue:
    return render_template("actions/mine.html", agency=current_user.agency)
