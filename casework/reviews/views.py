"""Reviews: the list of reviews a user may see."""

from flask import render_template
from flask.typing import ResponseReturnValue

from casework.auth.access import roles
from casework.auth.models import Role
from casework.reviews import bp


@bp.route("/")
@roles(Role.BOARD_MANAGER, Role.REVIEWER)
def index() -> ResponseReturnValue:
    return render_template("reviews/index.html")
