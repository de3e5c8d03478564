"""Every change to findings, recommendations and actions. History rows are only ever added.

Callers use this package's names (``services.add_action(...)``); the modules behind it are
split by what they change."""

from casework.actions.services.actions import (
    add_action,
    add_progress,
    close_review,
    decide_deadline_change,
    request_deadline_change,
    return_action,
    verify_action,
)
from casework.actions.services.checks import check_action_change
from casework.actions.services.recommendations import (
    add_finding,
    add_recommendation,
    add_theme,
    confirm_recommendations,
    keep_learning,
    learning_lines,
)

__all__ = [
    "add_action",
    "add_finding",
    "add_progress",
    "add_recommendation",
    "add_theme",
    "check_action_change",
    "close_review",
    "confirm_recommendations",
    "decide_deadline_change",
    "keep_learning",
    "learning_lines",
    "request_deadline_change",
    "return_action",
    "verify_action",
]
