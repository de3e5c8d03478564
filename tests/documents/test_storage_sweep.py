"""Nothing half-written: a server killed during an upload, and the sweep that tidies after it.

The uploads run in real child processes, forked from the test's, killed with SIGKILL at a chosen
point (tests/documents/upload_child.py); the files and rows they leave are real. The tests that use
``app_store`` run on the upload folder and on the object store (tests/documents/conftest.py).
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from datetime import timedelta
from pathlib import Path
from select import select as readable

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework.auth.models import User
from casework.core.extensions import db
from casework.documents.file_store import FileStore
from casework.documents.models import Document
from casework.documents.storage import current_store, send_document, store_upload
from casework.documents.sweep import sweep_files
from tests.conftest import make_user
from tests.documents.stores import (
    configure_store,
    kept,
    later,
    plant,
    provisional,
    storage_settings,
    store_contents,
)
from tests.documents.test_storage import PDF, upload
from tests.documents.upload_child import CONTENT, upload_until

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

GRACE = timedelta(hours=24)
DAY = 24 * 3600


@pytest.fixture
def user_id(request: pytest.FixtureRequest, app: Flask) -> int:
    configure_store(request)
    with app.app_context():
        user = make_user()
        db.session.commit()
        return user.id


def killed_at(point: str, app: Flask, user_id: int, tmp_path: Path) -> None:
    """Run an upload in a child process forked from this one, with a new app of its own storing
    where ``app`` does, and SIGKILL it once it says it has reached ``point``."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    settings = storage_settings(app)
    log = tmp_path / f"{point}.log"
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: it never returns into the test run, and is killed or exits here
        os.close(ready_read)
        try:
            upload_until(point, url, settings, user_id, lambda: os.write(ready_write, b"r"))
        except BaseException:
            log.write_text(traceback.format_exc())
        os._exit(1)
    os.close(ready_write)
    try:
        # The child's end of the pipe closes when it ends: no byte then, and no waiting it out.
        said, _, _ = readable([ready_read], [], [], 60)
        if not said:
            pytest.fail(f"the upload process never reached {point}")
        if os.read(ready_read, 1) != b"r":
            os.waitpid(pid, 0)
            output = log.read_text() if log.exists() else ""
            pytest.fail(f"the upload process ended before {point}: {output[-3000:]}")
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        pid = 0
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    finally:
        os.close(ready_read)
        if pid and os.waitpid(pid, os.WNOHANG) == (0, 0):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def committed_rows(app: Flask) -> list[str]:
    with app.app_context(), db.engine.connect() as connection:
        return list(connection.execute(select(Document.stored_name)).scalars())


def contents(app: Flask) -> list[str]:
    with app.app_context():
        return store_contents()


def read_stored(app: Flask, stored_name: str, *, provisional: bool = False) -> bytes:
    with app.app_context(), current_store().open(stored_name, provisional=provisional) as stream:
        return stream.read()


def sweep(app: Flask, grace: timedelta = GRACE, *, dry_run: bool = False):  # type: ignore[no-untyped-def]
    with app.app_context():
        return sweep_files(grace, dry_run=dry_run)


def run_command(app: Flask, *args: str) -> str:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["sweep-files", *args])
    assert result.exit_code == 0, result.output
    return result.output


# --- a process killed during an upload ------------------------------------------------------


# Killed mid-upload on the folder only: that is a partial write to disk. The object store is
# sent nothing before the whole file (or its first 8 MiB part) has been received, so a small
# upload killed part way leaves nothing there, and its own tests cover a write that fails.
@pytest.mark.parametrize(
    ("app_store", "point"),
    [("folder", "mid-upload"), ("folder", "before-commit"), ("s3", "before-commit")],
    indirect=["app_store"],
)
def test_a_killed_upload_leaves_a_temporary_file_that_the_sweep_removes_after_the_grace_period(
    app: Flask, app_store: FileStore, user_id: int, tmp_path: Path, point: str
) -> None:
    killed_at(point, app, user_id, tmp_path)
    [left] = contents(app)
    assert left.endswith(".part")  # never under a name that looks committed
    assert committed_rows(app) == []
    if point == "before-commit":
        assert read_stored(app, Path(left).name.removesuffix(".part"), provisional=True) == CONTENT

    output = run_command(app, "--grace-hours", "24")  # too new: its upload may still be committing
    assert contents(app) == [left]
    assert "Removed 0 file(s)" in output and "1 newer than 24 hours" in output

    with later(DAY - 600):
        assert sweep(app).removed == []
    assert contents(app) == [left]

    with later(DAY + 600):
        output = run_command(app, "--grace-hours", "24", "--dry-run")
        assert f"Would remove {left}" in output
        assert contents(app) == [left]  # a dry run removes nothing

        output = run_command(app, "--grace-hours", "24")
    assert f"Removed {left}" in output and "no document row" in output
    assert contents(app) == []
    assert committed_rows(app) == []


