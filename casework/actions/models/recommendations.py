"""Themes, findings, recommendations and the outcomes the partners measure them by."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    literal,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.db_types import link_table
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.model_parts import Recorded, Versioned
from casework.core.timeutil import UTCDateTime, utcnow
from casework.documents.models import Document
from casework.reviews.models import Review, ReviewType, UnderReview

if TYPE_CHECKING:
    from casework.actions.models.actions import Action

finding_themes = link_table("finding_themes", ("finding_id", "findings"), ("theme_id", "themes"))
recommendation_themes = link_table(
    "recommendation_themes", ("recommendation_id", "recommendations"), ("theme_id", "themes")
)
theme_review_types = link_table(
    "theme_review_types", ("theme_id", "themes"), ("review_type_id", "review_types")
)
recommendation_agencies = link_table(
    "recommendation_agencies", ("recommendation_id", "recommendations"), ("agency_id", "agencies")
)


class Theme(db.Model):
    """A recurring theme (information sharing, neglect...), so recurrence across reviews shows.
    Themes belong to review types: each type's national analyses use their own (the Panel's
    themes for children, the Care Act's abuse types for adults...); one may serve several."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    review_types: Mapped[list[ReviewType]] = relationship(
        secondary=theme_review_types, order_by=ReviewType.id
    )

    @classmethod
    def for_type(cls, review_type_id: int) -> ColumnElement[bool]:
        return cls.review_types.any(ReviewType.id == review_type_id)


class Finding(UnderReview, db.Model):
    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("review_id", "number"),)

    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review: Mapped[Review] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=finding_themes, order_by=Theme.name)


