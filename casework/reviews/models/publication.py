"""The anonymisation check of the version to publish, and the publication record."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.db_types import enum_type
from casework.documents.models import Document
from casework.enums import LabelledEnum
from casework.extensions import db
from casework.reviews.models.drafts import DraftVersion
from casework.reviews.models.review import Review
from casework.timeutil import UTCDateTime, utcnow


class AnonymisationCheck(db.Model):
    __tablename__ = "anonymisation_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_versions.id"), index=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ran_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    extractable: Mapped[bool] = mapped_column(Boolean)
    # A document without extractable text (a scan) needs a recorded check by hand.
    manual_check_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    manual_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    manual_check_note: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[DraftVersion] = relationship()
    findings: Mapped[list[AnonymisationFinding]] = relationship(
        back_populates="check", order_by="AnonymisationFinding.id"
    )

    @property
    def open_findings(self) -> list[AnonymisationFinding]:
        return [finding for finding in self.findings if finding.resolution is None]

    @property
    def passed(self) -> bool:
        return not self.open_findings and (self.extractable or self.manual_check_at is not None)


class Resolution(LabelledEnum):
    NOT_IDENTIFYING = "not_identifying", "Not identifying"
    CORRECTED = "corrected", "Corrected in a later version"


class AnonymisationFinding(db.Model):
    __tablename__ = "anonymisation_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("anonymisation_checks.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200))  # what was found, described without the value
    location: Mapped[str] = mapped_column(String(100))
    context: Mapped[str] = mapped_column(Text)
    resolution: Mapped[Resolution | None] = mapped_column(enum_type(Resolution, "finding_resolution", 20))
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    check: Mapped[AnonymisationCheck] = relationship(back_populates="findings")


class Publication(db.Model):
    """What the public sees of a review, and the steps before it."""

    __tablename__ = "publications"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    sent_to_panel_on: Mapped[date | None] = mapped_column(Date)  # full report to Panel and Secretary of State
    home_office_approved_on: Mapped[date | None] = mapped_column(Date)
    public_summary: Mapped[str] = mapped_column(Text, default="")
    learning: Mapped[str] = mapped_column(Text, default="")
    public_recommendations: Mapped[str] = mapped_column(Text, default="")
    published_on: Mapped[date | None] = mapped_column(Date)
    published_version_id: Mapped[int | None] = mapped_column(ForeignKey("draft_versions.id"))
    briefing_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    not_published_on: Mapped[date | None] = mapped_column(Date)
    not_published_reason: Mapped[str] = mapped_column(Text, default="")
    improvement_information: Mapped[str] = mapped_column(Text, default="")
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    review: Mapped[Review] = relationship(back_populates="publication")
    published_version: Mapped[DraftVersion | None] = relationship()
    briefing: Mapped[Document | None] = relationship()
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_public(self) -> bool:
        return (
            self.published_on is not None or self.not_published_on is not None
        ) and self.withdrawn_on is None


class PublicationDelay(db.Model):
    __tablename__ = "publication_delays"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    expected_until: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
