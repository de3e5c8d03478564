"""An index of the open actions (neither completed nor verified) by agency and deadline, for the
red actions of "Needs your attention", an agency's "What your agency owes" and the daily pass:
they read the open actions without visiting the verified ones that years of work leave behind.

Revision ID: 1577642dea06
Revises: 2e0ca362757a
Create Date: 2026-12-02 11:00:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "1577642dea06"
down_revision = "2e0ca362757a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_actions_open_agency_deadline",
        "actions",
        ["agency_id", "deadline"],
        unique=False,
        sqlite_where=sa.text("status NOT IN ('completed', 'verified')"),
        postgresql_where=sa.text("status NOT IN ('completed', 'verified')"),
    )


def downgrade():
    op.drop_index("ix_actions_open_agency_deadline", table_name="actions")
