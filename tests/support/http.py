"""Requests as a browser makes them: forms with their page's CSRF token, signed-in clients."""

from __future__ import annotations

import html
import http.client
import re
from urllib.parse import urlencode

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


def client_as(
    app: Flask, person: User | int | str | None, password: str = PASSWORD, *, address: str | None = None
) -> FlaskClient:
    """A new test client signed in as ``person`` (a user, a user's id or email) through the sign-in
    form, failing the test if refused; None: signed out. ``address``: the client's network address."""
    client = app.test_client()
    if address is not None:
        client.environ_base["REMOTE_ADDR"] = address
    if person is None:
        return client
    if isinstance(person, int):
        with app.app_context():
            found = db.session.get(User, person)
            assert found is not None, f"no user {person}"
            person = found
    email = person if isinstance(person, str) else person.email
    response = sign_in(client, email, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client


SIGN_IN = "sign-in"  # what an access table expects for an anonymous visitor: sent to sign in


def assert_answer(response: TestResponse, expected: int | str, *about: object) -> None:
    """The response has the ``expected`` status, or, for SIGN_IN, sends the visitor to sign in."""
    if expected == SIGN_IN:
        assert response.status_code == 302, (*about, response.status_code)
        assert response.headers["Location"].startswith("/sign-in"), response.headers["Location"]
    else:
        assert response.status_code == expected, (*about, response.status_code)


def page_text(response: TestResponse) -> str:
    """The body with HTML entities decoded, for searching what a page says."""
    return html.unescape(response.get_data(as_text=True))


class SocketBrowser:
    """A minimal browser over real TCP whose connections leave from ``source`` (a loopback
    address), so the app sees the address as it would from the network."""

    def __init__(self, port: int, source: str, timeout: float = 30) -> None:
        self.port, self.source, self.timeout = port, source, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=self.timeout, source_address=(self.source, 0)
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        payload = None
        if form is not None:
            payload = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        status, page = response.status, response.read().decode()
        connection.close()
        return status, page

    def sign_in_token(self) -> str:
        _status, page = self.request("GET", "/sign-in")
        match = _CSRF.search(page)
        assert match, page[:500]
        return match.group(1)

    def sign_in(self, email: str, password: str) -> tuple[int, str]:
        form = {"csrf_token": self.sign_in_token(), "email": email, "password": password}
        return self.request("POST", "/sign-in", form)
