"""What is recorded at each step: referral, confidential identifiers, rapid review, decision,
terms of reference. Identifying details live in their own tables, apart from everything else."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.core.db_types import enum_type
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.model_parts import Recorded
from casework.core.timeutil import UTCDateTime, utcnow
from casework.reviews.models.review import Review, UnderReview

MAX_CHILDREN = 4  # one notification covers up to four children (siblings)
MAX_CARERS = 4


class Referral(db.Model):
    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint("became_aware_on >= incident_on", name="aware_after_incident"),
        CheckConstraint(
            "panel_notified_on IS NULL OR panel_notified_on >= became_aware_on", name="notified_after_aware"
        ),
    )

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    notifying_organisation: Mapped[str] = mapped_column(String(200), default="")
    notifying_person: Mapped[str] = mapped_column(String(200), default="")
    incident_on: Mapped[date] = mapped_column(Date)
    incident_description: Mapped[str] = mapped_column(Text)
    became_aware_on: Mapped[date] = mapped_column(Date)
    # The notification duty is the local authority's, counted from when it became aware; older
    # records have only the partnership's date, which the clock then falls back to.
    la_became_aware_on: Mapped[date | None] = mapped_column(Date)
    looked_after_child_died: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    panel_notified_on: Mapped[date | None] = mapped_column(Date)

    review: Mapped[Review] = relationship(back_populates="referral")


class PersonKind(enum.StrEnum):
    CHILD = "child"
    PARENT_CARER = "parent_carer"


class ConfidentialRecord(db.Model):
    """Names, dates of birth and address: shown only to those who need them, every view audited."""

    __tablename__ = "confidential_records"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    address: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    review: Mapped[Review] = relationship(back_populates="confidential")
    people: Mapped[list[IdentifiedPerson]] = relationship(
        back_populates="record",
        cascade="all, delete-orphan",
        order_by="(IdentifiedPerson.kind, IdentifiedPerson.position)",
    )

    def people_of(self, kind: PersonKind) -> list[IdentifiedPerson]:
        return [person for person in self.people if person.kind == kind]


class IdentifiedPerson(db.Model):
    __tablename__ = "identified_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("confidential_records.review_id"), index=True)
    kind: Mapped[PersonKind] = mapped_column(enum_type(PersonKind, "person_kind", 20))
    position: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str] = mapped_column(String(200))
    other_names: Mapped[str] = mapped_column(String(200), default="")
    relationship_to_child: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)

    record: Mapped[ConfidentialRecord] = relationship(back_populates="people")


class RapidReviewRecommendation(LabelledEnum):
    LOCAL_REVIEW = "local_review", "The case meets the criteria for a local review"
    NO_LOCAL_REVIEW = "no_local_review", "The case does not meet the criteria for a local review"
    NATIONAL_REVIEW = "national_review", "The case may be suitable for a national review"


class PanelResponse(LabelledEnum):
    AGREES_LOCAL = "agrees_local", "Agrees with the local decision"
    NATIONAL_REVIEW = "national_review", "The Panel will carry out a national review"


class RapidReview(db.Model):
    __tablename__ = "rapid_reviews"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    meeting_on: Mapped[date | None] = mapped_column(Date)
    facts_established: Mapped[str] = mapped_column(Text, default="")
    immediate_safety_actions: Mapped[str] = mapped_column(Text, default="")
    learning_identified: Mapped[str] = mapped_column(Text, default="")
    # The Panel's current template also asks for these three.
    key_practice_episodes: Mapped[str] = mapped_column(Text, default="")
    family_context: Mapped[str] = mapped_column(Text, default="")
    lived_experience: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[RapidReviewRecommendation | None] = mapped_column(
        enum_type(RapidReviewRecommendation, "rapid_review_recommendation", 30)
    )
    sent_to_panel_on: Mapped[date | None] = mapped_column(Date)
    panel_response: Mapped[PanelResponse | None] = mapped_column(
        enum_type(PanelResponse, "panel_response", 30)
    )
    panel_responded_on: Mapped[date | None] = mapped_column(Date)

    review: Mapped[Review] = relationship(back_populates="rapid_review")


class DecisionOutcome(LabelledEnum):
    LOCAL_REVIEW = "local_review", "Hold a local review"
    NO_REVIEW = "no_review", "No review"
    NATIONAL_REVIEW = "national_review", "National review by the Panel"


class ReviewMandate(LabelledEnum):
    """Why a Safeguarding Adults Review is held: the Board must (s44(1)-(3)) or chose to (s44(4))."""

    MANDATORY = "mandatory", "Mandatory: the conditions of section 44(1) to (3) of the Care Act 2014 are met"
    DISCRETIONARY = "discretionary", "Discretionary: section 44(4) of the Care Act 2014"


class Decision(Recorded, db.Model):
    """The review's current decision. An earlier one the partners reconsidered is kept as an
    EarlierDecision, with the challenge that led them to reconsider."""

    __tablename__ = "decisions"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(enum_type(DecisionOutcome, "decision_outcome", 30))
    mandate: Mapped[ReviewMandate | None] = mapped_column(enum_type(ReviewMandate, "review_mandate", 20))
    criteria_met: Mapped[list[str]] = mapped_column(JSON, default=list)
    regard_had_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    rationale: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(300))  # e.g. "the three safeguarding partners"

    review: Mapped[Review] = relationship(back_populates="decision")


class DecisionChallenge(UnderReview, Recorded, db.Model):
    """The Panel's disagreement with the partners' decision: its date and reasons. The partners
    then reconsider; ``answered_on`` is the date of their reconsidered decision."""

    __tablename__ = "decision_challenges"

    challenged_on: Mapped[date] = mapped_column(Date)
    reasons: Mapped[str] = mapped_column(Text)
    answered_on: Mapped[date | None] = mapped_column(Date)

    @property
    def open(self) -> bool:
        return self.answered_on is None


class EarlierDecision(UnderReview, db.Model):
    """A decision the partners reconsidered, kept as it was, with the challenge that reopened it."""

    __tablename__ = "earlier_decisions"

    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("decision_challenges.id"))
    outcome: Mapped[DecisionOutcome] = mapped_column(enum_type(DecisionOutcome, "decision_outcome", 30))
    mandate: Mapped[ReviewMandate | None] = mapped_column(enum_type(ReviewMandate, "review_mandate", 20))
    criteria_met: Mapped[list[str]] = mapped_column(JSON, default=list)
    regard_had_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    rationale: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(300))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    superseded_on: Mapped[date] = mapped_column(Date)  # the date of the decision that replaced it

    recorded_by: Mapped[User] = relationship()
    challenge: Mapped[DecisionChallenge | None] = relationship()


class TermsOfReference(db.Model):
    __tablename__ = "terms_of_reference"
    __table_args__ = (CheckConstraint("scope_to >= scope_from", name="scope_in_order"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    scope_from: Mapped[date] = mapped_column(Date)
    scope_to: Mapped[date] = mapped_column(Date)
    key_lines_of_enquiry: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)
    family_involvement: Mapped[str] = mapped_column(Text)
    target_completion_on: Mapped[date] = mapped_column(Date)
    commissioned_on: Mapped[date] = mapped_column(Date)
    commissioned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    review: Mapped[Review] = relationship(back_populates="terms")
    commissioned_by: Mapped[User] = relationship()
