"""Queries of open items and the words about their rows, for the finders of what is due
(``due``) and of what waits on someone (``waiting``): each kind is a small spec, and one function
builds its query; a row says what it is through templates over its columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from flask import url_for
from sqlalchemy import ColumnElement, Select, select

from casework.reviews.models import Review

REVIEW_COLUMNS = (Review.id, Review.reference, Review.pseudonym, Review.review_type_id)


@dataclass(frozen=True, eq=False)
class Rows:
    """What a query of open items is: its columns besides the review's, the relationships that
    reach the review (and whatever else the columns name) from the first record named, and the
    conditions. One function builds every such query from it."""

    columns: tuple[Any, ...]
    joins: tuple[Any, ...]
    where: tuple[ColumnElement[bool], ...] = ()

    def select(self) -> Select[Any]:
        query = select(*REVIEW_COLUMNS, *self.columns)
        for relationship in self.joins:
            query = query.join(relationship)
        return query.where(*self.where)


class Page:
    """The page that deals with a row: its endpoint, and the row's column for each argument."""

    def __init__(self, endpoint: str, **arguments: str) -> None:
        self.endpoint, self.arguments = endpoint, arguments

    def link(self, row: Any) -> str:
        return url_for(
            self.endpoint, **{name: getattr(row, column) for name, column in self.arguments.items()}
        )


# Words about a row: a template over its columns ("{asked.label} from {agency}"), or a function.
Words = str | Callable[[Any], str]


class _Columns(dict[str, Any]):
    """A row's columns by name, for ``str.format_map``, whatever kind of row it is."""

    def __init__(self, row: Any) -> None:
        super().__init__()
        self.row = row

    def __missing__(self, name: str) -> Any:
        return getattr(self.row, name)


def worded(words: Words, row: Any) -> str:
    return words.format_map(_Columns(row)) if isinstance(words, str) else words(row)


class _Kinded(Protocol):
    @property
    def kind(self) -> Any: ...


Entry = TypeVar("Entry", bound=_Kinded)


def by_kind(*entries: Entry) -> dict[Any, Entry]:
    """A table of entries keyed by their kind, in the order given."""
    return {entry.kind: entry for entry in entries}
