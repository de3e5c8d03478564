"""A download asks the document's owner; documents, shared plumbing, import no domain."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask

import casework.documents
from casework.auth.models import Role
from casework.documents.owners import owner_of
from tests.support.http import client_as
from tests.support.people import make_user
from tests.support.records import make_document
from tests.support.reviews import make_review

DOMAINS = ("casework.agencies", "casework.actions", "casework.reviews")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_documents_import_no_domain() -> None:
    folder = Path(casework.documents.__file__).parent
    offending = {
        f"{path.relative_to(folder)}: {module}"
        for path in folder.rglob("*.py")
        for module in _imports(path)
        if module.startswith(DOMAINS)
    }
    assert offending == set()


def test_a_document_nobody_claims_is_not_downloaded(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path)
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        orphan = make_document(manager)
        review = make_review(by=manager)
        filed = make_document(manager, review=review)
        assert owner_of(orphan) is None
        assert owner_of(filed) == review  # the review it was filed under, as no one else claims it
        ids, manager_id = (orphan.id, filed.id), manager.id
    client = client_as(app, manager_id)
    assert client.get(f"/documents/{ids[0]}").status_code == 404
    assert client.get(f"/documents/{ids[1]}").status_code == 200
