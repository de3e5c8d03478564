"""An index of each person's unread notifications, which every page's header counts: the count
reads this index alone, however many notifications the person has already read.

Revision ID: 2e0ca362757a
Revises: d5a8e3f19b72
Create Date: 2026-12-02 10:30:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "2e0ca362757a"
down_revision = "d5a8e3f19b72"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_notifications_unread_user",
        "notifications",
        ["user_id"],
        unique=False,
        sqlite_where=sa.text("read_at IS NULL"),
        postgresql_where=sa.text("read_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_notifications_unread_user", table_name="notifications")