class Recommendation(UnderReview, Versioned, db.Model):
    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("review_id", "number"),)

    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    to_partnership: Mapped[bool] = mapped_column(Boolean, default=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Confirmed while closely resembling an earlier review's recommendation: which one, and the
    # board's answer to "what is different this time?", so a repeat is a decision, not an accident.
    resembles_id: Mapped[int | None] = mapped_column(ForeignKey("recommendations.id"), index=True)
    difference_from_earlier: Mapped[str | None] = mapped_column(Text)

    review: Mapped[Review] = relationship()
    resembles: Mapped[Recommendation | None] = relationship(remote_side="Recommendation.id")
    agencies: Mapped[list[Agency]] = relationship(secondary=recommendation_agencies, order_by=Agency.name)
    themes: Mapped[list[Theme]] = relationship(secondary=recommendation_themes, order_by=Theme.name)
    actions: Mapped[list[Action]] = relationship(back_populates="recommendation", order_by="Action.id")
    outcome: Mapped[RecommendationOutcome | None] = relationship(back_populates="recommendation")

    @property
    def addressed_to(self) -> str:
        names = (["The partnership"] if self.to_partnership else []) + [a.name for a in self.agencies]
        return ", ".join(names)

    def outcome_status(self, today: date) -> OutcomeStatus:
        return self.outcome.status_on(today) if self.outcome else OutcomeStatus.NO_MEASURE

    # Access rules (see casework.auth.access): whoever may see the review's plan reads its
    # recommendations' outcomes; whoever manages the plan measures them.

    def can_view(self, user: User) -> bool:
        return self.review.can_view(user)

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        return cls.review.has(Review.visible_to(user))

    def can_manage_outcome(self, user: User) -> bool:
        return self.review.can_plan_actions(user)


class OutcomeStatus(LabelledEnum):
    """Where a recommendation's outcome stands. Only a re-measure that meets the target, or the
    partners' decision not to pursue it, ends it: verified actions alone never do."""

    NO_MEASURE = "no_measure", "No measure set"
    AWAITING = "awaiting", "Awaiting re-measure"
    DUE = "due", "Re-measure due"
    OVERDUE = "overdue", "Re-measure overdue"
    NOT_YET = "not_achieved_yet", "Not achieved yet"
    ACHIEVED = "achieved", "Achieved"
    NOT_PURSUED = "not_pursued", "Not pursued"

    @property
    def colour(self) -> str:
        return OUTCOME_COLOURS[self]

    @property
    def is_closed(self) -> bool:
        return self in (OutcomeStatus.ACHIEVED, OutcomeStatus.NOT_PURSUED)


OUTCOME_COLOURS = {
    OutcomeStatus.NO_MEASURE: "grey",
    OutcomeStatus.AWAITING: "blue",
    OutcomeStatus.DUE: "orange",
    OutcomeStatus.OVERDUE: "red",
    OutcomeStatus.NOT_YET: "yellow",
    OutcomeStatus.ACHIEVED: "green",
    OutcomeStatus.NOT_PURSUED: "purple",
}


class RecommendationOutcome(Versioned, db.Model):
    """The outcome a recommendation is meant to bring about and how the partners will know: a
    measure with its baseline, target and the date to measure again, owned by a board manager.
    It ends only when a re-measure meets the target or the partners decide not to pursue it."""

    __tablename__ = "recommendation_outcomes"
    __table_args__ = (
        # A row is either a measure or a decision not to pursue one (which may come first).
        CheckConstraint(
            "(measure IS NOT NULL AND remeasure_on IS NOT NULL AND owner_id IS NOT NULL) "
            "OR not_pursued_at IS NOT NULL",
            name="measure_or_decision",
        ),
        CheckConstraint(
            "achieved_on IS NULL OR last_measured_on IS NOT NULL", name="achieved_when_remeasured"
        ),
        CheckConstraint("achieved_on IS NULL OR not_pursued_at IS NULL", name="achieved_or_not_pursued"),
        CheckConstraint(
            "not_pursued_at IS NULL OR (not_pursued_reason IS NOT NULL AND not_pursued_reason <> '' "
            "AND not_pursued_by_id IS NOT NULL)",
            name="not_pursued_with_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), unique=True)
    intended_outcome: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(Text)  # what is measured
    baseline: Mapped[str | None] = mapped_column(String(500))  # a figure and its unit, or words
    baseline_on: Mapped[date | None] = mapped_column(Date)
    target: Mapped[str | None] = mapped_column(String(500))
    remeasure_on: Mapped[date | None] = mapped_column(Date, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Kept from the re-measures so the status is one row's columns, in Python and in SQL.
    last_measured_on: Mapped[date | None] = mapped_column(Date)
    achieved_on: Mapped[date | None] = mapped_column(Date)
    not_pursued_reason: Mapped[str | None] = mapped_column(Text)
    not_pursued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    not_pursued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recommendation: Mapped[Recommendation] = relationship(back_populates="outcome")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    set_by: Mapped[User | None] = relationship(foreign_keys=[set_by_id])
    not_pursued_by: Mapped[User | None] = relationship(foreign_keys=[not_pursued_by_id])
    remeasures: Mapped[list[OutcomeRemeasure]] = relationship(
        back_populates="outcome", order_by="OutcomeRemeasure.id"
    )

    @property
    def has_measure(self) -> bool:
        return self.measure is not None

    def status_on(self, today: date) -> OutcomeStatus:
        """The status on ``today``; :meth:`status_sql` is the same rule in SQL."""
        if self.not_pursued_at is not None:
            return OutcomeStatus.NOT_PURSUED
        if self.achieved_on is not None:
            return OutcomeStatus.ACHIEVED
        if self.measure is None or self.remeasure_on is None:
            return OutcomeStatus.NO_MEASURE
        if self.remeasure_on < today:
            return OutcomeStatus.OVERDUE
        if self.remeasure_on == today:
            return OutcomeStatus.DUE
        return OutcomeStatus.AWAITING if self.last_measured_on is None else OutcomeStatus.NOT_YET

    @classmethod
    def status_sql(cls, today: date) -> ColumnElement[str]:
        """The status's value for a recommendation outer-joined to its outcome (no row: no measure)."""
        day = literal(today, Date)
        return case(
            (cls.not_pursued_at.is_not(None), OutcomeStatus.NOT_PURSUED.value),
            (cls.achieved_on.is_not(None), OutcomeStatus.ACHIEVED.value),
            (cls.measure.is_(None) | cls.remeasure_on.is_(None), OutcomeStatus.NO_MEASURE.value),
            (cls.remeasure_on < day, OutcomeStatus.OVERDUE.value),
            (cls.remeasure_on == day, OutcomeStatus.DUE.value),
            (cls.last_measured_on.is_(None), OutcomeStatus.AWAITING.value),
            else_=OutcomeStatus.NOT_YET.value,
        )

    @classmethod
    def is_open(cls) -> ColumnElement[bool]:
        """A measure still waiting for its result: set, neither achieved nor given up."""
        return cls.measure.is_not(None) & cls.achieved_on.is_(None) & cls.not_pursued_at.is_(None)


class OutcomeRemeasure(Recorded, db.Model):
    """One re-measure of an outcome: the figure, when, the evidence and whether the partners judge
    it meets the target. Rows are only ever added."""

    __tablename__ = "outcome_remeasures"
    __table_args__ = (
        CheckConstraint("figure <> ''", name="figure_given"),
        CheckConstraint("evidence_note <> '' OR evidence_id IS NOT NULL", name="evidence_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("recommendation_outcomes.id"), index=True)
    measured_on: Mapped[date] = mapped_column(Date)
    figure: Mapped[str] = mapped_column(String(200))
    target_met: Mapped[bool] = mapped_column(Boolean)
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    # Filed under the review, so whoever may read the plan may download it.
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    next_remeasure_on: Mapped[date | None] = mapped_column(Date)

    outcome: Mapped[RecommendationOutcome] = relationship(back_populates="remeasures")
    evidence: Mapped[Document | None] = relationship()
