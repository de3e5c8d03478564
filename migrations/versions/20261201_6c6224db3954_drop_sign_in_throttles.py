"""Drop the sign-in throttle table: failed sign-ins are counted in the rate-limit store.

Revision ID: 6c6224db3954
Revises: 3b2aba4663cb
Create Date: 2026-12-01 14:30:00.000000

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "6c6224db3954"
down_revision = "3b2aba4663cb"
branch_labels = None
depends_on = None


def upgrade():
    # The rows were counters with a lifetime of minutes: nothing worth carrying over.
    op.drop_table("sign_in_throttles")


def downgrade():
    op.create_table(
        "sign_in_throttles",
        sa.Column("email_digest", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("email_digest", name=op.f("pk_sign_in_throttles")),
    )
