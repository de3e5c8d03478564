"""Exports in batches and in the background: what a job was asked to do (an export's filters),
an index for an action's latest history entry, and one holding every column the tracker's
counts read.

Revision ID: d5a8e3f19b72
Revises: e8c3a5f1d2b7
Create Date: 2026-12-02 06:55:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "d5a8e3f19b72"
down_revision = "e8c3a5f1d2b7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("background_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parameters", sa.JSON(), nullable=True))
    op.create_index("ix_progress_updates_action_at", "progress_updates", ["action_id", "at"], unique=False)
    op.create_index(
        "ix_actions_agency_status_deadline",
        "actions",
        ["agency_id", "status", "deadline", "completed_on"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_actions_agency_status_deadline", table_name="actions")
    op.drop_index("ix_progress_updates_action_at", table_name="progress_updates")
    with op.batch_alter_table("background_jobs", schema=None) as batch_op:
        batch_op.drop_column("parameters")
