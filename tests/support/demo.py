"""The demo partnership for tests, loaded through its services once per process and database.

Loading it runs every service of the lifecycle (several seconds); a dozen tests start from it.
The first load keeps a copy of every row it wrote (and the bytes of its documents); later loads
into an emptied database put those rows back, the same ids included, and the files back into the
current store (tests.support.copies). Tests of the demo itself (``flask demo``, what it tells
people) load it for real.
"""

from __future__ import annotations

from flask import Flask

from casework.core.extensions import db
from casework.demo import load_demo_data
from tests.support.copies import Copy, present_rows, put_back, take

_copies: dict[str, Copy | None] = {}


def load_demo(app: Flask) -> None:
    """Into an emptied database (the suite's state between tests): the demo, as `flask demo`
    leaves it. Call inside an app context; commits."""
    key = app.config["SQLALCHEMY_DATABASE_URI"]
    copy = _copies.get(key)
    if copy is not None:
        put_back(copy)
        return
    before = present_rows()
    load_demo_data()
    db.session.commit()
    _copies[key] = take(before)
