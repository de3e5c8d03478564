"""The audit trail: who did what, to which record, and when. Rows are only ever added."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:  # the users table is the auth package's; the trail only points at it
    from casework.auth.models import User


class AccessKind(LabelledEnum):
    """Someone looked at or took a copy of something: the access reports list these, the review's
    timeline does not."""

    IDENTIFIERS = "identifiers_viewed", "Identifying details viewed"
    DOWNLOAD = "document_downloaded", "Document downloaded"
    CHRONOLOGY = "chronology_exported", "Chronology exported"
    ACTIONS = "actions_exported", "Actions exported"
    ANNUAL_PACK = "annual_pack_exported", "Annual report pack exported"
    REPORT = "access_report_viewed", "Access report viewed"
    REPORT_EXPORT = "access_report_exported", "Access report exported"


READS = frozenset(kind.value for kind in AccessKind)


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[int | None] = mapped_column()
    summary: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    # Set for events about one review: they make up that review's timeline.
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"), index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


def record(
    action: str,
    summary: str,
    *,
    subject: Any = None,
    actor: User | None = None,
    details: dict[str, Any] | None = None,
    review: Any = None,
    review_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction; it commits with the change it describes.
    The change is flushed first, so a record it creates has its id and a stale edit fails here."""
    db.session.flush()
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()  # type: ignore[attr-defined]
    event = AuditEvent(
        action=action,
        summary=summary,
        actor=actor,
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        details=details,
        ip_address=request.remote_addr if has_request_context() else None,
        review_id=review.id if review is not None else review_id,
    )
    db.session.add(event)
    return event
