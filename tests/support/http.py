"""Requests as a browser makes them: forms with their page's CSRF token, signed-in clients."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from casework.auth.models import User
from casework.core.extensions import db
from tests.support.people import PASSWORD

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


def post_form(
    client: FlaskClient, path: str, data: dict[str, object], *, token_from: str | None = None
) -> TestResponse:
    """POST a form the way a browser would: with the CSRF token of the page that shows it."""
    token = csrf_token(client, token_from or path)
    return client.post(path, data={"csrf_token": token, **data})


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return post_form(client, "/sign-in", {"email": email, "password": password})


def sign_out(client: FlaskClient) -> TestResponse:
    return post_form(client, "/sign-out", {}, token_from="/account")


def login_as(client: FlaskClient, user: User, password: str = PASSWORD) -> FlaskClient:
    """Sign ``client`` in as ``user`` through the sign-in form; fails the test if refused."""
    response = sign_in(client, user.email, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client


def client_as(app: Flask, person: User | int | None, password: str = PASSWORD) -> FlaskClient:
    """A new test client signed in as ``person`` (a user or a user's id); None: signed out."""
    client = app.test_client()
    if person is None:
        return client
    if isinstance(person, int):
        with app.app_context():
            found = db.session.get(User, person)
            assert found is not None, f"no user {person}"
            person = found
    return login_as(client, person, password)


def page_text(response: TestResponse) -> str:
    """The body with HTML entities decoded, for searching what a page says."""
    return html.unescape(response.get_data(as_text=True))
