"""A token the database changes in the transaction of every write to the actions, the agencies
and the recommendations' themes: the action tracker keeps its counts under it, so they are worked
out again after any change, on every app server, and not on every view.

Revision ID: a7d2c4e9b1f6
Revises: f3b8d61c2a47
Create Date: 2026-12-02 13:40:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "a7d2c4e9b1f6"
down_revision = "f3b8d61c2a47"
branch_labels = None
depends_on = None

TABLES = ("actions", "agencies", "recommendation_themes")

POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION tracker_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE tracker_versions SET token = md5(random()::text || clock_timestamp()::text);
        RETURN NULL;
    END;
    $$
    """,
    # Before the statement: the token's row is locked before any row the statement writes, in
    # every writer, so two writers never wait for each other the other way round.
    *(
        f"""
        CREATE TRIGGER {table}_bump_tracker BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION tracker_versions_bump()
        """
        for table in TABLES
    ),
]
POSTGRES_DOWN = [
    *(f"DROP TRIGGER {table}_bump_tracker ON {table}" for table in TABLES),
    "DROP FUNCTION tracker_versions_bump()",
]
# SQLite has row triggers only; its writers take turns anyway.
SQLITE_UP = [
    f"""
    CREATE TRIGGER {table}_bump_tracker_{verb.lower()} AFTER {verb} ON {table}
    BEGIN UPDATE tracker_versions SET token = lower(hex(randomblob(16))); END
    """  # noqa: S608 (the tables' names are the constants above)
    for table in TABLES
    for verb in ("INSERT", "UPDATE", "DELETE")
]
SQLITE_DOWN = [
    f"DROP TRIGGER {table}_bump_tracker_{verb.lower()}"
    for table in TABLES
    for verb in ("INSERT", "UPDATE", "DELETE")
]


def upgrade():
    versions = op.create_table(
        "tracker_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_versions")),
    )
    op.bulk_insert(versions, [{"id": 1, "token": "0"}])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_UP if postgres else SQLITE_UP:
        op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_DOWN if postgres else SQLITE_DOWN:
        op.execute(statement)
    op.drop_table("tracker_versions")
