"""Action plans: the tracker for board managers and each agency's own actions."""

from flask import render_template
from flask.typing import ResponseReturnValue

from casework.actions import bp
from casework.auth.access import roles
from casework.auth.models import Role


@bp.route("/")
@roles(Role.BOARD_MANAGER)
def index() -> ResponseReturnValue:
    return render_template("actions/index.html")
