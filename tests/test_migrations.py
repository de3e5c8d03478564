"""The migrations build exactly the models' schema, and undo cleanly, on this run's database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, make_url

from casework import create_app
from casework.core.extensions import db
from tests.conftest import database_url, make_config


@pytest.fixture
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the same kind as the suite's (SQLite or PostgreSQL)."""
    url = make_url(database_url(tmp_path))
    if url.get_backend_name() != "postgresql":
        yield str(url)
        return
    name = f"casework_migrations_{uuid.uuid4().hex[:12]}"
    server = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _differences() -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_match_the_models_and_downgrade_to_base(scratch_database: str) -> None:
    app = create_app(make_config(scratch_database))
    with app.app_context():
        flask_migrate.upgrade()
        assert _differences() == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "agencies", "audit_events"} <= tables
        assert "sign_in_throttles" not in tables  # sign-in counters live in the rate-limit store

        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

        flask_migrate.upgrade()  # and up again from nothing
        assert _differences() == []
        db.engine.dispose()


def test_suite_database_kind_is_the_one_asked_for(app) -> None:
    """Guards the PostgreSQL run: it must not quietly fall back to SQLite."""
    import os

    wanted = os.environ.get("CASEWORK_TEST_DATABASE_URL", "sqlite")
    backend = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    assert backend == ("postgresql" if wanted.startswith("postgres") else "sqlite")
