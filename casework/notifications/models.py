"""Rows that record what people are told: mail in the outbox and notifications in the app."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.core.db_types import enum_type
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.model_parts import Versioned
from casework.core.timeutil import UTCDateTime, utcnow
from casework.reviews.models import ReviewType

SET_PASSWORD_KIND = "set_password"  # noqa: S105 (a kind of message, not a password)
SECRET_LINK = re.compile(r"\S+/set-password/\S+")


class MailStatus(LabelledEnum):
    """Where a message is on its way; KEPT when no mail server is configured (the embedded
    default): administrators read it on "Sent mail"."""

    QUEUED = "queued", "Queued"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    KEPT = "kept", "Kept in the outbox"


class OutboxMessage(db.Model):
    """One email to one person. The key (recipient, kind, item, day) is unique, so a second
    scheduler, a re-run job or a retried request can never queue the same message twice."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(enum_type(MailStatus, "mail_status", 20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient: Mapped[User | None] = relationship()

    @property
    def shown_text(self) -> str:
        """The plain text as administrators see it on Sent mail: a set-password link would let
        whoever reads it take over the account, so it is never shown."""
        if self.kind != SET_PASSWORD_KIND:
            return self.text_body
        return SECRET_LINK.sub("[the link is hidden: it lets the person set their password]", self.text_body)


class Notification(db.Model):
    """One line in a person's "Your notifications": what happened, and a link to the thing."""

    __tablename__ = "notifications"
    __table_args__ = (
        # Every page's header counts the person's unread ones: read in this index alone, the
        # count never visits the rows, nor the entries of notifications already read.
        Index(
            "ix_notifications_unread_user",
            "user_id",
            sqlite_where=sql("read_at IS NULL"),
            postgresql_where=sql("read_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class ReminderKind(LabelledEnum):
    """What the daily pass reminds people of, each with its own rule."""

    REQUEST = "request", "Contribution requests"
    ACCURACY = "accuracy", "Factual accuracy answers"
    CLOCK = "clock", "Statutory deadlines"
    ACTION = "action", "Actions"
    APPOINTMENT = "appointment", "Reviewer appointments not accepted"
    MEASURE = "measure", "Outcome re-measures"


class ReminderRule(Versioned, db.Model):
    """When to remind and when to escalate, in working days. A row without a review type is the
    default; a row for a type overrides it for that type's reviews."""

    __tablename__ = "reminder_rules"
    __table_args__ = (
        UniqueConstraint("kind", "review_type_id", name="one_rule_per_kind_and_type"),
        # NULLs never clash in a unique constraint: this keeps one default row per kind.
        Index(
            "ix_reminder_rules_one_default_per_kind",
            "kind",
            unique=True,
            sqlite_where=sql("review_type_id IS NULL"),
            postgresql_where=sql("review_type_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReminderKind] = mapped_column(enum_type(ReminderKind, "reminder_kind", 20))
    review_type_id: Mapped[int | None] = mapped_column(ForeignKey("review_types.id"), index=True)
    # Remind this many working days before the due date (and every day once overdue).
    due_soon_days: Mapped[int] = mapped_column(Integer)
    # Tell the board managers once it is this many working days overdue; None: never.
    escalate_after_days: Mapped[int | None] = mapped_column(Integer)

    review_type: Mapped[ReviewType | None] = relationship()


class Reminder(db.Model):
    """A reminder or escalation about one item, sent to one person on one day: the item's history
    of chasing, and the guard that nobody is reminded of the same thing twice in a day."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[ReminderKind] = mapped_column(enum_type(ReminderKind, "reminded_kind", 20))
    # What it is about: "request:12", "action:40", "clock:7:publication"...
    item: Mapped[str] = mapped_column(String(100), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    # Chased by a person (a board manager's "send a reminder now") rather than the daily pass.
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
