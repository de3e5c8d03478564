"""Columns kept encrypted at rest: a copy of the database alone does not give them away.

Used for the authenticator apps' keys, which would let whoever reads them make sign-in codes. The
key is CASEWORK_FIELD_ENCRYPTION_KEY when set (so it can live apart from SECRET_KEY), else one
derived from SECRET_KEY. Fernet (AES-128-CBC with HMAC-SHA256) from `cryptography`.
"""

from __future__ import annotations

import base64
import logging
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _fernet(secret: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"casework sealed columns")
    return Fernet(base64.urlsafe_b64encode(derived.derive(secret.encode())))


def sealing_secret(config: Any) -> str:
    return str(config.get("FIELD_ENCRYPTION_KEY") or config["SECRET_KEY"])


def seal(text: str, secret: str) -> str:
    return _fernet(secret).encrypt(text.encode()).decode()


def unseal(token: str, secret: str) -> str | None:
    """The text, or None if it was sealed with another key (the key changed): unreadable, never
    an error on every page that loads the row."""
    try:
        return _fernet(secret).decrypt(token.encode()).decode()
    except InvalidToken:
        _warn_once()
        return None


@lru_cache(maxsize=1)
def _warn_once() -> None:
    """Once per process: every page loads the signed-in person's row, and the cause is one."""
    log.warning(
        "A sealed value could not be opened with the current key: was SECRET_KEY or "
        "CASEWORK_FIELD_ENCRYPTION_KEY changed? Authenticator apps sealed before must be set up again."
    )


class SealedString(TypeDecorator[str]):
    """A string encrypted in the database, plain in Python."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else seal(value, sealing_secret(current_app.config))

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else unseal(value, sealing_secret(current_app.config))
