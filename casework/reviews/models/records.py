"""Registers kept beside a review: the parallel processes that can hold it up, the partners'
monitoring of its time and quality (with their written requests to the reviewer), and the
family's involvement. Each row carries a version, so a stale edit is refused, not applied."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from casework.auth.models import User
from casework.core.db_types import enum_type
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.model_parts import Recorded, Versioned
from casework.reviews.models.review import FollowsReview, Review, UnderReview


class ProcessKind(LabelledEnum):
    CRIMINAL = "criminal", "Criminal investigation or prosecution"
    INQUEST = "inquest", "Inquest"
    IOPC = "iopc", "IOPC investigation"
    FAMILY_PROCEEDINGS = "family_proceedings", "Family proceedings"
    DHR = "dhr", "Domestic homicide review"
    SAR = "sar", "Safeguarding adults review"
    CHILD_DEATH_REVIEW = "child_death_review", "Child death review"
    OTHER = "other", "Other process"


class ProcessStatus(LabelledEnum):
    EXPECTED = "expected", "Expected"
    UNDER_WAY = "under_way", "Under way"
    CONCLUDED = "concluded", "Concluded"
    DISCONTINUED = "discontinued", "Discontinued"

    @property
    def is_over(self) -> bool:
        return self in (ProcessStatus.CONCLUDED, ProcessStatus.DISCONTINUED)


class _RegisterEntry(UnderReview, Recorded, Versioned, FollowsReview):
    """An entry of a register beside a review: who recorded it and when, and the version a
    correction must name, so a stale edit is refused, not applied."""

    @declared_attr
    def review(cls) -> Mapped[Review]:
        return relationship()


class ParallelProcess(_RegisterEntry, db.Model):
    """A criminal case, inquest, IOPC investigation, family proceedings or another review running
    alongside this one. The liaison contact is a professional, never a family member."""

    __tablename__ = "parallel_processes"
    __table_args__ = (
        CheckConstraint(
            "expected_end_on IS NULL OR started_on IS NULL OR expected_end_on >= started_on",
            name="expected_after_start",
        ),
        CheckConstraint(
            "ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on", name="ends_after_start"
        ),
    )

    kind: Mapped[ProcessKind] = mapped_column(enum_type(ProcessKind, "process_kind", 30))
    description: Mapped[str] = mapped_column(String(300))
    status: Mapped[ProcessStatus] = mapped_column(enum_type(ProcessStatus, "process_status", 20))
    started_on: Mapped[date | None] = mapped_column(Date)
    expected_end_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_organisation: Mapped[str] = mapped_column(String(200), default="")
    contact_details: Mapped[str] = mapped_column(String(300), default="")  # email or phone
    notes: Mapped[str] = mapped_column(Text, default="")

    @property
    def title(self) -> str:
        return f"{self.kind.label}: {self.description}"


class MonitoringKind(LabelledEnum):
    MONITORING = "monitoring", "Monitoring of time and quality"
    WRITTEN_REQUEST = "written_request", "Written request to the reviewer"


class MonitoringEntry(_RegisterEntry, db.Model):
    """Regulation 14 of the 2018 CSPR Regulations: the partners monitor the review's time and
    quality at regular intervals, and make their requests to the reviewer in writing."""

    __tablename__ = "monitoring_entries"
    __table_args__ = (
        CheckConstraint("kind <> 'written_request' OR addressed_to_id IS NOT NULL", name="request_addressed"),
    )

    kind: Mapped[MonitoringKind] = mapped_column(enum_type(MonitoringKind, "monitoring_kind", 20))
    recorded_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    addressed_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    response: Mapped[str] = mapped_column(Text, default="")
    responded_on: Mapped[date | None] = mapped_column(Date)

    addressed_to: Mapped[User | None] = relationship(foreign_keys=[addressed_to_id])

    @property
    def is_request(self) -> bool:
        return self.kind == MonitoringKind.WRITTEN_REQUEST

    def can_view(self, user: User) -> bool:
        """Managers read the whole log; a reviewer only the written requests addressed to them."""
        return self.review.can_manage(user) or (self.is_request and self.addressed_to_id == user.id)

    def can_respond(self, user: User) -> bool:
        return self.is_request and self.addressed_to_id == user.id and self.review.can_view(user)


class FamilyContactKind(LabelledEnum):
    CONTACT = "contact", "Contact with the family"
    CONSENT = "consent", "Consent"
    ADVOCACY_OFFERED = "advocacy_offered", "Specialist advocacy offered"
    TERMS_INPUT = "terms_input", "Input to the terms of reference"
    DRAFT_INPUT = "draft_input", "Input to the draft report"
    SHARED = "shared", "Information shared with the family"


class FamilyContact(_RegisterEntry, db.Model):
    """One dated entry of the family's involvement. Identifying-adjacent: shown to the review's
    managers and its lead reviewer only, never on public pages or in mail."""

    __tablename__ = "family_contacts"

    kind: Mapped[FamilyContactKind] = mapped_column(enum_type(FamilyContactKind, "family_contact_kind", 20))
    happened_on: Mapped[date] = mapped_column(Date)
    who: Mapped[str] = mapped_column(String(200))  # the family member, by relationship ("mother")
    how: Mapped[str] = mapped_column(String(200), default="")  # in person, letter, through an advocate
    summary: Mapped[str] = mapped_column(Text, default="")

    def can_view(self, user: User) -> bool:
        return self.review.can_see_family(user)
