"""An upload in a process of its own, which stops at a chosen point and waits to be killed.

The tests fork the child from their own process (:func:`upload_until`, with a new app of its own);
it also runs as a command:
``python -m tests.documents.upload_child <point> <database url> <storage settings> <user id> <ready file>``

The storage settings are the app's (JSON): an upload folder, or an object store. It says it is
ready when it has reached ``point`` (the command writes the ready file) and then sleeps until the
test kills it with SIGKILL, as an operating system or a container runtime stops a server:

- ``mid-upload``: part of the file has been received;
- ``before-commit``: the file is written and its row flushed, the transaction not committed;
- ``after-commit``: the transaction has committed, the file not yet kept under its final name.
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event
from werkzeug.datastructures import FileStorage

from casework import create_app
from casework.auth.models import User
from casework.core.extensions import db
from casework.documents.receiving import CHUNK_BYTES
from casework.documents.storage import store_upload
from tests.conftest import make_config

CONTENT = b"line of a chronology\n" * 10_000  # about 200 KB of text: several chunks


def _stop_here(ready: Callable[[], object]) -> None:
    ready()
    while True:
        time.sleep(60)


class _StallingStream(io.RawIOBase):
    """Gives one chunk, then stops, as a client whose connection hangs mid-upload."""

    def __init__(self, ready: Callable[[], object]) -> None:
        self.ready = ready
        self.sent = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if not self.sent:
            self.sent = True
            return CONTENT[:CHUNK_BYTES]
        _stop_here(self.ready)
        return b""


def upload_until(
    point: str, url: str, settings: dict[str, str], user_id: int, ready: Callable[[], object]
) -> None:
    """Upload in a new app on the database at ``url`` storing as ``settings`` say, call ``ready``
    at ``point`` and wait there to be killed."""
    app = create_app(make_config(url, **settings))
    with app.app_context():
        user = db.session.get(User, user_id)
        if point == "mid-upload":
            store_upload(FileStorage(stream=_StallingStream(ready), filename="stalled.txt"), uploaded_by=user)
        elif point == "before-commit":
            store_upload(FileStorage(stream=io.BytesIO(CONTENT), filename="written.txt"), uploaded_by=user)
            db.session.flush()
            _stop_here(ready)
        elif point == "after-commit":
            # First in line after the commit: before storage renames the file into place.
            event.listen(db.session, "after_commit", lambda session: _stop_here(ready), insert=True)
            store_upload(FileStorage(stream=io.BytesIO(CONTENT), filename="committed.txt"), uploaded_by=user)
            db.session.commit()
        raise SystemExit(f"unknown point {point!r}, or the upload did not stop there")


def main(point: str, url: str, settings: str, user_id: str, ready_file: str) -> None:
    ready = Path(ready_file)
    upload_until(point, url, json.loads(settings), int(user_id), lambda: ready.write_text("ready"))


if __name__ == "__main__":
    main(*sys.argv[1:])
