"""What SQL a block of code issues, for tests that count or read it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from casework.core.extensions import db


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block (call inside an app context)."""
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
