"""Worlds built through the services once per process, and put back from a copy of their rows.

A world a fixture builds for every test (a review taken to a stage, its people, requests and
documents) costs the same each time. :func:`replayed` builds it for real the first time a process
asks for it, in the emptied database, then keeps a copy of every row the build wrote, the bytes of
its documents and what the builder returned; later calls, in a database emptied again, put those
rows back with the same ids, the files back into the current store, and return a new copy of the
result. Tests then change the world as they like: it is emptied after each test as ever.

A copy is kept per database, key, day and hour (the builders' dates and times follow the clock,
which some tests move). A build that changes a seeded reference row is refused a copy: only added
rows are copied, and so is a build that queued a task (the queue is not copied). Builders must
leave nothing else outside the database and the document store.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import Table, insert, select, text

from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.documents.models import Document
from casework.documents.storage import current_store
from casework.notifications.queue import huey

T = TypeVar("T")

# Its one row's token is changed by the database itself on every tracked write, copied or not.
CHANGED_BY_THE_DATABASE = frozenset({"tracker_versions"})


@dataclass(frozen=True)
class Copy:
    rows: dict[str, list[dict[str, object]]]
    files: dict[str, bytes]
    result: bytes = b""  # what the builder returned, pickled


Rows = dict[str, dict[tuple[object, ...], tuple[object, ...]]]
_copies: dict[tuple[Hashable, ...], Copy] = {}


def replayed(app: Flask, key: Hashable, build: Callable[[], T]) -> T:
    """What ``build()`` returns, with the rows and files it writes into the emptied database:
    built through the services the first time this process asks for ``key`` (on this database,
    day and hour), put back from the copy afterwards."""
    with app.app_context():
        hour = utcnow().replace(minute=0, second=0, microsecond=0)
        marker = (app.config["SQLALCHEMY_DATABASE_URI"], key, hour)
        assert_emptied()
        copy = _copies.get(marker)
        if copy is not None:
            put_back(copy)
            return pickle.loads(copy.result)  # type: ignore[no-any-return]  # noqa: S301 (made above)
        before = present_rows()
    queued = huey.pending_count()
    result = build()
    with app.app_context():
        # A build that queued a task (mail to wake, a job to run) leaves more than rows: not copied.
        taken = take(before) if huey.pending_count() == queued else None
        if taken is not None:
            _copies[marker] = Copy(taken.rows, taken.files, pickle.dumps(result))
    return result


def replayed_in_context(app: Flask, key: Hashable, build: Callable[[], T]) -> T:
    """:func:`replayed` for a builder that works inside an app context, given its own."""

    def in_context() -> T:
        with app.app_context():
            return build()

    return replayed(app, key, in_context)


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def assert_emptied() -> None:
    """A copy is of a world built in the emptied database, and goes back into one: rows made
    before it (a person fixture's) would be left out of the copy, or meet its ids."""
    from tests.conftest import REFERENCE_TABLES

    probes = [
        f"SELECT '{table.name}' FROM \"{table.name}\""
        for table in _tables()
        if table.name not in REFERENCE_TABLES
    ]
    found = db.session.execute(text(" UNION ALL ".join(probes) + " LIMIT 1")).scalar()
    db.session.rollback()
    assert found is None, f"a copied world is built or put back in an emptied database, but {found} has rows"


def present_rows() -> Rows:
    """Every row present, by table and primary key (the seeded reference rows, in an emptied
    database): what a build adds is what is not here, and what it changes differs from here."""
    found: Rows = {}
    for table in _tables():
        key = [column.name for column in table.primary_key.columns]
        found[table.name] = {
            tuple(row[name] for name in key): tuple(row.values())
            for row in db.session.execute(select(table)).mappings()
        }
    return found


def take(before: Rows) -> Copy | None:
    """The rows added since ``before``, in key order, and the bytes of every stored document;
    None when a row present before was changed (a copy of added rows would not give it back)."""
    rows: dict[str, list[dict[str, object]]] = {}
    for table in _tables():
        key = [column.name for column in table.primary_key.columns]
        # In key order, the order they were written: a recommendation names an earlier one it
        # resembles, and PostgreSQL hands back rows in whatever order updates left them.
        ordered = select(table).order_by(*table.primary_key.columns)
        added = []
        for row in db.session.execute(ordered).mappings():
            ident = tuple(row[name] for name in key)
            earlier = before[table.name].get(ident)
            if earlier is None:
                added.append(dict(row))
            elif earlier != tuple(row.values()) and table.name not in CHANGED_BY_THE_DATABASE:
                return None
        if added:
            rows[table.name] = added
    store = current_store()
    files = {}
    for stored_name in db.session.execute(select(Document.stored_name)).scalars():
        with store.open(stored_name) as stream:
            files[stored_name] = stream.read()
    db.session.rollback()
    return Copy(rows, files)


def put_back(copy: Copy) -> None:
    """The copied rows, with their ids, into the emptied database (parents before children), and
    their files into the current store."""
    for table in _tables():
        if table.name in copy.rows:
            db.session.execute(insert(table), copy.rows[table.name])
    if db.engine.dialect.name == "postgresql":
        _move_sequences(copy)
    db.session.commit()
    store = current_store()
    for stored_name, content in copy.files.items():
        if not store.exists(stored_name):
            store.put(stored_name, [content])
            store.keep(stored_name, reason="a copied world put back for a test")


def _move_sequences(copy: Copy) -> None:
    """Rows came with their ids: move each sequence past them, as inserting one by one would,
    and never back (a key without a sequence gives NULL, which is skipped)."""
    tables = {table.name: table for table in _tables()}
    for name in copy.rows:
        key = list(tables[name].primary_key.columns)
        if len(key) != 1:
            continue
        sequence = db.session.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": name, "column": key[0].name}
        ).scalar()
        if sequence is None:
            continue
        highest = max(row[key[0].name] for row in copy.rows[name])  # type: ignore[type-var]
        db.session.execute(
            text(f"SELECT setval(:sequence, GREATEST(:highest, (SELECT last_value FROM {sequence})))"),
            {"sequence": sequence, "highest": highest},
        )


def copied_keys() -> list[Any]:
    """The keys of the worlds this process keeps copies of (for the kit's own tests)."""
    return [marker[1] for marker in _copies]
