"""Nothing half-written: a server killed during an upload, and the sweep that tidies after it.

The uploads run in real child processes killed with SIGKILL at a chosen point
(tests/documents/upload_child.py); the files and rows they leave are real.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework.auth.models import User
from casework.core.extensions import db
from casework.documents.models import Document
from casework.documents.storage import send_document, store_upload, stored_path
from casework.documents.sweep import sweep_files
from tests.conftest import make_user
from tests.documents.test_storage import PDF, files_in, upload
from tests.documents.upload_child import CONTENT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

ROOT = Path(__file__).resolve().parents[2]
GRACE = timedelta(hours=24)
DAY = 24 * 3600


@pytest.fixture
def user_id(app: Flask, folder: Path) -> int:
    with app.app_context():
        user = make_user()
        db.session.commit()
        return user.id


def killed_at(point: str, app: Flask, folder: Path, user_id: int, tmp_path: Path) -> None:
    """Run an upload in a child process and SIGKILL it once it reaches ``point``."""
    ready = tmp_path / f"{point}.ready"
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.documents.upload_child",
            point,
            url,
            str(folder),
            str(user_id),
            str(ready),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            if child.poll() is not None:
                output = child.stdout.read().decode() if child.stdout else ""
                pytest.fail(f"the upload process ended before {point}: {output[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"the upload process never reached {point}")
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout:
            child.stdout.close()


def committed_rows(app: Flask) -> list[str]:
    with app.app_context(), db.engine.connect() as connection:
        return list(connection.execute(select(Document.stored_name)).scalars())


def age(path: Path, seconds: float) -> None:
    """Make a file look as if it was last written ``seconds`` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def sweep(app: Flask, grace: timedelta = GRACE, *, dry_run: bool = False):  # type: ignore[no-untyped-def]
    with app.app_context():
        return sweep_files(grace, dry_run=dry_run)


def run_command(app: Flask, *args: str) -> str:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["sweep-files", *args])
    assert result.exit_code == 0, result.output
    return result.output


# --- a process killed during an upload ------------------------------------------------------


@pytest.mark.parametrize("point", ["mid-upload", "before-commit"])
def test_a_killed_upload_leaves_a_temporary_file_that_the_sweep_removes_after_the_grace_period(
    app: Flask, folder: Path, user_id: int, tmp_path: Path, point: str
) -> None:
    killed_at(point, app, folder, user_id, tmp_path)
    [left] = files_in(folder)
    assert left.name.endswith(".part")  # never under a name that looks committed
    assert committed_rows(app) == []
    if point == "before-commit":
        assert left.read_bytes() == CONTENT

    output = run_command(app, "--grace-hours", "24")  # too new: its upload may still be committing
    assert files_in(folder) == [left]
    assert "Removed 0 file(s)" in output and "1 newer than 24 hours" in output

    age(left, DAY - 600)
    assert sweep(app).removed == []
    assert files_in(folder) == [left]

    age(left, DAY + 600)
    output = run_command(app, "--grace-hours", "24", "--dry-run")
    assert f"Would remove {left.relative_to(folder)}" in output
    assert files_in(folder) == [left]  # a dry run removes nothing

    output = run_command(app, "--grace-hours", "24")
    assert f"Removed {left.relative_to(folder)}" in output and "no document row" in output
    assert files_in(folder) == []
    assert committed_rows(app) == []


def test_killed_between_commit_and_rename_the_download_still_works(
    app: Flask, folder: Path, user_id: int, tmp_path: Path
) -> None:
    killed_at("after-commit", app, folder, user_id, tmp_path)
    [stored_name] = committed_rows(app)
    [left] = files_in(folder)
    assert left.name == f"{stored_name}.part"

    age(left, 3 * DAY)
    dry = sweep(app, dry_run=True)
    assert dry.removed == [] and [swept.path.name for swept in dry.finished] == [left.name]
    assert files_in(folder) == [left]

    with app.test_request_context():
        document = db.session.execute(select(Document)).scalar_one()
        response = send_document(document, user=db.session.get(User, user_id))
        response.direct_passthrough = False
        assert response.status_code == 200
        assert response.get_data() == CONTENT
        response.close()
    final = folder / stored_name[:2] / stored_name
    assert files_in(folder) == [final]  # the download finished the rename

    result = sweep(app)
    assert (result.removed, result.finished, result.kept) == ([], [], 1)
    assert files_in(folder) == [final]


def test_killed_between_commit_and_rename_the_sweep_finishes_the_rename(
    app: Flask, folder: Path, user_id: int, tmp_path: Path
) -> None:
    killed_at("after-commit", app, folder, user_id, tmp_path)
    [stored_name] = committed_rows(app)
    [left] = files_in(folder)

    assert sweep(app).finished == []  # too new: the uploading process may be about to rename it
    assert files_in(folder) == [left]

    age(left, 3 * DAY)
    output = run_command(app)
    assert f"Finished {left.relative_to(folder)}" in output
    final = folder / stored_name[:2] / stored_name
    assert files_in(folder) == [final]
    assert final.read_bytes() == CONTENT
    assert committed_rows(app) == [stored_name]


# --- what the sweep leaves alone -------------------------------------------------------------


def test_files_with_rows_are_never_swept_whatever_their_age(app: Flask, folder: Path, user_id: int) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        kept = [store_upload(upload(PDF, f"report-{n}.pdf"), uploaded_by=user) for n in range(3)]
        db.session.commit()
        kept_paths = [stored_path(document) for document in kept]
    orphan = folder / "ab" / ("ab" + "0" * 30)  # a file storage made, whose row is gone
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(PDF)
    strangers = [folder / "README.txt", folder / "ab" / "notes.txt", folder / "zz" / ("ab" + "1" * 30)]
    for path in strangers:
        path.parent.mkdir(exist_ok=True)
        path.write_text("not made by storage")
    for path in [*kept_paths, orphan, *strangers]:
        age(path, 400 * DAY)

    assert [swept.path for swept in sweep(app, dry_run=True).removed] == [orphan.relative_to(folder)]
    assert orphan.exists()
    result = sweep(app)
    assert [swept.path for swept in result.removed] == [orphan.relative_to(folder)]
    assert result.kept == 3
    assert files_in(folder) == sorted([*kept_paths, *strangers])


def test_a_file_being_uploaded_in_an_open_transaction_is_not_swept(
    app: Flask, folder: Path, user_id: int
) -> None:
    """The sweep looks at committed rows only: an upload still committing is protected by the
    grace period, and its file keeps its temporary name until then."""
    with app.app_context():
        document = store_upload(upload(PDF), uploaded_by=db.session.get(User, user_id))
        path = stored_path(document)
        assert path.name.endswith(".part")
        result = sweep_files(GRACE)
        assert (result.removed, result.too_new) == ([], 1)
        db.session.commit()
        assert files_in(folder) == [stored_path(document)]
        assert not stored_path(document).name.endswith(".part")


def test_the_grace_period_cannot_be_shorter_than_an_hour(app: Flask, folder: Path) -> None:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["sweep-files", "--grace-hours", "0.5"])
        assert result.exit_code != 0 and "0.5" in result.output
        with pytest.raises(ValueError, match="grace period"):
            sweep_files(timedelta(minutes=30))


def test_an_empty_or_missing_upload_folder(app: Flask, folder: Path) -> None:
    assert not folder.exists()
    result = sweep(app)
    assert (result.removed, result.finished, result.kept, result.too_new) == ([], [], 0, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0
