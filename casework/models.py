"""Every model, imported in one place so Alembic and the mapper see the whole schema."""

from casework.actions.models import (
    Action,
    DeadlineChangeRequest,
    Finding,
    OutcomeRemeasure,
    ProgressUpdate,
    Recommendation,
    RecommendationOutcome,
    Theme,
)
from casework.agencies.contributions import ChronologyEntry, ContributionRequest, RequestEvent
from casework.agencies.models import Agency, AgencyType
from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.form_keys import FormKey
from casework.core.workdays import ClosureDay
from casework.documents.models import Document
from casework.jobs.models import BackgroundJob, JobStatus
from casework.notifications.models import Notification, OutboxMessage, Reminder, ReminderRule
from casework.reviews.learning.models import (
    BriefingRecipient,
    EventAttendance,
    LearningBriefing,
    LearningEvent,
    PracticeAudit,
)
from casework.reviews.models import *  # noqa: F403
from casework.reviews.models import __all__ as review_models

__all__ = [
    "Action",
    "DeadlineChangeRequest",
    "Finding",
    "OutcomeRemeasure",
    "ProgressUpdate",
    "Recommendation",
    "RecommendationOutcome",
    "Theme",
    "Agency",
    "BackgroundJob",
    "ChronologyEntry",
    "ContributionRequest",
    "Document",
    "FormKey",
    "JobStatus",
    "Notification",
    "OutboxMessage",
    "Reminder",
    "ReminderRule",
    "RequestEvent",
    "AgencyType",
    "AuditEvent",
    "BriefingRecipient",
    "EventAttendance",
    "LearningBriefing",
    "LearningEvent",
    "PracticeAudit",
    "ClosureDay",
    "Role",
    "User",
    *review_models,
]
