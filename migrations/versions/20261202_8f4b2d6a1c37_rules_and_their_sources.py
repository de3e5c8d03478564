"""Rules and their sources: each clock's basis and source and the dates it applies between; the
review types' names and criteria over time; a SAR's mandate on its decision; the Panel's challenge
and the decisions the partners reconsidered; the day a review's final report was signed off.

Revision ID: 8f4b2d6a1c37
Revises: 3a7d5c1e9b20
Create Date: 2026-12-02 00:45:00

The rules are written out here, not imported from the application, so this migration keeps
producing the same rows whatever the code becomes. Corrections after checking the guidance:
the rapid review's 15 working days are the Panel's expectation, not statute; a SAR is completed
within six months of starting (Care and Support Statutory Guidance ch. 14), met when the final
report is signed off, not when it is published; type 3 is the Domestic Homicide Review until
section 19 of the Victims and Prisoners Act 2024 commences ("dardr", configured).
"""

import sqlalchemy as sa
from alembic import op

revision = "8f4b2d6a1c37"
down_revision = "3a7d5c1e9b20"
branch_labels = None
depends_on = None

BASES = ("statute", "statutory_guidance", "national_guidance", "local_target")
MANDATES = ("mandatory", "discretionary")
OUTCOMES = ("local_review", "no_review", "national_review")

CSPR_FROM = "2018-06-29"  # the Children and Social Work Act 2017's review provisions
SAR_FROM = "2015-04-01"  # Care Act 2014 Part 1
DHR_FROM = "2011-04-13"  # Domestic Violence, Crime and Victims Act 2004 s9
WORKING_TOGETHER = "Working Together to Safeguard Children 2023, ch. 5"
PANEL_GUIDANCE = "Child Safeguarding Practice Review Panel: guidance for safeguarding partners (June 2025)"
CARE_GUIDANCE = "Care and Support Statutory Guidance, ch. 14 (Safeguarding Adults Reviews)"
HOME_OFFICE = (
    "Home Office, Multi-agency statutory guidance for the conduct of domestic homicide reviews (2016)"
)
CSPR_REGULATIONS = (
    "Child Safeguarding Practice Review and Relevant Agency (England) Regulations 2018, reg. 5(1)"
)

# (type id, clock key): (basis, source, applies from, new label or None, new end event or None)
CLOCKS = {
    (1, "notification"): (
        "statutory_guidance",
        f"Children Act 2004 s16C(1) (the duty to notify); {WORKING_TOGETHER} (within 5 working days)",
        CSPR_FROM,
        None,
        None,
    ),
    (1, "rapid_review"): (
        "national_guidance",
        f"{PANEL_GUIDANCE}: the rapid review within 15 working days of the notification",
        CSPR_FROM,
        "Send the rapid review to the Panel (the Panel's expectation)",
        None,
    ),
    (1, "panel_response"): ("national_guidance", PANEL_GUIDANCE, CSPR_FROM, None, None),
    (1, "publication"): (
        "statutory_guidance",
        f"{WORKING_TOGETHER} (published within 6 months of the decision to review)",
        CSPR_FROM,
        None,
        None,
    ),
    (2, "completion"): (
        "statutory_guidance",
        f"{CARE_GUIDANCE}: completed within six months of starting unless there are good reasons",
        SAR_FROM,
        "Complete the review (final report signed off)",
        "completed",
    ),
    # The domestic homicide clocks keep their rows: only where they come from is added.
    (3, "decision"): (
        "statutory_guidance",
        f"{HOME_OFFICE}: decide within one month of the notification",
        DHR_FROM,
        None,
        None,
    ),
    (3, "completion"): (
        "statutory_guidance",
        f"{HOME_OFFICE}: the review completed within about six months",
        DHR_FROM,
        None,
        None,
    ),
}
OLD_CLOCKS = {
    (1, "rapid_review"): ("Send the rapid review to the Panel", None, True),
    (1, "panel_response"): (None, None, False),
    (2, "completion"): ("Complete the review (board's target)", "published", False),
}

