"""The review itself, its reference numbers, involved agencies and linked reviews."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    true,
)
from sqlalchemy.orm import Mapped, Relationship, mapped_column, relationship

from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.db_types import enum_type, link_table
from casework.core.extensions import db
from casework.core.model_parts import Versioned
from casework.core.timeutil import UTCDateTime, utcnow
from casework.documents.owners import named_by, register_owner
from casework.reviews.models.types import ClockDefinition, ReviewType
from casework.reviews.stages import DECISION_ENDINGS, ReviewStage

if TYPE_CHECKING:
    from casework.agencies.contributions import ContributionRequest
    from casework.reviews.models.clocks import DeadlineExtension, ReviewDeadline, ReviewPause
    from casework.reviews.models.notices import HomeOfficeStep, ReviewNotice
    from casework.reviews.models.publication import Publication
    from casework.reviews.models.reviewers import ReviewerAssignment
    from casework.reviews.models.steps import (
        ConfidentialRecord,
        Decision,
        DecisionChallenge,
        EarlierDecision,
        RapidReview,
        Referral,
        TermsOfReference,
    )

review_links = link_table("review_links", ("review_id", "reviews"), ("linked_review_id", "reviews"))


class ReviewSequence(db.Model):
    """The last reference number issued per type and year (CSPR-2026-004)."""

    __tablename__ = "review_sequences"

    review_type_id: Mapped[int] = mapped_column(ForeignKey("review_types.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


def _rows_under(order_by: str, *, owned: bool = False) -> Relationship[Any]:
    """A review's rows of one kind, in order, each naming the review back. Owned rows live and
    die with the review: one taken off the list is deleted."""
    cascade = "all, delete-orphan" if owned else "save-update, merge"
    return relationship(back_populates="review", cascade=cascade, order_by=order_by)


class Review(Versioned, db.Model):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("review_type_id", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_type_id: Mapped[int] = mapped_column(ForeignKey("review_types.id"), index=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    pseudonym: Mapped[str] = mapped_column(String(100))
    stage: Mapped[ReviewStage] = mapped_column(enum_type(ReviewStage, "review_stage", 30), index=True)
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_on: Mapped[date | None] = mapped_column(Date)
    # The day the partners signed off the final report: the review is completed (a SAR's clock).
    completed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    review_type: Mapped[ReviewType] = relationship()
    created_by: Mapped[User] = relationship()
    referral: Mapped[Referral] = relationship(back_populates="review", uselist=False)
    confidential: Mapped[ConfidentialRecord | None] = relationship(back_populates="review", uselist=False)
    rapid_review: Mapped[RapidReview | None] = relationship(back_populates="review", uselist=False)
    decision: Mapped[Decision | None] = relationship(back_populates="review", uselist=False)
    terms: Mapped[TermsOfReference | None] = relationship(back_populates="review", uselist=False)
    decision_challenges: Mapped[list[DecisionChallenge]] = relationship(order_by="DecisionChallenge.id")
    earlier_decisions: Mapped[list[EarlierDecision]] = relationship(order_by="EarlierDecision.id")
    publication: Mapped[Publication | None] = relationship(back_populates="review", uselist=False)
    involvements: Mapped[list[Involvement]] = _rows_under("Involvement.id", owned=True)
    pauses: Mapped[list[ReviewPause]] = _rows_under("ReviewPause.started_on")
    extensions: Mapped[list[DeadlineExtension]] = _rows_under("DeadlineExtension.id")
    deadlines: Mapped[list[ReviewDeadline]] = _rows_under("ReviewDeadline.position", owned=True)
    assignments: Mapped[list[ReviewerAssignment]] = _rows_under("ReviewerAssignment.id")
    contribution_requests: Mapped[list[ContributionRequest]] = _rows_under("ContributionRequest.id")
    notices: Mapped[list[ReviewNotice]] = _rows_under("ReviewNotice.id", owned=True)
    home_office_steps: Mapped[list[HomeOfficeStep]] = relationship(
        order_by="(HomeOfficeStep.taken_on, HomeOfficeStep.id)"
    )
    linked_reviews: Mapped[list[Review]] = relationship(
        secondary=review_links,
        primaryjoin=lambda: Review.id == review_links.c.review_id,
        secondaryjoin=lambda: Review.id == review_links.c.linked_review_id,
        order_by=lambda: Review.reference,
    )

    @property
    def is_ended(self) -> bool:
        return self.stage.is_ending

    # A review keeps the rules in force when it started: the day the partnership became aware
    # of the case (the referral's date), not the day someone typed it in.
    @property
    def started_on(self) -> date:
        referral = self.referral
        return referral.became_aware_on if referral else self.created_at.date()

    @property
    def type_name(self) -> str:
        """The type's name as the law called it when this review started (a Domestic Homicide
        Review stays one after the Domestic Abuse Related Death Review commences)."""
        return self.review_type.name_on(self.started_on)

    @property
    def type_description(self) -> str:
        return self.review_type.description_on(self.started_on)

    @property
    def clock_definitions(self) -> list[ClockDefinition]:
        return self.review_type.clocks_on(self.started_on)

    def criteria(self, kind: str = "criteria") -> list[dict[str, Any]]:
        return self.review_type.criteria_on(self.started_on, kind)

    @property
    def plan_is_open(self) -> bool:
        """Whether the action plan takes changes. A review ended by a decision not to hold a
        local review keeps its plan open: the rapid review's learning, or the Panel's national
        recommendations, still become local actions."""
        return self.stage in DECISION_ENDINGS or (not self.is_ended and self.terms is not None)

    @property
    def open_pause(self) -> ReviewPause | None:
        return next((pause for pause in self.pauses if pause.ended_on is None), None)

    @property
    def is_paused(self) -> bool:
        return self.open_pause is not None

    def agencies_where(self, flag: str) -> list[Agency]:
        return [involvement.agency for involvement in self.involvements if getattr(involvement, flag)]

    def flag_agencies(self, flag: str, agencies: list[Agency]) -> None:
        """Exactly these agencies carry the flag (known at referral, in scope...); an agency new
        to the review gets its involvement row."""
        by_agency = {involvement.agency_id: involvement for involvement in self.involvements}
        wanted = {agency.id for agency in agencies}
        for agency in agencies:
            if agency.id not in by_agency:
                by_agency[agency.id] = Involvement(agency=agency)
                self.involvements.append(by_agency[agency.id])
            setattr(by_agency[agency.id], flag, True)
        for agency_id, involvement in by_agency.items():
            if agency_id not in wanted:
                setattr(involvement, flag, False)

    # Access rules (see casework.auth.access), each with its SQL twin where lists need it.
    # Agency leads reach a review only through their agency's requests and actions.

    def can_view(self, user: User) -> bool:
        return user.role == Role.BOARD_MANAGER or self.is_led_by(user)

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        if user.role == Role.BOARD_MANAGER:
            return true()
        if user.role == Role.REVIEWER:
            return cls.led_by(user)
        return false()

    def can_manage(self, user: User) -> bool:
        """Run the review: record steps, move it on, pause it, extend deadlines, appoint, request."""
        return user.role == Role.BOARD_MANAGER

    def is_led_by(self, user: User) -> bool:
        """An independent reviewer who accepted an appointment to this review."""
        return user.role == Role.REVIEWER and any(
            mine.reviewer_id == user.id and mine.is_open_to_reviewer for mine in self.assignments
        )

    @classmethod
    def led_by(cls, user: User) -> ColumnElement[bool]:
        assignment = cls.assignments.property.mapper.class_  # the reviewers module imports this one
        return cls.assignments.any(and_(assignment.reviewer_id == user.id, assignment.is_open_to_reviewer))

    def can_see_identifiers(self, user: User) -> bool:
        """Board managers and the review's accepted reviewers; an agency lead only while their
        agency has an open request on the review (they need the names to search their records)."""
        return self.can_view(user) or self.has_open_request_for(user)

    def has_open_request_for(self, user: User) -> bool:
        if user.role != Role.AGENCY_LEAD or user.agency_id is None:
            return False
        request = Review.contribution_requests.property.mapper.class_  # agencies import reviews
        asked = Review.contribution_requests.any(and_(request.agency_id == user.agency_id, request.is_open))
        return bool(db.session.execute(db.select(asked).where(Review.id == self.id)).scalar())

    def can_see_access_report(self, user: User) -> bool:
        """Who read this review's identifying details and documents: the board managers, and
        administrators, who answer for every access."""
        return user.role in (Role.BOARD_MANAGER, Role.ADMIN)

    def can_see_family(self, user: User) -> bool:
        """The family's involvement log is identifying-adjacent: the board managers, who keep
        it, and the lead reviewer, who meets the family; no co-reviewer, no agency."""
        return self.can_manage(user) or self.is_lead_reviewer(user)

    def is_lead_reviewer(self, user: User) -> bool:
        return user.role == Role.REVIEWER and any(
            mine.reviewer_id == user.id and mine.is_accepted_lead for mine in self.assignments
        )

    def can_write_recommendations(self, user: User) -> bool:
        return user.role == Role.BOARD_MANAGER or self.is_led_by(user)

    def can_plan_actions(self, user: User) -> bool:
        """Turn the recommendations into the action plan: confirm them, add their actions."""
        return self.can_manage(user)

    def can_download(self, user: User) -> bool:
        """Documents filed under the review and claimed by nothing more specific."""
        return self.can_view(user)

    def can_draft(self, user: User) -> bool:
        """Write the report: upload its versions, answer the agencies' factual accuracy comments.
        Only the lead reviewer, once they accepted; co-reviewers contribute through them."""
        return self.is_lead_reviewer(user)

    def __repr__(self) -> str:
        return f"<Review {self.reference} {self.stage}>"


class FollowsReview:
    """Rules of a row kept under a review and reached through its pages: it follows the
    review's rules (see Review)."""

    review: Review

    def can_view(self, user: User) -> bool:
        return self.review.can_view(user)

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        return cls.review.has(Review.visible_to(user))  # type: ignore[attr-defined]


class UnderReview:
    """A row kept under one review: its own id, and the review's (the table's first columns, as
    the migrations wrote them)."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True, sort_order=-1)


class Involvement(UnderReview, db.Model):
    """An agency's part in one review: known at referral, contributed to the rapid review,
    in the review's scope; with a short note of its role."""

    __tablename__ = "involvements"
    __table_args__ = (UniqueConstraint("review_id", "agency_id"),)

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    known_at_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    contributed_to_rapid_review: Mapped[bool] = mapped_column(Boolean, default=False)
    in_scope: Mapped[bool] = mapped_column(Boolean, default=False)
    role_note: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="involvements")
    agency: Mapped[Agency] = relationship()


register_owner(named_by("review_id", Review), fallback=True)
