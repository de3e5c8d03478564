"""Contribution requests: asked of an agency, and returned to it with comments."""

from __future__ import annotations

from casework.agencies.contributions import ContributionRequest
from casework.auth.models import User
from casework.notifications.events.common import Told, agency_leads, announce, named, on, path_for
from casework.notifications.telling import News

# What each event says, over the words of _words.
MADE = Told(
    "request_made",
    "your agency is asked for its {what}, due {due}",
    (
        "The partnership asks {agency} for its {what} for the review {review}, by {due}.",
        "Read the instructions and answer in Casework.",
    ),
    "Open the request",
)
RETURNED = Told(
    "request_returned",
    "your agency's {what} was returned with comments",
    (
        "The {what} {agency} submitted for the review {review} was returned with comments.",
        "Read the comments in Casework, change what is asked and submit it again by {due}.",
    ),
    "Read the comments",
)
# A board manager's "send a reminder now", once the request is overdue and before.
CHASED_OVERDUE = Told(
    "request_chased",
    "a reminder about your agency's {what}",
    (
        "The partnership reminds {agency} that its {what} for the review {review} was due {due}.",
        "It is {days} working day{plural} overdue.",
        "Answer the request in Casework, or tell the partnership if you need more time.",
    ),
    "Open the request",
)
CHASED = Told(
    "request_chased",
    "a reminder about your agency's {what}",
    (
        "The partnership reminds {agency} of its {what} for the review {review}.",
        "It is due {due}.",
        "Answer the request in Casework, or tell the partnership if you need more time.",
    ),
    "Open the request",
)


def _details(request: ContributionRequest) -> tuple[tuple[str, str], ...]:
    return (
        ("Review", named(request.review)),
        ("Asked for", request.kind.label),
        ("Agency", request.agency.name),
        ("Due", on(request.due_on)),
    )


def _news(request: ContributionRequest, told: Told, **more: object) -> News:
    """News about a request: filed under it, linking to its page, with its details."""
    words = {
        "review": named(request.review),
        "what": request.kind.label.lower(),
        "agency": request.agency.name,
        "due": on(request.due_on),
        **more,
    }
    link = path_for("agencies.request_detail", request_id=request.id)
    return told.news(f"request:{request.id}", link, words, _details(request))


def request_made(request: ContributionRequest, by: User) -> int:
    """A new request: the agency's leads answer it."""
    return announce(agency_leads(request.agency_id), _news(request, MADE), by)


def request_returned(request: ContributionRequest, by: User) -> int:
    """A submission returned with comments: back to the agency's leads."""
    return announce(agency_leads(request.agency_id), _news(request, RETURNED), by)


def request_chased(request: ContributionRequest, days_overdue: int) -> News:
    """A board manager's "send a reminder now": the news each of the agency's leads is told."""
    if days_overdue > 0:
        return _news(request, CHASED_OVERDUE, days=days_overdue, plural="" if days_overdue == 1 else "s")
    return _news(request, CHASED)
