"""Worlds built once for tests that only read.

Mark such tests ``@pytest.mark.read_only`` (a class or a module) and give them a class- or
module-scoped fixture that wraps its world in :func:`built_once`: the per-test emptying of the
database is skipped for them, the world is built once, and when the scope ends its row counts are
compared with those right after building (a test that wrote fails the run) and the database is
emptied. A read-only test without such a world is an error, so nothing can leak into later tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

from flask import Flask
from sqlalchemy import func, select

from casework.core.extensions import db
from casework.documents.storage import init_storage

T = TypeVar("T")
_open_worlds = 0
# Signing in writes, whatever the test then only reads: the kit's one-time code for the second step.
SIGN_IN_TABLES = frozenset({"recovery_codes"})


def row_counts(app: Flask, skip: Iterable[str] = ()) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables
            if table.name not in set(skip) | SIGN_IN_TABLES
        }


def world_is_open() -> bool:
    return _open_worlds > 0


@contextmanager
def built_once(
    app: Flask, build: Callable[[], T], *, may_add_to: Iterable[str] = (), uploads: Path | None = None
) -> Iterator[T]:
    """Build a world, hand it to the tests, then check they wrote nothing and empty the database.
    With ``uploads``, the world's files are kept in that folder of its own (see own_uploads).

    ``may_add_to`` names tables the app writes to on a read (the audit trail records views and
    downloads of sensitive records): they are left out of the comparison, as are the browsers'
    sessions (a test's client signing in or getting a form's CSRF token has one).
    """
    global _open_worlds
    from tests.conftest import empty_database  # the suite's own emptying, seeded rows kept

    with own_uploads(app, uploads) if uploads is not None else nullcontext():
        try:
            world = build()
        except BaseException:
            empty_database(app)
            raise
        skip = {"web_sessions", *may_add_to}
        before = row_counts(app, skip)
        _open_worlds += 1
        try:
            yield world
            after = row_counts(app, skip)
            changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
            assert not changed, f"a read-only test wrote rows (table: (before, after)): {changed}"
        finally:
            _open_worlds -= 1
            empty_database(app)


@contextmanager
def own_uploads(app: Flask, folder: Path) -> Iterator[None]:
    """Files uploaded inside the block are kept in ``folder``: a world built once keeps its
    documents apart from the ones each test makes and removes."""
    before = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = folder
    init_storage(app)
    try:
        yield
    finally:
        app.config["UPLOAD_FOLDER"] = before
        init_storage(app)
