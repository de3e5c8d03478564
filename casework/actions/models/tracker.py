"""The token the tracker's cached counts are kept under."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.extensions import db


class TrackerVersion(db.Model):
    """One row whose token the database itself changes (by triggers, see the migration
    tracker_versions) in the transaction of every write to what the tracker's counts read: the
    actions, the agencies' names and the recommendations' themes. An app server keeps counts
    it has worked out under the token they were read at, so every server sees a change as soon
    as it is committed, whatever code (or script) made it."""

    __tablename__ = "tracker_versions"
    ROW = 1  # the one row's id

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
