"""Agencies: the organisations whose practice reviews look at."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, ColumnElement, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.db_types import enum_type
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from casework.auth.models import User


class AgencyType(LabelledEnum):
    POLICE = "police", "Police"
    INTEGRATED_CARE_BOARD = "integrated_care_board", "Integrated care board"
    NHS_TRUST = "nhs_trust", "NHS trust"
    GP_PRACTICE = "gp_practice", "GP practice"
    AMBULANCE = "ambulance", "Ambulance service"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    EDUCATION = "education", "Education"
    EARLY_YEARS = "early_years", "Early years"
    PROBATION = "probation", "Probation"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    HOUSING = "housing", "Housing"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    OTHER = "other", "Other"


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    agency_type: Mapped[AgencyType] = mapped_column(enum_type(AgencyType, "agency_type", 40))
    area: Mapped[str] = mapped_column(String(200), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    leads: Mapped[list[User]] = relationship(back_populates="agency", order_by="User.name")

    # Access rules (see casework.auth.access). Agencies are no secret: their names appear on every
    # request and action. Their directory pages are for those who keep the directory.
    def can_view(self, user: User) -> bool:
        return True

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        return true()

    def can_manage(self, user: User) -> bool:
        return user.can_manage_agencies()

    def __repr__(self) -> str:
        return f"<Agency {self.name!r}>"


class AgencyPart:
    """Mixin for a record of one agency's part in a review (a contribution request, an action):
    the agency's own leads see it; everyone else follows the review's rule. Reviews import this
    module, so the review's class is read from the relationship."""

    if TYPE_CHECKING:
        agency_id: Any
        review: Any

    def is_for_agency_of(self, user: User) -> bool:
        """The user answers for this record's agency (a partnership action has none)."""
        return (
            user.can_answer_for_agency() and self.agency_id is not None and self.agency_id == user.agency_id
        )

    def can_view(self, user: User) -> bool:
        if user.can_answer_for_agency():
            return self.is_for_agency_of(user)
        return bool(self.review.can_view(user))

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        if user.can_answer_for_agency():
            return cls.agency_id == user.agency_id  # type: ignore[no-any-return]
        review = cls.review.property.mapper.class_
        condition = review.visible_to(user)
        if condition is true():
            # Every record of this kind names its review (a required column), so "its review is
            # visible" holds for each one: saying so spares the database a lookup per row.
            return condition  # type: ignore[no-any-return]
        return cls.review.has(condition)  # type: ignore[no-any-return]


def agencies_for_new_work(keeping: Iterable[Agency] = ()) -> list[Agency]:
    """Agencies to offer when choosing agencies: the active ones, plus any already chosen
    (``keeping``), so editing a record never silently drops an agency deactivated since."""
    kept = {agency.id for agency in keeping}
    condition = Agency.active.is_(True) if not kept else (Agency.active.is_(True) | Agency.id.in_(kept))
    return list(db.session.execute(db.select(Agency).where(condition).order_by(Agency.name)).scalars())
