"""Requests as a browser makes them: forms with their page's CSRF token, signed-in clients."""

from __future__ import annotations

import html
import http.client
import re
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.test import TestResponse

from casework.auth.models import User
from casework.core.extensions import db
from tests.support.people import PASSWORD, one_time_code
from tests.support.signing_in import CODE_PAGE, signed_in_cookies

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


def post_form(
    client: FlaskClient, path: str, data: dict[str, object], *, token_from: str | None = None
) -> TestResponse:
    """POST a form the way a browser would, with a valid CSRF token: a session has one CSRF
    secret, which every page signs with the time (see form_token); ``token_from``, or the form's
    own page, is read only for a session without one yet."""
    return client.post(path, data={"csrf_token": form_token(client, token_from or path), **data})


def form_token(client: FlaskClient, page: str) -> str:
    """A valid CSRF token for the client's session: the session's secret (made when it signed in,
    or by its first page) signed as a page signs it, while the session (its cookie) stays the
    same; read from ``page`` when the session has none yet (a browser's first visit)."""
    token = _token_of_session(client)
    if token is None and session_cookie(client) is not None:
        with client.session_transaction() as session:
            secret = session.get("csrf_token")
        if secret is not None:
            _remember(client, secret)
            token = _token_of_session(client)
    if token is None:
        token = csrf_token(client, page)
        _remember(client, _csrf_serializer(client.application).loads(token))
    return token


# Each client's session cookie, with the CSRF secret its pages signed. A new cookie is a new
# session (signing in or out, an ended session replaced), whose secret is read from a page again.
_csrf_secrets: WeakKeyDictionary[FlaskClient, tuple[str, str]] = WeakKeyDictionary()


def _csrf_serializer(app: Flask) -> URLSafeTimedSerializer:
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token")  # as Flask-WTF signs it


def session_cookie(client: FlaskClient) -> str | None:
    """The client's session cookie (the session's key), None when it has none."""
    cookie = client.get_cookie(client.application.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie is not None else None


def _remember(client: FlaskClient, secret: str) -> None:
    """Keep the session's CSRF secret under its cookie (none kept if the session has ended)."""
    cookie = session_cookie(client)
    if cookie is not None:
        _csrf_secrets[client] = (cookie, secret)


def _token_of_session(client: FlaskClient) -> str | None:
    known = _csrf_secrets.get(client)
    if known is None or known[0] != session_cookie(client):
        return None
    return _csrf_serializer(client.application).dumps(known[1])  # type: ignore[no-any-return]


# The token of each client's last sign-in page: the code form after a right password is posted
# with it, as the app allows (second_factor.begin keeps the session's token), so the kit need not
# load the code page only for a token.
_sign_in_tokens: WeakKeyDictionary[FlaskClient, str] = WeakKeyDictionary()


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    token = csrf_token(client, "/sign-in")
    _sign_in_tokens[client] = token
    return client.post("/sign-in", data={"csrf_token": token, "email": email, "password": password})


def sign_in_fully(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    """Both steps: the password, then the second factor (see second_step); the last answer."""
    response = sign_in(client, email, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return second_step(client.application, client, response)


def sign_out(client: FlaskClient) -> TestResponse:
    return post_form(client, "/sign-out", {}, token_from="/account")


def client_as(
    app: Flask,
    person: User | int | str | None,
    password: str = PASSWORD,
    *,
    address: str | None = None,
    through_forms: bool = False,
) -> FlaskClient:
    """A new test client signed in as ``person`` (a user, a user's id or email), failing the test
    if refused; None: signed out. ``address``: the client's network address.

    The app's own sign-in steps run without the pages (tests.support.signing_in), leaving what
    the forms leave; ``through_forms``, or someone who must first set up an authenticator app,
    signs in through the sign-in pages, for tests of signing in itself."""
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
    if not through_forms:
        cookies = signed_in_cookies(app, email, password, environ=client.environ_base)
        if cookies is not None:
            # As the client takes the cookies of its own requests' answers.
            client._update_cookies_from_response("localhost", CODE_PAGE, cookies)
            return client
    response = sign_in(client, email, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    second_step(app, client, response)
    return client


_KEY = re.compile(r'data-testid="authenticator-key">([A-Z2-7 ]+)<')


def second_step(app: Flask, client: FlaskClient, after_password: TestResponse) -> TestResponse:
    """The second step after a right password: a new recovery code (the kit's way to sign the same
    person in many times a minute), or, for someone without an app, setting one up from the key
    the page shows, as a person would."""
    location = after_password.headers.get("Location", "")
    if location == "/sign-in/set-up":
        page = client.get(location).get_data(as_text=True)
        match = _KEY.search(page)
        assert match, page[:2000]
        code = pyotp.TOTP(match.group(1).replace(" ", "")).now()
        done = post_form(client, location, {"code": code})
        assert done.status_code == 200 and "recovery-codes" in done.get_data(as_text=True), done.status_code
        return done
    assert location == "/sign-in/code", location
    with client.session_transaction() as session:
        user_id = session["pending_sign_in"]["user"]
        token = _still_valid(app, _sign_in_tokens.pop(client, None), session.get("csrf_token"))
    with app.app_context():
        code = one_time_code(user_id)
    if token is None:
        token = csrf_token(client, location)
    done = client.post(location, data={"csrf_token": token, "code": code})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    # The page after a recovery code says how many are left. Nobody reads it here: the message is
    # dropped, so the test's own first page starts from a session with nothing waiting to be shown
    # (and written back), without rendering the landing page the test may never look at.
    with client.session_transaction() as session:
        if "_flashes" in session:
            del session["_flashes"]
    return done


def _still_valid(app: Flask, token: str | None, raw: str | None) -> str | None:
    """``token`` when it is the signed form of the session's CSRF secret ``raw`` (as Flask-WTF
    checks it), else None."""
    if token is None or raw is None:
        return None
    try:
        signed = _csrf_serializer(app).loads(token)
    except BadData:
        return None
    return token if signed == raw else None


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

    def enter_code(self, code: str) -> tuple[int, str]:
        """The second step after a right password."""
        _status, page = self.request("GET", "/sign-in/code")
        match = _CSRF.search(page)
        assert match, page[:500]
        return self.request("POST", "/sign-in/code", {"csrf_token": match.group(1), "code": code})
