"""Alembic environment, run through Flask-Migrate with the app's database and models."""

import logging
from logging.config import fileConfig
from typing import Any

from alembic import context
from flask import current_app
from sqlalchemy.types import TypeDecorator

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our column types as their plain SQLAlchemy equivalents, so migrations never
    import application code that may change later."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


OPTIONS = {
    "target_metadata": db.metadata,
    "compare_type": True,
    "render_as_batch": True,  # SQLite alters tables by copying them
    "render_item": render_item,
}


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty(context_: Any, revision: Any, directives: list[Any]) -> None:
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch operations rebuild tables; SQLite must not check foreign keys meanwhile.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # end the implicit transaction so the migration commits its own
        context.configure(
            connection=connection,
            **{
                **current_app.extensions["migrate"].configure_args,
                **OPTIONS,
                "process_revision_directives": skip_empty,
            },
        )
        with context.begin_transaction():
            context.run_migrations()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")  # the pool hands this connection on
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
