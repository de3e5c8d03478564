"""Contribution requests to agencies, their history, and the chronology entries they carry."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Boolean, ColumnElement, Date, ForeignKey, String, Text, Time, false
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.agencies.models import Agency, AgencyPart
from casework.auth.models import User
from casework.core.db_types import enum_type
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.model_parts import Versioned
from casework.core.timeutil import UTCDateTime, utcnow
from casework.documents.models import Document
from casework.documents.owners import named_by, register_owner
from casework.reviews.models import Review, UnderReview


class ContributionKind(LabelledEnum):
    CHRONOLOGY = "chronology", "Chronology"
    AGENCY_REPORT = "agency_report", "Agency report"
    DOCUMENTS = "documents", "Documents"
    LEARNING_EVENT = "learning_event", "Attendance at a practitioner learning event"


class RequestStatus(LabelledEnum):
    """A request's place in its workflow; the allowed changes are in REQUEST_TRANSITIONS."""

    REQUESTED = "requested", "Requested"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned"
    ACCEPTED = "accepted", "Accepted"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The agency still has something to do, or the partnership still has to look at it.
OPEN_STATUSES = (RequestStatus.REQUESTED, RequestStatus.RETURNED, RequestStatus.SUBMITTED)
AWAITING_AGENCY = (RequestStatus.REQUESTED, RequestStatus.RETURNED)


class RequestChange(enum.StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class RequestTransition:
    change: RequestChange
    sources: frozenset[RequestStatus]
    destination: RequestStatus
    refusal: str  # {status}: the request's status, in lower case


# The one table of allowed changes to a request's status; the services check it before any change.
REQUEST_TRANSITIONS: dict[RequestChange, RequestTransition] = {
    t.change: t
    for t in [
        RequestTransition(
            RequestChange.SUBMIT,
            frozenset(AWAITING_AGENCY),
            RequestStatus.SUBMITTED,
            "This request is {status}; it cannot be changed now",
        ),
        RequestTransition(
            RequestChange.ACCEPT,
            frozenset({RequestStatus.SUBMITTED}),
            RequestStatus.ACCEPTED,
            "This request is {status}, not submitted",
        ),
        RequestTransition(
            RequestChange.RETURN,
            frozenset({RequestStatus.SUBMITTED}),
            RequestStatus.RETURNED,
            "This request is {status}, not submitted",
        ),
        RequestTransition(
            RequestChange.WITHDRAW,
            frozenset(OPEN_STATUSES),
            RequestStatus.WITHDRAWN,
            "This request is {status}; it cannot be withdrawn",
        ),
    ]
}


class ContributionRequest(UnderReview, Versioned, AgencyPart, db.Model):
    __tablename__ = "contribution_requests"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[ContributionKind] = mapped_column(enum_type(ContributionKind, "contribution_kind", 30))
    instructions: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[RequestStatus] = mapped_column(enum_type(RequestStatus, "request_status", 20), index=True)
    response_note: Mapped[str] = mapped_column(Text, default="")  # the agency's covering note
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review: Mapped[Review] = relationship(back_populates="contribution_requests")
    agency: Mapped[Agency] = relationship()
    requested_by: Mapped[User] = relationship()
    history: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan"
    )
    # Same order as the merged chronology on every database: by date, untimed entries last.
    entries: Mapped[list[ChronologyEntry]] = relationship(
        back_populates="request",
        order_by=lambda: (
            ChronologyEntry.occurred_on,
            ChronologyEntry.occurred_at.is_(None),
            ChronologyEntry.occurred_at,
            ChronologyEntry.id,
        ),
    )
    documents: Mapped[list[Document]] = relationship(order_by="Document.id")

    @hybrid_property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls) -> ColumnElement[bool]:
        return cls.status.in_(OPEN_STATUSES)

    def is_overdue(self, today: date) -> bool:
        return self.status in AWAITING_AGENCY and self.due_on < today

    @property
    def awaits_answer(self) -> bool:
        """The agency has something to do: asked or returned, on a review that has not ended."""
        return self.status in AWAITING_AGENCY and not self.review.is_ended

    # Access rules (see casework.auth.access); who sees it comes with AgencyPart. Whether the
    # request's status allows a step is the workflow's guard (services), not an access rule.

    def can_answer(self, user: User) -> bool:
        """Add entries and documents, submit: the agency's own leads."""
        return self.is_for_agency_of(user)

    def can_decide(self, user: User) -> bool:
        """Accept or return a submission: the board manager or the review's accepted reviewer."""
        return self.review.can_manage(user) or self.review.is_led_by(user)

    def can_withdraw(self, user: User) -> bool:
        return self.review.can_manage(user)

    def can_download(self, user: User) -> bool:
        return self.can_view(user)


class RequestEvent(db.Model):
    """Every step of a request, kept: requested, submitted, returned with comments, accepted..."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("contribution_requests.id"), index=True)
    status: Mapped[RequestStatus] = mapped_column(enum_type(RequestStatus, "request_event_status", 20))
    comment: Mapped[str] = mapped_column(Text, default="")
    # A board manager chased the agency: the status did not change, the history says who asked.
    reminder: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    request: Mapped[ContributionRequest] = relationship(back_populates="history")
    by: Mapped[User] = relationship()

    @property
    def label(self) -> str:
        return "Reminder sent" if self.reminder else self.status.label


class ChronologyEntry(UnderReview, db.Model):
    __tablename__ = "chronology_entries"

    request_id: Mapped[int] = mapped_column(ForeignKey("contribution_requests.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    occurred_at: Mapped[time | None] = mapped_column(Time)
    practitioner_role: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(Text)
    significance: Mapped[str] = mapped_column(Text, default="")
    key_episode: Mapped[bool] = mapped_column(Boolean, default=False)
    key_episode_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    request: Mapped[ContributionRequest] = relationship(back_populates="entries")
    agency: Mapped[Agency] = relationship()

    def can_view(self, user: User) -> bool:
        return self.request.can_view(user)

    def can_mark_key_episode(self, user: User) -> bool:
        """Key practice episodes are the reviewers' reading of the chronology: the review's own
        rule (board managers and its accepted reviewers), never the agency's."""
        return self.request.review.can_view(user)


register_owner(named_by("contribution_request_id", ContributionRequest))
