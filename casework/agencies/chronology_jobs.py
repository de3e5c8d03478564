"""A chronology file is imported by the worker, not in the request that uploads it.

The request checks the file (the parse is quick and lists every problem, so a bad file is refused
there and then), keeps it as a document and queues the job; the agency lead follows the job on its
own page. The worker reads the file back from storage (it may run on another machine), checks it
again and adds every entry in one transaction: all of them, or none and the job says why.
"""

from __future__ import annotations

import io

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from casework.agencies import services
from casework.agencies.chronology_import import parse_chronology_csv
from casework.agencies.contributions import ContributionRequest
from casework.auth.models import User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.documents.storage import read_document, store_upload
from casework.jobs.kinds import JobKind, JobResult, Progress, Subject, register_kind
from casework.jobs.models import BackgroundJob
from casework.jobs.services import start_job

GONE = "The request or the uploaded file is no longer there, so nothing has been imported."


def start_chronology_import(
    request: ContributionRequest, data: bytes, filename: str, by: User
) -> BackgroundJob:
    """Check the file, keep it and queue its import. ChronologyCsvError lists every problem in
    it; nothing is kept or queued then."""
    services.check_chronology_import(request, by)
    rows = parse_chronology_csv(data, today=uk_today())
    name = filename if filename.lower().endswith((".csv", ".txt")) else f"{filename or 'chronology'}.csv"
    document = store_upload(
        FileStorage(io.BytesIO(data), filename=name, content_type="text/csv"),
        uploaded_by=by,
        review=request.review,
        allowed={"csv", "txt"},
    )
    return start_job(
        CHRONOLOGY_IMPORT,
        by=by,
        total=len(rows),
        review_id=request.review_id,
        subject=request,
        input_document=document,
    )


RECENT_IMPORTS = 5


def recent_imports(request: ContributionRequest, user: User) -> list[BackgroundJob]:
    """The latest imports into the request that ``user`` may follow, newest first, with their files."""
    return list(
        db.session.execute(
            select(BackgroundJob)
            .where(
                BackgroundJob.kind == CHRONOLOGY_IMPORT.name,
                BackgroundJob.subject_type == ContributionRequest.__name__,
                BackgroundJob.subject_id == request.id,
                BackgroundJob.visible_to(user),
            )
            .options(joinedload(BackgroundJob.input_document))
            .order_by(BackgroundJob.id.desc())
            .limit(RECENT_IMPORTS)
        ).scalars()
    )


def _import(job: BackgroundJob, progress: Progress) -> JobResult:
    request = db.session.get(ContributionRequest, job.subject_id) if job.subject_id else None
    by = db.session.get(User, job.started_by_id)
    if request is None or by is None or job.input_document is None:
        raise DomainError(GONE)
    rows = parse_chronology_csv(read_document(job.input_document), today=uk_today())
    count = services.import_chronology_rows(request, rows, by, progress=progress, ip_address=job.ip_address)
    return JobResult(f"{count:,} {'entry' if count == 1 else 'entries'} imported.")


def _subject(job: BackgroundJob) -> Subject | None:
    request = db.session.execute(
        select(ContributionRequest)
        .where(ContributionRequest.id == job.subject_id)
        .options(joinedload(ContributionRequest.review), joinedload(ContributionRequest.agency))
    ).scalar_one_or_none()
    if request is None:
        return None
    return Subject(
        caption=f"{request.review.reference}: {request.agency.name}",
        link_text="Back to the request",
        url=url_for("agencies.request_detail", request_id=request.id) + "#entries",
    )


CHRONOLOGY_IMPORT = JobKind(
    name="chronology_import",
    title="Chronology file import",
    unit="entries",
    run=_import,
    subject=_subject,
    failed=(
        "The file could not be imported. Nothing from it has been imported. Try again, and if it "
        "keeps happening tell the person who runs this service."
    ),
)
register_kind(CHRONOLOGY_IMPORT)
