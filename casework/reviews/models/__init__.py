"""Review models, split by subject; import them from here."""

from casework.reviews.models.clocks import DeadlineExtension, ReviewDeadline, ReviewPause
from casework.reviews.models.drafts import (
    AccuracyAnswer,
    AccuracyCheck,
    AccuracyComment,
    CommentResponse,
    DraftVersion,
)
from casework.reviews.models.publication import (
    AnonymisationCheck,
    AnonymisationFinding,
    Publication,
    PublicationDelay,
    Resolution,
)
from casework.reviews.models.review import Involvement, Review, ReviewSequence, review_links
from casework.reviews.models.reviewers import (
    Affiliation,
    AssignmentRole,
    AssignmentStatus,
    ReviewerAssignment,
    ReviewerProfile,
)
from casework.reviews.models.steps import (
    MAX_CARERS,
    MAX_CHILDREN,
    ConfidentialRecord,
    Decision,
    DecisionOutcome,
    IdentifiedPerson,
    PanelResponse,
    PersonKind,
    RapidReview,
    RapidReviewRecommendation,
    Referral,
    TermsOfReference,
)
from casework.reviews.models.types import CLOCK_EVENTS, ClockDefinition, ClockUnit, ReviewType

__all__ = [
    "CLOCK_EVENTS",
    "MAX_CARERS",
    "MAX_CHILDREN",
    "AccuracyAnswer",
    "AccuracyCheck",
    "AccuracyComment",
    "Affiliation",
    "AnonymisationCheck",
    "AnonymisationFinding",
    "AssignmentRole",
    "AssignmentStatus",
    "ClockDefinition",
    "ClockUnit",
    "CommentResponse",
    "ConfidentialRecord",
    "DeadlineExtension",
    "Decision",
    "DecisionOutcome",
    "DraftVersion",
    "IdentifiedPerson",
    "Involvement",
    "PanelResponse",
    "PersonKind",
    "Publication",
    "PublicationDelay",
    "RapidReview",
    "RapidReviewRecommendation",
    "Referral",
    "Resolution",
    "Review",
    "ReviewDeadline",
    "ReviewPause",
    "ReviewSequence",
    "ReviewType",
    "ReviewerAssignment",
    "ReviewerProfile",
    "TermsOfReference",
    "review_links",
]
