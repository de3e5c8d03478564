"""Review types as data: their stages, decision criteria and statutory clocks, each rule with its
basis (statute, statutory guidance, national guidance or a local target), its source, and the
dates between which it applies.

A review keeps the rules in force when it started: the day the partnership became aware of the
case (the referral). A rule's dates are ISO dates, or the name of a commencement the installation
configures (``COMMENCEMENTS``: "dardr" is CASEWORK_DARDR_COMMENCEMENT), so a change enacted but
not yet in force needs no code change on the day it commences."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import current_app, has_app_context
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.db_types import enum_type
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.timeutil import uk_today
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
    "completed": "The partners signed off the final report",
    "published": "The report was published, or the decision not to publish it",
    "home_office_submitted": "The report was submitted to the Home Office",
    "home_office_approved": "The Home Office approved the report",
}


class RuleBasis(LabelledEnum):
    """Where a rule comes from: what a board manager answers when asked "says who?"."""

    STATUTE = "statute", "Statute"
    STATUTORY_GUIDANCE = "statutory_guidance", "Statutory guidance"
    NATIONAL_GUIDANCE = "national_guidance", "National guidance"
    LOCAL_TARGET = "local_target", "Local target"

    @property
    def statutory(self) -> bool:
        # Statutory guidance must be followed unless there is good reason not to: it counts.
        return self in (RuleBasis.STATUTE, RuleBasis.STATUTORY_GUIDANCE)


def commencement(name: str) -> date | None:
    """The configured date a named change comes into force (None: not in force)."""
    if not has_app_context():
        return None
    return (current_app.config.get("COMMENCEMENTS") or {}).get(name)


def rule_date(value: str | date | None) -> date | None:
    """A rule's bound: a date, an ISO date, or a commencement's name."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        return commencement(value)


def in_force(rule: dict[str, Any], on: date) -> bool:
    """Whether a rule written as data ({"from": ..., "until": ...}) applies on a day. A rule
    from a commencement not yet configured is not in force; one until it stays in force."""
    starts, ends = rule.get("from"), rule.get("until")
    if starts is not None:
        start = rule_date(starts)
        if start is None or on < start:
            return False
    end = rule_date(ends) if ends is not None else None
    return end is None or on < end


def period_of(rule: dict[str, Any]) -> str:
    """When a rule applies, in words, for the review types page."""
    start, end = rule.get("from"), rule.get("until")
    return describe_period(
        rule_date(start), rule_date(end), pending=start is not None and rule_date(start) is None
    )


def describe_period(start: date | None, end: date | None, *, pending: bool = False) -> str:
    if pending:
        return "Not yet in force"
    words = f"From {start:%-d %B %Y}" if start else "In force"
    return f"{words} until {end:%-d %B %Y}" if end else words


def name_in_force(names: list[dict[str, Any]] | None, fallback: str, day: date) -> str:
    """ReviewType.name_on for a query that selected only the type's columns."""
    entry = next((entry for entry in names or [] if in_force(entry, day)), None)
    return entry["name"] if entry else fallback


@dataclass(frozen=True)
class TypeName:
    """The type's name and definition as the law stated them over a period."""

    name: str
    description: str
    source: str
    period: str


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
    # The name and definition over time: [{"name", "description", "source", "from", "until"}];
    # ``name``/``description`` above are the fallback when no entry is in force.
    names: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # How a decision is recorded: {"mandate": true} (SAR: mandatory or discretionary, chosen on
    # the decision), {"panel_challenge": true} (CSPR: the Panel can challenge the decision).
    decision_rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

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

    # --- the rules in force on a day (a review's: the day it started) ---------------------

    def clocks_on(self, day: date) -> list[ClockDefinition]:
        return [clock for clock in self.clocks if clock.applies_on(day)]

    def criteria_on(self, day: date, kind: str = "criteria") -> list[dict[str, Any]]:
        options = self.decision_criteria if kind == "criteria" else self.regard_circumstances
        return [option for option in options or [] if in_force(option, day)]

    def name_entry_on(self, day: date) -> dict[str, Any] | None:
        return next((entry for entry in self.names or [] if in_force(entry, day)), None)

    def name_on(self, day: date) -> str:
        return name_in_force(self.names, self.name, day)

    def source_on(self, day: date) -> str:
        entry = self.name_entry_on(day)
        return entry.get("source", "") if entry else ""

    def description_on(self, day: date) -> str:
        entry = self.name_entry_on(day)
        return entry.get("description", self.description) if entry else self.description

    @property
    def current_name(self) -> str:
        """The name a new review of this type takes today."""
        return self.name_on(uk_today())

    @property
    def current_description(self) -> str:
        return self.description_on(uk_today())

    def name_history(self) -> list[TypeName]:
        """Every name the type had or will have, with its definition, source and period."""
        if not self.names:
            return [TypeName(self.name, self.description, "", "In force")]
        return [
            TypeName(entry["name"], entry.get("description", ""), entry.get("source", ""), period_of(entry))
            for entry in self.names
        ]

    @property
    def has_mandate(self) -> bool:
        return bool((self.decision_rules or {}).get("mandate"))

    @property
    def panel_can_challenge(self) -> bool:
        return bool((self.decision_rules or {}).get("panel_challenge"))

    def criterion_labels(self, keys: list[str], kind: str = "criteria") -> list[str]:
        # Every version's label: a decision keeps the words of the criteria it was made against.
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
    """ "N working days (or months) from event X, met by event Y": one clock, with where it comes
    from and the dates between which it applies. A changed rule is a new row with the same key
    from the day it applies; the old row gets the day it stopped applying."""

    __tablename__ = "review_type_clocks"
    __table_args__ = (UniqueConstraint("review_type_id", "key", "applies_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_type_id: Mapped[int] = mapped_column(ForeignKey("review_types.id"))
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    start_event: Mapped[str] = mapped_column(String(40))
    end_event: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[ClockUnit] = mapped_column(enum_type(ClockUnit, "clock_unit", 20))
    basis: Mapped[RuleBasis] = mapped_column(
        enum_type(RuleBasis, "rule_basis", 30), default=RuleBasis.LOCAL_TARGET, server_default="local_target"
    )
    source: Mapped[str] = mapped_column(Text, default="", server_default="")  # document and paragraph
    applies_from: Mapped[date | None] = mapped_column(Date)
    applies_until: Mapped[date | None] = mapped_column(Date)  # the day a newer rule replaced it
    # The old yes/no kept for rows written before the basis existed; read ``statutory`` instead.
    statutory_flag: Mapped[bool] = mapped_column("statutory", Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    review_type: Mapped[ReviewType] = relationship(back_populates="clocks")

    @property
    def statutory(self) -> bool:
        return self.basis.statutory

    def applies_on(self, day: date) -> bool:
        return (self.applies_from is None or self.applies_from <= day) and (
            self.applies_until is None or day < self.applies_until
        )

    @property
    def period(self) -> str:
        return describe_period(self.applies_from, self.applies_until)

    @property
    def rule(self) -> str:
        return f"{self.unit.describe(self.amount)} after {CLOCK_EVENTS[self.start_event].lower()}"
