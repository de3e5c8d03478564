"""Review types as data: their stages, decision criteria and statutory clocks."""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.db_types import enum_type
from casework.core.extensions import db
from casework.reviews.stages import ReviewStage

if TYPE_CHECKING:
    from casework.reviews.models.notices import NoticeRequirement

# The events a clock starts or ends on, by the key a clock definition names. How each is read
# from a review is the clock module's (reviews/clock.py EVENTS); its label lives here so a
# definition can describe its rule without the models importing the clocks.
CLOCK_EVENTS: dict[str, str] = {
    "incident": "The incident",
    "became_aware": "The partnership became aware",
    "la_became_aware": "The local authority became aware",
    "panel_notified": "The Panel was notified",
    "rapid_review_meeting": "The rapid review meeting",
    "rapid_review_sent": "The rapid review was sent to the Panel",
    "panel_responded": "The Panel responded",
    "decision": "The decision",
    "decision_to_review": "The decision to hold a review",
    "commissioned": "The review was commissioned",
    "published": "The report was published, or the decision not to publish it",
    "home_office_submitted": "The report was submitted to the Home Office",
    "home_office_approved": "The Home Office approved the report",
}


class ClockUnit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    CALENDAR_MONTHS = "calendar_months"

    def describe(self, amount: int) -> str:
        words = {
            ClockUnit.WORKING_DAYS: ("working day", "working days"),
            ClockUnit.CALENDAR_DAYS: ("calendar day", "calendar days"),
            ClockUnit.CALENDAR_MONTHS: ("month", "months"),
        }[self]
        return f"{amount} {words[0] if amount == 1 else words[1]}"


class ReviewType(db.Model):
    __tablename__ = "review_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)  # the reference prefix: CSPR
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Ordered stage keys (ReviewStage values); endings reached by a decision are listed too.
    stage_keys: Mapped[list[str]] = mapped_column("stages", JSON)
    # [{"key": ..., "label": ...}]: the criteria a decision to review is made against...
    decision_criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # ...and the circumstances the partners must also have regard to.
    regard_circumstances: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # What must happen before publication: {"steps": ["sent_to_panel" | "home_office_approval"],
    # "notice_working_days": N (after the report went to the Panel and Secretary of State)}.
    publication_rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Default time an agency is given for a contribution, in working days.
    contribution_days: Mapped[int] = mapped_column(Integer, default=20, server_default="20")

    clocks: Mapped[list[ClockDefinition]] = relationship(
        back_populates="review_type", order_by="ClockDefinition.position", cascade="all, delete-orphan"
    )
    notice_requirements: Mapped[list[NoticeRequirement]] = relationship(
        back_populates="review_type", order_by="(NoticeRequirement.position, NoticeRequirement.id)"
    )

    @property
    def stages(self) -> list[ReviewStage]:
        return [ReviewStage(key) for key in self.stage_keys]

    def has_stage(self, stage: ReviewStage | str) -> bool:
        return str(stage) in self.stage_keys

    def uses_event(self, event: str) -> bool:
        return any(event in (clock.start_event, clock.end_event) for clock in self.clocks)

    def criterion_labels(self, keys: list[str], kind: str = "criteria") -> list[str]:
        options = self.decision_criteria if kind == "criteria" else self.regard_circumstances
        labels = {option["key"]: option["label"] for option in options}
        return [labels.get(key, key) for key in keys]

    @property
    def subject_noun(self) -> str:
        """What the person a review is about is called: "Child" on a CSPR, "Adult" on a SAR, the
        person's role on a DHR; never "Child" for an adult."""
        return SUBJECT_NOUNS.get(self.code, ("Person", "People"))[0]

    @property
    def subject_plural(self) -> str:
        return SUBJECT_NOUNS.get(self.code, ("Person", "People"))[1]

    def for_subject(self, label: str) -> str:
        """An anonymisation label as the review's type says it: "Child 1: surname" reads "Adult 1:
        surname" on a SAR. Only the words shown change; checks and their fingerprints keep theirs."""
        return label_for_subject(self.code, label)

    def __repr__(self) -> str:
        return f"<ReviewType {self.code}>"


SUBJECT_NOUNS = {"CSPR": ("Child", "Children"), "SAR": ("Adult", "Adults"), "DHR": ("Victim", "Victims")}
_CHILD_NUMBER = re.compile(r"\bChild (\d+)")


def label_for_subject(type_code: str, label: str) -> str:
    """ReviewType.for_subject for a list that has only the type's code."""
    noun = SUBJECT_NOUNS.get(type_code, ("Person", "People"))[0]
    return _CHILD_NUMBER.sub(lambda match: f"{noun} {match[1]}", label)


class ClockDefinition(db.Model):
    """ "N working days (or months) from event X, met by event Y": one statutory or target clock."""

    __tablename__ = "review_type_clocks"
    __table_args__ = (UniqueConstraint("review_type_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_type_id: Mapped[int] = mapped_column(ForeignKey("review_types.id"))
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    start_event: Mapped[str] = mapped_column(String(40))
    end_event: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[ClockUnit] = mapped_column(enum_type(ClockUnit, "clock_unit", 20))
    statutory: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    review_type: Mapped[ReviewType] = relationship(back_populates="clocks")

    @property
    def rule(self) -> str:
        return f"{self.unit.describe(self.amount)} after {CLOCK_EVENTS[self.start_event].lower()}"
