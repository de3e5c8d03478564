"""The upload folder the storage tests write to."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from casework.documents.storage import init_storage


@pytest.fixture
def folder(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh upload folder for this test; storage set up as the app factory will do it."""
    uploads = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", uploads)
    init_storage(app)
    return uploads
