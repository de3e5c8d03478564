"""Fixtures: a real database (SQLite file, or PostgreSQL when CASEWORK_TEST_DATABASE_URL is
set), built by the migrations, emptied after every test; factories that create real rows.

Under pytest-xdist each worker has its own of everything a test creates: its SQLite file and
upload folder (pytest's temporary folders are per worker), its PostgreSQL database (the named one
with the worker's id appended, created and dropped here) and its Hypothesis example database.
"""

from __future__ import annotations

import functools
import gc
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import psycopg
import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase
from sqlalchemy import MetaData, event, make_url, select, text
from sqlalchemy.engine import Engine

from casework import create_app
from casework.auth.models import Role, User
from casework.auth.throttling import throttle
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.documents.s3_store import S3Store
from casework.documents.storage import current_store, init_storage
from config import ProductionConfig, TestConfig, normalise_database_url
from tests.support import demo, readonly, s3
from tests.support.http import client_as, csrf_token, post_form, sign_in, sign_out
from tests.support.people import PASSWORD, make_agency, make_user, person_fixture
from tests.support.s3 import ACCESS_KEY as S3_ACCESS_KEY
from tests.support.s3 import REGION as S3_REGION
from tests.support.s3 import SECRET_KEY as S3_SECRET_KEY
from tests.support.s3 import seaweedfs

__all__ = [
    "PASSWORD",
    "client_as",
    "csrf_token",
    "make_agency",
    "make_user",
    "post_form",
    "sign_in",
    "sign_out",
]
# Seeded by the migrations and kept between tests; a test that changes them restores them.
REFERENCE_TABLES = {
    "review_types",
    "review_type_clocks",
    "themes",
    "theme_review_types",
    "reminder_rules",
    "notice_requirements",
    "tracker_versions",  # its one row, whose token the database changes itself
}
# The longest files start first, longest before: in a parallel run no worker is left alone with
# a long one at the end while the other has finished.
LONGEST_FIRST = (
    "tests/test_fuzz_forms.py",
    # The second worker starts with a browser test needing no demo, the first takes the small
    # screens after the hostile forms: the demo both start from is loaded once (support/demo.py).
    "tests/browser/test_contributions.py",
    "tests/browser/test_small_screens.py",
    "tests/browser/",
    "tests/reviews/test_lifecycle.py",
    "tests/notifications/test_every_message_end_to_end.py",
    "tests/test_record_rules.py",
    "tests/documents/test_isolation.py",
    "tests/documents/test_storage_sweep.py",
    "tests/auth/test_sign_in",
    "tests/actions/test_action_plans.py",
    "tests/agencies/test_contributions",
    "tests/test_query_budgets.py",
)


def _start_rank(item: pytest.Item) -> int:
    return next((rank for rank, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), 99)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_start_rank)  # stable: the other files keep their order
    if any("s3_endpoint" in getattr(item, "fixturenames", ()) for item in items):
        s3.start_early()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    s3.stop_early()
    # pytest's check for exceptions raised in finalizers has by now collected the garbage of the
    # run; it collects again at its cleanup, walking every object of the run a second time for
    # nothing: what is left is set aside from that pass.
    gc.freeze()


_seeded: dict[str, set[tuple[object, ...]]] = {}
# A test makes many short-lived objects: collecting after every 10,000 new ones rather than 700
# halves the time the suite spends collecting.
gc.set_threshold(10_000, 10, 10)


@event.listens_for(Engine, "connect")
def _no_fsync_in_tests(dbapi_connection: object, connection_record: object) -> None:
    """A test database need not survive a power cut: SQLite skips its fsync calls, which cost
    more than the queries themselves on the suite's thousands of small commits. Its journal is a
    write-ahead log: a commit appends to one file instead of creating and deleting a journal, and
    the connections keep their page caches between transactions."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def worker_id() -> str | None:
    """pytest-xdist's name for this worker process ("gw0", ...); None in a run without workers."""
    return os.environ.get("PYTEST_XDIST_WORKER")


# Examples Hypothesis remembers are kept per worker, so two workers never write the same files.
settings.register_profile(
    "casework", database=DirectoryBasedExampleDatabase(f".hypothesis/examples-{worker_id() or 'main'}")
)
settings.load_profile("casework")


def database_url(tmp_dir: Path) -> str:
    """The suite's database: on PostgreSQL the named database, or with workers one per worker."""
    url = os.environ.get("CASEWORK_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / 'casework-test.db'}"
    url = normalise_database_url(url)
    worker = worker_id()
    if worker is None:
        return url
    named = make_url(url)
    return named.set(database=f"{named.database}_{worker}").render_as_string(hide_password=False)


@contextmanager
def worker_database(url: str) -> Iterator[None]:
    """Create this worker's PostgreSQL database for the run and drop it after; SQLite or a run
    without workers uses the database it was given."""
    named = make_url(url)
    if named.get_backend_name() != "postgresql" or worker_id() is None:
        yield
        return
    base = make_url(normalise_database_url(os.environ["CASEWORK_TEST_DATABASE_URL"]))
    server = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{named.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{named.database}"')
    try:
        yield
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{named.database}" WITH (FORCE)')


def make_config(url: str, **overrides: object) -> type[TestConfig]:
    return type("SuiteConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **overrides})


def app_beside(app: Flask, **overrides: object) -> Flask:
    """Another app on the suite's database (``app``'s), with these settings changed."""
    return create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], **overrides))


