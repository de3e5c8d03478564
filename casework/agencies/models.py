"""Agencies: the organisations whose practice reviews look at."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db_types import enum_type
from casework.extensions import db
from casework.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from casework.auth.models import User


class AgencyType(enum.StrEnum):
    POLICE = "police"
    INTEGRATED_CARE_BOARD = "integrated_care_board"
    NHS_TRUST = "nhs_trust"
    GP_PRACTICE = "gp_practice"
    AMBULANCE = "ambulance"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    ADULT_SOCIAL_CARE = "adult_social_care"
    EDUCATION = "education"
    EARLY_YEARS = "early_years"
    PROBATION = "probation"
    YOUTH_JUSTICE = "youth_justice"
    HOUSING = "housing"
    VOLUNTARY_SECTOR = "voluntary_sector"
    OTHER = "other"

    @property
    def label(self) -> str:
        return AGENCY_TYPE_LABELS[self]


AGENCY_TYPE_LABELS = {
    AgencyType.POLICE: "Police",
    AgencyType.INTEGRATED_CARE_BOARD: "Integrated care board",
    AgencyType.NHS_TRUST: "NHS trust",
    AgencyType.GP_PRACTICE: "GP practice",
    AgencyType.AMBULANCE: "Ambulance service",
    AgencyType.CHILDRENS_SOCIAL_CARE: "Children's social care",
    AgencyType.ADULT_SOCIAL_CARE: "Adult social care",
    AgencyType.EDUCATION: "Education",
    AgencyType.EARLY_YEARS: "Early years",
    AgencyType.PROBATION: "Probation",
    AgencyType.YOUTH_JUSTICE: "Youth justice",
    AgencyType.HOUSING: "Housing",
    AgencyType.VOLUNTARY_SECTOR: "Voluntary sector",
    AgencyType.OTHER: "Other",
}


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    agency_type: Mapped[AgencyType] = mapped_column(enum_type(AgencyType, "agency_type", 40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    leads: Mapped[list[User]] = relationship(back_populates="agency", order_by="User.name")

    def __repr__(self) -> str:
        return f"<Agency {self.name!r}>"
