"""A request's history records when a board manager chased the agency.

Revision ID: 3a7d5c1e9b20
Revises: 5e1f0c2a9d47
Create Date: 2026-12-01 21:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3a7d5c1e9b20"
down_revision = "5e1f0c2a9d47"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.drop_column("reminder")
