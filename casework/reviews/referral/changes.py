"""Timeline entries that say what a step changed: each field's old and new value, and for free text
only that it changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from casework.core import audit
from casework.reviews.models import Review

# Free text may name people despite the guidance; the timeline says it changed, not what it says.
FREE_TEXT = frozenset(
    {
        "incident_description",
        "facts_established",
        "immediate_safety_actions",
        "learning_identified",
        "key_practice_episodes",
        "family_context",
        "lived_experience",
    }
)


def record_changes(
    review: Review, action: str, summary: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Timeline entry naming what changed, old and new value (free text: only that it changed)."""
    changes = {
        key: ["(text)", "(changed)"] if key in FREE_TEXT else [plain(before.get(key)), plain(after[key])]
        for key in after
        if before.get(key) != after[key]
    }
    if changes:
        audit.record(action, summary, subject=review, review=review, details=changes)


def plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value.value if hasattr(value, "value") else value
