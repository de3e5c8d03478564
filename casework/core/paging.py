"""Pages of long lists that nobody counts: one row more than the page is read to know whether
another page follows. For lists such as the audit trail, where counting every row on each view
would cost more than the page itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select

from casework.core.extensions import db


@dataclass(frozen=True)
class Slice:
    """What the pagination component needs of a page, without the total."""

    items: Sequence[Any]
    page: int
    per_page: int
    has_next: bool
    pages: None = None  # unknown: the component shows "newer" and "older" only
    total: None = None

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def slice_of(query: Select[Any], page: int, per_page: int) -> Slice:
    """Page ``page`` (from 1) of ``query``'s rows, which must be ordered."""
    rows = (
        db.session.execute(query.limit(per_page + 1).offset((page - 1) * per_page)).unique().scalars().all()
    )
    return Slice(rows[:per_page], page, per_page, has_next=len(rows) > per_page)
