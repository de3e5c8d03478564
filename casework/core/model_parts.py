"""Column groups many tables share, declared once. Each class that mixes one in gets its own
copy of the columns (and of the relationship), so the tables are as if written out in full."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from casework.core.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:  # the users table is the auth package's; these parts only point at it
    from casework.auth.models import User


class Versioned:
    """A row every ORM update gives a new version, so an edit made from a stale form is refused
    rather than applied over someone else's."""

    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # each class maps its own copy of the column


class Recorded:
    """A row that says who recorded it and when."""

    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @declared_attr
    def recorded_by(cls) -> Mapped[User]:
        return relationship("User", foreign_keys=f"{cls.__name__}.recorded_by_id")