def production_config(app: Flask) -> type[ProductionConfig]:
    """The production settings on the suite's database, with a key strong enough to start."""
    return type(
        "Prod",
        (ProductionConfig,),
        {
            "SECRET_KEY": "5c1e9a07d3b8f2e64a90c7d1b35e8f26",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        },
    )


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = database_url(tmp_path_factory.mktemp("db"))
    if worker_id() is not None:  # the run's folder, above each worker's own
        demo.share_between_workers(tmp_path_factory.getbasetemp().parent)
    with worker_database(url):
        app = create_app(make_config(url, UPLOAD_FOLDER=tmp_path_factory.mktemp("uploads")))
        with app.app_context():
            drop_everything()  # a reused database may hold an earlier run's tables
            flask_migrate.upgrade()
            for table in db.metadata.sorted_tables:
                if table.name in REFERENCE_TABLES:
                    key = list(table.primary_key.columns)
                    _seeded[table.name] = set(db.session.execute(select(*key)).all())
        # What lives for the whole run (the app, its extensions, the mapped classes) is set aside
        # from the garbage collector's passes, which would otherwise walk it again and again.
        gc.collect()
        gc.freeze()
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
    if request.node.get_closest_marker("read_only"):
        # its world is emptied, and checked unchanged, when the world's scope ends
        assert readonly.world_is_open(), "a read_only test must use a world made with built_once()"
        return
    empty_database(request.getfixturevalue("app"))


def empty_database(app: Flask) -> None:
    """Delete every row but the seeded reference data, and forget every sign-in count: one script
    for every table (one round trip, not one per table, after every test)."""
    with app.app_context():
        db.session.rollback()
        db.session.close()
        raw = db.engine.raw_connection()
        try:
            if db.engine.dialect.name == "postgresql":
                with raw.cursor() as cursor:
                    cursor.execute(emptying("postgresql"))
                raw.commit()
            else:
                raw.driver_connection.executescript(f"BEGIN;\n{emptying('sqlite')};\nCOMMIT;")  # type: ignore[union-attr]
        finally:
            raw.close()
        throttle().reset()  # sign-in counts live outside the database


@functools.cache
def emptying(dialect: str) -> str:
    """The statements that empty the database, written once per dialect (the tables and seeded
    rows never change in a run): children first, the seeded reference rows kept, the audit
    trail's append-only guard set aside for its one statement."""
    postgresql = dialect == "postgresql"
    guards: list[tuple[str, str]] = []  # SQLite: the audit trail's triggers, as created
    if not postgresql:
        guards = [
            (name, sql)
            for name, sql in db.session.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"),
                {"table": AuditEvent.__tablename__},
            )
        ]
        db.session.rollback()
    statements = []
    for table in reversed(db.metadata.sorted_tables):
        if table.name == AuditEvent.__tablename__ and postgresql:
            statements += [
                "SET LOCAL session_replication_role = replica",
                "DELETE FROM audit_events",
                "SET LOCAL session_replication_role = origin",
            ]
        elif table.name == AuditEvent.__tablename__:
            statements += [f'DROP TRIGGER "{name}"' for name, _ in guards]
            statements.append("DELETE FROM audit_events")
            statements += [sql for _, sql in guards]
        elif table.name in REFERENCE_TABLES and _seeded[table.name]:
            key = ", ".join(f'"{column.name}"' for column in table.primary_key.columns)
            kept = ", ".join(
                "(" + ", ".join(_sql_literal(value) for value in row) + ")" for row in _seeded[table.name]
            )
            statements.append(f'DELETE FROM "{table.name}" WHERE ({key}) NOT IN (VALUES {kept})')
        else:
            statements.append(f'DELETE FROM "{table.name}"')
    return ";\n".join(statements)


def _sql_literal(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def folder(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh upload folder for this test; storage set up as the app factory does it."""
    uploads = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", uploads)
    init_storage(app)
    return uploads


@pytest.fixture
def object_store(app: Flask, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> S3Store:
    """Documents kept in the test S3 server, under a prefix of this test's own."""
    settings = {
        "STORAGE_URL": f"s3://casework-test/run-{secrets.token_hex(6)}",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "S3_REGION": S3_REGION,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    with app.app_context():
        store = current_store()
        assert isinstance(store, S3Store)
        store.ensure_bucket()
    return store


manager = person_fixture(Role.BOARD_MANAGER, name="Morgan Price")  # a board manager, for any test


@pytest.fixture
def manager_client(app: Flask, manager: User) -> FlaskClient:
    """A client signed in as ``manager``."""
    return client_as(app, manager)


# --- factories (in tests.support, named here too for the tests that import them from here) --


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


# --- Redis ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server on loopback (SeaweedFS), for this test process."""
    with seaweedfs() as endpoint:
        yield endpoint


REDIS_URL = os.environ.get("CASEWORK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_server() -> Iterator[redis.Redis]:
    """The Redis at CASEWORK_TEST_REDIS_URL. CI, or anyone who names a server, must have it (a
    failure); a bare machine running `make test` may not (a skip)."""
    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        server.ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {REDIS_URL} ({error})"
        if os.environ.get("CI") or os.environ.get("CASEWORK_TEST_REDIS_URL"):
            pytest.fail(f"{message}; these tests need it")
        pytest.skip(f"{message}; set CI=true or CASEWORK_TEST_REDIS_URL to make this a failure")
    yield server
    server.close()


@pytest.fixture
def redis_url(redis_server: redis.Redis) -> str:
    return REDIS_URL
