"""The full CSV export of every action, against its floor: one SQL query of the same columns
written with the csv module. Time and peak Python memory of each.

MEASURE_FULL_EXPORT is the one place to change when the export moves (streamed, or written by a
background job): point it at a function with the same signature that runs the new code path,
and the benchmark reports it beside the same floor.
"""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.actions.models import Action, ProgressUpdate, Recommendation
from casework.actions.tracker_export import EXPORT_HEADINGS
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.reviews.models import Review
from scripts.bench_report import ExportFigures

MB = 1024 * 1024


def _timed(work: Callable[[], int]) -> tuple[float, float, int]:
    """Seconds of one run, then the peak of Python's allocations in a second, traced run (tracing
    slows it, so the two are measured apart); and the bytes written."""
    started = time.perf_counter()
    written = work()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        work()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return seconds, peak / MB, written


def tracker_csv(client: FlaskClient) -> Callable[[], int]:
    """Today's code path: the tracker's CSV download, every action, as a board manager asks for it."""

    def work() -> int:
        response = client.get("/actions/export.csv")
        assert response.status_code == 200, response.status_code
        return len(response.get_data())

    return work


def raw_csv() -> int:
    """The floor: the columns the export writes that come straight from the tables, one query,
    written with csv."""
    last = (
        select(ProgressUpdate.action_id, func.max(ProgressUpdate.at).label("at"))
        .group_by(ProgressUpdate.action_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Review.reference,
            Recommendation.number,
            Recommendation.text,
            Action.description,
            Agency.name,
            User.name,
            Action.status,
            Action.original_deadline,
            Action.deadline,
            Action.deadline_changes,
            Action.success_measure,
            last.c.at,
        )
        .join(Review, Review.id == Action.review_id)
        .join(Recommendation, Recommendation.id == Action.recommendation_id)
        .outerjoin(Agency, Agency.id == Action.agency_id)
        .join(User, User.id == Action.owner_id)
        .outerjoin(last, last.c.action_id == Action.id)
        .order_by(Action.deadline, Action.id)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADINGS)
    writer.writerows(rows)
    return len(out.getvalue().encode("utf-8-sig"))


def current_full_export(app: Flask, client: FlaskClient, scale: str) -> ExportFigures:
    """The export as the tracker streams it, every action in one response (above
    EXPORT_INLINE_ROWS a person is offered the same file as a background job, written by the same
    code), beside the floor. Call in an app context."""
    actions = db.session.execute(select(func.count(Action.id))).scalar_one()
    inline = app.config.get("EXPORT_INLINE_ROWS")
    app.config["EXPORT_INLINE_ROWS"] = actions + 1
    try:
        seconds, peak, written = _timed(tracker_csv(client))
    finally:
        app.config["EXPORT_INLINE_ROWS"] = inline
    floor_seconds, floor_peak, _ = _timed(raw_csv)
    db.session.rollback()
    return ExportFigures(scale, actions, seconds, peak, floor_seconds, floor_peak, written)


MEASURE_FULL_EXPORT: Callable[[Flask, FlaskClient, str], Any] = current_full_export
