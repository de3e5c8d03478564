"""Starting a background job in a request, and running it in the worker.

A request starts a job by adding its row (queued) to its own transaction; once that commits, the
queue is asked to run it (:mod:`casework.notifications.jobs`), and a job whose wake-up was lost is
picked up by the worker's every-minute pass. A job runs at most once: a worker claims it with one
conditional UPDATE (queued -> running) that only one worker can win, committed before the work
starts. The work is one transaction that ends by marking the job done, so its result and "done"
are saved together or not at all; a failure rolls the work back and marks the job failed.
"""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta
from typing import Any

from flask import has_request_context, request
from sqlalchemy import select, update

from casework.auth.models import User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.documents.models import Document
from casework.jobs.kinds import JobKind, kind_of
from casework.jobs.models import BackgroundJob, JobStatus

log = logging.getLogger(__name__)

Jobs = BackgroundJob.__table__

# session.info: the ids of the jobs this transaction started, for the queue once it commits.
JOBS_STARTED = "casework_jobs_started"

# A job still running after this long lost its worker (stopped or restarted mid-way): its work
# was never committed, so it is marked failed and can be started again.
STALLED_AFTER = timedelta(minutes=30)

FAILED = (
    "The work could not be finished. Nothing has been changed. Try again, and if it keeps "
    "happening tell the person who runs this service."
)
STALLED = (
    "The work stopped before it finished, because the server running it stopped. Nothing has "
    "been changed. Start it again."
)


def start_job(
    kind: JobKind,
    *,
    by: User,
    total: int = 0,
    review_id: int | None = None,
    subject: Any = None,
    input_document: Document | None = None,
    parameters: dict[str, Any] | None = None,
) -> BackgroundJob:
    """Add a queued job to the current transaction; the queue runs it after the commit."""
    job = BackgroundJob(
        kind=kind.name,
        status=JobStatus.QUEUED,
        started_by_id=by.id,
        review_id=review_id,
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        input_document_id=input_document.id if input_document is not None else None,
        parameters=parameters,
        progress_total=total,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(JOBS_STARTED, []).append(job.id)
    return job


def waiting_job_ids() -> list[int]:
    """Jobs still queued (their wake-up may have been lost), oldest first."""
    ids = list(
        db.session.execute(
            select(Jobs.c.id).where(Jobs.c.status == JobStatus.QUEUED).order_by(Jobs.c.id)
        ).scalars()
    )
    db.session.commit()  # end the read before any job runs
    return ids


def claim(job_id: int) -> bool:
    """Take a queued job; True for the one worker whose update changed the row."""
    claimed = db.session.execute(
        update(Jobs)
        .where(Jobs.c.id == job_id, Jobs.c.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=utcnow())
    )
    db.session.commit()
    return claimed.rowcount == 1


def run_job(job_id: int) -> JobStatus | None:
    """Run a queued job and record how it ended; None when it was not this worker's to run
    (already claimed, finished, or missing)."""
    if not claim(job_id):
        return None
    job = db.session.get(BackgroundJob, job_id)
    assert job is not None  # claimed just now
    kind = kind_of(job)
    if kind is None:
        _fail(job_id, FAILED, f"No kind of job is registered as {job.kind!r}")
        return JobStatus.FAILED
    try:
        result = kind.run(job, ProgressWriter(job_id))
        finished = db.session.execute(
            update(Jobs)
            .where(Jobs.c.id == job_id, Jobs.c.status == JobStatus.RUNNING)
            .values(
                status=JobStatus.DONE,
                message=result.message,
                result_document_id=result.result_document_id,
                progress_done=Jobs.c.progress_total,
                finished_at=utcnow(),
            )
        )
        if finished.rowcount != 1:  # given up on as stalled meanwhile: its failure stands
            db.session.rollback()
            return None
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        _fail(job_id, error.message, f"{type(error).__name__}: {error.message}")
        return JobStatus.FAILED
    except Exception:
        log.exception("Background job %s (%s) failed", job_id, kind.name)
        db.session.rollback()
        _fail(job_id, kind.failed, traceback.format_exc())
        return JobStatus.FAILED
    log.info("Background job %s (%s) done: %s", job_id, kind.name, result.message)
    return JobStatus.DONE


def _fail(job_id: int, message: str, error: str) -> None:
    db.session.execute(
        update(Jobs)
        .where(Jobs.c.id == job_id, Jobs.c.status == JobStatus.RUNNING)
        .values(status=JobStatus.FAILED, message=message, error=error, finished_at=utcnow())
    )
    db.session.commit()


class ProgressWriter:
    """Records how far a job has got, for its page, while the work's own transaction is still
    open: each count is written and committed on a connection of its own.

    SQLite lets one connection write at a time, and the work's transaction is that connection,
    so there the count moves only when the job ends (the work is short on one machine)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.enabled = db.engine.dialect.name != "sqlite"

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        with db.engine.begin() as connection:
            connection.execute(
                update(Jobs)
                .where(Jobs.c.id == self.job_id, Jobs.c.status == JobStatus.RUNNING)
                .values(progress_done=done)
            )


def give_up_stalled(now: Any = None) -> int:
    """Mark failed the jobs running for longer than STALLED_AFTER; how many there were."""
    cutoff = (now or utcnow()) - STALLED_AFTER
    stalled = db.session.execute(
        update(Jobs)
        .where(Jobs.c.status == JobStatus.RUNNING, Jobs.c.started_at < cutoff)
        .values(
            status=JobStatus.FAILED,
            message=STALLED,
            error="No word from the worker since it started",
            finished_at=utcnow(),
        )
    )
    db.session.commit()
    return int(stalled.rowcount or 0)
