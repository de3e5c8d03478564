"""Statutory notices as data: what each type of review must tell whom and by when (a requirement),
what was sent on each review (a notice), and the Home Office quality assurance loop of a domestic
abuse related death review."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.core.db_types import enum_type
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.model_parts import Recorded, Versioned
from casework.core.timeutil import UTCDateTime, utcnow
from casework.reviews.models.review import FollowsReview, Review, UnderReview
from casework.reviews.models.types import CLOCK_EVENTS, ClockUnit, ReviewType

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement


class NoticeCondition(LabelledEnum):
    """When a type's notice is owed on a review."""

    ALWAYS = "always", "Always"
    LOOKED_AFTER_CHILD_DIED = "looked_after_child_died", "A looked-after child died"
    DECISION_RECORDED = "decision_recorded", "A decision was recorded, whatever it was"
    REVIEW_HELD = "review_held", "A local review is held"
    PUBLICATION_DELAYED = "publication_delayed", "Publication was delayed"
    NOT_PUBLISHED = "not_published", "The partners decided not to publish the report"
    # Victims and Prisoners Act 2024 s19: enacted, in force on a date the installation configures.
    UNDER_DARDR = "under_dardr", "The review started once the 2024 Act's reviews were in force"


class NoticeTiming(LabelledEnum):
    AFTER_EVENT = "after_event", "After an event"
    BEFORE_PUBLICATION = "before_publication", "Before publication"
    NO_SET_TIME = "no_set_time", "No set time"


class NoticeRequirement(db.Model):
    """One notice a type of review requires: to whom, by whom, by when and under which rule."""

    __tablename__ = "notice_requirements"
    __table_args__ = (UniqueConstraint("review_type_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_type_id: Mapped[int] = mapped_column(ForeignKey("review_types.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    sender: Mapped[str] = mapped_column(String(200))  # who sends it, e.g. "The local authority"
    timing: Mapped[NoticeTiming] = mapped_column(enum_type(NoticeTiming, "notice_timing", 30))
    # AFTER_EVENT: amount units after start_event (an event of CLOCK_EVENTS). BEFORE_PUBLICATION:
    # at least amount working days before the report (or the information instead) is published.
    start_event: Mapped[str | None] = mapped_column(String(40))
    amount: Mapped[int | None] = mapped_column(Integer)
    unit: Mapped[ClockUnit | None] = mapped_column(enum_type(ClockUnit, "notice_unit", 20))
    # An event that is itself the sending, when recorded (the Panel notified date on the referral:
    # the Panel shares each notification with Ofsted and the Department). Until someone records
    # the notice, it counts as sent on that date.
    met_by_event: Mapped[str | None] = mapped_column(String(40))
    condition: Mapped[NoticeCondition] = mapped_column(enum_type(NoticeCondition, "notice_condition", 30))
    source: Mapped[str] = mapped_column(Text, default="")
    # Reviews that started before the rule came into force do not owe the notice.
    applies_from: Mapped[date] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)

    review_type: Mapped[ReviewType] = relationship(back_populates="notice_requirements")

    @property
    def rule(self) -> str:
        if self.timing == NoticeTiming.BEFORE_PUBLICATION:
            days = ClockUnit.WORKING_DAYS.describe(self.amount or 0)
            return f"At least {days} before publication"
        if self.timing == NoticeTiming.NO_SET_TIME or not self.start_event:
            return "No set time: as soon as it is known"
        unit = self.unit or ClockUnit.WORKING_DAYS
        return f"{unit.describe(self.amount or 0)} after {CLOCK_EVENTS[self.start_event].lower()}"

    def __repr__(self) -> str:
        return f"<NoticeRequirement {self.key}>"


class ReviewNotice(UnderReview, Versioned, FollowsReview, db.Model):
    """One required notice on one review. ``applies`` and ``due_on`` are computed from the review
    and its requirement (see reviews.notices.rules), kept so lists and the dashboard filter in SQL."""

    __tablename__ = "review_notices"
    __table_args__ = (UniqueConstraint("review_id", "requirement_id"),)

    requirement_id: Mapped[int] = mapped_column(ForeignKey("notice_requirements.id"), index=True)
    applies: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    sent_on: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(200), default="")  # the recipient's reference
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")  # the reasons given (delay, not publishing)
    comments: Mapped[str] = mapped_column(Text, default="")  # the recipients' comments...
    comments_on: Mapped[date | None] = mapped_column(Date)
    response: Mapped[str] = mapped_column(Text, default="")  # ...and the partners' response
    response_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    review: Mapped[Review] = relationship(back_populates="notices")
    requirement: Mapped[NoticeRequirement] = relationship()
    sent_by: Mapped[User | None] = relationship()

    def can_manage(self, user: User) -> bool:
        return self.review.can_manage(user)

    @classmethod
    def open_and_owed(cls) -> ColumnElement[bool]:
        return cls.applies.is_(True) & cls.sent_on.is_(None)


class QualityStep(LabelledEnum):
    SUBMITTED = "submitted", "Report submitted to the Home Office Quality Assurance Panel"
    FEEDBACK = "feedback", "Feedback received from the Panel"
    RESUBMITTED = "resubmitted", "Report resubmitted after feedback"
    APPROVED = "approved", "The Panel approved the report for publication"


class HomeOfficeStep(UnderReview, Recorded, db.Model):
    """One dated step of the Home Office quality assurance loop: submitted, feedback,
    resubmitted... approved. The first submission completes the review; approval allows
    publication."""

    __tablename__ = "home_office_steps"

    step: Mapped[QualityStep] = mapped_column(enum_type(QualityStep, "quality_step", 20))
    taken_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
