"""The anonymisation check of the version to publish, and the publication record."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.core.db_types import enum_type
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.model_parts import Recorded, Versioned
from casework.core.timeutil import UTCDateTime, utcnow
from casework.documents.models import Document
from casework.reviews.models.drafts import DraftVersion
from casework.reviews.models.review import Review, UnderReview

if TYPE_CHECKING:
    from casework.reviews.models.records import ParallelProcess


class AnonymisationCheck(db.Model):
    """One run of the check. It holds only for the exact file and identifiers it ran against:
    their fingerprints (SHA-256, never the identifiers themselves) are kept to tell."""

    __tablename__ = "anonymisation_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_versions.id"), index=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ran_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    extractable: Mapped[bool] = mapped_column(Boolean)
    # Empty on checks from before fingerprints were kept: those are never current.
    document_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    identifiers_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Why it ran again without being asked ("The identifying details changed on ..."), if it did.
    ran_because: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Why the file could not be read within the limits, when it could not.
    unreadable_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A document without extractable text (a scan) needs a recorded check by hand.
    manual_check_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    manual_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    manual_check_note: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[DraftVersion] = relationship()
    findings: Mapped[list[AnonymisationFinding]] = relationship(
        back_populates="check", order_by="AnonymisationFinding.id"
    )

    @property
    def current_findings(self) -> list[AnonymisationFinding]:
        return [finding for finding in self.findings if finding.applies]

    @property
    def lapsed_findings(self) -> list[AnonymisationFinding]:
        """Earlier decisions that this check no longer needs, shown so nothing silently goes."""
        return [finding for finding in self.findings if not finding.applies]

    @property
    def open_findings(self) -> list[AnonymisationFinding]:
        return [finding for finding in self.current_findings if finding.resolution is None]

    @property
    def passed(self) -> bool:
        return not self.open_findings and (self.extractable or self.manual_check_at is not None)

    @property
    def review_id(self) -> int:
        return self.version.review_id

    def can_view(self, user: User) -> bool:  # the review's rule: see casework.auth.access
        return self.version.can_view(user)


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
    # SHA-256 of what was searched for and of the words found with those around them: the same
    # finding in a later check is recognised by it, and an earlier decision carried over.
    identifier_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    match_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Set on an earlier decision kept for the record when it no longer applies: why not.
    no_longer_applies: Mapped[str] = mapped_column(String(200), default="", server_default="")

    check: Mapped[AnonymisationCheck] = relationship(back_populates="findings")
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def applies(self) -> bool:
        return not self.no_longer_applies

    @property
    def carried_over(self) -> bool:
        """Decided before this check ran: the decision came over from an earlier check."""
        return self.resolved_at is not None and self.resolved_at < self.check.ran_at

    @property
    def is_possible_identifier(self) -> bool:
        """Found by its shape (a postcode, an NHS number...), not from the recorded identifiers."""
        return self.kind not in ("name", "date_of_birth", "address")

    @property
    def review_id(self) -> int:
        return self.check.review_id

    def can_view(self, user: User) -> bool:
        return self.check.can_view(user)


class Publication(Versioned, db.Model):
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

    review: Mapped[Review] = relationship(back_populates="publication")
    published_version: Mapped[DraftVersion | None] = relationship()
    briefing: Mapped[Document | None] = relationship()
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def is_public(self) -> bool:
        return (
            self.published_on is not None or self.not_published_on is not None
        ) and self.withdrawn_on is None


class PublicationDelay(UnderReview, Recorded, db.Model):
    __tablename__ = "publication_delays"

    reason: Mapped[str] = mapped_column(Text)
    expected_until: Mapped[date | None] = mapped_column(Date)
    # The parallel process holding publication up, when one is on the review's register: the
    # reasons owed to the Panel and the Secretary of State start from it.
    process_id: Mapped[int | None] = mapped_column(ForeignKey("parallel_processes.id"), index=True)

    process: Mapped[ParallelProcess | None] = relationship()
