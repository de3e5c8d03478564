"""Themes (seeded), findings, recommendations, actions, progress updates, deadline change requests.

Revision ID: 1d02c28ec1f7
Revises: d7411fdd5af1
Create Date: 2026-11-26 07:16:50.734136

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "1d02c28ec1f7"
down_revision = "d7411fdd5af1"
branch_labels = None
depends_on = None


# The themes the national Panel's reports name; partnerships add their own as data.
THEMES = [
    "Information sharing",
    "Risk assessment",
    "Professional curiosity",
    "Disguised compliance",
    "Domestic abuse",
    "Parental mental health",
    "Parental substance misuse",
    "Neglect",
    "Vulnerability of babies",
    "Risks outside the family",
    "Disabled children",
    "Children's mental health",
    "Children not in school",
    "Young carers",
    "Race, ethnicity and culture",
    "Whole-family working",
    "Leadership and culture",
]


def upgrade():
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
        sa.UniqueConstraint("name", name=op.f("uq_themes_name")),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_findings_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_findings_review_id_reviews")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint("review_id", "number", name=op.f("uq_findings_review_id")),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_findings_review_id"), ["review_id"], unique=False)

    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("to_partnership", sa.Boolean(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_recommendations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_recommendations_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
        sa.UniqueConstraint("review_id", "number", name=op.f("uq_recommendations_review_id")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendations_review_id"), ["review_id"], unique=False)

    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("success_measure", sa.Text(), nullable=False),
        sa.Column("original_deadline", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("deadline_changes", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "on_track",
                "at_risk",
                "off_track",
                "completed",
                "verified",
                name="action_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_actions_agency_id_agencies")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_actions_created_by_id_users")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_actions_owner_id_users")),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_actions_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_actions_review_id_reviews")),
        sa.ForeignKeyConstraint(
            ["verified_by_id"], ["users.id"], name=op.f("fk_actions_verified_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_deadline"), ["deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_recommendation_id"), ["recommendation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_status"), ["status"], unique=False)

    op.create_table(
        "finding_themes",
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["findings.id"], name=op.f("fk_finding_themes_finding_id_findings")
        ),
        sa.ForeignKeyConstraint(["theme_id"], ["themes.id"], name=op.f("fk_finding_themes_theme_id_themes")),
        sa.PrimaryKeyConstraint("finding_id", "theme_id", name=op.f("pk_finding_themes")),
    )
    op.create_table(
        "recommendation_agencies",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_recommendation_agencies_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_agencies_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint("recommendation_id", "agency_id", name=op.f("pk_recommendation_agencies")),
    )
    op.create_table(
        "recommendation_themes",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_themes_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_recommendation_themes_theme_id_themes")
        ),
        sa.PrimaryKeyConstraint("recommendation_id", "theme_id", name=op.f("pk_recommendation_themes")),
    )
    op.create_table(
        "deadline_change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("current_deadline", sa.Date(), nullable=False),
        sa.Column("proposed_deadline", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "refused",
                name="change_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_deadline_change_requests_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_deadline_change_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_deadline_change_requests_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_change_requests")),
    )
    with op.batch_alter_table("deadline_change_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deadline_change_requests_action_id"), ["action_id"], unique=False
        )

    op.create_table(
        "progress_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "progress",
                "verified",
                "returned",
                "deadline",
                name="update_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "on_track",
                "at_risk",
                "off_track",
                "completed",
                "verified",
                name="update_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_progress_updates_action_id_actions")
        ),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_progress_updates_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_updates")),
    )
    with op.batch_alter_table("progress_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_updates_action_id"), ["action_id"], unique=False)

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("progress_update_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_documents_progress_update_id"), ["progress_update_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_documents_progress_update_id_progress_updates"),
            "progress_updates",
            ["progress_update_id"],
            ["id"],
        )

    themes = sa.table("themes", sa.column("name", sa.String), sa.column("active", sa.Boolean))
    op.bulk_insert(themes, [{"name": name, "active": True} for name in THEMES])


def downgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_documents_progress_update_id_progress_updates"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_documents_progress_update_id"))
        batch_op.drop_column("progress_update_id")

    with op.batch_alter_table("progress_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_updates_action_id"))

    op.drop_table("progress_updates")
    with op.batch_alter_table("deadline_change_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_change_requests_action_id"))

    op.drop_table("deadline_change_requests")
    op.drop_table("recommendation_themes")
    op.drop_table("recommendation_agencies")
    op.drop_table("finding_themes")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_status"))
        batch_op.drop_index(batch_op.f("ix_actions_review_id"))
        batch_op.drop_index(batch_op.f("ix_actions_recommendation_id"))
        batch_op.drop_index(batch_op.f("ix_actions_owner_id"))
        batch_op.drop_index(batch_op.f("ix_actions_deadline"))
        batch_op.drop_index(batch_op.f("ix_actions_agency_id"))

    op.drop_table("actions")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendations_review_id"))

    op.drop_table("recommendations")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_review_id"))

    op.drop_table("findings")
    op.drop_table("themes")
