"""Actions that answer recommendations, with their progress, evidence and deadline changes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, Text
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.actions.models.recommendations import Recommendation
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


class ActionStatus(LabelledEnum):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETED = "completed", "Completed, awaiting verification"
    VERIFIED = "verified", "Verified"


# What an owner may report; verification is the board manager's.
REPORTABLE = (
    ActionStatus.NOT_STARTED,
    ActionStatus.ON_TRACK,
    ActionStatus.AT_RISK,
    ActionStatus.OFF_TRACK,
    ActionStatus.COMPLETED,
)


class ActionChange(enum.StrEnum):
    REPORT_PROGRESS = "report_progress"
    VERIFY = "verify"
    RETURN = "return"


@dataclass(frozen=True)
class ActionTransition:
    change: ActionChange
    sources: frozenset[ActionStatus]
    destinations: frozenset[ActionStatus]
    refused_from: str  # the action's status does not allow the change
    refused_to: str = "Select the action's status"  # the status asked for is not one the change leads to


# The one table of allowed changes to an action's status; the services check it before any change.
ACTION_TRANSITIONS: dict[ActionChange, ActionTransition] = {
    t.change: t
    for t in [
        # The owner reports any status but verified, also after completing (more work found).
        ActionTransition(
            ActionChange.REPORT_PROGRESS,
            frozenset(REPORTABLE),
            frozenset(REPORTABLE),
            "This action is verified and closed; no further updates can be added",
        ),
        ActionTransition(
            ActionChange.VERIFY,
            frozenset({ActionStatus.COMPLETED}),
            frozenset({ActionStatus.VERIFIED}),
            "Only a completed action, with its evidence, can be verified",
        ),
        ActionTransition(
            ActionChange.RETURN,
            frozenset({ActionStatus.COMPLETED}),
            frozenset({ActionStatus.ON_TRACK, ActionStatus.AT_RISK}),
            "Only a completed action can be returned",
            "Select whether the action is back on track or at risk",
        ),
    ]
}


class Action(UnderReview, Versioned, AgencyPart, db.Model):
    __tablename__ = "actions"
    __table_args__ = (
        # Every column the tracker's counts read (agency, and what decides the colour): they are
        # grouped from this index alone, never from the table's rows.
        Index("ix_actions_agency_status_deadline", "agency_id", "status", "deadline", "completed_on"),
        # The open actions alone (neither completed nor verified), which the daily pass, the red
        # actions of "Needs your attention" and an agency's "What your agency owes" read: the
        # verified ones that years of work leave behind are never visited.
        Index(
            "ix_actions_open_agency_deadline",
            "agency_id",
            "deadline",
            sqlite_where=sql("status NOT IN ('completed', 'verified')"),
            postgresql_where=sql("status NOT IN ('completed', 'verified')"),
        ),
        # The open actions of every agency in order of deadline, with what the red actions of
        # "Needs your attention" are filtered and joined by: their most overdue are read from its
        # start, and how many there are is counted from the index alone.
        Index(
            "ix_actions_open_deadline",
            "deadline",
            "status",
            "review_id",
            "recommendation_id",
            sqlite_where=sql("status NOT IN ('completed', 'verified')"),
            postgresql_where=sql("status NOT IN ('completed', 'verified')"),
        ),
        # The insight page's actions by RAG: the verified actions, most of them after a few years,
        # counted by agency from an index of them alone, and what decides the others' colour
        # from an index of the others alone.
        Index(
            "ix_actions_verified_agency",
            "agency_id",
            sqlite_where=sql("status = 'verified'"),
            postgresql_where=sql("status = 'verified'"),
        ),
        Index(
            "ix_actions_unverified_rag",
            "agency_id",
            "status",
            "deadline",
            "completed_on",
            sqlite_where=sql("status != 'verified'"),
            postgresql_where=sql("status != 'verified'"),
        ),
    )

    # The review (UnderReview) is its recommendation's, kept on the action for queries and access.
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)  # None: partnership
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    success_measure: Mapped[str] = mapped_column(Text)
    original_deadline: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    deadline_changes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[ActionStatus] = mapped_column(enum_type(ActionStatus, "action_status", 20), index=True)
    # The three days a year's figures are counted by are indexed: a year (or the months since a
    # day) reads its own actions and the open ones, not every action of earlier years.
    created_on: Mapped[date] = mapped_column(Date, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The UK day the owner reported it completed (kept once verified; cleared if work resumes):
    # completed in time, it waits for verification without turning red.
    completed_on: Mapped[date | None] = mapped_column(Date, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    recommendation: Mapped[Recommendation] = relationship(back_populates="actions")
    review: Mapped[Review] = relationship()
    agency: Mapped[Agency | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="action", order_by="ProgressUpdate.id", cascade="save-update, merge"
    )
    deadline_requests: Mapped[list[DeadlineChangeRequest]] = relationship(
        back_populates="action", order_by="DeadlineChangeRequest.id"
    )

    @property
    def owner_label(self) -> str:
        return self.agency.name if self.agency else "The partnership"

    # Access rules (see casework.auth.access); who sees it comes with AgencyPart (a partnership
    # action is no agency's). Status (verified, closed) is the workflow's guard.

    def can_update(self, user: User) -> bool:
        """Report progress: the owning agency's leads; partnership actions, the board managers."""
        if self.agency_id is None:
            return self.review.can_manage(user)
        return self.is_for_agency_of(user)

    def can_verify(self, user: User) -> bool:
        """Verify the evidence, or return the action to its owner."""
        return self.review.can_manage(user)

    def can_ask_deadline(self, user: User) -> bool:
        return self.can_update(user) or self.review.can_manage(user)

    def can_decide_deadline(self, user: User) -> bool:
        return self.review.can_manage(user)


class UpdateKind(LabelledEnum):
    PROGRESS = "progress", "Progress update"
    VERIFIED = "verified", "Verified"
    RETURNED = "returned", "Returned"
    DEADLINE = "deadline", "Deadline changed"


class ProgressUpdate(db.Model):
    """One dated entry in an action's history. Rows are only ever added."""

    __tablename__ = "progress_updates"
    # An action's latest entry in one index search (the exports' "last update").
    __table_args__ = (Index("ix_progress_updates_action_at", "action_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    kind: Mapped[UpdateKind] = mapped_column(enum_type(UpdateKind, "update_kind", 20))
    status: Mapped[ActionStatus] = mapped_column(enum_type(ActionStatus, "update_status", 20))
    note: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    action: Mapped[Action] = relationship(back_populates="updates")
    by: Mapped[User] = relationship()
    evidence: Mapped[list[Document]] = relationship(order_by="Document.id")

    def can_download(self, user: User) -> bool:
        """Evidence is read by whoever may see the action."""
        return self.action.can_view(user)


register_owner(named_by("progress_update_id", ProgressUpdate))


class ChangeStatus(LabelledEnum):
    PENDING = "pending", "Waiting for a board manager"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class DeadlineChangeRequest(db.Model):
    __tablename__ = "deadline_change_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    current_deadline: Mapped[date] = mapped_column(Date)
    proposed_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ChangeStatus] = mapped_column(enum_type(ChangeStatus, "change_status", 20))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")

    action: Mapped[Action] = relationship(back_populates="deadline_requests")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
