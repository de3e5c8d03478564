"""The review builders live in tests.support.reviews; named here too for the tests that import
them from here."""

from __future__ import annotations

import pytest
from flask import Flask

from casework.auth.models import Role, User
from tests.support.people import make_user
from tests.support.reviews import (
    CLEAN_REPORT,
    DATE_CHAIN,
    DATE_NAMES,
    INCIDENT_DAYS_AGO,
    LATER_STAGES,
    REACHABLE_STAGES,
    decision_details,
    load,
    loaded_review,
    make_review,
    rapid_review_details,
    review_dates,
    review_type,
    terms_details,
)

__all__ = [
    "CLEAN_REPORT",
    "DATE_CHAIN",
    "DATE_NAMES",
    "INCIDENT_DAYS_AGO",
    "LATER_STAGES",
    "REACHABLE_STAGES",
    "decision_details",
    "load",
    "loaded_review",
    "make_review",
    "rapid_review_details",
    "review_dates",
    "review_type",
    "terms_details",
]


@pytest.fixture
def manager(app: Flask) -> User:
    """A board manager (made in its own app context, usable after it)."""
    with app.app_context():
        return make_user(Role.BOARD_MANAGER)
