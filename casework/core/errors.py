"""Domain errors raised by services; views turn them into messages next to the form."""

from __future__ import annotations

from typing import Protocol


class DomainError(Exception):
    """An illegal step or invalid request: the message is written for the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConcurrentEditError(DomainError):
    """Someone else saved the record after this user loaded it."""

    def __init__(self, what: str = "this record") -> None:
        super().__init__(
            f"Someone else changed {what} while you were editing it. "
            "Check the current details and make your change again."
        )


class Versioned(Protocol):
    """A row that carries a version, raised by each save."""

    version: int


def check_version(record: Versioned, version: int | None, what: str = "this record") -> None:
    """Refuse a change made on an older version of ``record`` than the saved one: someone else
    saved it in between. ``version`` is the one the form was drawn from (None: not said)."""
    if version is not None and version != record.version:
        raise ConcurrentEditError(what)
