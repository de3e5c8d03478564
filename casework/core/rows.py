"""Rows read and carried over. A record's short lists (a review's processes, its family contacts,
its recommendations): every row that belongs to it, in the order its page shows them, with what
the page shows of each loaded by the same query or a fixed few (a template never queries). And a
row's columns carried to the row that takes its place (an earlier decision, a lapsed finding)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from casework.core.extensions import db

T = TypeVar("T")


def all_rows(model: type[T], *where: Any, order_by: Sequence[Any], load: Sequence[Any] = ()) -> list[T]:
    """Every row of ``model`` that meets ``where``, in ``order_by``'s order, with ``load``'s
    loader options applied."""
    query = db.select(model).where(*where).order_by(*order_by).options(*load)
    return list(db.session.execute(query).scalars())


def carried(row: object, names: Iterable[str]) -> dict[str, Any]:
    """The named attributes of ``row``, as keyword arguments for the row that carries them over."""
    return {name: getattr(row, name) for name in names}