def test_killed_between_commit_and_rename_the_download_still_works(
    app: Flask, app_store: FileStore, user_id: int, tmp_path: Path
) -> None:
    killed_at("after-commit", app, user_id, tmp_path)
    [stored_name] = committed_rows(app)
    assert contents(app) == [provisional(stored_name)]

    with later(3 * DAY):
        dry = sweep(app, dry_run=True)
    assert dry.removed == [] and [swept.path.as_posix() for swept in dry.finished] == [
        provisional(stored_name)
    ]
    assert contents(app) == [provisional(stored_name)]

    with app.test_request_context():
        document = db.session.execute(select(Document)).scalar_one()
        response = send_document(document, user=db.session.get(User, user_id))
        response.direct_passthrough = False
        assert response.status_code == 200
        assert response.get_data() == CONTENT
        response.close()
    assert contents(app) == [kept(stored_name)]  # the download kept it under its final name

    with later(3 * DAY):
        result = sweep(app)
    assert (result.removed, result.finished, result.kept) == ([], [], 1)
    assert contents(app) == [kept(stored_name)]


def test_killed_between_commit_and_rename_the_sweep_finishes_the_rename(
    app: Flask, app_store: FileStore, user_id: int, tmp_path: Path
) -> None:
    killed_at("after-commit", app, user_id, tmp_path)
    [stored_name] = committed_rows(app)

    assert sweep(app).finished == []  # too new: the uploading process may be about to keep it
    assert contents(app) == [provisional(stored_name)]

    with later(3 * DAY):
        output = run_command(app)
    assert f"Finished {provisional(stored_name)}" in output
    assert contents(app) == [kept(stored_name)]
    assert read_stored(app, stored_name) == CONTENT
    assert committed_rows(app) == [stored_name]


# --- what the sweep leaves alone -------------------------------------------------------------


def test_files_with_rows_are_never_swept_whatever_their_age(
    app: Flask, app_store: FileStore, user_id: int
) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        documents = [store_upload(upload(PDF, f"report-{n}.pdf"), uploaded_by=user) for n in range(3)]
        db.session.commit()
        with_rows = [kept(document.stored_name) for document in documents]
    orphan = kept("ab" + "0" * 30)  # a file storage made, whose row is gone
    plant(app_store, orphan, PDF)
    strangers = ["README.txt", "ab/notes.txt", "zz/ab" + "1" * 30]
    for location in strangers:
        plant(app_store, location, b"not made by storage")

    with later(400 * DAY):
        assert [swept.path.as_posix() for swept in sweep(app, dry_run=True).removed] == [orphan]
        assert orphan in contents(app)
        result = sweep(app)
    assert [swept.path.as_posix() for swept in result.removed] == [orphan]
    assert result.kept == 3
    assert contents(app) == sorted([*with_rows, *strangers])


def test_a_file_being_uploaded_in_an_open_transaction_is_not_swept(
    app: Flask, app_store: FileStore, user_id: int
) -> None:
    """The sweep looks at committed rows only: an upload still committing is protected by the
    grace period, and its file keeps its temporary name until then."""
    with app.app_context():
        document = store_upload(upload(PDF), uploaded_by=db.session.get(User, user_id))
        assert store_contents() == [provisional(document.stored_name)]
        result = sweep_files(GRACE)
        assert (result.removed, result.too_new) == ([], 1)
        db.session.commit()
        assert store_contents() == [kept(document.stored_name)]


def test_the_grace_period_cannot_be_shorter_than_an_hour(app: Flask, folder: Path) -> None:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["sweep-files", "--grace-hours", "0.5"])
        assert result.exit_code != 0 and "0.5" in result.output
        with pytest.raises(ValueError, match="grace period"):
            sweep_files(timedelta(minutes=30))


# About the folder: one that was never made (an object store's prefix has no such state).
def test_an_empty_or_missing_upload_folder(app: Flask, folder: Path) -> None:
    assert not folder.exists()
    result = sweep(app)
    assert (result.removed, result.finished, result.kept, result.too_new) == ([], [], 0, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0
