"""The 7-minute learning briefing drafted from a review, and the record of its dissemination:
the agencies it was sent to and their acknowledgements, learning events with their attendance,
and practice audits of the recommendations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.actions.models import Recommendation
from casework.agencies.models import Agency, AgencyPart
from casework.auth.models import Role, User
from casework.core.db_types import enum_type, link_table
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.model_parts import Recorded, Versioned
from casework.core.timeutil import UTCDateTime, utcnow
from casework.reviews.models import Review, UnderReview

# The six sections of a 7-minute briefing, in the order they are read: (column, heading).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("background", "Background"),
    ("why_it_matters", "Why it matters"),
    ("what_was_found", "What was found"),
    ("what_to_think_about", "What to think about"),
    ("questions", "Questions for reflection"),
    ("what_to_do_now", "What to do now"),
)
SECTION_HEADINGS = dict(SECTIONS)

audit_recommendations = link_table(
    "practice_audit_recommendations",
    ("audit_id", "practice_audits"),
    ("recommendation_id", "recommendations"),
)


class BriefingStatus(LabelledEnum):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


class LearningBriefing(Versioned, db.Model):
    """One per review. Approving it freezes the text (it is what agencies and the public get)
    until a board manager reopens it."""

    __tablename__ = "learning_briefings"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    background: Mapped[str] = mapped_column(Text, default="")
    why_it_matters: Mapped[str] = mapped_column(Text, default="")
    what_was_found: Mapped[str] = mapped_column(Text, default="")
    what_to_think_about: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="")
    what_to_do_now: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[BriefingStatus] = mapped_column(enum_type(BriefingStatus, "briefing_status", 20))
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    review: Mapped[Review] = relationship()
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    __table_args__ = (
        # An approved briefing says who approved it and when.
        CheckConstraint(
            "status <> 'approved' OR (approved_by_id IS NOT NULL AND approved_at IS NOT NULL)",
            name="approval_recorded",
        ),
    )

    @property
    def is_approved(self) -> bool:
        return self.status == BriefingStatus.APPROVED

    @property
    def sections(self) -> list[tuple[str, str, str]]:
        """(column, heading, text) in reading order."""
        return [(name, heading, getattr(self, name)) for name, heading in SECTIONS]

    @property
    def missing_sections(self) -> list[str]:
        return [heading for name, heading, text in self.sections if not text.strip()]


class BriefingRecipient(Versioned, AgencyPart, db.Model):
    """The approved briefing sent to one agency, and that agency's acknowledgement."""

    __tablename__ = "briefing_recipients"
    __table_args__ = (UniqueConstraint("review_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("learning_briefings.review_id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    sent_on: Mapped[date] = mapped_column(Date)
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    briefing: Mapped[LearningBriefing] = relationship()
    review: Mapped[Review] = relationship(
        primaryjoin="BriefingRecipient.review_id == Review.id", foreign_keys=[review_id], viewonly=True
    )
    agency: Mapped[Agency] = relationship()
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    # Access rules (see casework.auth.access): the agency's own leads read the briefing sent to
    # them and acknowledge it; everyone else follows the review's rule.

    def can_view(self, user: User) -> bool:
        return self.is_for_agency_of(user) or self.review.can_view(user)

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        if user.role == Role.BOARD_MANAGER:
            return true()
        if user.role == Role.AGENCY_LEAD and user.agency_id is not None:
            return cls.agency_id == user.agency_id
        return false()

    def can_acknowledge(self, user: User) -> bool:
        return self.is_for_agency_of(user)


class EventKind(LabelledEnum):
    WORKSHOP = "workshop", "Workshop"
    WEBINAR = "webinar", "Webinar"
    TEAM_MEETING = "team_meeting", "Team meeting"
    CONFERENCE = "conference", "Conference"
    TRAINING = "training", "Training session"
    OTHER = "other", "Other"


class LearningEvent(UnderReview, Recorded, db.Model):
    __tablename__ = "learning_events"

    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind, "learning_event_kind", 20))
    notes: Mapped[str] = mapped_column(Text, default="")

    attendance: Mapped[list[EventAttendance]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventAttendance.id"
    )

    @property
    def total_attending(self) -> int:
        return sum(row.attended for row in self.attendance)


class EventAttendance(db.Model):
    """How many people from one agency attended a learning event."""

    __tablename__ = "event_attendance"
    __table_args__ = (
        UniqueConstraint("event_id", "agency_id"),
        CheckConstraint("attended > 0", name="someone_attended"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("learning_events.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    attended: Mapped[int] = mapped_column(Integer)

    event: Mapped[LearningEvent] = relationship(back_populates="attendance")
    agency: Mapped[Agency] = relationship()


class AuditResult(LabelledEnum):
    MET = "met", "Practice meets the standard"
    PARTLY_MET = "partly_met", "Practice partly meets the standard"
    NOT_MET = "not_met", "Practice does not meet the standard"


class PracticeAudit(UnderReview, Recorded, Versioned, db.Model):
    """An audit of practice, some months after the review, of whether its recommendations
    changed what practitioners do."""

    __tablename__ = "practice_audits"
    __table_args__ = (
        # A result belongs to an audit carried out.
        CheckConstraint("result IS NULL OR carried_out_on IS NOT NULL", name="result_after_audit"),
    )

    tested: Mapped[str] = mapped_column(Text)  # what it tested
    planned_on: Mapped[date] = mapped_column(Date)
    carried_out_on: Mapped[date | None] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[AuditResult | None] = mapped_column(enum_type(AuditResult, "practice_audit_result", 20))

    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=audit_recommendations, order_by=Recommendation.number
    )

    # Reached under its review (casework.reviews.pages.part_of): the review's rule applies.
    def can_view(self, user: User) -> bool:
        review = db.session.get(Review, self.review_id)
        return review is not None and review.can_view(user)

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        return cls.review_id.in_(db.select(Review.id).where(Review.visible_to(user)))
