"""Every file store keeps the same promises: a folder on this machine and an S3-compatible object
store (a real SeaweedFS server on loopback), through the same tests; then the whole path of a
document, upload to download and sweep, with the object store configured."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.core.extensions import db
from casework.documents.file_store import FileStore
from casework.documents.local_folder import LocalFolder
from casework.documents.models import Document
from casework.documents.s3_store import S3Store, parse_storage_url
from casework.documents.storage import current_store, read_document, send_document, store_upload
from casework.documents.sweep import sweep_files
from tests.documents.test_storage import PDF, upload
from tests.support.people import make_user
from tests.support.rows import audit_trail

MIB = 1024 * 1024


def _name() -> str:
    return secrets.token_hex(16)


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "folder":
        return LocalFolder(tmp_path / "files")
    return request.getfixturevalue("object_store")


def _listed(store: FileStore) -> list[tuple[str, bool, int]]:
    return sorted((found.stored_name, found.provisional, found.size) for found in store.files())


def test_a_new_file_is_provisional_until_kept(store: FileStore) -> None:
    name = _name()
    store.put(name, [b"first ", b"second"])
    assert not store.exists(name)
    assert _listed(store) == [(name, True, 12)]
    with store.open(name, provisional=True) as stream:
        assert stream.read() == b"first second"
    assert store.keep(name, reason="its row committed")
    assert store.exists(name)
    assert _listed(store) == [(name, False, 12)]
    assert store.keep(name, reason="a second process")  # kept already: still true
    with store.open(name) as stream:
        assert stream.read() == b"first second"


def test_a_committed_file_left_provisional_is_kept_when_opened(store: FileStore) -> None:
    name = _name()
    store.put(name, [b"interrupted"])
    with store.open(name) as stream:  # its process stopped between the commit and keeping it
        assert stream.read() == b"interrupted"
    assert _listed(store) == [(name, False, 11)]


def test_a_failed_write_leaves_nothing(store: FileStore) -> None:
    def broken() -> Iterator[bytes]:
        yield b"a" * MIB
        raise ConnectionResetError("the browser went away")

    with pytest.raises(ConnectionResetError):
        store.put(_name(), broken())
    assert _listed(store) == []


def test_large_files_stream_through_whole(store: FileStore) -> None:
    """20 MiB in 1 MiB chunks: several parts in the object store, the same bytes back."""
    chunks = [secrets.token_bytes(MIB) for _ in range(20)]
    name = _name()
    store.put(name, iter(chunks))
    store.keep(name, reason="committed")
    digest = hashlib.sha256()
    with store.open(name) as stream:
        while block := stream.read(MIB):
            digest.update(block)
    assert digest.hexdigest() == hashlib.sha256(b"".join(chunks)).hexdigest()


def test_missing_and_foreign_names(store: FileStore) -> None:
    name = _name()
    with pytest.raises(FileNotFoundError):
        store.open(name)
    assert not store.keep(name, reason="nothing there")
    store.delete(name)  # nothing there: no error
    for bad in ("../../etc/passwd", "ab/" + name, name.upper(), ""):
        with pytest.raises(ValueError):
            store.open(bad)
        with pytest.raises(ValueError):
            store.exists(bad)


def test_files_not_named_by_storage_are_not_ours(store: FileStore) -> None:
    name = _name()
    store.put(name, [b"ours"])
    if isinstance(store, S3Store):
        for key in ("notes.txt", f"zz/{name}", f"{name[:2]}/{name}.bak"):
            store.client.put_object(Bucket=store.bucket, Key=store.prefix + key, Body=b"x")
    else:
        assert isinstance(store, LocalFolder)
        (store.root / "notes.txt").write_bytes(b"x")
        (store.root / name[:2] / f"{name}.bak").write_bytes(b"x")
    assert _listed(store) == [(name, True, 4)]


def test_deleting_removes_only_the_named_state(store: FileStore) -> None:
    kept, provisional = _name(), _name()
    for name in (kept, provisional):
        store.put(name, [b"x"])
    store.keep(kept, reason="committed")
    store.delete(kept, provisional=True)  # not there any more: nothing happens
    store.delete(provisional, provisional=True)
    assert _listed(store) == [(kept, False, 1)]
    store.delete(kept)
    assert _listed(store) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("s3://casework", ("casework", "")),
        ("s3://casework/", ("casework", "")),
        ("s3://casework/north/shire/", ("casework", "north/shire/")),
    ],
)
def test_storage_urls(url: str, expected: tuple[str, str]) -> None:
    assert parse_storage_url(url) == expected


@pytest.mark.parametrize("url", ["s3:///prefix", "https://bucket/prefix", "casework"])
def test_malformed_storage_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        parse_storage_url(url)


# --- the whole path of a document, in the object store ---------------------------------------


@pytest.fixture
def in_object_store(app: Flask, object_store: S3Store) -> Iterator[S3Store]:
    with app.app_context():
        yield object_store


def test_an_upload_follows_its_transaction_in_the_object_store(app: Flask, in_object_store: S3Store) -> None:
    uploader = make_user()
    doomed = store_upload(upload(PDF, "doomed.pdf"), uploaded_by=uploader)
    db.session.rollback()
    assert _listed(in_object_store) == []
    assert not in_object_store.exists(doomed.stored_name)

    kept = store_upload(upload(PDF, "kept.pdf"), uploaded_by=uploader)
    db.session.commit()
    assert _listed(in_object_store) == [(kept.stored_name, False, len(PDF))]
    assert read_document(kept) == PDF
    assert kept.sha256 == hashlib.sha256(PDF).hexdigest()
    assert isinstance(current_store(), S3Store)


def test_a_download_from_the_object_store_is_recorded(app: Flask, in_object_store: S3Store) -> None:
    uploader = make_user()
    document = store_upload(upload(PDF, "report.pdf"), uploaded_by=uploader)
    db.session.commit()
    with app.test_request_context():
        response = send_document(document, user=uploader)
        response.direct_passthrough = False
        assert response.get_data() == PDF
        assert response.headers["Content-Disposition"].startswith("attachment")
        response.close()
    assert [event.subject_id for event in audit_trail(app, "document_downloaded")] == [document.id]


def test_a_document_missing_from_the_object_store_is_404(
    app: Flask, in_object_store: S3Store, client: FlaskClient
) -> None:
    uploader = make_user()
    document = store_upload(upload(PDF), uploaded_by=uploader)
    db.session.commit()
    in_object_store.delete(document.stored_name)
    with app.test_request_context(), pytest.raises(Exception, match="404"):
        send_document(document, user=uploader)


def test_the_sweep_judges_the_object_store(app: Flask, in_object_store: S3Store) -> None:
    uploader = make_user()
    described = store_upload(upload(PDF, "kept.pdf"), uploaded_by=uploader)
    db.session.commit()
    orphan = _name()
    in_object_store.put(orphan, [b"left by a killed upload"])
    # judged two hours later: past the grace period an upload may need to commit
    result = sweep_files(timedelta(hours=1), now=time.time() + 2 * 3600)
    assert [found.path.name for found in result.removed] == [f"{orphan}.part"]
    assert result.kept == 1
    assert _listed(in_object_store) == [(described.stored_name, False, len(PDF))]
    assert db.session.get(Document, described.id) is not None
