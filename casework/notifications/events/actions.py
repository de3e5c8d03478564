"""Actions: assigned to their owner, returned to them, completed (awaiting verification), and
deadline changes asked for and decided."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from casework.actions.models import Action, ChangeStatus, DeadlineChangeRequest
from casework.auth.models import User
from casework.notifications.events.common import agency_leads, announce, named, on, path_for, review_managers
from casework.notifications.telling import News


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


def _news(action: Action, kind: str, subject: str, paragraphs: Sequence[str], action_text: str) -> News:
    return News(
        kind=kind,
        item=f"action:{action.id}",
        subject=f"{named(action.review)}: {subject}",
        paragraphs=paragraphs,
        link=path_for("actions.action_detail", action_id=action.id),
        action=action_text,
        details=_about(action),
    )


def _change_news(
    change: DeadlineChangeRequest,
    kind: str,
    subject: str,
    paragraphs: Sequence[str],
    action_text: str,
    *more: tuple[str, str],
) -> News:
    """News about a deadline change: as its action's news, but filed under the change."""
    news = _news(change.action, kind, subject, paragraphs, action_text)
    return replace(news, item=f"deadline:{change.id}", details=_about(change.action, *more))


def action_assigned(action: Action, by: User) -> int:
    news = _news(
        action,
        "action_assigned",
        f"an action is assigned to {owner_name(action)}, due {on(action.deadline)}",
        (
            f"An action answering recommendation {action.recommendation.number} of the review "
            f"{named(action.review)} is assigned to {owner_name(action)}, with you as its owner "
            f"or as a lead of the agency. It is due by {on(action.deadline)}.",
            "Read what is to be done and the evidence that will show it made a difference, and "
            "report its progress in Casework.",
        ),
        "Open the action",
    )
    return announce(owners(action), news, by)


def action_returned(action: Action, by: User) -> int:
    news = _news(
        action,
        "action_returned",
        f"an action of {owner_name(action)} was returned: {action.status.label.lower()}",
        (
            f"The evidence for an action of {owner_name(action)} on the review {named(action.review)} "
            f"was not enough to verify it; the action is {action.status.label.lower()} again.",
            f"Read why in Casework and report progress by {on(action.deadline)}.",
        ),
        "Read why it was returned",
    )
    return announce(owners(action), news, by)


def action_completed(action: Action, by: User) -> int:
    news = _news(
        action,
        "action_completed",
        f"an action of {owner_name(action)} is completed and awaits verification",
        (
            f"An action of {owner_name(action)} on the review {named(action.review)} is reported "
            "as completed, with evidence.",
            "Check the evidence, then verify the action or return it to its owner.",
        ),
        "Check the evidence",
    )
    return announce(review_managers(action.review), news, by)


def deadline_change_requested(change: DeadlineChangeRequest, by: User) -> int:
    action = change.action
    news = _change_news(
        change,
        "deadline_requested",
        f"new deadline {on(change.proposed_deadline)} asked for an action",
        (
            f"A new deadline is asked for an action of {owner_name(action)} on the review "
            f"{named(action.review)}: {on(change.proposed_deadline)} instead of "
            f"{on(change.current_deadline)}.",
            "Read the reason, then approve or refuse the change in Casework.",
        ),
        "Decide on the change",
        ("Proposed deadline", on(change.proposed_deadline)),
    )
    return announce(review_managers(action.review), news, by)


def deadline_change_decided(change: DeadlineChangeRequest, by: User) -> int:
    action, approved = change.action, change.status == ChangeStatus.APPROVED
    verdict = "approved" if approved else "refused"
    news = _change_news(
        change,
        "deadline_decided",
        f"the new deadline for an action was {verdict}",
        (
            f"The change of deadline to {on(change.proposed_deadline)} for an action of "
            f"{owner_name(action)} on the review {named(action.review)} was {verdict}.",
            f"The action is due by {on(action.deadline)}.",
        ),
        "Open the action",
    )
    return announce([change.requested_by, *owners(action)], news, by)
