"""The checks every change to a plan starts with: the review still takes changes to its plan, the
record is the version the person read, the table of allowed status changes allows it."""

from __future__ import annotations

from casework.actions.models import (
    ACTION_TRANSITIONS,
    Action,
    ActionChange,
    ActionStatus,
)
from casework.core.errors import ConcurrentEditError, DomainError
from casework.reviews.lifecycle import (
    check_open,
)
from casework.reviews.models import Review


def check_version(action: Action, version: int | None) -> None:
    if version is not None and version != action.version:
        raise ConcurrentEditError("this action")


def check_action_change(action: Action, change: ActionChange, to: ActionStatus | None) -> None:
    """The guard every change of an action's status starts with: the table allows it from the
    action's status to the one asked for."""
    transition = ACTION_TRANSITIONS[change]
    if action.status not in transition.sources:
        raise DomainError(transition.refused_from)
    if to not in transition.destinations:
        raise DomainError(transition.refused_to, field="status")


def plan_alive(review: Review) -> None:
    """A plan takes changes while its review runs, and after a decision to hold no local review
    (no review, or the Panel's national review): that learning is kept, not thrown away."""
    if not review.plan_is_open:
        check_open(review)


def plan_open(review: Review) -> None:
    plan_alive(review)
    if review.terms is None and not review.plan_is_open:
        raise DomainError("Recommendations and actions come after the review is commissioned")
