"""Stored files: the row describes the file, the file lives outside the web root."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import UTCDateTime, utcnow


class Document(db.Model):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, never derived from the uploaded name; the only name used on disk.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    detected_type: Mapped[str] = mapped_column(String(20))  # pdf, docx, xlsx, odt, csv, txt, png, jpg
    media_type: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What the file belongs to, for access checks. Later features add their own owners.
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"), index=True)
    contribution_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("contribution_requests.id"), index=True
    )
    progress_update_id: Mapped[int | None] = mapped_column(ForeignKey("progress_updates.id"), index=True)

    uploaded_by: Mapped[User] = relationship()
