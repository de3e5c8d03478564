"""The report of a domestic abuse related death review to the Secretary of State and the Domestic
Abuse Commissioner: owed by reviews started once the Victims and Prisoners Act 2024 s19 is in
force (a date the installation configures).

Revision ID: b7e2c9d41f06
Revises: 81bd337d7980
Create Date: 2026-12-02 01:45:00
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "b7e2c9d41f06"
down_revision = "81bd337d7980"
branch_labels = None
depends_on = None

BEFORE = (
    "always",
    "looked_after_child_died",
    "decision_recorded",
    "review_held",
    "publication_delayed",
    "not_published",
)
AFTER = (*BEFORE, "under_dardr")


def _condition_check(batch_op, values):
    quoted = ", ".join(f"'{value}'" for value in values)
    batch_op.create_check_constraint("notice_condition", sa.text(f"condition IN ({quoted})"))


def upgrade():
    with op.batch_alter_table("notice_requirements", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notice_requirements_notice_condition"), type_="check")
        _condition_check(batch_op, AFTER)
    dhr = op.get_bind().execute(sa.text("SELECT id FROM review_types WHERE code = 'DHR'")).scalar()
    if dhr is None:
        return
    requirements = sa.table(
        "notice_requirements",
        sa.column("review_type_id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("label", sa.String),
        sa.column("recipients", sa.JSON),
        sa.column("sender", sa.String),
        sa.column("timing", sa.String),
        sa.column("condition", sa.String),
        sa.column("source", sa.Text),
        sa.column("applies_from", sa.Date),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        requirements,
        [
            {
                "review_type_id": dhr,
                "key": "report_to_commissioner",
                "label": "The report, to the Secretary of State and the Domestic Abuse Commissioner",
                "recipients": ["Secretary of State (Home Office)", "Domestic Abuse Commissioner"],
                "sender": "The Community Safety Partnership",
                "timing": "no_set_time",
                "condition": "under_dardr",
                "source": (
                    "Domestic Violence, Crime and Victims Act 2004 s9 as amended by the Victims and "
                    "Prisoners Act 2024 s19 (enacted; in force on the commencement date configured)"
                ),
                # The commencement is the installation's setting; the condition checks it.
                "applies_from": date(2024, 5, 24),
                "position": 10,
            }
        ],
    )


def downgrade():
    op.execute(
        "DELETE FROM review_notices WHERE requirement_id IN "
        "(SELECT id FROM notice_requirements WHERE key = 'report_to_commissioner')"
    )
    op.execute("DELETE FROM notice_requirements WHERE key = 'report_to_commissioner'")
    with op.batch_alter_table("notice_requirements", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notice_requirements_notice_condition"), type_="check")
        _condition_check(batch_op, BEFORE)
