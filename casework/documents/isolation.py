"""Reading untrusted documents within bounds: a hostile file can fail only its own reading.

(Interface fixed here; the bounded implementation replaces the bodies.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DocumentUnreadable(Exception):
    """The document could not be read within the limits; the message says why, in plain words."""


def run_isolated(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` run in a separate process with memory and CPU-time limits.

    Returns what it returns (it must be picklable); re-raises an exception it raised; raises
    :class:`DocumentUnreadable` when the limits are exceeded or the process dies."""
    return function(*args)


def check_document(data: bytes, kind: str) -> None:
    """Refuse, before any parser reads it, a file whose structure is beyond the limits (a zip
    bomb, too many parts, pages or objects): raises :class:`DocumentUnreadable`."""
