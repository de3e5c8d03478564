"""A piece of long work done by the worker instead of inside a request (an import, an export), and
what became of it: the page ``/jobs/<id>`` follows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, Integer, String, Text, or_, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.core.db_types import enum_type
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.timeutil import UTCDateTime, utcnow
from casework.documents.models import Document
from casework.documents.owners import register_owner


class JobStatus(LabelledEnum):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "In progress"
    DONE = "done", "Finished"
    FAILED = "failed", "Did not finish"


UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class BackgroundJob(db.Model):
    """One job. ``kind`` names the work (see :mod:`casework.jobs.kinds`); ``subject_type`` and
    ``subject_id`` the record it is about (a contribution request), ``review_id`` its review.

    ``message`` is written for the person who started it (what was done, or why it did not
    finish); ``error`` is the technical reason of a failure, for the log, never shown."""

    __tablename__ = "background_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus, "job_status", 20), index=True)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[int | None] = mapped_column(Integer, index=True)
    input_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    result_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    # What the work was asked to do, for a kind whose subject is not enough (an export's filters).
    parameters: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    # Where the request that started it came from: the audit trail of what the job does says so.
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    started_by: Mapped[User] = relationship()
    input_document: Mapped[Document | None] = relationship(foreign_keys=[input_document_id])
    result_document: Mapped[Document | None] = relationship(foreign_keys=[result_document_id])

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    # Access: the person who started it, and the board managers who run every review.

    def can_view(self, user: User) -> bool:
        return user.id == self.started_by_id or user.can_manage_reviews()

    def can_download(self, user: User) -> bool:
        return self.can_view(user)

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        if user.can_manage_reviews():
            return true()
        return cls.started_by_id == user.id


def _job_of(document: Document) -> BackgroundJob | None:
    """A job's result, or the file it was given: the job decides who may download it."""
    return db.session.execute(
        db.select(BackgroundJob)
        .where(
            or_(
                BackgroundJob.result_document_id == document.id,
                BackgroundJob.input_document_id == document.id,
            )
        )
        .limit(1)
    ).scalar_one_or_none()


register_owner(_job_of)
