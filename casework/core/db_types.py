"""Column types shared by every model."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def enum_type(enum_class: type[enum.StrEnum], name: str, length: int = 40) -> Enum:
    """A string-enum column stored as its value, with a CHECK constraint on every database."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )
