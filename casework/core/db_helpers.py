"""Small database operations that must be atomic on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from casework.core.extensions import db


def increment(model: type[Any], keys: dict[str, Any], counter: str, **also_set: Any) -> int:
    """Add one to ``counter`` on the row with these primary-key values, creating it at 1;
    return the new count. One statement, so concurrent requests on any server never lose a count."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    column = getattr(model, counter)
    statement = (
        dialect.insert(model)
        .values(**keys, **{counter: 1}, **also_set)
        .on_conflict_do_update(index_elements=list(keys), set_={counter: column + 1, **also_set})
        .returning(column)
    )
    return db.session.execute(statement).scalar_one()
