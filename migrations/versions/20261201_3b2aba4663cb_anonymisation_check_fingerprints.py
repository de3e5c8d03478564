"""Anonymisation checks keep fingerprints of the file and identifiers they ran against, why they
ran again and why a file could not be read; findings keep fingerprints to carry decisions over.

Revision ID: 3b2aba4663cb
Revises: 7882a4cbd7ff
Create Date: 2026-12-01 14:13:51.441078

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3b2aba4663cb"
down_revision = "7882a4cbd7ff"
branch_labels = None
depends_on = None


def upgrade():
    # Existing checks get empty fingerprints, so none of them counts as current: each must run again.
    with op.batch_alter_table("anonymisation_checks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("document_sha256", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("identifiers_sha256", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("ran_because", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("unreadable_reason", sa.Text(), server_default="", nullable=False))

    with op.batch_alter_table("anonymisation_findings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("identifier_sha256", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("match_sha256", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("no_longer_applies", sa.String(length=200), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("anonymisation_findings", schema=None) as batch_op:
        batch_op.drop_column("no_longer_applies")
        batch_op.drop_column("match_sha256")
        batch_op.drop_column("identifier_sha256")

    with op.batch_alter_table("anonymisation_checks", schema=None) as batch_op:
        batch_op.drop_column("unreadable_reason")
        batch_op.drop_column("ran_because")
        batch_op.drop_column("identifiers_sha256")
        batch_op.drop_column("document_sha256")
