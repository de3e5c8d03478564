"""Indexes on the days an action was created, completed and verified, which a reporting year's
figures (the annual report pack) and the months of the overdue chart count by: a year reads its
own actions and the open ones, not every action of the years before.

Revision ID: f3b8d61c2a47
Revises: 1577642dea06
Create Date: 2026-12-02 11:00:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "f3b8d61c2a47"
down_revision = "1577642dea06"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_actions_created_on", "actions", ["created_on"], unique=False)
    op.create_index("ix_actions_completed_on", "actions", ["completed_on"], unique=False)
    op.create_index("ix_actions_verified_at", "actions", ["verified_at"], unique=False)


def downgrade():
    op.drop_index("ix_actions_verified_at", table_name="actions")
    op.drop_index("ix_actions_completed_on", table_name="actions")
    op.drop_index("ix_actions_created_on", table_name="actions")
