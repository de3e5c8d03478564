"""Security headers on every kind of response."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework import create_app
from casework.auth.models import Role
from tests.conftest import client_as, make_user, production_config


def _check_common(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/sign-in", "/does-not-exist", "/healthz"])
def test_public_responses(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    _check_common(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers


def test_signed_in_pages_are_never_stored(app: Flask) -> None:
    with app.app_context():
        user = make_user(Role.BOARD_MANAGER)
    client = client_as(app, user)
    for path in ["/reviews/", "/agencies/", "/account", "/admin/users"]:
        response = client.get(path)
        _check_common(response)
        assert response.headers["Cache-Control"] == "no-store", path


def test_the_inline_script_carries_the_nonce_of_its_response(client: FlaskClient) -> None:
    response = client.get("/sign-in")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    page = response.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", page)
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert (
        client.get("/sign-in").headers["Content-Security-Policy"]
        != response.headers["Content-Security-Policy"]
    )


def test_static_assets_are_served_and_cacheable(client: FlaskClient) -> None:
    response = client.get("/static/casework.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    _check_common(response)


def test_hsts_in_production(app: Flask) -> None:
    config = production_config(app)
    response = create_app(config).test_client().get("/sign-in")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
