"""The agency directory, for board managers: list, add, correct, deactivate and reactivate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

from casework.agencies import bp, directory
from casework.agencies.directory_forms import AgencyActionForm, AgencyForm, EditAgencyForm
from casework.agencies.models import Agency, AgencyType
from casework.auth.access import loads, roles
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.forms import error_flashed, page_with_form, submit, submit_and_return
from casework.core.view_helpers import route_each
from casework.reviews.models import Involvement, Review


def _agency_url(agency: Agency) -> str:
    return url_for("agencies.agency_detail", agency_id=agency.id)


@bp.route("/")
@roles(Role.BOARD_MANAGER)
def index() -> ResponseReturnValue:
    filters = directory.DirectoryFilters.from_args(request.args)
    return render_template(
        "agencies/directory.html",
        rows=directory.list_agencies(filters),
        filters=filters,
        agency_types=list(AgencyType),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.BOARD_MANAGER)
def agency_new() -> ResponseReturnValue:
    form = AgencyForm()
    done = submit(
        form,
        lambda: directory.create_agency(form.name.data or "", form.agency_type.data, form.area.data or ""),
        lambda agency: f"{agency.name} has been added to the directory.",
        _agency_url,
    )
    return done or page_with_form("agencies/agency_form.html", form, agency=None)


@bp.route("/<int:agency_id>")
@loads(Agency, may="manage")
def agency_detail(agency: Agency) -> ResponseReturnValue:
    leads = db.session.execute(
        db.select(User)
        .where(User.agency_id == agency.id, User.role == Role.AGENCY_LEAD)
        .order_by(User.active.desc(), User.name)
    ).scalars()
    # Board managers may see every review, so nothing here is filtered by review access.
    involvements = db.session.execute(
        db.select(Involvement, Review)
        .join(Review, Involvement.review_id == Review.id)
        .where(Involvement.agency_id == agency.id)
        .order_by(Review.reference)
    ).all()
    return render_template(
        "agencies/agency_detail.html",
        agency=agency,
        leads=leads.all(),
        involvements=involvements,
        action_form=AgencyActionForm(),
    )


@bp.route("/<int:agency_id>/edit", methods=["GET", "POST"])
@loads(Agency, may="manage")
def agency_edit(agency: Agency) -> ResponseReturnValue:
    form = EditAgencyForm(obj=agency if request.method == "GET" else None)
    if request.method == "GET":
        form.agency_type.data = agency.agency_type.value
        form.version.data = directory.fingerprint(agency)
    done = submit(
        form,
        lambda: directory.update_agency(
            agency,
            name=form.name.data or "",
            agency_type=form.agency_type.data,
            area=form.area.data or "",
            version=form.version.data,
        ),
        lambda changes: f"Changes to {agency.name} saved." if changes else "No changes to save.",
        _agency_url(agency),
    )
    if done:
        return done
    if request.method == "POST" and error_flashed():
        # Refused because someone else saved first: carry the latest details from now on, so
        # saving again is a deliberate choice made after seeing the message.
        form.version.data = directory.fingerprint(agency)
    return page_with_form("agencies/agency_form.html", form, agency=agency)


def _deactivated(agency: Agency, leads: int) -> str:
    message = f"{agency.name} is now inactive. Its history is kept and it is no longer offered for new work."
    if leads:
        people = "1 active agency lead" if leads == 1 else f"{leads} active agency leads"
        message += (
            f" It still has {people}, who can still sign in: ask an administrator to deactivate"
            " their accounts or move them to another agency if they no longer need access."
        )
    return message


def _reactivated(agency: Agency, _nothing: None) -> str:
    return f"{agency.name} is active again and can be chosen for new work."


# Taking an agency out of use and back (endpoint agency_<name>, address /<id>/<name>): the service,
# and what the board manager is told from what it returns.
AGENCY_MOVES: dict[str, tuple[Callable[[Agency], Any], Callable[[Agency, Any], str]]] = {
    "deactivate": (directory.deactivate_agency, _deactivated),
    "reactivate": (directory.reactivate_agency, _reactivated),
}


@loads(Agency, may="manage")
def agency_move(agency: Agency, move: str) -> ResponseReturnValue:
    change, told = AGENCY_MOVES[move]
    done = lambda result: told(agency, result)  # noqa: E731
    return submit_and_return(AgencyActionForm(), lambda: change(agency), done, _agency_url(agency))


MOVE_ROUTES = {name: (f"agency_{name}", f"/<int:agency_id>/{name}") for name in AGENCY_MOVES}
route_each(bp, agency_move, "move", MOVE_ROUTES, methods=["POST"])
