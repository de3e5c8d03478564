"""Anonymisation checks and findings, publication record and delays, publication rules per type.

Revision ID: c3e46b1ffd5e
Revises: ab981c362f2c
Create Date: 2026-11-26 07:50:12.271265

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c3e46b1ffd5e"
down_revision = "ab981c362f2c"
branch_labels = None
depends_on = None

RULES = {
    "CSPR": {"steps": ["sent_to_panel"], "notice_working_days": 7},
    "SAR": {"steps": []},
    "DHR": {"steps": ["home_office_approval"]},
}


def upgrade():
    op.create_table(
        "publication_delays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("expected_until", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_publication_delays_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_publication_delays_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_delays")),
    )
    with op.batch_alter_table("publication_delays", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publication_delays_review_id"), ["review_id"], unique=False)

    op.create_table(
        "anonymisation_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ran_by_id", sa.Integer(), nullable=False),
        sa.Column("extractable", sa.Boolean(), nullable=False),
        sa.Column("manual_check_by_id", sa.Integer(), nullable=True),
        sa.Column("manual_check_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manual_check_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["manual_check_by_id"],
            ["users.id"],
            name=op.f("fk_anonymisation_checks_manual_check_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["ran_by_id"], ["users.id"], name=op.f("fk_anonymisation_checks_ran_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["draft_versions.id"],
            name=op.f("fk_anonymisation_checks_version_id_draft_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymisation_checks")),
    )
    with op.batch_alter_table("anonymisation_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_anonymisation_checks_version_id"), ["version_id"], unique=False)

    op.create_table(
        "publications",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("sent_to_panel_on", sa.Date(), nullable=True),
        sa.Column("home_office_approved_on", sa.Date(), nullable=True),
        sa.Column("public_summary", sa.Text(), nullable=False),
        sa.Column("learning", sa.Text(), nullable=False),
        sa.Column("public_recommendations", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("published_version_id", sa.Integer(), nullable=True),
        sa.Column("briefing_document_id", sa.Integer(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("not_published_on", sa.Date(), nullable=True),
        sa.Column("not_published_reason", sa.Text(), nullable=False),
        sa.Column("improvement_information", sa.Text(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=False),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["briefing_document_id"],
            ["documents.id"],
            name=op.f("fk_publications_briefing_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_publications_published_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["published_version_id"],
            ["draft_versions.id"],
            name=op.f("fk_publications_published_version_id_draft_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_publications_review_id_reviews")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["users.id"], name=op.f("fk_publications_withdrawn_by_id_users")
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_publications")),
    )
    op.create_table(
        "anonymisation_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=100), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column(
            "resolution",
            sa.Enum(
                "not_identifying",
                "corrected",
                name="finding_resolution",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("resolution_note", sa.Text(), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["anonymisation_checks.id"],
            name=op.f("fk_anonymisation_findings_check_id_anonymisation_checks"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_anonymisation_findings_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymisation_findings")),
    )
    with op.batch_alter_table("anonymisation_findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_anonymisation_findings_check_id"), ["check_id"], unique=False)

    with op.batch_alter_table("review_types", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publication_rules", sa.JSON(), nullable=False, server_default="{}"))

    # The seeded types' steps before publication, as data a partnership can change.
    review_types = sa.table(
        "review_types", sa.column("code", sa.String), sa.column("publication_rules", sa.JSON)
    )
    for code, rules in RULES.items():
        op.execute(review_types.update().where(review_types.c.code == code).values(publication_rules=rules))


def downgrade():
    with op.batch_alter_table("review_types", schema=None) as batch_op:
        batch_op.drop_column("publication_rules")

    with op.batch_alter_table("anonymisation_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anonymisation_findings_check_id"))

    op.drop_table("anonymisation_findings")
    op.drop_table("publications")
    with op.batch_alter_table("anonymisation_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anonymisation_checks_version_id"))

    op.drop_table("anonymisation_checks")
    with op.batch_alter_table("publication_delays", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publication_delays_review_id"))

    op.drop_table("publication_delays")
