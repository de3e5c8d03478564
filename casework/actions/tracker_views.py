"""The action tracker for board managers: every action, filtered and sorted, and its exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload, selectinload

from casework.actions import bp, tracker, tracker_export
from casework.actions.models import Action, ActionStatus, Recommendation
from casework.actions.rag import Rag, is_overdue, rag_of, soon_limit
from casework.actions.tracker_export import ExportInfo
from casework.agencies.chronology_csv import CSV_ENCODING
from casework.auth.access import current_person, load_for, roles
from casework.auth.models import Role
from casework.core import audit
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
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
    page = db.paginate(
        tracker.tracker_query(user, filters, today, soon),
        page=filters.page,
        per_page=tracker.PAGE_SIZE,
        error_out=False,
    )
    return render_template(
        "actions/index.html",
        page=page,
        filters=filters,
        counts=tracker.tracker_counts(user, filters, today, soon),
        choices=tracker.filter_choices(user),
        statuses=list(ActionStatus),
        rags=list(Rag),
        rag_of=lambda action: rag_of(action, today, soon),
        is_overdue=lambda action: is_overdue(action, today),
        partnership=tracker.PARTNERSHIP,
    )


def _export(extension: str, mimetype: str, write: Callable[[list[Action], ExportInfo], bytes]) -> Response:
    """The whole filtered list (every page) as a download, and the audit event that records it.
    The file is written before the commit, which would expire the loaded actions."""
    filters, review = _filters()
    today, soon = _today()
    user = current_person()
    actions = list(
        db.session.execute(
            tracker.tracker_query(user, filters, today, soon).options(
                selectinload(Action.updates),
                selectinload(Action.recommendation).options(
                    selectinload(Recommendation.themes), joinedload(Recommendation.outcome)
                ),
            )
        ).scalars()
    )
    counts = tracker.tracker_counts(user, filters, today, soon)
    info = ExportInfo(today, soon, utcnow(), tracker_export.describe_filters(filters), counts)
    content = write(actions, info)
    audit.record(
        "actions_exported",
        f"Action tracker exported as {extension.upper()} ({len(actions)} actions)",
        review=review,
        details={"format": extension, "filters": filters.filter_args(), "actions": len(actions)},
    )
    db.session.commit()
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="actions-{today:%Y-%m-%d}.{extension}"'},
    )


def _csv_bytes(actions: list[Action], info: ExportInfo) -> bytes:
    # utf-8-sig starts the file with the byte order mark that makes Excel read it as UTF-8
    return tracker_export.export_csv(actions, info).encode(CSV_ENCODING)


@bp.route("/export.csv")
@roles(Role.BOARD_MANAGER)
def export_csv() -> ResponseReturnValue:
    return _export("csv", "text/csv", _csv_bytes)


@bp.route("/export.xlsx")
@roles(Role.BOARD_MANAGER)
def export_xlsx() -> ResponseReturnValue:
    return _export("xlsx", tracker_export.XLSX_MIMETYPE, tracker_export.export_xlsx)
