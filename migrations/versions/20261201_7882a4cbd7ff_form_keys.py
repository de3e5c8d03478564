"""One-time form keys: a form posted twice changes things once.

Revision ID: 7882a4cbd7ff
Revises: c3e46b1ffd5e
Create Date: 2026-12-01 14:12:58.046229

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7882a4cbd7ff"
down_revision = "c3e46b1ffd5e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "form_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("sent_to", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_keys")),
        sa.UniqueConstraint("key", name=op.f("uq_form_keys_key")),
    )
    with op.batch_alter_table("form_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_keys_created_at"), ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("form_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_keys_created_at"))
    op.drop_table("form_keys")
