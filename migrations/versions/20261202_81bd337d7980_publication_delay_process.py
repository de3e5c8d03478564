"""A publication delay names the parallel process that caused it.

Revision ID: 81bd337d7980
Revises: 2d9677517c4a
Create Date: 2026-12-02 01:40:00

Delays recorded before this name no process; nothing is guessed for them.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "81bd337d7980"
down_revision = "2d9677517c4a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("publication_delays", schema=None) as batch_op:
        batch_op.add_column(sa.Column("process_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_publication_delays_process_id"), ["process_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_publication_delays_process_id_parallel_processes"),
            "parallel_processes",
            ["process_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("publication_delays", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_publication_delays_process_id_parallel_processes"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_publication_delays_process_id"))
        batch_op.drop_column("process_id")
