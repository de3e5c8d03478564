"""The action tracker for board managers: every action, filtered and sorted, and its exports."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue

from casework.actions import bp, tracker, tracker_counting, tracker_export, tracker_exports
from casework.actions.forms import ExportForm
from casework.actions.models import ActionStatus
from casework.actions.rag import Rag, is_overdue, rag_of, soon_limit
from casework.auth.access import current_person, load_for, roles
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.forms import flash_form_errors, submit
from casework.core.timeutil import uk_today
from casework.reviews.models import Review


def _filters() -> tuple[tracker.TrackerFilters, Review | None]:
    """The filters of the query string; a review the user may not see answers 404 (load_for
    applies the review's own access rule), as if it did not exist."""
    filters = tracker.TrackerFilters.from_args(request.args)
    review = load_for(Review, filters.review_id) if filters.review_id is not None else None
    return filters, review


def _today() -> tuple[date, date]:
    today = uk_today()
    return today, soon_limit(today)


@bp.route("/")
@roles(Role.BOARD_MANAGER)
def index() -> ResponseReturnValue:
    filters, _review = _filters()
    today, soon = _today()
    user = current_person()
    counts = tracker_counting.tracker_counts(user, filters, today, soon)
    page = tracker.tracker_page(user, filters, today, soon, counts)
    return render_template(
        "actions/index.html",
        page=page,
        filters=filters,
        counts=counts,
        choices=tracker.filter_choices(user),
        statuses=list(ActionStatus),
        rags=list(Rag),
        rag_of=lambda action: rag_of(action, today, soon),
        is_overdue=lambda action: is_overdue(action, today),
        partnership=tracker.PARTNERSHIP,
    )


def _export(extension: str) -> ResponseReturnValue:
    """The whole filtered list (every page) as a download, and the audit event that records it;
    above the inline limit, a page that offers to prepare it in the background instead."""
    filters, _review = _filters()
    user = current_person()
    info = tracker_exports.export_info(user, filters)
    count = info.counts.total
    if count > tracker_exports.inline_rows():
        return render_template(
            "actions/export_in_background.html",
            form=ExportForm(formdata=None),
            count=count,
            extension=extension,
            filters=filters,
        )
    batches = tracker_exports.rows(user, filters, info)  # the query is built before the commit
    tracker_exports.record_export(extension, filters, count)
    db.session.commit()
    if extension == "csv":
        body: Any = stream_with_context(tracker_export.csv_chunks(batches))
    else:
        body = tracker_export.export_xlsx(batches, info)  # a small workbook, at most the inline limit
    name = tracker_exports.file_name(info, extension)
    return Response(
        body,
        mimetype=tracker_exports.FORMATS[extension],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/export.csv")
@roles(Role.BOARD_MANAGER)
def export_csv() -> ResponseReturnValue:
    return _export("csv")


@bp.route("/export.xlsx")
@roles(Role.BOARD_MANAGER)
def export_xlsx() -> ResponseReturnValue:
    return _export("xlsx")


@bp.route("/export/<any(csv, xlsx):extension>", methods=["POST"])
@roles(Role.BOARD_MANAGER)
def export_in_background(extension: str) -> ResponseReturnValue:
    """Queue a large export (the form's address carries the filters) and follow it on the job's page."""
    filters, _review = _filters()
    form = ExportForm()
    done = submit(
        form,
        lambda: tracker_exports.start_export(extension, filters, current_person()),
        "The export is being prepared.",
        lambda job: url_for("jobs.progress", job_id=job.id),
    )
    if done is None:
        flash_form_errors(form)
        return redirect(url_for("actions.index", **filters.args()))
    return done
