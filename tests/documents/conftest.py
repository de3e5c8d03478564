"""The store the storage tests run on: tests that use ``app_store`` run once on the upload
folder and once on the object store (a real SeaweedFS server on loopback)."""

from __future__ import annotations

import pytest
from flask import Flask

from casework.documents.file_store import FileStore
from casework.documents.storage import current_store


@pytest.fixture(params=["folder", "s3"])
def app_store(request: pytest.FixtureRequest, app: Flask) -> FileStore:
    """The app's store, configured for this test: a fresh folder, or a fresh prefix in the bucket."""
    request.getfixturevalue("folder" if request.param == "folder" else "object_store")
    with app.app_context():
        return current_store()
