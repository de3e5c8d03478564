"""Assets under a versioned path: kept by the browser for a year, a new path when a file changes,
and still answered (revalidated) under an old version or none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.core.assets import KEPT, REVALIDATED, STATIC_FOLDER, asset_version
from tests.conftest import app_beside
from tests.support.sql import statements
from tests.test_security_headers import _check_common

OLD = "0123456789ab"  # a version no file set has here


def _asset_urls(client: FlaskClient) -> list[str]:
    page = client.get("/sign-in").get_data(as_text=True)
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_a_page_names_its_assets_under_the_current_version(client: FlaskClient) -> None:
    urls = _asset_urls(client)
    assert {url.rsplit("/", 1)[1] for url in urls} >= {"casework.css", "app.js", "favicon.svg"}
    assert all(url.startswith(f"/static/{asset_version()}/") for url in urls), urls


def test_a_versioned_asset_is_kept_for_a_year_and_revalidates_to_304(client: FlaskClient) -> None:
    url = f"/static/{asset_version()}/casework.css"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == KEPT
    assert response.get_data() == (STATIC_FOLDER / "casework.css").read_bytes()
    _check_common(response)
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == KEPT


def test_a_script_import_resolves_under_the_same_version(client: FlaskClient) -> None:
    app_js = client.get(f"/static/{asset_version()}/app.js").get_data(as_text=True)
    imported = re.findall(r"from '\./([^']+)'", app_js)
    assert "copy.js" in imported
    for name in imported:
        response = client.get(f"/static/{asset_version()}/{name}")
        assert response.status_code == 200, name
        assert response.headers["Cache-Control"] == KEPT


@pytest.mark.parametrize("path", [f"/static/{OLD}/casework.css", "/static/casework.css"])
def test_another_version_or_none_gets_the_current_file_revalidated(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == REVALIDATED
    assert response.get_data() == (STATIC_FOLDER / "casework.css").read_bytes()
    _check_common(response)


@pytest.mark.parametrize(
    "path",
    [
        "/static/{version}/no-such-file.css",
        "/static/{version}/../config.py",
        "/static/{version}/%2e%2e/%2e%2e/config.py",
        "/static/../config.py",
        f"/static/{OLD}/../../config.py",
        "/static/{version}/",
        "/static/",
    ],
)
def test_nothing_outside_the_assets_is_served(client: FlaskClient, path: str) -> None:
    response = client.get(path.format(version=asset_version()))
    assert response.status_code == 404
    assert b"SECRET" not in response.get_data()


def test_an_asset_request_reads_no_session(app: Flask, manager_client: FlaskClient) -> None:
    with app.app_context(), statements() as seen:
        for path in (f"/static/{asset_version()}/app.js", f"/static/{OLD}/app.js"):
            assert manager_client.get(path).status_code == 200
    assert seen == []


def test_the_version_changes_with_any_file_and_only_then(tmp_path: Path) -> None:
    version = asset_version.__wrapped__  # uncached: the folder changes under it
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("one")
    (tmp_path / "b.css").write_text("two")
    first = version(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{12}", first)
    assert version(tmp_path) == first
    (tmp_path / "js" / "a.js").write_text("one!")
    changed = version(tmp_path)
    assert changed != first
    (tmp_path / "js" / "a.js").rename(tmp_path / "a.js")  # same bytes, another path
    assert version(tmp_path) not in (first, changed)


def test_in_debug_mode_assets_are_revalidated(app: Flask) -> None:
    debug = app_beside(app)
    debug.debug = True
    response = debug.test_client().get(f"/static/{asset_version()}/casework.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == REVALIDATED
