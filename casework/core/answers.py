"""Checks of a service's answers written as a table: one check, and for each answer it applies to
the message that names it. An answer is an attribute of the details a form filled in, named as
its field is, so the message goes next to that field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def check_each(check: Callable[[Any, str, str], None], answers: object, messages: Mapping[str, str]) -> None:
    """``check(value, field name, message)`` for each answer ``messages`` names, in its order: the
    first refused is the one the person is shown."""
    for name, message in messages.items():
        check(getattr(answers, name), name, message)
