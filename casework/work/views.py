"""The home pages of agency leads and reviewers: their queues (the board manager's is on the
dashboard)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from casework.auth.access import current_person, roles
from casework.auth.models import Role
from casework.core.timeutil import uk_today
from casework.reviews.appointments.services import pending_appointments
from casework.work import bp, finished, queues


@bp.route("/agency")
@roles(Role.AGENCY_LEAD)
def agency_home() -> ResponseReturnValue:
    user, today = current_person(), uk_today()
    return render_template(
        "work/agency.html",
        agency=user.agency,
        owed=queues.agency_owes(user, today),
        done=finished.agency_finished(user),
        limit=finished.LIMIT,
        today=today,
    )


@bp.route("/reviewer")
@roles(Role.REVIEWER)
def reviewer_home() -> ResponseReturnValue:
    user, today = current_person(), uk_today()
    return render_template(
        "work/reviewer.html",
        reviews=queues.reviewer_tasks(user, today),
        pending=pending_appointments(user),
        today=today,
    )
