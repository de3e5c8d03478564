"""Fixtures: a real database (SQLite file, or PostgreSQL when CASEWORK_TEST_DATABASE_URL is
set), built by the migrations, emptied after every test; factories that create real rows."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, delete, select

from casework import create_app
from casework.agencies.models import Agency, AgencyType
from casework.auth.models import Role, User
from casework.auth.passwords import hash_password
from casework.auth.throttling import throttle
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from config import TestConfig, normalise_database_url

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_sequence = itertools.count(1)
# Seeded by the migrations and kept between tests; a test that changes them restores them.
REFERENCE_TABLES = {"review_types", "review_type_clocks", "themes"}
_seeded: dict[str, set[tuple[object, ...]]] = {}


def database_url(tmp_dir: Path) -> str:
    url = os.environ.get("CASEWORK_TEST_DATABASE_URL")
    return normalise_database_url(url) if url else f"sqlite:///{tmp_dir / 'casework-test.db'}"


def make_config(url: str, **overrides: object) -> type[TestConfig]:
    return type("SuiteConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **overrides})


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = database_url(tmp_path_factory.mktemp("db"))
    app = create_app(make_config(url, UPLOAD_FOLDER=tmp_path_factory.mktemp("uploads")))
    with app.app_context():
        drop_everything()  # a reused database may hold an earlier run's tables
        flask_migrate.upgrade()
        for table in db.metadata.sorted_tables:
            if table.name in REFERENCE_TABLES:
                key = list(table.primary_key.columns)
                _seeded[table.name] = set(db.session.execute(select(*key)).all())
    yield app
    with app.app_context():
        drop_everything()
        db.engine.dispose()


def drop_everything() -> None:
    tables = MetaData()
    tables.reflect(db.engine)
    tables.drop_all(db.engine)


@pytest.fixture(autouse=True)
def _empty_database(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    empty_database(request.getfixturevalue("app"))


def empty_database(app: Flask) -> None:
    """Delete every row but the seeded reference data, and forget every sign-in count."""
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                db.session.execute(delete(table))
            else:  # keep the seeded rows, drop what a test added
                key = list(table.primary_key.columns)
                for row in db.session.execute(select(*key)).all():
                    if tuple(row) not in _seeded[table.name]:
                        db.session.execute(
                            delete(table).where(*(c == v for c, v in zip(key, row, strict=True)))
                        )
        db.session.commit()
        throttle().reset()  # sign-in counts live outside the database


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- factories -----------------------------------------------------------------------


def make_agency(name: str | None = None, agency_type: AgencyType = AgencyType.POLICE) -> Agency:
    agency = Agency(name=name or f"Agency {next(_sequence)}", agency_type=agency_type)
    db.session.add(agency)
    db.session.commit()
    db.session.refresh(agency)  # loaded, so usable after the app context ends
    return agency


def make_user(
    role: Role = Role.BOARD_MANAGER,
    *,
    email: str | None = None,
    name: str | None = None,
    password: str | None = PASSWORD,
    agency: Agency | None = None,
    active: bool = True,
) -> User:
    if role == Role.AGENCY_LEAD and agency is None:
        agency = make_agency()
    number = next(_sequence)
    user = User(
        name=name or f"Person {number}",
        email=email or f"{role.value}{number}@example.org",
        role=role,
        agency=agency,
        active=active,
        password_hash=hash_password(password) if password else None,
        password_changed_at=utcnow() if password else None,
    )
    db.session.add(user)
    db.session.commit()
    db.session.refresh(user)  # loaded, so usable after the app context ends
    return user


@pytest.fixture
def factory(app: Flask) -> object:
    """``factory.user(Role.ADMIN)``, ``factory.agency()``: each call in its own app context, so
    no context stays open while the test client makes requests."""

    def within_app(function):  # type: ignore[no-untyped-def]
        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            with app.app_context():
                return function(*args, **kwargs)

        return call

    class Factory:
        user = staticmethod(within_app(make_user))
        agency = staticmethod(within_app(make_agency))

    return Factory()


# --- requests ------------------------------------------------------------------------


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict[str, object], *, token_from: str | None = None):
    """POST a form the way a browser would: with the CSRF token of the page that shows it."""
    token = csrf_token(client, token_from or path)
    return client.post(path, data={"csrf_token": token, **data})


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    return post_form(client, "/sign-in", {"email": email, "password": password})


def login_as(client: FlaskClient, user: User, password: str = PASSWORD) -> FlaskClient:
    response = sign_in(client, user.email, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client


def sign_out(client: FlaskClient):
    return post_form(client, "/sign-out", {}, token_from="/account")
