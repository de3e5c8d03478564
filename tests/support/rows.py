"""Rows of the current session by primary key, for tests that must have them."""

from __future__ import annotations

from typing import TypeVar

from casework.core.extensions import db

T = TypeVar("T")


def stored(model: type[T], ident: int) -> T:
    """The ``model`` row with primary key ``ident``; fails the test if there is none."""
    found = db.session.get(model, ident)
    assert found is not None, f"no {model.__name__} {ident}"
    return found
