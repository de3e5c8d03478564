"""Checks of the values a review service is given (dates, required answers). Each raises
DomainError, naming the field where the message belongs, before anything is changed. The
lifecycle's own guards (version, open, allowed move) are in `lifecycle`."""

from __future__ import annotations

from datetime import date
from typing import Any

from casework.core.errors import DomainError
from casework.core.timeutil import uk_today


def not_future(value: date | None, field_name: str, what: str) -> None:
    if value and value > uk_today():
        raise DomainError(f"{what} must be today or in the past", field=field_name)


def not_before(value: date | None, earliest: date | None, field_name: str, message: str) -> None:
    if value and earliest and value < earliest:
        raise DomainError(message, field=field_name)


def required(value: Any, field_name: str, message: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        raise DomainError(message, field=field_name)
