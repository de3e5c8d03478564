"""An index of the open actions (neither completed nor verified) by deadline, holding their
status, review and recommendation: the red actions of "Needs your attention" take their most
overdue from its start and are counted from it alone, without reading the table's rows.

Revision ID: a7d4c9e2b16f
Revises: a7d2c4e9b1f6
Create Date: 2026-12-02 13:30:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "a7d4c9e2b16f"
down_revision = "a7d2c4e9b1f6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_actions_open_deadline",
        "actions",
        ["deadline", "status", "review_id", "recommendation_id"],
        unique=False,
        sqlite_where=sa.text("status NOT IN ('completed', 'verified')"),
        postgresql_where=sa.text("status NOT IN ('completed', 'verified')"),
    )


def downgrade():
    op.drop_index("ix_actions_open_deadline", table_name="actions")
