"""Actions: assigned to their owner, returned to them, completed (awaiting verification), and
deadline changes asked for and decided."""

from __future__ import annotations

from casework.actions.models import Action, ChangeStatus, DeadlineChangeRequest
from casework.auth.models import User
from casework.notifications.events.common import (
    Told,
    agency_leads,
    announce,
    named,
    on,
    path_for,
    review_managers,
)

# What each event says, over the words of _words (and, for a deadline change, _change_words).
ASSIGNED = Told(
    "action_assigned",
    "an action is assigned to {owner}, due {deadline}",
    (
        "An action answering recommendation {number} of the review {review} is assigned to {owner}, "
        "with you as its owner or as a lead of the agency. It is due by {deadline}.",
        "Read what is to be done and the evidence that will show it made a difference, and report its "
        "progress in Casework.",
    ),
    "Open the action",
)
RETURNED = Told(
    "action_returned",
    "an action of {owner} was returned: {status}",
    (
        "The evidence for an action of {owner} on the review {review} was not enough to verify it; "
        "the action is {status} again.",
        "Read why in Casework and report progress by {deadline}.",
    ),
    "Read why it was returned",
)
COMPLETED = Told(
    "action_completed",
    "an action of {owner} is completed and awaits verification",
    (
        "An action of {owner} on the review {review} is reported as completed, with evidence.",
        "Check the evidence, then verify the action or return it to its owner.",
    ),
    "Check the evidence",
)
CHANGE_REQUESTED = Told(
    "deadline_requested",
    "new deadline {proposed} asked for an action",
    (
        "A new deadline is asked for an action of {owner} on the review {review}: {proposed} instead "
        "of {current}.",
        "Read the reason, then approve or refuse the change in Casework.",
    ),
    "Decide on the change",
)
CHANGE_DECIDED = Told(
    "deadline_decided",
    "the new deadline for an action was {verdict}",
    (
        "The change of deadline to {proposed} for an action of {owner} on the review {review} was {verdict}.",
        "The action is due by {deadline}.",
    ),
    "Open the action",
)


def owners(action: Action) -> list[User]:
    """Who answers for the action: its named owner and the owning agency's leads."""
    return [action.owner, *agency_leads(action.agency_id)]


def owner_name(action: Action) -> str:
    """The owning agency, or the partnership, as it reads inside a sentence."""
    return action.agency.name if action.agency else "the partnership"


def _about(action: Action, *more: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (
        ("Review", named(action.review)),
        ("Recommendation", str(action.recommendation.number)),
        ("Owner", action.owner_label),
        ("Deadline", on(action.deadline)),
        *more,
    )


def _words(action: Action) -> dict[str, str]:
    """What an action's messages may say of it: nothing typed as free text (its description)."""
    return {
        "review": named(action.review),
        "owner": owner_name(action),
        "number": str(action.recommendation.number),
        "deadline": on(action.deadline),
        "status": action.status.label.lower(),
    }


def _tell(action: Action, told: Told, people: list[User], by: User) -> int:
    link = path_for("actions.action_detail", action_id=action.id)
    return announce(people, told.news(f"action:{action.id}", link, _words(action), _about(action)), by)


def _tell_change(
    change: DeadlineChangeRequest, told: Told, people: list[User], by: User, *more: tuple[str, str]
) -> int:
    """As its action's news, but filed under the change."""
    action = change.action
    verdict = "approved" if change.status == ChangeStatus.APPROVED else "refused"
    words = _words(action) | {
        "proposed": on(change.proposed_deadline),
        "current": on(change.current_deadline),
        "verdict": verdict,
    }
    link = path_for("actions.action_detail", action_id=action.id)
    return announce(people, told.news(f"deadline:{change.id}", link, words, _about(action, *more)), by)


def action_assigned(action: Action, by: User) -> int:
    return _tell(action, ASSIGNED, owners(action), by)


def action_returned(action: Action, by: User) -> int:
    return _tell(action, RETURNED, owners(action), by)


def action_completed(action: Action, by: User) -> int:
    return _tell(action, COMPLETED, review_managers(action.review), by)


def deadline_change_requested(change: DeadlineChangeRequest, by: User) -> int:
    proposed = ("Proposed deadline", on(change.proposed_deadline))
    return _tell_change(change, CHANGE_REQUESTED, review_managers(change.action.review), by, proposed)


def deadline_change_decided(change: DeadlineChangeRequest, by: User) -> int:
    return _tell_change(change, CHANGE_DECIDED, [change.requested_by, *owners(change.action)], by)
