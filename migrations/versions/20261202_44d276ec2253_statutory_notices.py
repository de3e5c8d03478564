"""Statutory notices as data, the local authority's date of awareness, the looked-after child
flag, the Home Office quality assurance loop, and the domestic abuse review's clocks split into
completion (report submitted to the Home Office) and publication (after its approval).

Revision ID: 44d276ec2253
Revises: 8f4b2d6a1c37
Create Date: 2026-12-02 00:24:35

The requirements are written out here, not imported from the application, so this migration
keeps producing the same rows whatever the code becomes.
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "44d276ec2253"
down_revision = "8f4b2d6a1c37"
branch_labels = None
depends_on = None

PANEL = "Child Safeguarding Practice Review Panel"
SECRETARY = "Secretary of State (Department for Education)"
OFSTED = "Ofsted"
WT = "Working Together to Safeguard Children 2023, chapter 5"
REGULATIONS = "Child Safeguarding Practice Review and Relevant Agency (England) Regulations 2018"
DHR_GUIDANCE = (
    "Multi-agency Statutory Guidance for the Conduct of Domestic Homicide Reviews (Home Office, 2016)"
)

# (type code, key, label, recipients, sender, timing, start event, amount, unit, condition, source, applies from)
REQUIREMENTS = [
    (
        "CSPR",
        "serious_incident",
        "Serious incident notification",
        [PANEL, OFSTED],
        "The local authority",
        "after_event",
        "la_became_aware",
        5,
        "working_days",
        "always",
        f"Children Act 2004 s16C(1); {WT} (notifying the Panel within 5 working days)",
        "2018-06-29",
    ),
    (
        "CSPR",
        "partners_report",
        "Report of the incident to the safeguarding partners",
        ["The safeguarding partners"],
        "The local authority",
        "after_event",
        "la_became_aware",
        5,
        "working_days",
        "always",
        WT,
        "2018-06-29",
    ),
    (
        "CSPR",
        "looked_after_death",
        "Death of a looked-after child",
        [SECRETARY, OFSTED],
        "The local authority",
        "after_event",
        "la_became_aware",
        5,
        "working_days",
        "looked_after_child_died",
        f"Children Act 2004 s16C; {WT} (whether or not abuse or neglect is known or suspected)",
        "2018-06-29",
    ),
    (
        "CSPR",
        "final_report",
        "Final report, or the information about improvements when the report is not published",
        [PANEL, SECRETARY, OFSTED],
        "The safeguarding partners",
        "before_publication",
        None,
        7,
        "working_days",
        "review_held",
        f"{REGULATIONS}; {WT} (publication of local reviews)",
        "2018-06-29",
    ),
    (
        "CSPR",
        "delay_reasons",
        "Reasons for delaying publication",
        [PANEL, SECRETARY],
        "The safeguarding partners",
        "no_set_time",
        None,
        None,
        None,
        "publication_delayed",
        f"{WT} (publication of local reviews)",
        "2018-06-29",
    ),
    (
        "CSPR",
        "not_published_reasons",
        "Reasons for not publishing the report",
        [PANEL, SECRETARY],
        "The safeguarding partners",
        "no_set_time",
        None,
        None,
        None,
        "not_published",
        f"{REGULATIONS}; {WT} (publication of local reviews)",
        "2018-06-29",
    ),
    (
        "DHR",
        "decision",
        "The decision whether to hold a review, including a decision not to",
        ["Home Office"],
        "The Community Safety Partnership",
        "after_event",
        "became_aware",
        1,
        "calendar_months",
        "decision_recorded",
        f"Domestic Violence, Crime and Victims Act 2004 s9; {DHR_GUIDANCE}, section 3 (establishing a review)",
        "2011-04-13",
    ),
]

# Notices whose sending is an event already recorded: the Panel's notification (which the Panel
# shares with Ofsted and the Department), and the report to the partners, which is how the
# partnership became aware.
MET_BY = {("CSPR", "serious_incident"): "panel_notified", ("CSPR", "partners_report"): "became_aware"}


def upgrade():
    op.create_table(
        "notice_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_type_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column(
            "timing",
            sa.Enum(
                "after_event",
                "before_publication",
                "no_set_time",
                name="notice_timing",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("start_event", sa.String(length=40), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("met_by_event", sa.String(length=40), nullable=True),
        sa.Column(
            "unit",
            sa.Enum(
                "working_days",
                "calendar_days",
                "calendar_months",
                name="notice_unit",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column(
            "condition",
            sa.Enum(
                "always",
                "looked_after_child_died",
                "decision_recorded",
                "review_held",
                "publication_delayed",
                "not_published",
                name="notice_condition",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("applies_from", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_type_id"],
            ["review_types.id"],
            name=op.f("fk_notice_requirements_review_type_id_review_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_requirements")),
        sa.UniqueConstraint("review_type_id", "key", name=op.f("uq_notice_requirements_review_type_id")),
    )
    with op.batch_alter_table("notice_requirements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_requirements_review_type_id"), ["review_type_id"], unique=False
        )

    op.create_table(
        "home_office_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column(
            "step",
            sa.Enum(
                "submitted",
                "feedback",
                "resubmitted",
                "approved",
                name="quality_step",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_home_office_steps_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_home_office_steps_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_office_steps")),
    )
    with op.batch_alter_table("home_office_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_home_office_steps_review_id"), ["review_id"], unique=False)

    op.create_table(
        "review_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("applies", sa.Boolean(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("comments_on", sa.Date(), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("response_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["notice_requirements.id"],
            name=op.f("fk_review_notices_requirement_id_notice_requirements"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_notices_review_id_reviews")
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["users.id"], name=op.f("fk_review_notices_sent_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_notices")),
        sa.UniqueConstraint("review_id", "requirement_id", name=op.f("uq_review_notices_review_id")),
    )
    with op.batch_alter_table("review_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_notices_applies"), ["applies"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_notices_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_review_notices_requirement_id"), ["requirement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_notices_review_id"), ["review_id"], unique=False)

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("la_became_aware_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("looked_after_child_died", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    _seed()


def _seed():
    connection = op.get_bind()
    type_ids = dict(connection.execute(sa.text("SELECT code, id FROM review_types")).all())
    requirements = sa.table(
        "notice_requirements",
        sa.column("review_type_id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("label", sa.String),
        sa.column("recipients", sa.JSON),
        sa.column("sender", sa.String),
        sa.column("timing", sa.String),
        sa.column("start_event", sa.String),
        sa.column("amount", sa.Integer),
        sa.column("unit", sa.String),
        sa.column("met_by_event", sa.String),
        sa.column("condition", sa.String),
        sa.column("source", sa.Text),
        sa.column("applies_from", sa.Date),
        sa.column("position", sa.Integer),
    )
    rows = []
    for position, row in enumerate(REQUIREMENTS):
        code, key, label, recipients, sender, timing, start, amount, unit, condition, source, since = row
        met_by = MET_BY.get((code, key))
        if code not in type_ids:
            continue  # a partnership that removed the type keeps it removed
        rows.append(
            {
                "review_type_id": type_ids[code],
                "key": key,
                "label": label,
                "recipients": recipients,
                "sender": sender,
                "timing": timing,
                "start_event": start,
                "amount": amount,
                "unit": unit,
                "met_by_event": met_by,
                "condition": condition,
                "source": source,
                "applies_from": date.fromisoformat(since),
                "position": position,
            }
        )
    if rows:
        op.bulk_insert(requirements, rows)

    # The notification is the local authority's, to the Panel and Ofsted, from when it became aware.
    op.execute(
        "UPDATE review_type_clocks SET start_event = 'la_became_aware', label = 'Notify the Panel and Ofsted' "
        "WHERE key = 'notification' AND review_type_id IN (SELECT id FROM review_types WHERE code = 'CSPR')"
    )
    # A domestic abuse review is complete when its report goes to the Home Office; publication
    # follows the Home Office's approval.
    op.execute(
        "UPDATE review_type_clocks SET end_event = 'home_office_submitted', "
        "label = 'Submit the report to the Home Office (about 6 months)' "
        "WHERE key = 'completion' AND review_type_id IN (SELECT id FROM review_types WHERE code = 'DHR')"
    )
    if "DHR" in type_ids:
        clocks = sa.table(
            "review_type_clocks",
            sa.column("review_type_id", sa.Integer),
            sa.column("key", sa.String),
            sa.column("label", sa.String),
            sa.column("start_event", sa.String),
            sa.column("end_event", sa.String),
            sa.column("amount", sa.Integer),
            sa.column("unit", sa.String),
            sa.column("statutory", sa.Boolean),
            sa.column("basis", sa.String),
            sa.column("source", sa.Text),
            sa.column("applies_from", sa.Date),
            sa.column("position", sa.Integer),
        )
        op.bulk_insert(
            clocks,
            [
                {
                    "review_type_id": type_ids["DHR"],
                    "key": "publication",
                    "label": "Publish after the Home Office approval (partnership's target)",
                    "start_event": "home_office_approved",
                    "end_event": "published",
                    "amount": 1,
                    "unit": "calendar_months",
                    "statutory": False,
                    # The guidance sets no time between the approval and publication.
                    "basis": "local_target",
                    "source": "The partnership's own target: the Home Office guidance sets no time "
                    "between its approval and publication",
                    "applies_from": date(2011, 4, 13),
                    "position": 2,
                }
            ],
        )


def downgrade():
    op.execute(
        "DELETE FROM review_deadlines WHERE clock_key = 'publication' "
        "AND review_id IN (SELECT reviews.id FROM reviews JOIN review_types ON reviews.review_type_id = review_types.id "
        "WHERE review_types.code = 'DHR')"
    )
    op.execute(
        "DELETE FROM review_type_clocks WHERE key = 'publication' "
        "AND review_type_id IN (SELECT id FROM review_types WHERE code = 'DHR')"
    )
    op.execute(
        "UPDATE review_type_clocks SET end_event = 'published', label = 'Complete the review (about 6 months)' "
        "WHERE key = 'completion' AND review_type_id IN (SELECT id FROM review_types WHERE code = 'DHR')"
    )
    op.execute(
        "UPDATE review_type_clocks SET start_event = 'became_aware', label = 'Notify the Panel' "
        "WHERE key = 'notification' AND review_type_id IN (SELECT id FROM review_types WHERE code = 'CSPR')"
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_column("looked_after_child_died")
        batch_op.drop_column("la_became_aware_on")

    with op.batch_alter_table("review_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_notices_review_id"))
        batch_op.drop_index(batch_op.f("ix_review_notices_requirement_id"))
        batch_op.drop_index(batch_op.f("ix_review_notices_due_on"))
        batch_op.drop_index(batch_op.f("ix_review_notices_applies"))
    op.drop_table("review_notices")
    with op.batch_alter_table("home_office_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_home_office_steps_review_id"))
    op.drop_table("home_office_steps")
    with op.batch_alter_table("notice_requirements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_requirements_review_type_id"))
    op.drop_table("notice_requirements")
