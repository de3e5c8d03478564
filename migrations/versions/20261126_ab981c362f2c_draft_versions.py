"""Draft versions, factual accuracy checks, answers and comments.

Revision ID: ab981c362f2c
Revises: 1d02c28ec1f7
Create Date: 2026-11-26 07:45:02.371899

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "ab981c362f2c"
down_revision = "1d02c28ec1f7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "draft_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("final_signed_off_on", sa.Date(), nullable=True),
        sa.Column("family_shared_on", sa.Date(), nullable=True),
        sa.Column("family_shared_how", sa.String(length=300), nullable=False),
        sa.Column("family_response", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_draft_versions_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_draft_versions_review_id_reviews")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_draft_versions_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_versions")),
        sa.UniqueConstraint("document_id", name=op.f("uq_draft_versions_document_id")),
        sa.UniqueConstraint("review_id", "number", name=op.f("uq_draft_versions_review_id")),
    )
    with op.batch_alter_table("draft_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_versions_review_id"), ["review_id"], unique=False)

    op.create_table(
        "accuracy_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("shared_by_id", sa.Integer(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shared_by_id"], ["users.id"], name=op.f("fk_accuracy_checks_shared_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["draft_versions.id"], name=op.f("fk_accuracy_checks_version_id_draft_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accuracy_checks")),
        sa.UniqueConstraint("version_id", name=op.f("uq_accuracy_checks_version_id")),
    )
    op.create_table(
        "accuracy_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("no_inaccuracies", sa.Boolean(), nullable=False),
        sa.Column("signed_off_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_accuracy_answers_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["check_id"], ["accuracy_checks.id"], name=op.f("fk_accuracy_answers_check_id_accuracy_checks")
        ),
        sa.ForeignKeyConstraint(
            ["signed_off_by_id"], ["users.id"], name=op.f("fk_accuracy_answers_signed_off_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accuracy_answers")),
        sa.UniqueConstraint("check_id", "agency_id", name=op.f("uq_accuracy_answers_check_id")),
    )
    with op.batch_alter_table("accuracy_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accuracy_answers_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_accuracy_answers_check_id"), ["check_id"], unique=False)

    op.create_table(
        "accuracy_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "response",
            sa.Enum(
                "accepted",
                "not_accepted",
                name="comment_response",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("response_reason", sa.Text(), nullable=False),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["accuracy_answers.id"],
            name=op.f("fk_accuracy_comments_answer_id_accuracy_answers"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_accuracy_comments_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["responded_by_id"], ["users.id"], name=op.f("fk_accuracy_comments_responded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accuracy_comments")),
    )
    with op.batch_alter_table("accuracy_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accuracy_comments_answer_id"), ["answer_id"], unique=False)


def downgrade():
    with op.batch_alter_table("accuracy_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accuracy_comments_answer_id"))

    op.drop_table("accuracy_comments")
    with op.batch_alter_table("accuracy_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accuracy_answers_check_id"))
        batch_op.drop_index(batch_op.f("ix_accuracy_answers_agency_id"))

    op.drop_table("accuracy_answers")
    op.drop_table("accuracy_checks")
    with op.batch_alter_table("draft_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_versions_review_id"))

    op.drop_table("draft_versions")
