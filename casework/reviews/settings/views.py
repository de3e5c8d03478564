"""The partnership's settings: its closure days (working days) and the types of review."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import selectinload

from casework.auth.access import roles
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.forms import page_with_form, submit
from casework.core.timeutil import uk_today
from casework.core.workdays import COUNTING_RULE, ClosureDay
from casework.reviews import bp
from casework.reviews.forms import MoveForm
from casework.reviews.models import (
    ReviewType,
)
from casework.reviews.models.types import period_of
from casework.reviews.settings import forms as f
from casework.reviews.settings.services import add_closure_day, remove_closure_day


@bp.route("/working-days", methods=["GET", "POST"])
@roles(Role.BOARD_MANAGER)
def working_days() -> ResponseReturnValue:
    form = f.ClosureDayForm()
    done = submit(
        form,
        lambda: add_closure_day(form.day.data, form.description.data or ""),
        "Closure day added. Working-day deadlines that run over it move on by a day.",
        url_for("reviews.working_days"),
    )
    closures = db.session.execute(
        db.select(ClosureDay)
        .where(ClosureDay.day >= date(uk_today().year - 1, 1, 1))
        .order_by(ClosureDay.day)
    ).scalars()
    return done or page_with_form(
        "reviews/working_days.html", form, closures=closures.all(), rule=COUNTING_RULE
    )


@bp.route("/working-days/<day>/remove", methods=["POST"])
@roles(Role.BOARD_MANAGER)
def working_days_remove(day: str) -> ResponseReturnValue:
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        abort(404)
    form = MoveForm()
    if submit(form, lambda: remove_closure_day(chosen), "Closure day removed.", "") is None:
        for message in form.errors.get("version", []):
            flash(message, "error")
    return redirect(url_for("reviews.working_days"))


@bp.route("/types")
@roles(Role.BOARD_MANAGER, Role.REVIEWER)
def review_types() -> ResponseReturnValue:
    types = (
        db.session.execute(
            db.select(ReviewType)
            .order_by(ReviewType.id)
            .options(selectinload(ReviewType.clocks), selectinload(ReviewType.notice_requirements))
        )
        .scalars()
        .all()
    )
    return render_template("reviews/types.html", types=types, rule=COUNTING_RULE, period_of=period_of)
