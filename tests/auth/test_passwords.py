"""Password rules and hashing."""

from __future__ import annotations

import pytest
from argon2 import Type
from flask import Flask

from casework.auth.passwords import (
    _hasher,
    common_passwords,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from config import ProductionConfig


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "at least 12 characters"),
        ("elevenchars", "at least 12 characters"),
        ("x" * 257, "256 characters or fewer"),
        ("password1234", "too common"),
        ("Password123!", "too common"),  # the common word with digits and symbols around it
        ("qwertyuiop123", "too common"),
        ("PASSWORDPASSWORD", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("abcabcabcabc", "too common"),
        ("morgan.price-2026", "must not contain your email"),
        ("Morgan Price Smith", None),
        ("correct horse battery staple", None),
        ("twelve chars", None),
        ("ünïcödé pässwörd ✓", None),
        ("a very long passphrase " * 10, None),  # 230 characters: long passphrases welcome
    ],
)
def test_password_rules(app: Flask, password: str, problem: str | None) -> None:
    result = password_problem(password, email="morgan.price@example.org", name="Morgan Price")
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result


def test_no_composition_rules(app: Flask) -> None:
    """All lower case, no digits, no symbols: fine when long and uncommon."""
    assert password_problem("lighthouse marmalade") is None


def test_deny_list_is_bundled_and_large() -> None:
    passwords = common_passwords()
    assert len(passwords) > 19000
    assert "password" in passwords and "iloveyou" in passwords


def test_hashes_are_argon2id_and_verify(app: Flask) -> None:
    with app.app_context():
        hashed = hash_password("correct horse battery staple")
        assert hashed.startswith("$argon2id$")
        assert verify_password(hashed, "correct horse battery staple")
        assert not verify_password(hashed, "Correct horse battery staple")
        assert not verify_password(None, "not a password")
        assert not verify_password("not a hash", "anything")
        assert hash_password("same") != hash_password("same")  # salted


def test_hashes_made_with_weaker_settings_are_upgraded(app: Flask) -> None:
    with app.app_context():
        hashed = hash_password("correct horse battery staple")
    stronger = Flask(__name__)
    stronger.config.update(ARGON2_TIME_COST=3, ARGON2_MEMORY_COST=65536)
    with stronger.app_context():
        assert needs_rehash(hashed)


def test_long_passwords_are_not_truncated(app: Flask) -> None:
    """Every character counts, up to the last of the longest password allowed."""
    password = ("correct horse battery staple " * 9)[:255] + "x"
    assert len(password) == 256 and password_problem(password) is None
    with app.app_context():
        hashed = hash_password(password)
        assert verify_password(hashed, password)
        assert not verify_password(hashed, password[:-1] + "y")
        assert not verify_password(hashed, password[:72])  # where bcrypt would have stopped reading


def test_production_hashing_meets_the_asvs_minimum() -> None:
    """OWASP ASVS 2.4.5: argon2id with at least 15 MiB of memory, 2 passes and 1 lane. Outside
    tests the configuration leaves the cost to the library's RFC 9106 profile, which is above it."""
    production = Flask(__name__)
    production.config.update(
        ARGON2_TIME_COST=ProductionConfig.ARGON2_TIME_COST,
        ARGON2_MEMORY_COST=ProductionConfig.ARGON2_MEMORY_COST,
        ARGON2_PARALLELISM=ProductionConfig.ARGON2_PARALLELISM,
    )
    with production.app_context():
        hasher = _hasher()
        assert hash_password("correct horse battery staple").startswith("$argon2id$")
    assert hasher.type is Type.ID
    assert hasher.memory_cost >= 15 * 1024  # KiB
    assert hasher.time_cost >= 2
    assert hasher.parallelism >= 1
