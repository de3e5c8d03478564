"""Action plan models, split by subject; import them from here."""

from casework.actions.models.actions import (
    ACTION_TRANSITIONS,
    REPORTABLE,
    Action,
    ActionChange,
    ActionStatus,
    ActionTransition,
    ChangeStatus,
    DeadlineChangeRequest,
    ProgressUpdate,
    UpdateKind,
)
from casework.actions.models.recommendations import (
    OUTCOME_COLOURS,
    Finding,
    OutcomeRemeasure,
    OutcomeStatus,
    Recommendation,
    RecommendationOutcome,
    Theme,
    finding_themes,
    recommendation_agencies,
    recommendation_themes,
    theme_review_types,
)
from casework.actions.models.tracker import TrackerVersion

__all__ = [
    "ACTION_TRANSITIONS",
    "OUTCOME_COLOURS",
    "REPORTABLE",
    "Action",
    "ActionChange",
    "ActionStatus",
    "ActionTransition",
    "ChangeStatus",
    "DeadlineChangeRequest",
    "Finding",
    "OutcomeRemeasure",
    "OutcomeStatus",
    "ProgressUpdate",
    "Recommendation",
    "RecommendationOutcome",
    "Theme",
    "TrackerVersion",
    "UpdateKind",
    "finding_themes",
    "recommendation_agencies",
    "recommendation_themes",
    "theme_review_types",
]
