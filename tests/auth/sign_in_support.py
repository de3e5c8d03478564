"""Shared by the sign-in tests: addresses, messages, clients at an address, a counter of real
password hashes, and row counts of every table."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from casework import create_app
from casework.auth.models import WebSession
from casework.core.extensions import db
from tests.conftest import PASSWORD, csrf_token, make_config, sign_in

REAL_USER = "127.0.0.1"
ATTACKER = "127.0.0.2"
WRONG = "Enter a correct email address and password"
LOCKED = "Too many failed attempts"
CONNECTION = "Too many attempts from your connection."


def client_at(app: Flask, address: str) -> FlaskClient:
    """A new browser whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in_from(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return sign_in(client, email, password)


def flood_with_unknown_emails(flooder: FlaskClient, count: int = 150) -> None:
    """``count`` sign-ins with made-up emails from one browser: each is refused (400) until the
    fiftieth locks the address (429 from then on). Three times the lock's fifty shows the rest are
    refused before any work; more only costs time."""
    token = csrf_token(flooder, "/sign-in")
    for number in range(count):
        answer = flooder.post(
            "/sign-in",
            data={"csrf_token": token, "email": f"nobody{number}@example.org", "password": "guess"},
        )
        assert answer.status_code == (400 if number < 49 else 429), number  # the fiftieth locks the address


def body(response: TestResponse) -> str:
    """The page without what differs between any two requests (nonce, CSRF token)."""
    return re.sub(r'(nonce|value)="[^"]*"', "", response.get_data(as_text=True))


def row_counts(app: Flask) -> dict[str, int]:
    """Rows per table but the browsers' sessions (see session_rows)."""
    with app.app_context():
        return {
            table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables
            if table.name != "web_sessions"
        }


def session_rows(app: Flask) -> int:
    """Browsers with a session: a flood from one browser keeps its one (the form's CSRF token)."""
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(WebSession)).scalar_one()


def app_like(app: Flask, **overrides: object) -> Flask:
    """Another app server on the suite's database, with some settings changed."""
    config = make_config(
        app.config["SQLALCHEMY_DATABASE_URI"], UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"], **overrides
    )
    return create_app(config)


class HashCounter:
    """Counts real argon2 verifications: the library's own method runs, wrapped."""

    def __init__(self) -> None:
        self.verify = 0

    @classmethod
    def install(cls, monkeypatch: pytest.MonkeyPatch) -> HashCounter:
        counter = cls()
        real: Callable[..., Any] = PasswordHasher.verify

        def counted(hasher: PasswordHasher, *args: Any, **kwargs: Any) -> Any:
            counter.verify += 1
            return real(hasher, *args, **kwargs)

        monkeypatch.setattr(PasswordHasher, "verify", counted)
        return counter