NAMES = {
    1: [
        {
            "name": "Child Safeguarding Practice Review",
            "description": (
                "A local review of a serious child safeguarding case: abuse or neglect of a child is "
                "known or suspected and the child has died or been seriously harmed."
            ),
            "source": f"Children Act 2004 ss16C and 16F; {WORKING_TOGETHER}",
            "from": CSPR_FROM,
        }
    ],
    2: [
        {
            "name": "Safeguarding Adults Review",
            "description": (
                "A review commissioned by the Safeguarding Adults Board under section 44 of the Care Act 2014."
            ),
            "source": "Care Act 2014 s44",
            "from": SAR_FROM,
        }
    ],
    3: [
        {
            "name": "Domestic Homicide Review",
            "description": (
                "A review commissioned by the Community Safety Partnership of the circumstances in which "
                "the death of a person aged 16 or over has, or appears to have, resulted from violence, "
                "abuse or neglect by a person to whom they were related or with whom they were or had "
                "been in an intimate personal relationship, or by a member of the same household."
            ),
            "source": "Domestic Violence, Crime and Victims Act 2004 s9",
            "from": DHR_FROM,
            "until": "dardr",
        },
        {
            "name": "Domestic Abuse Related Death Review",
            "description": (
                "A review commissioned by the Community Safety Partnership of the circumstances in which "
                "the death of a person aged 16 or over has, or appears to have, resulted from domestic "
                "abuse as defined by section 1 of the Domestic Abuse Act 2021."
            ),
            "source": (
                "Domestic Violence, Crime and Victims Act 2004 s9 as amended by the Victims and Prisoners "
                "Act 2024 s19 (enacted, in force from a date set by regulations); Domestic Abuse Act 2021 s1"
            ),
            "from": "dardr",
        },
    ],
}
OLD_NAMES = {
    1: ("Child Safeguarding Practice Review", NAMES[1][0]["description"]),
    2: ("Safeguarding Adults Review", NAMES[2][0]["description"]),
    3: (
        "Domestic Abuse Related Death Review",
        "A review commissioned by the Community Safety Partnership after a death that has, or "
        "appears to have, resulted from domestic abuse.",
    ),
}
DECISION_RULES = {1: {"panel_challenge": True}, 2: {"mandate": True}, 3: {}}


def _criterion(key: str, label: str, source: str, since: str, **more: str) -> dict:
    return {"key": key, "label": label, "source": source, "from": since, **more}


CRITERIA = {
    1: (
        [
            _criterion(
                "improvements",
                "(a) It highlights or may highlight improvements needed, including ones identified before",
                f"{CSPR_REGULATIONS}(a); {WORKING_TOGETHER}",
                CSPR_FROM,
            ),
            _criterion(
                "recurrent_themes",
                "(b) It highlights or may highlight recurrent themes",
                f"{CSPR_REGULATIONS}(b); {WORKING_TOGETHER}",
                CSPR_FROM,
            ),
            _criterion(
                "working_together",
                "(c) It highlights or may highlight concerns about two or more organisations working together",
                f"{CSPR_REGULATIONS}(c); {WORKING_TOGETHER}",
                CSPR_FROM,
            ),
            _criterion(
                "panel_view",
                "(d) The Panel concluded a local review may be more appropriate",
                f"{CSPR_REGULATIONS}(d); {WORKING_TOGETHER}",
                CSPR_FROM,
            ),
        ],
        [
            _criterion(
                "single_agency", "Concern about the actions of a single agency", WORKING_TOGETHER, CSPR_FROM
            ),
            _criterion(
                "no_involvement",
                "No agency involvement, where that itself is a concern",
                WORKING_TOGETHER,
                CSPR_FROM,
            ),
            _criterion(
                "cross_boundary",
                "More than one local authority, police area or health commissioner involved",
                WORKING_TOGETHER,
                CSPR_FROM,
            ),
            _criterion("institutional", "An institutional setting", WORKING_TOGETHER, CSPR_FROM),
        ],
    ),
    2: (
        [
            _criterion(
                "care_needs",
                "The adult has needs for care and support, whether or not they were being met",
                "Care Act 2014 s44(1)(a)",
                SAR_FROM,
            ),
            _criterion(
                "serious_abuse",
                "The adult died, or experienced serious abuse or neglect, and abuse or neglect is known or suspected",
                "Care Act 2014 s44(1)(c), (2) and (3)",
                SAR_FROM,
            ),
            _criterion(
                "working_together",
                "There is reasonable cause for concern about how the Board, its members or others worked together",
                "Care Act 2014 s44(1)(b)",
                SAR_FROM,
            ),
        ],
        [],
    ),
    3: (
        [
            _criterion(
                "death",
                "A person aged 16 or over has died",
                "Domestic Violence, Crime and Victims Act 2004 s9(1)",
                DHR_FROM,
            ),
            _criterion(
                "domestic_abuse",
                "The death has, or appears to have, resulted from violence, abuse or neglect by a relative, "
                "a present or former intimate partner, or a member of the same household",
                "Domestic Violence, Crime and Victims Act 2004 s9(1)",
                DHR_FROM,
                until="dardr",
            ),
            _criterion(
                "domestic_abuse_2021",
                "The death has, or appears to have, resulted from domestic abuse as defined by section 1 "
                "of the Domestic Abuse Act 2021",
                "Domestic Violence, Crime and Victims Act 2004 s9 as amended by the Victims and Prisoners "
                "Act 2024 s19; Domestic Abuse Act 2021 s1",
                "dardr",
            ),
        ],
        [
            _criterion(
                "learning",
                "There are lessons to be learned about how agencies worked together",
                HOME_OFFICE,
                DHR_FROM,
            ),
        ],
    ),
}
DISCRETIONARY = {
    "key": "discretionary",
    "label": "Discretionary review: useful learning although the statutory criteria are not met",
}


