"""Independent reviewers: their profile, declared affiliations and appointments to reviews."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ColumnElement, Date, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.db_types import enum_type
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.timeutil import UTCDateTime, utcnow
from casework.reviews.models.review import Review, UnderReview


class ReviewerProfile(db.Model):
    __tablename__ = "reviewer_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    affiliations: Mapped[list[Affiliation]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="Affiliation.started_on"
    )


class Affiliation(db.Model):
    """A past or present link between a reviewer and an agency (employment, contract, board seat...)."""

    __tablename__ = "affiliations"

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewer_profiles.user_id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    nature: Mapped[str] = mapped_column(String(300))

    profile: Mapped[ReviewerProfile] = relationship(back_populates="affiliations")
    agency: Mapped[Agency] = relationship()

    # Access rules (see casework.auth.access): the reviewer keeps their own declarations; board
    # managers read them when they appoint.

    def can_view(self, user: User) -> bool:
        return self.reviewer_id == user.id or user.can_manage_reviews()

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        return true() if user.can_manage_reviews() else cls.reviewer_id == user.id

    def can_remove(self, user: User) -> bool:
        return self.reviewer_id == user.id


class AssignmentRole(LabelledEnum):
    LEAD = "lead", "Lead reviewer"
    CO_REVIEWER = "co_reviewer", "Co-reviewer"


class AssignmentStatus(LabelledEnum):
    PROPOSED = "proposed", "Awaiting acceptance"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReviewerAssignment(UnderReview, db.Model):
    __tablename__ = "reviewer_assignments"
    __table_args__ = (UniqueConstraint("review_id", "reviewer_id"),)

    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[AssignmentRole] = mapped_column(enum_type(AssignmentRole, "assignment_role", 20))
    status: Mapped[AssignmentStatus] = mapped_column(enum_type(AssignmentStatus, "assignment_status", 20))
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Conflicts found at assignment and overridden, with the board manager's written reason.
    overridden_conflicts: Mapped[list[str]] = mapped_column(JSON, default=list)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    # Conflicts found later, when an agency joined the scope; shown until resolved.
    flagged_conflicts: Mapped[list[str]] = mapped_column(JSON, default=list)
    declaration: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    review: Mapped[Review] = relationship(back_populates="assignments")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    assigned_by: Mapped[User] = relationship(foreign_keys=[assigned_by_id])

    @hybrid_property
    def is_open_to_reviewer(self) -> bool:
        return self.status == AssignmentStatus.ACCEPTED

    @property
    def is_accepted_lead(self) -> bool:
        return self.role == AssignmentRole.LEAD and self.status == AssignmentStatus.ACCEPTED

    # Access rules (see casework.auth.access): the appointed reviewer answers their own
    # appointment; whoever runs the review manages it (withdraws it).

    def can_view(self, user: User) -> bool:
        return self.reviewer_id == user.id or self.review.can_manage(user)

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        return true() if user.can_manage_reviews() else cls.reviewer_id == user.id

    def can_answer(self, user: User) -> bool:
        return self.reviewer_id == user.id

    def can_manage(self, user: User) -> bool:
        return self.review.can_manage(user)
