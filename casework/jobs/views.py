"""The page that follows a background job: how far it has got, then what it made or why it did
not finish. While the job is waiting or running the page asks the browser to load it again every
few seconds (a refresh in the page's head, so it works without JavaScript)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload

from casework.auth.access import loads
from casework.jobs import bp
from casework.jobs.kinds import kind_of
from casework.jobs.models import BackgroundJob

REFRESH_SECONDS = 2

PAGE_OPTIONS = (
    joinedload(BackgroundJob.started_by),
    joinedload(BackgroundJob.input_document),
    joinedload(BackgroundJob.result_document),
)


@bp.route("/<int:job_id>")
@loads(BackgroundJob, argument="job_id", options=PAGE_OPTIONS)
def progress(job: BackgroundJob) -> ResponseReturnValue:
    kind = kind_of(job)
    return render_template(
        "jobs/progress.html",
        job=job,
        kind=kind,
        subject=kind.subject(job) if kind is not None else None,
        refresh_seconds=None if job.is_finished else REFRESH_SECONDS,
    )
