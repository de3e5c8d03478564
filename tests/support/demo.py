"""The demo partnership for tests, loaded through its services once per run and database kind.

Loading it runs every service of the lifecycle (seconds); a dozen tests start from it. The first
load keeps a copy of every row it wrote (and the bytes of its documents); later loads into an
emptied database put those rows back, the same ids included, and the files back into the current
store (tests.support.copies). In a parallel run the copy is also left in the run's folder, so the
other workers put it back rather than load the demo themselves. Tests of the demo itself
(``flask demo``, loading it again) load it for real.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from flask import Flask
from sqlalchemy import make_url

from casework.core.extensions import db
from casework.demo import load_demo_data
from tests.support.copies import Copy, present_rows, put_back, take

_copies: dict[str, Copy | None] = {}
_shared: list[Path] = []  # the run's folder, common to its workers


def share_between_workers(folder: Path) -> None:
    _shared[:] = [folder]


def load_demo(app: Flask) -> None:
    """Into an emptied database (the suite's state between tests): the demo, as `flask demo`
    leaves it. Call inside an app context; commits."""
    key = app.config["SQLALCHEMY_DATABASE_URI"]
    if key not in _copies:
        _copies[key] = _left_by_another_worker(key)
    copy = _copies[key]
    if copy is not None:
        put_back(copy)
        return
    before = present_rows()
    load_demo_data()
    db.session.commit()
    _copies[key] = copy = take(before)
    _leave_for_other_workers(key, copy)


def _shared_file(key: str) -> Path | None:
    """Per database kind: each worker has its own database, of the same kind and seeded rows."""
    return _shared[0] / f"demo-{make_url(key).get_backend_name()}.pickle" if _shared else None


def _left_by_another_worker(key: str) -> Copy | None:
    path = _shared_file(key)
    if path is None or not path.exists():
        return None
    return pickle.loads(path.read_bytes())  # type: ignore[no-any-return]  # noqa: S301 (this run's own)


def _leave_for_other_workers(key: str, copy: Copy | None) -> None:
    path = _shared_file(key)
    if path is None or copy is None:
        return
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    partial.write_bytes(pickle.dumps(copy))
    partial.replace(path)  # whole or not at all, for a worker reading it now
