"""Password hashing (argon2id) and the password rules.

The rules follow current NCSC and NIST advice: a minimum length, a deny-list of common
passwords, no composition rules, and long passphrases welcome.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 12
MAX_LENGTH = 256
DENY_LIST = Path(__file__).with_name("common-passwords.txt.gz")


def _hasher() -> PasswordHasher:
    config = current_app.config
    defaults = PasswordHasher()
    return PasswordHasher(
        time_cost=config.get("ARGON2_TIME_COST") or defaults.time_cost,
        memory_cost=config.get("ARGON2_MEMORY_COST") or defaults.memory_cost,
        parallelism=config.get("ARGON2_PARALLELISM") or defaults.parallelism,
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, still spend the time so timing reveals nothing."""
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def _dummy_hash(hasher: PasswordHasher) -> str:
    return _cached_dummy(hasher.time_cost, hasher.memory_cost, hasher.parallelism)


@cache
def _cached_dummy(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism).hash(
        "not a password"
    )


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(DENY_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


_EDGE_NOISE = re.compile(r"^[\d\W_]+|[\d\W_]+$")


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return what is wrong with a new password, in words for the user, or None."""
    if len(password) < MIN_LENGTH:
        return f"Your password must be at least {MIN_LENGTH} characters long"
    if len(password) > MAX_LENGTH:
        return f"Your password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    core = _EDGE_NOISE.sub("", lowered)
    deny = common_passwords()
    # "Password123!" is still "password": check the word without the digits and symbols around it.
    if lowered in deny or core in deny or _is_repetition(lowered):
        return "This password is too common and easy to guess. Choose a different one"
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        return "Your password must not contain your email address"
    if name and lowered.replace(" ", "") == name.lower().replace(" ", ""):
        return "Your password must not be your name"
    return None


def _is_repetition(text: str) -> bool:
    """True for a short run repeated to reach the length: 'aaaaaaaaaaaa', 'passwordpassword'."""
    period = (text + text).find(text, 1)  # smallest period of the string
    return period < len(text) and period < MIN_LENGTH
