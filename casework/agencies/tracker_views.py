"""The contributions tracker for board managers: every agency's requests across the reviews, and
chasing the ones still owed."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from casework.agencies import bp, chasing, tracker
from casework.agencies.contributions import RequestStatus
from casework.agencies.forms import ChaseForm
from casework.auth.access import current_person, roles
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.forms import flash_form_errors, submit
from casework.core.timeutil import uk_today
from casework.core.workdays import working_calendar


@bp.route("/contributions")
@roles(Role.BOARD_MANAGER)
def contributions() -> ResponseReturnValue:
    filters = tracker.ContributionFilters.from_args(request.args)
    today, user = uk_today(), current_person()
    page = db.paginate(
        tracker.tracker_query(user, filters, today),
        page=filters.page,
        per_page=tracker.PAGE_SIZE,
        error_out=False,
    )
    calendar = working_calendar()
    return render_template(
        "agencies/contributions.html",
        page=page,
        filters=filters,
        choices=tracker.filter_choices(user),
        statuses=list(RequestStatus),
        overdue={item.id: tracker.days_overdue(item, today, calendar) for item in page.items},
        chased=tracker.last_chased(page.items),
        form=ChaseForm(formdata=None),
        today=today,
    )


@bp.route("/contributions/chase", methods=["POST"])
@roles(Role.BOARD_MANAGER)
def contributions_chase() -> ResponseReturnValue:
    """Back to the tracker as it was filtered (the form's address carries the filters)."""
    back = url_for("agencies.contributions", **tracker.ContributionFilters.from_args(request.args).args())
    form = ChaseForm()

    def chase() -> chasing.ChaseReport:
        return chasing.chase_requests(form.requests.data or [], current_person(), uk_today())

    done = submit(form, chase, lambda report: report.message, back)
    if done is None:
        flash_form_errors(form)
        return redirect(back)
    return done
