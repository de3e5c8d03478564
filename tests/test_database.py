"""The database keeps its own rules, on SQLite as on PostgreSQL."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

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


def test_check_constraints_back_the_rules(app: Flask) -> None:
    """An agency lead without an agency is refused by the database itself, not only by the code."""
    refused_by_the_database(
        app,
        "INSERT INTO users (email, name, role, active, session_token, created_at, updated_at, "
        "version) VALUES ('x@example.org', 'X', 'agency_lead', true, 'tok', CURRENT_TIMESTAMP, "
        "CURRENT_TIMESTAMP, 1)",
    )
