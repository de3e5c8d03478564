"""Configuration comes from the environment."""

from __future__ import annotations

import importlib

import pytest

import config


def _reload(monkeypatch: pytest.MonkeyPatch, **env: str) -> object:
    for name in ("CASEWORK_DATABASE_URL", "DATABASE_URL", "CASEWORK_ENV"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(config)


@pytest.fixture(autouse=True)
def _restore_config_module() -> object:
    yield
    importlib.reload(config)


def test_default_database_is_a_sqlite_file_under_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _reload(monkeypatch)
    url = module.database_url()
    assert url.startswith("sqlite:///") and url.endswith("instance/casework.db")


@pytest.mark.parametrize("variable", ["CASEWORK_DATABASE_URL", "DATABASE_URL"])
def test_a_database_url_switches_to_postgresql(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    module = _reload(monkeypatch, **{variable: "postgres://casework@db.internal:5432/casework"})
    assert module.database_url() == "postgresql+psycopg://casework@db.internal:5432/casework"
    assert module.database_url() == module.Config.SQLALCHEMY_DATABASE_URI


def test_casework_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _reload(
        monkeypatch,
        CASEWORK_DATABASE_URL="postgresql://a@one/db",
        DATABASE_URL="postgresql://b@two/db",
    )
    assert module.database_url() == "postgresql+psycopg://a@one/db"


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _reload(monkeypatch, CASEWORK_ENV="production")
    production = module.config_from_env()
    monkeypatch.setattr(production, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        production.check()
    monkeypatch.setattr(production, "SECRET_KEY", "short")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        production.check()


def test_unknown_environment_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _reload(monkeypatch, CASEWORK_ENV="staging-ish")
    with pytest.raises(RuntimeError, match="CASEWORK_ENV"):
        module.config_from_env()


def test_partnership_name_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEWORK_PARTNERSHIP_NAME", "Westvale Safeguarding Adults Board")
    module = _reload(monkeypatch, CASEWORK_PARTNERSHIP_NAME="Westvale Safeguarding Adults Board")
    assert module.Config.PARTNERSHIP_NAME == "Westvale Safeguarding Adults Board"
