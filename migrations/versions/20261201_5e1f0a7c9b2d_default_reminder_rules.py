"""The default reminder rules, and one default row per kind of reminder.

Revision ID: 5e1f0a7c9b2d
Revises: cb0a3b174c39
Create Date: 2026-12-02 09:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5e1f0a7c9b2d"
down_revision = "cb0a3b174c39"
branch_labels = None
depends_on = None

# Kept here as they were on the day (casework/notifications/rules.py DEFAULT_TIMINGS may change).
DEFAULTS = [
    ("request", 3, 5),
    ("accuracy", 2, 3),
    ("clock", 5, None),
    ("action", 5, 10),
    ("appointment", 5, None),
]


def upgrade():
    with op.batch_alter_table("reminder_rules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reminder_rules_one_default_per_kind",
            ["kind"],
            unique=True,
            sqlite_where=sa.text("review_type_id IS NULL"),
            postgresql_where=sa.text("review_type_id IS NULL"),
        )
    rules = sa.table(
        "reminder_rules",
        sa.column("kind", sa.String),
        sa.column("review_type_id", sa.Integer),
        sa.column("due_soon_days", sa.Integer),
        sa.column("escalate_after_days", sa.Integer),
        sa.column("version", sa.Integer),
    )
    present = {
        row[0]
        for row in op.get_bind().execute(
            sa.text("SELECT kind FROM reminder_rules WHERE review_type_id IS NULL")
        )
    }
    op.bulk_insert(
        rules,
        [
            {
                "kind": kind,
                "review_type_id": None,
                "due_soon_days": due,
                "escalate_after_days": escalate,
                "version": 1,
            }
            for kind, due, escalate in DEFAULTS
            if kind not in present
        ],
    )


def downgrade():
    op.execute("DELETE FROM reminder_rules WHERE review_type_id IS NULL")
    with op.batch_alter_table("reminder_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_rules_one_default_per_kind")
