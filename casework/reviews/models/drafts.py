"""Draft reports: numbered versions, factual accuracy checks by the agencies, family sharing."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.db_types import enum_type
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.timeutil import UTCDateTime, utcnow
from casework.documents.models import Document
from casework.documents.owners import register_owner
from casework.reviews.models.review import Review, UnderReview


class DraftVersion(UnderReview, db.Model):
    __tablename__ = "draft_versions"
    __table_args__ = (UniqueConstraint("review_id", "number"),)

    number: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    summary: Mapped[str] = mapped_column(Text)  # what changed since the previous version
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    final_signed_off_on: Mapped[date | None] = mapped_column(Date)
    family_shared_on: Mapped[date | None] = mapped_column(Date)
    family_shared_how: Mapped[str] = mapped_column(String(300), default="")
    family_response: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship()
    document: Mapped[Document] = relationship()
    uploaded_by: Mapped[User] = relationship()
    accuracy_check: Mapped[AccuracyCheck | None] = relationship(back_populates="version", uselist=False)

    @property
    def is_final(self) -> bool:
        return self.final_signed_off_on is not None

    def can_view(self, user: User) -> bool:  # the review's rule: see casework.auth.access
        return self.review.can_view(user)

    def can_download(self, user: User) -> bool:
        """Agency leads read the drafts their agency was asked to check; everyone else follows
        the review's rule."""
        if user.role == Role.AGENCY_LEAD:
            check = self.accuracy_check
            return check is not None and any(answer.agency_id == user.agency_id for answer in check.answers)
        return self.can_view(user)


class AccuracyCheck(db.Model):
    """A version shared with the agencies in scope for a factual accuracy check."""

    __tablename__ = "accuracy_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_versions.id"), unique=True)
    due_on: Mapped[date] = mapped_column(Date)
    shared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[DraftVersion] = relationship(back_populates="accuracy_check")
    answers: Mapped[list[AccuracyAnswer]] = relationship(back_populates="check", order_by="AccuracyAnswer.id")


class AccuracyAnswer(db.Model):
    """One agency's answer: comments, or "no factual inaccuracies", and its sign-off."""

    __tablename__ = "accuracy_answers"
    __table_args__ = (UniqueConstraint("check_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("accuracy_checks.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    no_inaccuracies: Mapped[bool] = mapped_column(Boolean, default=False)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    check: Mapped[AccuracyCheck] = relationship(back_populates="answers")
    agency: Mapped[Agency] = relationship()
    signed_off_by: Mapped[User | None] = relationship()
    comments: Mapped[list[AccuracyComment]] = relationship(
        back_populates="answer", order_by="AccuracyComment.id"
    )

    @property
    def signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def review(self) -> Review:
        return self.check.version.review

    # Access rules (see casework.auth.access): the agency asked answers for itself; those who
    # see the review see the answer.

    def can_view(self, user: User) -> bool:
        return self.can_answer(user) or self.review.can_view(user)

    def can_answer(self, user: User) -> bool:
        return user.role == Role.AGENCY_LEAD and user.agency_id == self.agency_id


class CommentResponse(LabelledEnum):
    ACCEPTED = "accepted", "Accepted"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


class AccuracyComment(db.Model):
    __tablename__ = "accuracy_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("accuracy_answers.id"), index=True)
    reference: Mapped[str] = mapped_column(String(100))  # page or section
    comment: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    response: Mapped[CommentResponse | None] = mapped_column(
        enum_type(CommentResponse, "comment_response", 20)
    )
    response_reason: Mapped[str] = mapped_column(Text, default="")
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    answer: Mapped[AccuracyAnswer] = relationship(back_populates="comments")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])

    @property
    def review_id(self) -> int:
        return self.answer.review.id

    def can_view(self, user: User) -> bool:
        return self.answer.can_view(user)


def _draft_of(document: Document) -> DraftVersion | None:
    return db.session.execute(db.select(DraftVersion).where(DraftVersion.document_id == document.id)).scalar()


register_owner(_draft_of)
