"""The database keeps its own rules, on SQLite as on PostgreSQL."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from casework.core import audit
from casework.core.audit import AuditEvent
from casework.core.extensions import db


def refused_by_the_database(app: Flask, insert: str) -> None:
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.execute(text(insert))
        db.session.flush()


def test_foreign_keys_are_enforced(app: Flask) -> None:
    refused_by_the_database(
        app,
        "INSERT INTO involvements (review_id, agency_id, known_at_referral, "
        "contributed_to_rapid_review, in_scope, role_note) VALUES (999, 999, true, false, false, '')",
    )


def test_each_connection_is_set_up_for_the_app(app: Flask) -> None:
    """SQLite enforces foreign keys; PostgreSQL does not compile queries (JIT) before running them."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            assert db.session.execute(text("SHOW jit")).scalar_one() == "off"
        else:
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_check_constraints_back_the_rules(app: Flask) -> None:
    """An agency lead without an agency is refused by the database itself, not only by the code."""
    refused_by_the_database(
        app,
        "INSERT INTO users (email, name, role, active, session_token, created_at, updated_at, "
        "version) VALUES ('x@example.org', 'X', 'agency_lead', true, 'tok', CURRENT_TIMESTAMP, "
        "CURRENT_TIMESTAMP, 1)",
    )


@pytest.fixture
def audited(app: Flask) -> int:
    """One audit row, written as the app writes them."""
    with app.app_context():
        event = audit.record("test_event", "Something happened.")
        db.session.commit()
        return event.id


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE audit_events SET summary = 'Nothing happened.' WHERE id = {id}",
        "UPDATE audit_events SET actor_id = NULL",
        "DELETE FROM audit_events WHERE id = {id}",
        "DELETE FROM audit_events",
    ],
)
def test_the_audit_trail_is_append_only(app: Flask, audited: int, change: str) -> None:
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(change.format(id=audited)))
        db.session.rollback()
        assert db.session.get(AuditEvent, audited).summary == "Something happened."
        db.session.add(AuditEvent(action="test_event", summary="Still open to new rows."))
        db.session.commit()  # adding stays allowed


def test_the_audit_trail_cannot_be_emptied_on_postgresql(app: Flask, audited: int) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no TRUNCATE; its DELETE is refused above")
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text("TRUNCATE audit_events CASCADE"))
        db.session.rollback()
        assert db.session.get(AuditEvent, audited) is not None


def test_the_overdue_filter_searches_each_reviews_running_clocks_by_index(app: Flask) -> None:
    """The lists ask, per review, whether a running clock is overdue: one index search each, not
    a walk over every running clock (which a boolean column's own index would give on SQLite).
    PostgreSQL plans from its statistics: over years of reviews it reads the running clocks once
    and joins them to the reviews by hash, or searches the composite index per review; either way
    never a scan of the clocks per review."""
    from casework.auth.models import Role
    from casework.reviews.queries import ReviewFilters, review_list
    from tests.support.people import make_user

    with app.app_context():
        user = make_user(Role.BOARD_MANAGER)
        if db.engine.dialect.name == "sqlite":
            query = review_list(user, ReviewFilters(due="overdue"))
            compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = " ".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "USING INDEX ix_review_deadlines_review_running_due (review_id=? AND running=?" in plan, (
                plan
            )
            return
        indexes = db.session.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_review_deadlines_review_running_due'")
        ).scalar_one()
        assert "(review_id, running, due_on)" in indexes
        _years_of_clocks(user.id)
        for due in ("overdue", "soon"):
            query = review_list(user, ReviewFilters(due=due))
            compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = "\n".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))
            by_index = "ix_review_deadlines_review_running_due" in plan
            read_once = "Hash Semi Join" in plan or "Hash Join" in plan
            assert by_index or read_once, plan
        db.session.rollback()


def _years_of_clocks(user_id: int) -> None:
    """3,000 reviews, one in five running, each with six clocks (the running ones overdue, due
    soon or later), in the database's own terms, with fresh statistics for the planner."""
    type_id = db.session.execute(text("SELECT min(id) FROM review_types")).scalar_one()
    db.session.execute(
        text(
            "INSERT INTO reviews (review_type_id, reference, year, number, pseudonym, stage,"
            " stage_changed_at, created_at, created_by_id, updated_at, version)"
            " SELECT :type_id, 'PLAN-' || n, 2020, n, 'Review ' || n,"
            " CASE WHEN n % 5 = 0 THEN 'drafting' ELSE 'closed' END, now(),"
            " now() - make_interval(days => n), :user_id, now(), 1"
            " FROM generate_series(1, 3000) AS n"
        ),
        {"type_id": type_id, "user_id": user_id},
    )
    db.session.execute(
        text(
            "INSERT INTO review_deadlines (review_id, clock_key, label, statutory, position, due_on, running)"
            " SELECT r.id, 'clock' || k, 'A clock', true, k,"
            " current_date - ((r.number * 7 + k * 13) % 900 - 100), r.stage = 'drafting' AND k % 2 = 0"
            " FROM reviews AS r, generate_series(1, 6) AS k WHERE r.reference LIKE 'PLAN-%'"
        )
    )
    db.session.execute(text("ANALYZE reviews"))
    db.session.execute(text("ANALYZE review_deadlines"))
