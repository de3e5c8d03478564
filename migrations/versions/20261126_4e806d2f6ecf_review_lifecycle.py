"""Reviews, review types and clocks, lifecycle steps, pauses, extensions, closure days.

Revision ID: 4e806d2f6ecf
Revises: 2267e6ba4d1c
Create Date: 2026-11-26 06:21:47.468371

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "4e806d2f6ecf"
down_revision = "2267e6ba4d1c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "closure_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_closure_days")),
    )
    op.create_table(
        "review_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("decision_criteria", sa.JSON(), nullable=False),
        sa.Column("regard_circumstances", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_types")),
        sa.UniqueConstraint("code", name=op.f("uq_review_types_code")),
    )
    op.create_table(
        "review_sequences",
        sa.Column("review_type_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_type_id"],
            ["review_types.id"],
            name=op.f("fk_review_sequences_review_type_id_review_types"),
        ),
        sa.PrimaryKeyConstraint("review_type_id", "year", name=op.f("pk_review_sequences")),
    )
    op.create_table(
        "review_type_clocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_type_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("start_event", sa.String(length=40), nullable=False),
        sa.Column("end_event", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column(
            "unit",
            sa.Enum(
                "working_days",
                "calendar_days",
                "calendar_months",
                name="clock_unit",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("statutory", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_type_id"],
            ["review_types.id"],
            name=op.f("fk_review_type_clocks_review_type_id_review_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_type_clocks")),
        sa.UniqueConstraint("review_type_id", "key", name=op.f("uq_review_type_clocks_review_type_id")),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_type_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=100), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "referral",
                "rapid_review",
                "decision",
                "commissioning",
                "awaiting_reviewer",
                "contributions",
                "drafting",
                "publication",
                "action_planning",
                "closed",
                "no_review",
                "national_review",
                name="review_stage",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("stage_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_reviews_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["review_type_id"], ["review_types.id"], name=op.f("fk_reviews_review_type_id_review_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("reference", name=op.f("uq_reviews_reference")),
        sa.UniqueConstraint("review_type_id", "year", "number", name=op.f("uq_reviews_review_type_id")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_review_type_id"), ["review_type_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_stage"), ["stage"], unique=False)

    op.create_table(
        "confidential_records",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_confidential_records_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_confidential_records")),
    )
    op.create_table(
        "deadline_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("clock_key", sa.String(length=40), nullable=False),
        sa.Column("previous_due_on", sa.Date(), nullable=False),
        sa.Column("new_due_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("agreed_by", sa.String(length=300), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_deadline_extensions_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_deadline_extensions_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_extensions")),
    )
    with op.batch_alter_table("deadline_extensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_extensions_review_id"), ["review_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "local_review",
                "no_review",
                "national_review",
                name="decision_outcome",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("criteria_met", sa.JSON(), nullable=False),
        sa.Column("regard_had_to", sa.JSON(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=300), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_decisions_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_decisions_review_id_reviews")),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_decisions")),
    )
    op.create_table(
        "involvements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("known_at_referral", sa.Boolean(), nullable=False),
        sa.Column("contributed_to_rapid_review", sa.Boolean(), nullable=False),
        sa.Column("in_scope", sa.Boolean(), nullable=False),
        sa.Column("role_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_involvements_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_involvements_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_involvements")),
        sa.UniqueConstraint("review_id", "agency_id", name=op.f("uq_involvements_review_id")),
    )
    with op.batch_alter_table("involvements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_involvements_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_involvements_review_id"), ["review_id"], unique=False)

    op.create_table(
        "rapid_reviews",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("meeting_on", sa.Date(), nullable=True),
        sa.Column("facts_established", sa.Text(), nullable=False),
        sa.Column("immediate_safety_actions", sa.Text(), nullable=False),
        sa.Column("learning_identified", sa.Text(), nullable=False),
        sa.Column(
            "recommendation",
            sa.Enum(
                "local_review",
                "no_local_review",
                "national_review",
                name="rapid_review_recommendation",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("sent_to_panel_on", sa.Date(), nullable=True),
        sa.Column(
            "panel_response",
            sa.Enum(
                "agrees_local",
                "national_review",
                name="panel_response",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("panel_responded_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_rapid_reviews_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_rapid_reviews")),
    )
    op.create_table(
        "referrals",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("notifying_organisation", sa.String(length=200), nullable=False),
        sa.Column("notifying_person", sa.String(length=200), nullable=False),
        sa.Column("incident_on", sa.Date(), nullable=False),
        sa.Column("incident_description", sa.Text(), nullable=False),
        sa.Column("became_aware_on", sa.Date(), nullable=False),
        sa.Column("panel_notified_on", sa.Date(), nullable=True),
        sa.CheckConstraint("became_aware_on >= incident_on", name=op.f("ck_referrals_aware_after_incident")),
        sa.CheckConstraint(
            "panel_notified_on IS NULL OR panel_notified_on >= became_aware_on",
            name=op.f("ck_referrals_notified_after_aware"),
        ),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_referrals_review_id_reviews")),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_referrals")),
    )
    op.create_table(
        "review_deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("clock_key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("statutory", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("original_due_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("running", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_deadlines_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_deadlines")),
        sa.UniqueConstraint("review_id", "clock_key", name=op.f("uq_review_deadlines_review_id")),
    )
    with op.batch_alter_table("review_deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_deadlines_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_deadlines_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_deadlines_running"), ["running"], unique=False)

    op.create_table(
        "review_links",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("linked_review_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_review_id"], ["reviews.id"], name=op.f("fk_review_links_linked_review_id_reviews")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_links_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("review_id", "linked_review_id", name=op.f("pk_review_links")),
    )
    op.create_table(
        "review_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("agreed_by", sa.String(length=300), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= started_on", name=op.f("ck_review_pauses_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_review_pauses_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_pauses_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_pauses")),
    )
    with op.batch_alter_table("review_pauses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_pauses_review_id"), ["review_id"], unique=False)

    op.create_table(
        "terms_of_reference",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("scope_from", sa.Date(), nullable=False),
        sa.Column("scope_to", sa.Date(), nullable=False),
        sa.Column("key_lines_of_enquiry", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("family_involvement", sa.Text(), nullable=False),
        sa.Column("target_completion_on", sa.Date(), nullable=False),
        sa.Column("commissioned_on", sa.Date(), nullable=False),
        sa.Column("commissioned_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("scope_to >= scope_from", name=op.f("ck_terms_of_reference_scope_in_order")),
        sa.ForeignKeyConstraint(
            ["commissioned_by_id"], ["users.id"], name=op.f("fk_terms_of_reference_commissioned_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_terms_of_reference_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_terms_of_reference")),
    )
    op.create_table(
        "identified_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "child",
                "parent_carer",
                name="person_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("other_names", sa.String(length=200), nullable=False),
        sa.Column("relationship_to_child", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["confidential_records.review_id"],
            name=op.f("fk_identified_people_review_id_confidential_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identified_people")),
    )
    with op.batch_alter_table("identified_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identified_people_review_id"), ["review_id"], unique=False)

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_events_review_id"), ["review_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_review_id_reviews"), "reviews", ["review_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_audit_events_review_id_reviews"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_audit_events_review_id"))
        batch_op.drop_column("review_id")

    with op.batch_alter_table("identified_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identified_people_review_id"))

    op.drop_table("identified_people")
    op.drop_table("terms_of_reference")
    with op.batch_alter_table("review_pauses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_pauses_review_id"))

    op.drop_table("review_pauses")
    op.drop_table("review_links")
    with op.batch_alter_table("review_deadlines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_deadlines_running"))
        batch_op.drop_index(batch_op.f("ix_review_deadlines_review_id"))
        batch_op.drop_index(batch_op.f("ix_review_deadlines_due_on"))

    op.drop_table("review_deadlines")
    op.drop_table("referrals")
    op.drop_table("rapid_reviews")
    with op.batch_alter_table("involvements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_involvements_review_id"))
        batch_op.drop_index(batch_op.f("ix_involvements_agency_id"))

    op.drop_table("involvements")
    op.drop_table("decisions")
    with op.batch_alter_table("deadline_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_extensions_review_id"))

    op.drop_table("deadline_extensions")
    op.drop_table("confidential_records")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_stage"))
        batch_op.drop_index(batch_op.f("ix_reviews_review_type_id"))

    op.drop_table("reviews")
    op.drop_table("review_type_clocks")
    op.drop_table("review_sequences")
    op.drop_table("review_types")
    op.drop_table("closure_days")
