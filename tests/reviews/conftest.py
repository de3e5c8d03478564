"""The review builders live in tests.support.reviews; named here too for the tests that import
them from here."""

from __future__ import annotations

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
