"""Pages of long lists. Uncounted (``Slice``): one row more than the page is read to know whether
another page follows, for lists such as the audit trail, where counting every row on each view
would cost more than the page itself. Counted (``CountedPage``): the total comes beside each row
of the page, in the same query, for lists short enough to number their pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import request
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, func

from casework.core.extensions import db
from casework.core.request_guards import page_number

PAGE_SIZE = 25  # a list's page, where the list sets no other size


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


def requested_page() -> int:
    """The page the request asks for (``?page=``; anything else: the first)."""
    return page_number(request.args.get("page"))


def requested_slice(query: Select[Any], per_page: int = PAGE_SIZE) -> Slice:
    """The page of ``query``'s rows the request asks for."""
    return slice_of(query, requested_page(), per_page)


class CountedPage(SelectPagination):
    """A page and the number of rows in one query (a window count beside each row), so a page
    costs the same whatever the list's length; only a page past the end counts on its own, to
    say there is no such page."""

    def _query_items(self) -> list[Any]:
        select_ = self._query_args["select"].add_columns(func.count().over().label("total"))
        rows = (
            self._query_args["session"].execute(select_.limit(self.per_page).offset(self._query_offset)).all()
        )
        self._total = rows[0].total if rows else None
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        return self._total if self._total is not None else super()._query_count()


def counted_page(query: Select[Any], page: int, per_page: int = PAGE_SIZE) -> CountedPage:
    """Page ``page`` (from 1) of ``query``'s rows, which must be ordered, with their number."""
    return CountedPage(select=query, session=db.session, page=page, per_page=per_page, error_out=False)
