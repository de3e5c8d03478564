"""Background jobs: long work (a chronology import) done by the worker, with its progress, its
result and who started it, for the page that follows it.

Revision ID: cbf0685a0628
Revises: 0e49154b9c8e
Create Date: 2026-12-02 03:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "cbf0685a0628"
down_revision = "0e49154b9c8e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "background_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="job_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("subject_type", sa.String(length=64), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("input_document_id", sa.Integer(), nullable=True),
        sa.Column("result_document_id", sa.Integer(), nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["input_document_id"],
            ["documents.id"],
            name=op.f("fk_background_jobs_input_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["result_document_id"],
            ["documents.id"],
            name=op.f("fk_background_jobs_result_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_background_jobs_review_id_reviews")
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_background_jobs_started_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_jobs")),
    )
    with op.batch_alter_table("background_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_background_jobs_input_document_id"), ["input_document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_background_jobs_result_document_id"), ["result_document_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_background_jobs_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_background_jobs_started_by_id"), ["started_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_background_jobs_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_background_jobs_subject_id"), ["subject_id"], unique=False)


def downgrade():
    with op.batch_alter_table("background_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_background_jobs_subject_id"))
        batch_op.drop_index(batch_op.f("ix_background_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_background_jobs_started_by_id"))
        batch_op.drop_index(batch_op.f("ix_background_jobs_review_id"))
        batch_op.drop_index(batch_op.f("ix_background_jobs_result_document_id"))
        batch_op.drop_index(batch_op.f("ix_background_jobs_input_document_id"))

    op.drop_table("background_jobs")
