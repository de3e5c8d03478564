"""Reviewers and affiliations, assignments, contribution requests, chronology entries, documents.

Revision ID: d7411fdd5af1
Revises: 7c1d2e3f4a5b
Create Date: 2026-11-26 06:44:25.835469

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d7411fdd5af1"
down_revision = "7c1d2e3f4a5b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reviewer_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reviewer_profiles_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reviewer_profiles")),
    )
    op.create_table(
        "affiliations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("nature", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_affiliations_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["reviewer_profiles.user_id"],
            name=op.f("fk_affiliations_reviewer_id_reviewer_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliations")),
    )
    with op.batch_alter_table("affiliations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_affiliations_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_affiliations_reviewer_id"), ["reviewer_id"], unique=False)

    op.create_table(
        "contribution_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "chronology",
                "agency_report",
                "documents",
                "learning_event",
                name="contribution_kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "submitted",
                "returned",
                "accepted",
                "withdrawn",
                name="request_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("response_note", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_contribution_requests_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_contribution_requests_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_contribution_requests_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_requests")),
    )
    with op.batch_alter_table("contribution_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contribution_requests_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contribution_requests_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contribution_requests_status"), ["status"], unique=False)

    op.create_table(
        "reviewer_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "lead",
                "co_reviewer",
                name="assignment_role",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "accepted",
                "declined",
                "withdrawn",
                name="assignment_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("assigned_by_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overridden_conflicts", sa.JSON(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("flagged_conflicts", sa.JSON(), nullable=False),
        sa.Column("declaration", sa.Text(), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["users.id"], name=op.f("fk_reviewer_assignments_assigned_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_reviewer_assignments_review_id_reviews")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_reviewer_assignments_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviewer_assignments")),
        sa.UniqueConstraint("review_id", "reviewer_id", name=op.f("uq_reviewer_assignments_review_id")),
    )
    with op.batch_alter_table("reviewer_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviewer_assignments_review_id"), ["review_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reviewer_assignments_reviewer_id"), ["reviewer_id"], unique=False
        )

    op.create_table(
        "chronology_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("occurred_at", sa.Time(), nullable=True),
        sa.Column("practitioner_role", sa.String(length=200), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("significance", sa.Text(), nullable=False),
        sa.Column("key_episode", sa.Boolean(), nullable=False),
        sa.Column("key_episode_note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_chronology_entries_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_chronology_entries_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["contribution_requests.id"],
            name=op.f("fk_chronology_entries_request_id_contribution_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_chronology_entries_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chronology_entries")),
    )
    with op.batch_alter_table("chronology_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chronology_entries_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chronology_entries_occurred_on"), ["occurred_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_chronology_entries_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chronology_entries_review_id"), ["review_id"], unique=False)

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("detected_type", sa.String(length=20), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("contribution_request_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_request_id"],
            ["contribution_requests.id"],
            name=op.f("fk_documents_contribution_request_id_contribution_requests"),
        ),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_documents_review_id_reviews")),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_documents_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_documents_stored_name")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_documents_contribution_request_id"), ["contribution_request_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_documents_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_sha256"), ["sha256"], unique=False)

    op.create_table(
        "request_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "submitted",
                "returned",
                "accepted",
                "withdrawn",
                name="request_event_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_request_events_by_id_users")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["contribution_requests.id"],
            name=op.f("fk_request_events_request_id_contribution_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_events")),
    )
    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_events_request_id"), ["request_id"], unique=False)

    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("area", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table("review_types", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contribution_days", sa.Integer(), server_default="20", nullable=False))


def downgrade():
    with op.batch_alter_table("review_types", schema=None) as batch_op:
        batch_op.drop_column("contribution_days")

    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_column("active")
        batch_op.drop_column("area")

    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_events_request_id"))

    op.drop_table("request_events")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_sha256"))
        batch_op.drop_index(batch_op.f("ix_documents_review_id"))
        batch_op.drop_index(batch_op.f("ix_documents_contribution_request_id"))

    op.drop_table("documents")
    with op.batch_alter_table("chronology_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chronology_entries_review_id"))
        batch_op.drop_index(batch_op.f("ix_chronology_entries_request_id"))
        batch_op.drop_index(batch_op.f("ix_chronology_entries_occurred_on"))
        batch_op.drop_index(batch_op.f("ix_chronology_entries_agency_id"))

    op.drop_table("chronology_entries")
    with op.batch_alter_table("reviewer_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewer_assignments_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_reviewer_assignments_review_id"))

    op.drop_table("reviewer_assignments")
    with op.batch_alter_table("contribution_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_requests_status"))
        batch_op.drop_index(batch_op.f("ix_contribution_requests_review_id"))
        batch_op.drop_index(batch_op.f("ix_contribution_requests_agency_id"))

    op.drop_table("contribution_requests")
    with op.batch_alter_table("affiliations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affiliations_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_affiliations_agency_id"))

    op.drop_table("affiliations")
    op.drop_table("reviewer_profiles")
