"""A recommendation confirmed while closely resembling an earlier one keeps which one it
resembles and what is different this time.

Revision ID: e4a1c7b2d9f3
Revises: b7e2c9d41f06
Create Date: 2026-12-02 02:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e4a1c7b2d9f3"
down_revision = "b7e2c9d41f06"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resembles_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("difference_from_earlier", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_recommendations_resembles_id"), ["resembles_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_recommendations_resembles_id_recommendations"),
            "recommendations",
            ["resembles_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_recommendations_resembles_id_recommendations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_recommendations_resembles_id"))
        batch_op.drop_column("difference_from_earlier")
        batch_op.drop_column("resembles_id")
