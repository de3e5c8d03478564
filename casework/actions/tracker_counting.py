"""The action tracker's counts of the filtered actions by agency and colour: worked out in one
statement, and kept in each process under a token the database changes in the transaction of every
write to what they count (tracker_versions), so a view costs a count only after a change."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from threading import Lock
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select, true
from sqlalchemy.orm import aliased

from casework.actions.models import (
    Action,
    TrackerVersion,
)
from casework.actions.rag import Rag, rag_sql
from casework.actions.tracker import PARTNERSHIP_LABEL, TrackerFilters, filter_conditions
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db


@dataclass(frozen=True)
class AgencyCount:
    """One row of the table of agencies against colours."""

    agency_id: int | None  # None: the partnership
    name: str
    by_rag: dict[Rag, int]  # every colour, zero included

    @property
    def count(self) -> int:
        return sum(self.by_rag.values())


@dataclass(frozen=True)
class TrackerCounts:
    by_agency: list[AgencyCount]  # the partnership first, then the agencies A to Z

    @property
    def by_rag(self) -> dict[Rag, int]:
        """Every colour across the agencies, zero included."""
        return {colour: sum(row.by_rag[colour] for row in self.by_agency) for colour in Rag}

    @property
    def total(self) -> int:
        return sum(row.count for row in self.by_agency)


def _grouped(
    user: User, filters: TrackerFilters, today: date, soon: date, *only_if: ColumnElement[bool]
) -> Any:
    """The filtered actions counted by agency and colour, grouped on the actions' own columns (an
    index holds the agency, status, deadline and completion day of every action)."""
    # Grouped through a subquery: PostgreSQL would not match a CASE with bound values in GROUP BY
    # to the same CASE in the select list.
    coloured = (
        select(Action.agency_id, rag_sql(today, soon).label("rag"))
        .where(*filter_conditions(user, filters, today, soon), *only_if)
        .subquery()
    )
    return (
        select(coloured.c.agency_id, coloured.c.rag, func.count().label("count"))
        .group_by(coloured.c.agency_id, coloured.c.rag)
        .subquery()
    )


def _counts_of(rows: Iterable[Any]) -> TrackerCounts:
    """The counts from rows of (agency's id, agency's name, colour, count)."""
    found: dict[tuple[int | None, str], dict[Rag, int]] = {}
    for agency_id, name, colour, count in rows:
        found.setdefault((agency_id, name or PARTNERSHIP_LABEL), {c: 0 for c in Rag})[Rag(colour)] = count
    by_agency = sorted(
        (AgencyCount(agency_id, name, counts) for (agency_id, name), counts in found.items()),
        key=lambda row: (row.agency_id is not None, row.name.casefold(), row.agency_id or 0),
    )
    return TrackerCounts(by_agency=by_agency)


def _count(user: User, filters: TrackerFilters, today: date, soon: date) -> TrackerCounts:
    """How many of the filtered actions each agency (and the partnership) holds of each colour, in
    one query, the agencies' names joined to the groups afterwards."""
    grouped = _grouped(user, filters, today, soon)
    return _counts_of(
        db.session.execute(
            select(grouped.c.agency_id, Agency.name, grouped.c.rag, grouped.c.count).outerjoin(
                Agency, Agency.id == grouped.c.agency_id
            )
        )
    )


class _CountsCache:
    """Counts already worked out by this process, each under the database's tracker token (see
    TrackerVersion) it was read at, for its filters and day: any write to what they count changes
    the token, so counts are only used while the token is the same. The oldest go first."""

    SIZE = 256

    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, tuple[str, TrackerCounts]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable) -> tuple[str, TrackerCounts] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, token: str, counts: TrackerCounts) -> None:
        with self._lock:
            self._entries[key] = (token, counts)
            self._entries.move_to_end(key)
            while len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)


_counts_cache = _CountsCache()


def tracker_counts(user: User, filters: TrackerFilters, today: date, soon: date) -> TrackerCounts:
    """:func:`_count`, worked out again only when the tracker's token has changed since (or the
    day): the counts read every action, and between two changes every view would read the same.

    One statement either way: it reads the token and, only if it differs from the one the kept
    counts were read at, counts (the database skips the counting when the token is the same).
    Kept for the people who see every action alone (the token does not follow who may see what)."""
    if Action.visible_to(user) is not true():
        return _count(user, filters, today, soon)
    key = (str(db.engine.url), today, soon, tuple(sorted(filters.filter_args().items())))
    kept = _counts_cache.get(key)
    known = kept[0] if kept else ""  # a token is never empty
    other = aliased(TrackerVersion)
    changed = exists().where(other.id == TrackerVersion.ROW, other.token != known)
    grouped = _grouped(user, filters, today, soon, changed)
    rows = db.session.execute(
        select(TrackerVersion.token, grouped.c.agency_id, Agency.name, grouped.c.rag, grouped.c.count)
        .select_from(TrackerVersion)
        .outerjoin(grouped, true())
        .outerjoin(Agency, Agency.id == grouped.c.agency_id)
        .where(TrackerVersion.id == TrackerVersion.ROW)
    ).all()
    if not rows:  # no token's row: nothing to keep counts under
        return _count(user, filters, today, soon)
    token = rows[0][0]
    if kept and token == known:
        return kept[1]
    counts = _counts_of(row[1:] for row in rows if row.rag is not None)
    _counts_cache.put(key, token, counts)
    return counts
