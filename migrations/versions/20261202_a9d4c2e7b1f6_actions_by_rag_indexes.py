"""Two partial indexes for the insight page's actions by RAG per agency: the verified actions by
agency, and the others with what decides their colour, so each part is counted from its own
index and the years of verified actions are not read row by row.

Revision ID: a9d4c2e7b1f6
Revises: a7d4c9e2b16f
Create Date: 2026-12-02 14:10:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "a9d4c2e7b1f6"
down_revision = "a7d4c9e2b16f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_actions_verified_agency",
        "actions",
        ["agency_id"],
        unique=False,
        sqlite_where=sa.text("status = 'verified'"),
        postgresql_where=sa.text("status = 'verified'"),
    )
    op.create_index(
        "ix_actions_unverified_rag",
        "actions",
        ["agency_id", "status", "deadline", "completed_on"],
        unique=False,
        sqlite_where=sa.text("status != 'verified'"),
        postgresql_where=sa.text("status != 'verified'"),
    )


def downgrade():
    op.drop_index("ix_actions_unverified_rag", table_name="actions")
    op.drop_index("ix_actions_verified_agency", table_name="actions")
