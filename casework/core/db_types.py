"""Column types shared by every model."""

from __future__ import annotations

import enum

from sqlalchemy import Column, Enum, ForeignKey, Table

from casework.core.extensions import db


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


def link_table(name: str, left: tuple[str, str], right: tuple[str, str]) -> Table:
    """A many-to-many table of two foreign keys, each given as (column, table it points at)."""
    return Table(
        name,
        db.metadata,
        *(Column(column, ForeignKey(f"{table}.id"), primary_key=True) for column, table in (left, right)),
    )
