"""Actions keep the day they were completed, so one completed in time waits for verification
without turning red.

Revision ID: 5e1f0c2a9d47
Revises: 5e1f0a7c9b2d
Create Date: 2026-12-01 21:15:00

"""

from datetime import UTC
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5e1f0c2a9d47"
down_revision = "5e1f0a7c9b2d"
branch_labels = None
depends_on = None

DONE = ("completed", "verified")


def upgrade():
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_on", sa.Date(), nullable=True))

    # Actions already done: the UK day of the report that completed them, from their history
    # (the first "completed" report since work on them last resumed).
    actions = sa.table(
        "actions",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("completed_on", sa.Date),
    )
    updates = sa.table(
        "progress_updates",
        sa.column("id", sa.Integer),
        sa.column("action_id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    done = [row.id for row in bind.execute(sa.select(actions.c.id).where(actions.c.status.in_(DONE)))]
    uk = ZoneInfo("Europe/London")
    for action_id in done:
        completed = None
        history = bind.execute(
            sa.select(updates.c.status, updates.c.at)
            .where(updates.c.action_id == action_id)
            .order_by(updates.c.id)
        )
        for status, at in history:
            if status == "completed" and completed is None:
                completed = at
            elif status not in DONE:
                completed = None
        if completed is not None:
            moment = completed if completed.tzinfo else completed.replace(tzinfo=UTC)
            bind.execute(
                actions.update()
                .where(actions.c.id == action_id)
                .values(completed_on=moment.astimezone(uk).date())
            )


def downgrade():
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("completed_on")
