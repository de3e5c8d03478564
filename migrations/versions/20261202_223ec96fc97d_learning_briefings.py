"""The 7-minute learning briefing of a review, and the record of its dissemination: agencies
sent it and their acknowledgements, learning events with attendance by agency, and practice audits
linked to the recommendations they test.

Revision ID: 223ec96fc97d
Revises: 9c3e5a1d7b64
Create Date: 2026-12-02 03:10:55

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "223ec96fc97d"
down_revision = "9c3e5a1d7b64"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "learning_briefings",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("background", sa.Text(), nullable=False),
        sa.Column("why_it_matters", sa.Text(), nullable=False),
        sa.Column("what_was_found", sa.Text(), nullable=False),
        sa.Column("what_to_think_about", sa.Text(), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("what_to_do_now", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "approved",
                name="briefing_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("drafted_by_id", sa.Integer(), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status <> 'approved' OR (approved_by_id IS NOT NULL AND approved_at IS NOT NULL)",
            name=op.f("ck_learning_briefings_approval_recorded"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_learning_briefings_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["drafted_by_id"], ["users.id"], name=op.f("fk_learning_briefings_drafted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_learning_briefings_review_id_reviews")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_learning_briefings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_learning_briefings")),
    )
    op.create_table(
        "learning_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "workshop",
                "webinar",
                "team_meeting",
                "conference",
                "training",
                "other",
                name="learning_event_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_learning_events_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_learning_events_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_events")),
    )
    with op.batch_alter_table("learning_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learning_events_review_id"), ["review_id"], unique=False)

    op.create_table(
        "practice_audits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("tested", sa.Text(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("carried_out_on", sa.Date(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column(
            "result",
            sa.Enum(
                "met",
                "partly_met",
                "not_met",
                name="practice_audit_result",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "result IS NULL OR carried_out_on IS NOT NULL", name=op.f("ck_practice_audits_result_after_audit")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_practice_audits_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_practice_audits_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_audits")),
    )
    with op.batch_alter_table("practice_audits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_practice_audits_review_id"), ["review_id"], unique=False)

    op.create_table(
        "briefing_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["users.id"], name=op.f("fk_briefing_recipients_acknowledged_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_briefing_recipients_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["learning_briefings.review_id"],
            name=op.f("fk_briefing_recipients_review_id_learning_briefings"),
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["users.id"], name=op.f("fk_briefing_recipients_sent_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_recipients")),
        sa.UniqueConstraint("review_id", "agency_id", name=op.f("uq_briefing_recipients_review_id")),
    )
    with op.batch_alter_table("briefing_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_briefing_recipients_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_briefing_recipients_review_id"), ["review_id"], unique=False)

    op.create_table(
        "event_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.CheckConstraint("attended > 0", name=op.f("ck_event_attendance_someone_attended")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_event_attendance_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["learning_events.id"], name=op.f("fk_event_attendance_event_id_learning_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_attendance")),
        sa.UniqueConstraint("event_id", "agency_id", name=op.f("uq_event_attendance_event_id")),
    )
    with op.batch_alter_table("event_attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_attendance_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_attendance_event_id"), ["event_id"], unique=False)

    op.create_table(
        "practice_audit_recommendations",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["practice_audits.id"],
            name=op.f("fk_practice_audit_recommendations_audit_id_practice_audits"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_practice_audit_recommendations_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint(
            "audit_id", "recommendation_id", name=op.f("pk_practice_audit_recommendations")
        ),
    )


def downgrade():
    op.drop_table("practice_audit_recommendations")
    with op.batch_alter_table("event_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_attendance_event_id"))
        batch_op.drop_index(batch_op.f("ix_event_attendance_agency_id"))

    op.drop_table("event_attendance")
    with op.batch_alter_table("briefing_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefing_recipients_review_id"))
        batch_op.drop_index(batch_op.f("ix_briefing_recipients_agency_id"))

    op.drop_table("briefing_recipients")
    with op.batch_alter_table("practice_audits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_audits_review_id"))

    op.drop_table("practice_audits")
    with op.batch_alter_table("learning_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_events_review_id"))

    op.drop_table("learning_events")
    op.drop_table("learning_briefings")