def _types():
    return sa.table(
        "review_types",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("decision_criteria", sa.JSON),
        sa.column("regard_circumstances", sa.JSON),
        sa.column("names", sa.JSON),
        sa.column("decision_rules", sa.JSON),
    )


def _clocks():
    return sa.table(
        "review_type_clocks",
        sa.column("review_type_id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("label", sa.String),
        sa.column("end_event", sa.String),
        sa.column("statutory", sa.Boolean),
        sa.column("basis", sa.String),
        sa.column("source", sa.Text),
        sa.column("applies_from", sa.Date),
    )


def _deadlines():
    return sa.table(
        "review_deadlines",
        sa.column("review_id", sa.Integer),
        sa.column("clock_key", sa.String),
        sa.column("label", sa.String),
        sa.column("statutory", sa.Boolean),
    )


def _decisions():
    return sa.table(
        "decisions",
        sa.column("review_id", sa.Integer),
        sa.column("outcome", sa.String),
        sa.column("mandate", sa.String),
        sa.column("regard_had_to", sa.JSON),
    )


def _date(text: str):
    import datetime

    return datetime.date.fromisoformat(text)


def upgrade():
    with op.batch_alter_table("review_type_clocks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "basis",
                sa.Enum(*BASES, name="rule_basis", native_enum=False, create_constraint=True, length=30),
                server_default="local_target",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("source", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("applies_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("applies_until", sa.Date(), nullable=True))
        batch_op.drop_constraint("uq_review_type_clocks_review_type_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_review_type_clocks_review_type_id", ["review_type_id", "key", "applies_from"]
        )
    with op.batch_alter_table("review_types", schema=None) as batch_op:
        batch_op.add_column(sa.Column("names", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("decision_rules", sa.JSON(), nullable=True))
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "mandate",
                sa.Enum(
                    *MANDATES, name="review_mandate", native_enum=False, create_constraint=True, length=20
                ),
                nullable=True,
            )
        )
    op.create_table(
        "decision_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("challenged_on", sa.Date(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_decision_challenges_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_decision_challenges_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_challenges")),
    )
    with op.batch_alter_table("decision_challenges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_challenges_review_id"), ["review_id"], unique=False)
    op.create_table(
        "earlier_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(*OUTCOMES, name="decision_outcome", native_enum=False, create_constraint=True, length=30),
            nullable=False,
        ),
        sa.Column(
            "mandate",
            sa.Enum(*MANDATES, name="review_mandate", native_enum=False, create_constraint=True, length=20),
            nullable=True,
        ),
        sa.Column("criteria_met", sa.JSON(), nullable=False),
        sa.Column("regard_had_to", sa.JSON(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=300), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["decision_challenges.id"],
            name=op.f("fk_earlier_decisions_challenge_id_decision_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_earlier_decisions_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_earlier_decisions_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_earlier_decisions")),
    )
    with op.batch_alter_table("earlier_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_earlier_decisions_review_id"), ["review_id"], unique=False)

    bind = op.get_bind()
    clocks, types, decisions, deadlines = _clocks(), _types(), _decisions(), _deadlines()
    reviews = sa.table("reviews", sa.column("id", sa.Integer), sa.column("review_type_id", sa.Integer))
    for (type_id, key), (basis, source, since, label, end_event) in CLOCKS.items():
        values = {"basis": basis, "source": source, "applies_from": _date(since)}
        values["statutory"] = basis in ("statute", "statutory_guidance")
        if label:
            values["label"] = label
        if end_event:
            values["end_event"] = end_event
        bind.execute(
            clocks.update().where(clocks.c.review_type_id == type_id, clocks.c.key == key).values(**values)
        )
    for type_id, names in NAMES.items():
        criteria, regard = CRITERIA[type_id]
        bind.execute(
            types.update()
            .where(types.c.id == type_id)
            .values(
                name=names[0]["name"],
                description=names[0]["description"],
                names=names,
                decision_rules=DECISION_RULES[type_id],
                decision_criteria=criteria,
                regard_circumstances=regard,
            )
        )
    # A SAR's decision: "discretionary" was a circumstance ticked; it is now the decision's mandate.
    rows = bind.execute(
        sa.select(decisions.c.review_id, decisions.c.regard_had_to)
        .join_from(decisions, reviews, reviews.c.id == decisions.c.review_id)
        .where(reviews.c.review_type_id == 2, decisions.c.outcome == "local_review")
    ).all()
    for review_id, regard in rows:
        regard = list(regard or [])
        mandate = "discretionary" if "discretionary" in regard else "mandatory"
        bind.execute(
            decisions.update()
            .where(decisions.c.review_id == review_id)
            .values(mandate=mandate, regard_had_to=[key for key in regard if key != "discretionary"])
        )
    # The day each review's final report was signed off, from its final version.
    op.execute(
        "UPDATE reviews SET completed_on = (SELECT MAX(d.final_signed_off_on) FROM draft_versions d "
        "WHERE d.review_id = reviews.id AND d.final_signed_off_on IS NOT NULL)"
    )
    # The stored deadlines lists and reminders read agree with the clocks as they now are: the
    # labels and kinds above, and a SAR completed (met) when its final report was signed off.
    for (type_id, key), (basis, _source, _since, label, _end) in CLOCKS.items():
        values = {"statutory": basis in ("statute", "statutory_guidance")}
        if label:
            values["label"] = label
        bind.execute(
            deadlines.update()
            .where(
                deadlines.c.clock_key == key,
                deadlines.c.review_id.in_(sa.select(reviews.c.id).where(reviews.c.review_type_id == type_id)),
            )
            .values(**values)
        )
    op.execute(
        "UPDATE review_deadlines SET running = false, met_on = (SELECT r.completed_on FROM reviews r "
        "WHERE r.id = review_deadlines.review_id) WHERE clock_key = 'completion' AND review_id IN "
        "(SELECT id FROM reviews WHERE review_type_id = 2 AND completed_on IS NOT NULL)"
    )
    bind.execute(types.update().where(types.c.names.is_(None)).values(names=[]))
    bind.execute(types.update().where(types.c.decision_rules.is_(None)).values(decision_rules={}))
    with op.batch_alter_table("review_types", schema=None) as batch_op:
        batch_op.alter_column("names", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("decision_rules", existing_type=sa.JSON(), nullable=False)


def downgrade():
    bind = op.get_bind()
    clocks, types, decisions = _clocks(), _types(), _decisions()
    # Reconsidered decisions have no place in the older schema: the current decision stays.
    op.drop_index(op.f("ix_earlier_decisions_review_id"), table_name="earlier_decisions")
    op.drop_table("earlier_decisions")
    op.drop_index(op.f("ix_decision_challenges_review_id"), table_name="decision_challenges")
    op.drop_table("decision_challenges")
    rows = bind.execute(
        sa.select(decisions.c.review_id, decisions.c.regard_had_to).where(
            decisions.c.mandate == "discretionary"
        )
    ).all()
    for review_id, regard in rows:
        bind.execute(
            decisions.update()
            .where(decisions.c.review_id == review_id)
            .values(regard_had_to=[*(regard or []), "discretionary"])
        )
    for type_id, (name, description) in OLD_NAMES.items():
        criteria, regard = CRITERIA[type_id]
        old_criteria = [
            {"key": c["key"], "label": c["label"]} for c in criteria if c["key"] != "domestic_abuse_2021"
        ]
        old_regard = [{"key": c["key"], "label": c["label"]} for c in regard]
        if type_id == 2:
            old_regard = [DISCRETIONARY]
        bind.execute(
            types.update()
            .where(types.c.id == type_id)
            .values(
                name=name,
                description=description,
                decision_criteria=old_criteria,
                regard_circumstances=old_regard,
            )
        )
    for (type_id, key), (label, end_event, statutory) in OLD_CLOCKS.items():
        values = {"statutory": statutory}
        if label:
            values["label"] = label
        if end_event:
            values["end_event"] = end_event
        bind.execute(
            clocks.update().where(clocks.c.review_type_id == type_id, clocks.c.key == key).values(**values)
        )
    # A rule that replaced another has no place in the older schema, keyed on (type, key).
    op.execute(
        "DELETE FROM review_type_clocks WHERE id NOT IN "
        "(SELECT MIN(id) FROM review_type_clocks GROUP BY review_type_id, key)"
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_decisions_review_mandate"), type_="check")
        batch_op.drop_column("mandate")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("completed_on")
    with op.batch_alter_table("review_types", schema=None) as batch_op:
        batch_op.drop_column("decision_rules")
        batch_op.drop_column("names")
    with op.batch_alter_table("review_type_clocks", schema=None) as batch_op:
        batch_op.drop_constraint("uq_review_type_clocks_review_type_id", type_="unique")
        batch_op.create_unique_constraint("uq_review_type_clocks_review_type_id", ["review_type_id", "key"])
        batch_op.drop_column("applies_until")
        batch_op.drop_column("applies_from")
        batch_op.drop_column("source")
        batch_op.drop_constraint(batch_op.f("ck_review_type_clocks_rule_basis"), type_="check")
        batch_op.drop_column("basis")
