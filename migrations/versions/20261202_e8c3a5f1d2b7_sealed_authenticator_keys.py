"""Authenticator apps' keys encrypted at rest: the column widens for the sealed form and every key
already kept is sealed with the installation's key (casework/core/sealed.py).

Revision ID: e8c3a5f1d2b7
Revises: b7e4c1d9a052
Create Date: 2026-12-02 07:20:00

"""

from alembic import op
import sqlalchemy as sa
from flask import current_app

from casework.core.sealed import seal, sealing_secret, unseal


# revision identifiers, used by Alembic.
revision = "e8c3a5f1d2b7"
down_revision = "b7e4c1d9a052"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String))


def _rewrite(change) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))
    )
    for user_id, value in rows.all():
        connection.execute(sa.update(users).where(users.c.id == user_id).values(totp_secret=change(value)))


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("totp_secret", type_=sa.String(length=255), existing_type=sa.String(length=64))
    secret = sealing_secret(current_app.config)
    _rewrite(lambda key: seal(key, secret))


def downgrade():
    secret = sealing_secret(current_app.config)
    _rewrite(lambda token: unseal(token, secret))
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("totp_secret", type_=sa.String(length=64), existing_type=sa.String(length=255))
