"""The demo partnership for tests, loaded through its services once per process and database.

Loading it runs every service of the lifecycle (several seconds); a dozen tests start from it.
The first load keeps a copy of every row it wrote (and the bytes of its documents); later loads
into an emptied database put those rows back, the same ids included, and the files back into the
current store. Tests of the demo itself (``flask demo``, what it tells people) load it for real.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from sqlalchemy import Table, insert, select, text

from casework.core.extensions import db
from casework.demo import load_demo_data
from casework.documents.models import Document
from casework.documents.storage import current_store


@dataclass(frozen=True)
class Copy:
    rows: dict[str, list[dict[str, object]]]
    files: dict[str, bytes]


_copies: dict[str, Copy] = {}


def load_demo(app: Flask) -> None:
    """Into an emptied database (the suite's state between tests): the demo, as `flask demo`
    leaves it. Call inside an app context; commits."""
    key = app.config["SQLALCHEMY_DATABASE_URI"]
    copy = _copies.get(key)
    if copy is None:
        before = _keys()
        load_demo_data()
        db.session.commit()
        _copies[key] = _take(before)
    else:
        _put_back(copy)


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def _keys() -> dict[str, set[tuple[object, ...]]]:
    """The primary keys present before the demo: seeded reference rows are not the demo's."""
    found = {}
    for table in _tables():
        key = list(table.primary_key.columns)
        found[table.name] = {tuple(row) for row in db.session.execute(select(*key))}
    return found


def _take(before: dict[str, set[tuple[object, ...]]]) -> Copy:
    rows: dict[str, list[dict[str, object]]] = {}
    for table in _tables():
        key = [column.name for column in table.primary_key.columns]
        # In key order, the order they were written: a recommendation names an earlier one it
        # resembles, and PostgreSQL hands back rows in whatever order updates left them.
        ordered = select(table).order_by(*table.primary_key.columns)
        added = [
            dict(row)
            for row in db.session.execute(ordered).mappings()
            if tuple(row[name] for name in key) not in before[table.name]
        ]
        if added:
            rows[table.name] = added
    store = current_store()
    files = {}
    for stored_name in db.session.execute(select(Document.stored_name)).scalars():
        with store.open(stored_name) as stream:
            files[stored_name] = stream.read()
    return Copy(rows, files)


def _put_back(copy: Copy) -> None:
    tables = {table.name: table for table in _tables()}
    for table in _tables():  # parents before children
        if table.name in copy.rows:
            db.session.execute(insert(table), copy.rows[table.name])
    if db.engine.dialect.name == "postgresql":
        # Rows came with their ids: move each sequence past them, as inserting one by one would
        # (a key without a sequence gives NULL, which setval ignores).
        for name in copy.rows:
            key = list(tables[name].primary_key.columns)
            if len(key) == 1:
                db.session.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:table, :column),"
                        f' (SELECT max("{key[0].name}") FROM "{name}"))'
                    ),
                    {"table": name, "column": key[0].name},
                )
    db.session.commit()
    store = current_store()
    for stored_name, content in copy.files.items():
        if not store.exists(stored_name):
            store.put(stored_name, [content])
            store.keep(stored_name, reason="the demo put back for a test")
