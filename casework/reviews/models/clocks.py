"""Pauses, extensions, and the computed deadlines kept for lists and dashboards."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.extensions import db
from casework.core.model_parts import Recorded
from casework.reviews.models.review import FollowsReview, Review, UnderReview

if TYPE_CHECKING:
    from casework.reviews.models.records import ParallelProcess


class ReviewPause(UnderReview, Recorded, FollowsReview, db.Model):
    """A pause of the review's clocks, with who agreed it. It follows the review's rules (it is
    reached through the review's pages)."""

    __tablename__ = "review_pauses"
    __table_args__ = (CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),)

    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    agreed_by: Mapped[str] = mapped_column(String(300))
    # The parallel process that caused the pause, when one is on the review's register.
    process_id: Mapped[int | None] = mapped_column(ForeignKey("parallel_processes.id"), index=True)

    review: Mapped[Review] = relationship(back_populates="pauses")
    process: Mapped[ParallelProcess | None] = relationship()


class DeadlineExtension(UnderReview, Recorded, db.Model):
    """A new due date for one clock; the original stays visible. The latest one counts."""

    __tablename__ = "deadline_extensions"

    clock_key: Mapped[str] = mapped_column(String(40))
    previous_due_on: Mapped[date] = mapped_column(Date)
    new_due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    agreed_by: Mapped[str] = mapped_column(String(300))
    agreed_on: Mapped[date] = mapped_column(Date)

    review: Mapped[Review] = relationship(back_populates="extensions")


class ReviewDeadline(UnderReview, db.Model):
    """Each clock of a review as last computed, so lists and the dashboard can filter and sort
    in SQL. Rewritten by clock.refresh_deadlines() whenever a date, pause or extension changes."""

    __tablename__ = "review_deadlines"
    __table_args__ = (
        UniqueConstraint("review_id", "clock_key"),
        # "Is any clock of this review overdue (or due soon)?", asked once per review by the lists:
        # without it SQLite walks every running clock of every review for each one.
        Index("ix_review_deadlines_review_running_due", "review_id", "running", "due_on"),
    )

    clock_key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    statutory: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date | None] = mapped_column(Date)
    original_due_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    met_on: Mapped[date | None] = mapped_column(Date)
    # Running: started, not met, review neither ended nor paused. Only running clocks go overdue.
    running: Mapped[bool] = mapped_column(Boolean, index=True)

    review: Mapped[Review] = relationship(back_populates="deadlines")
