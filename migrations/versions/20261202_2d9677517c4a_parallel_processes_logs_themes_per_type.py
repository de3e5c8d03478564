"""Parallel processes, the monitoring and family involvement logs, the rapid review's new fields,
pauses naming the process that caused them, and themes per review type.

Revision ID: 2d9677517c4a
Revises: 44d276ec2253
Create Date: 2026-12-02 00:24:22

Themes: every existing theme keeps its tags. The themes seeded from the Panel's reports belong to
CSPRs; any theme a review's finding or recommendation uses also belongs to that review's type; a
theme neither seeded nor used (a partnership's own) is kept for every type. Then the Panel's newer
themes, the Care Act's abuse types and SAR practice themes, and the DHR analyses' themes are added
(a name already present gains the type). The rows are written out here, not read from the app.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "2d9677517c4a"
down_revision = "44d276ec2253"
branch_labels = None
depends_on = None

OLD_COMPLIANCE = "Disguised compliance"
NEW_COMPLIANCE = "Disguised compliance (apparent or superficial co-operation)"

# Seeded by 1d02c28ec1f7 from the Panel's fourth annual report: children's themes.
SEEDED_CSPR = [
    "Information sharing",
    "Risk assessment",
    "Professional curiosity",
    NEW_COMPLIANCE,
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

# (name, the types it belongs to)
ADDED = [
    # The Panel's later annual reports and spotlights.
    ("Critical thinking and challenge", ["CSPR"]),
    ("Working with Gypsy, Roma and Traveller communities", ["CSPR"]),
    ("Extrafamilial harm", ["CSPR"]),
    ("Pre-school children of parents with mental health needs", ["CSPR"]),
    ("The child's lived experience", ["CSPR"]),
    # The Care Act 2014 statutory guidance's types of abuse and neglect (ch. 14).
    ("Self-neglect", ["SAR"]),
    ("Neglect and acts of omission", ["SAR"]),
    ("Physical abuse", ["SAR"]),
    ("Organisational abuse", ["SAR"]),
    ("Financial or material abuse", ["SAR"]),
    ("Psychological abuse", ["SAR"]),
    ("Sexual abuse", ["SAR"]),
    ("Domestic abuse", ["SAR"]),
    ("Discriminatory abuse", ["SAR"]),
    ("Modern slavery", ["SAR"]),
    # SAR practice themes.
    ("Mental capacity", ["SAR"]),
    ("Making safeguarding personal", ["SAR"]),
    ("Transition from children's to adults' services", ["SAR"]),
    ("Multi-agency working", ["SAR"]),
    ("Information sharing", ["SAR", "DHR"]),
    ("Risk assessment", ["SAR"]),
    ("Professional curiosity", ["SAR"]),
    # DHR analyses: the relationship, then practice themes.
    ("Relationship: intimate partner", ["DHR"]),
    ("Relationship: familial", ["DHR"]),
    ("Suicide following domestic abuse", ["DHR"]),
    ("Coercive control", ["DHR"]),
    ("Risk assessment and MARAC", ["DHR"]),
    ("Mental health", ["SAR", "DHR"]),
    ("Substance use", ["SAR", "DHR"]),
]

LINK = sa.text(
    "INSERT INTO theme_review_types (theme_id, review_type_id) "
    "SELECT t.id, rt.id FROM themes t, review_types rt WHERE t.name = :name AND rt.code = :code "
    "AND NOT EXISTS (SELECT 1 FROM theme_review_types x WHERE x.theme_id = t.id AND x.review_type_id = rt.id)"
)
USED = (
    "INSERT INTO theme_review_types (theme_id, review_type_id) "
    "SELECT DISTINCT used.theme_id, r.review_type_id FROM {links} used "
    "JOIN {records} rec ON rec.id = used.{column} JOIN reviews r ON r.id = rec.review_id "
    "WHERE NOT EXISTS (SELECT 1 FROM theme_review_types x "
    "WHERE x.theme_id = used.theme_id AND x.review_type_id = r.review_type_id)"
)


def _themes_per_type():
    bind = op.get_bind()
    taken = bind.execute(sa.text("SELECT 1 FROM themes WHERE name = :n"), {"n": NEW_COMPLIANCE}).first()
    if taken is None:
        bind.execute(
            sa.text("UPDATE themes SET name = :new WHERE name = :old"),
            {"new": NEW_COMPLIANCE, "old": OLD_COMPLIANCE},
        )
    for name in SEEDED_CSPR:
        bind.execute(LINK, {"name": name, "code": "CSPR"})
    bind.execute(sa.text(USED.format(links="finding_themes", records="findings", column="finding_id")))
    bind.execute(
        sa.text(
            USED.format(links="recommendation_themes", records="recommendations", column="recommendation_id")
        )
    )
    bind.execute(
        sa.text(
            "INSERT INTO theme_review_types (theme_id, review_type_id) SELECT t.id, rt.id "
            "FROM themes t, review_types rt WHERE NOT EXISTS "
            "(SELECT 1 FROM theme_review_types x WHERE x.theme_id = t.id)"
        )
    )
    existing = {name.casefold(): name for (name,) in bind.execute(sa.text("SELECT name FROM themes"))}
    for name, codes in ADDED:
        if name.casefold() not in existing:
            bind.execute(
                sa.text("INSERT INTO themes (name, active) VALUES (:name, :active)"),
                {"name": name, "active": True},
            )
            existing[name.casefold()] = name
        for code in codes:
            bind.execute(LINK, {"name": existing[name.casefold()], "code": code})


def _themes_back():
    """Themes added here go unless a finding or recommendation uses them (nothing is lost)."""
    bind = op.get_bind()
    seeded = {name.casefold() for name in SEEDED_CSPR}
    for name, _ in ADDED:
        if name.casefold() in seeded:
            continue
        bind.execute(
            sa.text(
                "DELETE FROM theme_review_types WHERE theme_id IN (SELECT id FROM themes WHERE name = :name)"
            ),
            {"name": name},
        )
        bind.execute(
            sa.text(
                "DELETE FROM themes WHERE name = :name "
                "AND id NOT IN (SELECT theme_id FROM finding_themes) "
                "AND id NOT IN (SELECT theme_id FROM recommendation_themes)"
            ),
            {"name": name},
        )
    taken = bind.execute(sa.text("SELECT 1 FROM themes WHERE name = :n"), {"n": OLD_COMPLIANCE}).first()
    if taken is None:
        bind.execute(
            sa.text("UPDATE themes SET name = :old WHERE name = :new"),
            {"new": NEW_COMPLIANCE, "old": OLD_COMPLIANCE},
        )


def upgrade():
    op.create_table(
        "theme_review_types",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("review_type_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_type_id"],
            ["review_types.id"],
            name=op.f("fk_theme_review_types_review_type_id_review_types"),
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_theme_review_types_theme_id_themes")
        ),
        sa.PrimaryKeyConstraint("theme_id", "review_type_id", name=op.f("pk_theme_review_types")),
    )
    op.create_table(
        "family_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "contact",
                "consent",
                "advocacy_offered",
                "terms_input",
                "draft_input",
                "shared",
                name="family_contact_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("how", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_family_contacts_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_family_contacts_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_contacts")),
    )
    with op.batch_alter_table("family_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_contacts_review_id"), ["review_id"], unique=False)

    op.create_table(
        "monitoring_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "monitoring",
                "written_request",
                name="monitoring_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("addressed_to_id", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind <> 'written_request' OR addressed_to_id IS NOT NULL",
            name=op.f("ck_monitoring_entries_request_addressed"),
        ),
        sa.ForeignKeyConstraint(
            ["addressed_to_id"], ["users.id"], name=op.f("fk_monitoring_entries_addressed_to_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_monitoring_entries_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_monitoring_entries_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_entries")),
    )
    with op.batch_alter_table("monitoring_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_entries_addressed_to_id"), ["addressed_to_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_monitoring_entries_review_id"), ["review_id"], unique=False)

    op.create_table(
        "parallel_processes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "criminal",
                "inquest",
                "iopc",
                "family_proceedings",
                "dhr",
                "sar",
                "child_death_review",
                "other",
                name="process_kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "expected",
                "under_way",
                "concluded",
                "discontinued",
                name="process_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("expected_end_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_organisation", sa.String(length=200), nullable=False),
        sa.Column("contact_details", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on",
            name=op.f("ck_parallel_processes_ends_after_start"),
        ),
        sa.CheckConstraint(
            "expected_end_on IS NULL OR started_on IS NULL OR expected_end_on >= started_on",
            name=op.f("ck_parallel_processes_expected_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_parallel_processes_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_parallel_processes_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parallel_processes")),
    )
    with op.batch_alter_table("parallel_processes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parallel_processes_review_id"), ["review_id"], unique=False)

    with op.batch_alter_table("rapid_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_practice_episodes", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("family_context", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("lived_experience", sa.Text(), server_default="", nullable=False))

    with op.batch_alter_table("review_pauses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("process_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_review_pauses_process_id"), ["process_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_review_pauses_process_id_parallel_processes"),
            "parallel_processes",
            ["process_id"],
            ["id"],
        )

    _themes_per_type()


def downgrade():
    _themes_back()
    with op.batch_alter_table("review_pauses", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_review_pauses_process_id_parallel_processes"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_review_pauses_process_id"))
        batch_op.drop_column("process_id")

    with op.batch_alter_table("rapid_reviews", schema=None) as batch_op:
        batch_op.drop_column("lived_experience")
        batch_op.drop_column("family_context")
        batch_op.drop_column("key_practice_episodes")

    with op.batch_alter_table("parallel_processes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parallel_processes_review_id"))

    op.drop_table("parallel_processes")
    with op.batch_alter_table("monitoring_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_entries_review_id"))
        batch_op.drop_index(batch_op.f("ix_monitoring_entries_addressed_to_id"))

    op.drop_table("monitoring_entries")
    with op.batch_alter_table("family_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_contacts_review_id"))

    op.drop_table("family_contacts")
    op.drop_table("theme_review_types")
