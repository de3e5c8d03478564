"""When the database cannot be reached: a branded 503 page on every route (never a 500 or a stack
trace), /healthz says so in JSON, and the app recovers by itself when the database comes back."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from casework import create_app
from casework.auth.models import Role
from config import normalise_database_url
from tests.conftest import client_as, database_url, make_config, make_user
from tests.support.http import session_cookie

UNAVAILABLE_TITLE = "Casework is unavailable"


def _closed_port() -> int:
    """A loopback port nothing listens on (taken from the system, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _assert_unavailable_page(response, what: str) -> None:  # type: ignore[no-untyped-def]
    text = response.get_data(as_text=True)
    assert response.status_code == 503, f"{what} answered {response.status_code}"
    assert response.headers["Retry-After"] == "60"
    assert UNAVAILABLE_TITLE in text, what
    assert "Traceback" not in text and "OperationalError" not in text and "psycopg" not in text, what
    assert "govuk-header" in text or "govuk-service-navigation" in text, f"{what}: not the branded page"


def _every_get_url(app: Flask) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint.startswith("static"):
            continue
        values: dict[str, object] = {}
        for name, converter in rule._converters.items():
            kind = type(converter).__name__
            if kind == "AnyConverter":
                values[name] = sorted(converter.items)[0]  # type: ignore[attr-defined]
            else:
                values[name] = 1 if "Integer" in kind or "Id" in kind else "sample"
        urls.append(rule.build(values, append_unknown=False)[1])
    return sorted(urls)


@pytest.fixture
def signed_in_cookie(app: Flask) -> str:
    """A board manager's session cookie from the working app (the broken ones share its key)."""
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
    cookie = session_cookie(client_as(app, manager))
    assert cookie is not None
    return cookie


def _broken_app(url: str) -> Flask:
    return create_app(make_config(url, TESTING=False))


@pytest.mark.parametrize("where", ["postgresql", "sqlite"])
def test_every_page_answers_a_branded_503_when_the_database_cannot_be_reached(
    app: Flask, signed_in_cookie: str, tmp_path: Path, where: str
) -> None:
    if where == "postgresql":
        url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/casework"
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'casework.db'}"
    broken = _broken_app(url)
    signed_in = broken.test_client()
    signed_in.set_cookie(broken.config["SESSION_COOKIE_NAME"], signed_in_cookie)
    checked = 0
    for path in _every_get_url(broken):
        if path == "/healthz":
            continue
        # Signed in: the user is looked up on every request, so every page needs the database.
        _assert_unavailable_page(signed_in.get(path), f"GET {path} signed in")
        checked += 1
    assert checked > 30
    visitor = broken.test_client()
    _assert_unavailable_page(visitor.get("/published-reviews/"), "the public register")
    # Signing in needs the database too; the form is accepted as far as CSRF goes.
    page = visitor.get("/sign-in")
    assert page.status_code == 200
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = visitor.post("/sign-in", data={"csrf_token": token, "email": "a@b.example", "password": "x"})
    _assert_unavailable_page(response, "POST /sign-in")


@pytest.mark.parametrize("where", ["postgresql", "sqlite"])
def test_healthz_answers_json_503_when_the_database_cannot_be_reached(tmp_path: Path, where: str) -> None:
    if where == "postgresql":
        url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/casework"
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'casework.db'}"
    response = _broken_app(url).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_healthz_answers_ok_with_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


# --- recovery, through a proxy that can be cut -----------------------------------------------


class CuttableProxy:
    """A TCP proxy on loopback in front of the real PostgreSQL server: ``cut()`` closes the port
    and drops every open connection (as a database restart or a network failure would);
    ``restore()`` listens on the same port again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = _closed_port()
        self.listener: socket.socket | None = None
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        if self.listener is not None:
            # Wakes the thread blocked in accept(); close() alone leaves the port listening.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            for connection in self.open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.open += [client, server]
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


def _postgres_url() -> str:
    """The suite's database (this worker's) when it runs on PostgreSQL, else the server the
    PostgreSQL run uses."""
    if (os.environ.get("CASEWORK_TEST_DATABASE_URL") or "").startswith("postgres"):
        return database_url(Path())  # the folder is only for a SQLite file
    url = os.environ.get("CASEWORK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    return normalise_database_url(url)


@pytest.fixture
def proxied_app() -> Iterator[tuple[Flask, CuttableProxy]]:
    url = make_url(_postgres_url())
    try:
        psycopg.connect(url.set(drivername="postgresql").render_as_string(False), connect_timeout=3).close()
    except psycopg.OperationalError as error:
        pytest.skip(f"needs a PostgreSQL server: {error}")
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.restore()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
    app = _broken_app(proxied)
    try:
        yield app, proxy
    finally:
        proxy.cut()
        with app.app_context():
            from casework.core.extensions import db

            db.engine.dispose()


def test_the_app_recovers_without_a_restart_when_the_database_returns(
    proxied_app: tuple[Flask, CuttableProxy],
) -> None:
    app, proxy = proxied_app
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}  # a pooled connection now exists

    proxy.cut()
    for _ in range(3):  # the dead pooled connection, then fresh attempts: each a clean 503
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "unavailable"}

    proxy.restore()
    response = client.get("/healthz")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"status": "ok"}


def test_a_page_answers_503_then_works_again_when_the_database_returns(
    app: Flask, proxied_app: tuple[Flask, CuttableProxy], signed_in_cookie: str
) -> None:
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        pytest.skip("the suite's tables are on SQLite; the proxy reaches PostgreSQL (see the test above)")
    proxied, proxy = proxied_app
    client = proxied.test_client()
    client.set_cookie(proxied.config["SESSION_COOKIE_NAME"], signed_in_cookie)
    assert client.get("/reviews/").status_code == 200
    proxy.cut()
    _assert_unavailable_page(client.get("/reviews/"), "GET /reviews/ while the database is away")
    proxy.restore()
    assert client.get("/reviews/").status_code == 200


def test_a_connection_dropped_while_idle_is_replaced_without_an_error(
    proxied_app: tuple[Flask, CuttableProxy],
) -> None:
    """A database restart between two requests: the pool checks a connection before handing it
    out (pre-ping), so the next visitor gets a page, not an error."""
    app, proxy = proxied_app
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    proxy.cut()
    proxy.restore()
    response = client.get("/healthz")
    assert response.status_code == 200, response.get_data(as_text=True)
