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


GOOD_KEY = "9f2c4e7a1b8d3f60c5e2a7b94d1f8e3c6a0b5d2e7f4c9a1b"


def _production(key: str | None, **settings: object) -> type:
    """A production configuration with this key, on a throwaway database. (Built on the class the
    app factory knows: the fixture above reloads the config module.)"""
    import casework

    return type(
        "CheckedProduction",
        (casework.ProductionConfig,),
        {"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": "sqlite://", **settings},
    )


@pytest.mark.parametrize(
    "key",
    [
        "a" * 32,
        "password" * 4,
        "passwordpasswordpasswordpassword1",
        "correct horse battery staple" * 2,
        "abababababababababababababababab",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaabbbb",
        "0000000000000000111111111111111122222222",
    ],
)
def test_production_refuses_a_secret_key_that_is_easy_to_guess(key: str) -> None:
    from casework import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY is too easy to guess") as refusal:
        create_app(_production(key))
    assert "secrets.token_hex(32)" in str(refusal.value)  # says how to make a good one


def test_production_says_why_a_short_or_missing_key_is_refused() -> None:
    assert "not set" in (config.secret_key_problem(None) or "")
    assert "is 5 characters long" in (config.secret_key_problem("short") or "")


def test_production_accepts_random_keys() -> None:
    import secrets

    from casework import create_app

    for _ in range(200):
        assert config.secret_key_problem(secrets.token_hex(16)) is None
        assert config.secret_key_problem(secrets.token_urlsafe(32)) is None
    assert create_app(_production(GOOD_KEY)).config["SECRET_KEY"] == GOOD_KEY


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_production_refuses_debug_mode_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from casework import create_app

    monkeypatch.setenv("FLASK_DEBUG", value)
    with pytest.raises(RuntimeError, match="Debug mode is on"):
        create_app(_production(GOOD_KEY))


def test_production_refuses_debug_mode_in_the_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    from casework import create_app

    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="Debug mode is on"):
        create_app(_production(GOOD_KEY, DEBUG=True))
    monkeypatch.setenv("FLASK_DEBUG", "0")
    assert create_app(_production(GOOD_KEY)).debug is False


def test_production_session_cookie_is_a_host_only_secure_cookie() -> None:
    """ "__Host-": browsers keep it only if Secure, for path / and this host alone."""
    from casework import create_app

    app = create_app(_production(GOOD_KEY))
    response = app.test_client().get("/sign-in", base_url="https://casework.example")
    cookie = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("__Host-casework_session=")
    )
    assert "Secure" in cookie and "Path=/;" in cookie + ";" and "Domain=" not in cookie
