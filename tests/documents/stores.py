"""The storage tests' view of the configured store, the same for the folder and the object store.

Both keep a file at ``<first two characters>/<stored name>``, and a provisional one under
``.part``: :func:`store_contents` lists everything under the store's root (whether storage named it
or not, so that a stray file is seen too), and :func:`kept` and :func:`provisional` say what a
stored name should look like there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask

from casework.documents.file_store import FileStore
from casework.documents.local_folder import LocalFolder
from casework.documents.s3_store import S3Store
from casework.documents.storage import current_store

# Everything that says where documents are kept: what a second app (or process) must share.
STORAGE_SETTINGS = (
    "UPLOAD_FOLDER",
    "STORAGE_URL",
    "S3_ENDPOINT_URL",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_REGION",
)


def configure_store(request: pytest.FixtureRequest) -> None:
    """Set a test's store up: its ``app_store`` when it runs on both stores, else the folder."""
    request.getfixturevalue("app_store" if "app_store" in request.fixturenames else "folder")


def storage_settings(app: Flask) -> dict[str, str]:
    return {key: str(app.config.get(key) or "") for key in STORAGE_SETTINGS}


def kept(stored_name: str) -> str:
    return f"{stored_name[:2]}/{stored_name}"


def provisional(stored_name: str) -> str:
    return f"{stored_name[:2]}/{stored_name}.part"


def store_contents(store: FileStore | None = None) -> list[str]:
    """Every file under the root of ``store`` (by default the app's), as its path there."""
    store = store or current_store()
    if isinstance(store, S3Store):
        pages = store.client.get_paginator("list_objects_v2").paginate(
            Bucket=store.bucket, Prefix=store.prefix
        )
        return sorted(item["Key"][len(store.prefix) :] for page in pages for item in page.get("Contents", ()))
    assert isinstance(store, LocalFolder)
    if not store.root.exists():
        return []
    return sorted(path.relative_to(store.root).as_posix() for path in store.root.rglob("*") if path.is_file())


def plant(store: FileStore, location: str, data: bytes) -> None:
    """Put a file at ``location`` under the store's root by hand, as something other than
    storage would (an operator, a killed process)."""
    if isinstance(store, S3Store):
        store.client.put_object(Bucket=store.bucket, Key=store.prefix + location, Body=data)
        return
    assert isinstance(store, LocalFolder)
    path = store.root / location
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def later(seconds: float) -> time_machine.travel:
    """The clock ``seconds`` from now: how files written now are judged once they have aged (an
    object store sets its own dates, so the files cannot be made older instead). The test S3
    server checks no request dates, so the object store still answers."""
    return time_machine.travel(datetime.now(UTC) + timedelta(seconds=seconds), tick=True)
