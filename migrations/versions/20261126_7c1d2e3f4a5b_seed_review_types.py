"""Seed the three review types, their stages, decision criteria and clocks.

Revision ID: 7c1d2e3f4a5b
Revises: 4e806d2f6ecf
Create Date: 2026-11-26 09:00:00

The data is written out here, not imported from the application, so this migration keeps
producing the same rows whatever the code becomes. Partnerships change clocks and add types
as data afterwards.
"""

import sqlalchemy as sa
from alembic import op

revision = "7c1d2e3f4a5b"
down_revision = "4e806d2f6ecf"
branch_labels = None
depends_on = None

MAIN_PATH = [
    "commissioning",
    "awaiting_reviewer",
    "contributions",
    "drafting",
    "publication",
    "action_planning",
    "closed",
]

TYPES = [
    {
        "id": 1,
        "code": "CSPR",
        "name": "Child Safeguarding Practice Review",
        "description": (
            "A local review of a serious child safeguarding case: abuse or neglect of a child is "
            "known or suspected and the child has died or been seriously harmed."
        ),
        "stages": ["referral", "rapid_review", "decision", *MAIN_PATH, "no_review", "national_review"],
        "decision_criteria": [
            {
                "key": "improvements",
                "label": "(a) It highlights or may highlight improvements needed, including ones identified before",
            },
            {"key": "recurrent_themes", "label": "(b) It highlights or may highlight recurrent themes"},
            {
                "key": "working_together",
                "label": "(c) It highlights or may highlight concerns about two or more organisations working together",
            },
            {"key": "panel_view", "label": "(d) The Panel concluded a local review may be more appropriate"},
        ],
        "regard_circumstances": [
            {"key": "single_agency", "label": "Concern about the actions of a single agency"},
            {"key": "no_involvement", "label": "No agency involvement, where that itself is a concern"},
            {
                "key": "cross_boundary",
                "label": "More than one local authority, police area or health commissioner involved",
            },
            {"key": "institutional", "label": "An institutional setting"},
        ],
        "clocks": [
            ("notification", "Notify the Panel", "became_aware", "panel_notified", 5, "working_days", True),
            (
                "rapid_review",
                "Send the rapid review to the Panel",
                "panel_notified",
                "rapid_review_sent",
                15,
                "working_days",
                True,
            ),
            (
                "panel_response",
                "Panel's response (usually about 10 working days)",
                "rapid_review_sent",
                "panel_responded",
                10,
                "working_days",
                False,
            ),
            (
                "publication",
                "Publish the final report",
                "decision_to_review",
                "published",
                6,
                "calendar_months",
                True,
            ),
        ],
    },
    {
        "id": 2,
        "code": "SAR",
        "name": "Safeguarding Adults Review",
        "description": (
            "A review commissioned by the Safeguarding Adults Board under section 44 of the Care Act 2014."
        ),
        "stages": ["referral", "decision", *MAIN_PATH, "no_review"],
        "decision_criteria": [
            {
                "key": "care_needs",
                "label": "The adult has needs for care and support, whether or not they were being met",
            },
            {
                "key": "serious_abuse",
                "label": "The adult died, or experienced serious abuse or neglect, and abuse or neglect is known or suspected",
            },
            {
                "key": "working_together",
                "label": "There is reasonable cause for concern about how the Board, its members or others worked together",
            },
        ],
        "regard_circumstances": [
            {
                "key": "discretionary",
                "label": "Discretionary review: useful learning although the statutory criteria are not met",
            },
        ],
        "clocks": [
            (
                "completion",
                "Complete the review (board's target)",
                "decision_to_review",
                "published",
                6,
                "calendar_months",
                False,
            ),
        ],
    },
    {
        "id": 3,
        "code": "DHR",
        "name": "Domestic Abuse Related Death Review",
        "description": (
            "A review commissioned by the Community Safety Partnership after a death that has, or "
            "appears to have, resulted from domestic abuse."
        ),
        "stages": ["referral", "decision", *MAIN_PATH, "no_review"],
        "decision_criteria": [
            {"key": "death", "label": "A person aged 16 or over has died"},
            {
                "key": "domestic_abuse",
                "label": "The death has, or appears to have, resulted from violence, abuse or neglect by a relative, partner or household member",
            },
        ],
        "regard_circumstances": [
            {
                "key": "learning",
                "label": "There are lessons to be learned about how agencies worked together",
            },
        ],
        "clocks": [
            (
                "decision",
                "Decide whether to hold a review",
                "became_aware",
                "decision",
                1,
                "calendar_months",
                True,
            ),
            (
                "completion",
                "Complete the review (about 6 months)",
                "decision_to_review",
                "published",
                6,
                "calendar_months",
                True,
            ),
        ],
    },
]


def upgrade():
    review_types = sa.table(
        "review_types",
        sa.column("id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("stages", sa.JSON),
        sa.column("decision_criteria", sa.JSON),
        sa.column("regard_circumstances", sa.JSON),
        sa.column("active", sa.Boolean),
    )
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
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        review_types,
        [{key: value for key, value in t.items() if key != "clocks"} | {"active": True} for t in TYPES],
    )
    op.bulk_insert(
        clocks,
        [
            {
                "review_type_id": t["id"],
                "key": key,
                "label": label,
                "start_event": start,
                "end_event": end,
                "amount": amount,
                "unit": unit,
                "statutory": statutory,
                "position": position,
            }
            for t in TYPES
            for position, (key, label, start, end, amount, unit, statutory) in enumerate(t["clocks"])
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        # Explicit ids were inserted: move the sequence past them for types added later.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('review_types', 'id'), (SELECT MAX(id) FROM review_types))"
        )


def downgrade():
    op.execute("DELETE FROM review_type_clocks WHERE review_type_id IN (1, 2, 3)")
    op.execute("DELETE FROM review_types WHERE id IN (1, 2, 3)")
