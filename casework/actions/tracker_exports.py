"""Exporting the tracker: a few actions straight to the browser, many by the worker.

Up to EXPORT_INLINE_ROWS actions (CASEWORK_EXPORT_INLINE_ROWS) the request writes the file as it
reads the rows; above that the request queues a job, whose page the person follows, and the
worker writes the file to the document store for them to download from that page. Either way
the rows come in batches (tracker_rows.py) and the export is recorded in the audit trail.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from flask import current_app, url_for

from casework.actions import tracker_counting, tracker_export
from casework.actions.rag import soon_limit
from casework.actions.tracker import TrackerFilters
from casework.actions.tracker_export import XLSX_MIMETYPE, ExportInfo
from casework.actions.tracker_rows import ExportRow, export_batches
from casework.auth.models import User
from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.documents.storage import store_made_file
from casework.jobs.kinds import JobKind, JobResult, Progress, Subject, register_kind
from casework.jobs.models import BackgroundJob
from casework.jobs.services import start_job

FORMATS = {"csv": "text/csv", "xlsx": XLSX_MIMETYPE}  # extension: media type
DEFAULT_INLINE_ROWS = 2000
GONE = "The person who asked for this export no longer has an account, so nothing was exported."


def inline_rows() -> int:
    """The most actions an export writes inside the request; more go to the worker."""
    return int(current_app.config.get("EXPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS))


def export_info(user: User, filters: TrackerFilters) -> ExportInfo:
    """Today's colours and the counts of the filtered actions (the summary sheet's table, and
    how many rows the export will hold)."""
    today = uk_today()
    soon = soon_limit(today)
    counts = tracker_counting.tracker_counts(user, filters, today, soon)
    return ExportInfo(today, soon, utcnow(), tracker_export.describe_filters(filters), counts)


def file_name(info: ExportInfo, extension: str) -> str:
    return f"actions-{info.today:%Y-%m-%d}.{extension}"


def record_export(
    extension: str,
    filters: TrackerFilters,
    count: int,
    *,
    by: User | None = None,
    ip_address: str | None = None,
) -> None:
    event = audit.record(
        "actions_exported",
        f"Action tracker exported as {extension.upper()} ({count} actions)",
        actor=by,
        review_id=filters.review_id,
        details={"format": extension, "filters": filters.filter_args(), "actions": count},
    )
    if ip_address is not None and event.ip_address is None:
        event.ip_address = ip_address  # the request that asked for it, not the worker


def rows(user: User, filters: TrackerFilters, info: ExportInfo) -> Iterator[list[ExportRow]]:
    return export_batches(user, filters, info.today, info.soon)


def start_export(extension: str, filters: TrackerFilters, by: User) -> BackgroundJob:
    """Queue the export of the filtered actions (the filters and sort as the query string has
    them); the job's page follows it."""
    if extension not in FORMATS:
        raise DomainError("Choose CSV or Excel")
    total = export_info(by, filters).counts.total
    return start_job(
        TRACKER_EXPORT,
        by=by,
        total=total,
        review_id=filters.review_id,
        parameters={"format": extension, "args": filters.args(page=1)},
    )


class _Counted:
    """The batches, telling the job's page how many rows are done after each."""

    def __init__(self, batches: Iterable[list[ExportRow]], progress: Progress) -> None:
        self.batches, self.progress, self.done = batches, progress, 0

    def __iter__(self) -> Iterator[list[ExportRow]]:
        for batch in self.batches:
            yield batch
            self.done += len(batch)
            self.progress(self.done)


def _run(job: BackgroundJob, progress: Progress) -> JobResult:
    """Write the file to a temporary file, a batch at a time, then keep it as the job's result."""
    by = db.session.get(User, job.started_by_id)
    if by is None or not by.active:
        raise DomainError(GONE)
    parameters: dict[str, Any] = job.parameters or {}
    extension = parameters.get("format", "csv")
    filters = TrackerFilters.from_args(parameters.get("args") or {})
    info = export_info(by, filters)
    batches = _Counted(rows(by, filters, info), progress)
    with tempfile.TemporaryFile() as out:
        if extension == "xlsx":
            tracker_export.write_xlsx(batches, info, out)
        else:
            out.writelines(tracker_export.csv_chunks(batches))
        out.seek(0)
        document = store_made_file(out, name=file_name(info, extension), kind=extension, made_for=by)
    count = batches.done
    record_export(extension, filters, count, by=by, ip_address=job.ip_address)
    return JobResult(f"{count:,} {'action' if count == 1 else 'actions'} exported.", document.id)


def _subject(job: BackgroundJob) -> Subject:
    args = (job.parameters or {}).get("args") or {}
    return Subject(
        caption="Action tracker",
        link_text="Back to the action tracker",
        url=url_for("actions.index", **TrackerFilters.from_args(args).args()),
    )


TRACKER_EXPORT = JobKind(
    name="tracker_export",
    title="Exporting the action tracker",
    unit="actions",
    run=_run,
    subject=_subject,
    failed=(
        "The export could not be written. Try again, and if it keeps happening tell the person "
        "who runs this service."
    ),
)
register_kind(TRACKER_EXPORT)
