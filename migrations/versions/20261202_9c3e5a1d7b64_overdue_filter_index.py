"""An index for the lists' "overdue" and "due soon" filters: each review's running clocks by
due date, so a review is checked in one index search.

Revision ID: 9c3e5a1d7b64
Revises: 5b8e1f0a7c42
Create Date: 2026-12-02 03:50:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "9c3e5a1d7b64"
down_revision = "5b8e1f0a7c42"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_review_deadlines_review_running_due",
        "review_deadlines",
        ["review_id", "running", "due_on"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_review_deadlines_review_running_due", table_name="review_deadlines")
