"""The agency directory, and an agency lead's view of their own agency."""

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import selectinload

from casework.agencies import bp
from casework.agencies.models import Agency
from casework.auth.access import roles
from casework.auth.models import Role
from casework.extensions import db


@bp.route("/")
@roles(Role.BOARD_MANAGER)
def index() -> ResponseReturnValue:
    agencies = db.session.execute(
        db.select(Agency).options(selectinload(Agency.leads)).order_by(Agency.name)
    ).scalars()
    return render_template("agencies/index.html", agencies=agencies)


@bp.route("/mine")
@roles(Role.AGENCY_LEAD)
def mine() -> ResponseReturnValue:
    return render_template("agencies/mine.html", agency=current_user.agency)
