"""Contribution requests: asked of an agency, and returned to it with comments."""

from __future__ import annotations

from collections.abc import Sequence

from casework.agencies.contributions import ContributionRequest
from casework.auth.models import User
from casework.notifications.events.common import agency_leads, announce, named, on, path_for
from casework.notifications.telling import News


def _details(request: ContributionRequest) -> tuple[tuple[str, str], ...]:
    return (
        ("Review", named(request.review)),
        ("Asked for", request.kind.label),
        ("Agency", request.agency.name),
        ("Due", on(request.due_on)),
    )


def _news(
    request: ContributionRequest, kind: str, subject: str, paragraphs: Sequence[str], action: str
) -> News:
    """News about a request: filed under it, linking to its page, with its details."""
    return News(
        kind=kind,
        item=f"request:{request.id}",
        subject=f"{named(request.review)}: {subject}",
        paragraphs=paragraphs,
        link=path_for("agencies.request_detail", request_id=request.id),
        action=action,
        details=_details(request),
    )


def request_made(request: ContributionRequest, by: User) -> int:
    """A new request: the agency's leads answer it."""
    what = request.kind.label.lower()
    news = _news(
        request,
        "request_made",
        f"your agency is asked for its {what}, due {on(request.due_on)}",
        (
            f"The partnership asks {request.agency.name} for its {what} for the review "
            f"{named(request.review)}, by {on(request.due_on)}.",
            "Read the instructions and answer in Casework.",
        ),
        "Open the request",
    )
    return announce(agency_leads(request.agency_id), news, by)


def request_returned(request: ContributionRequest, by: User) -> int:
    """A submission returned with comments: back to the agency's leads."""
    what = request.kind.label.lower()
    news = _news(
        request,
        "request_returned",
        f"your agency's {what} was returned with comments",
        (
            f"The {what} {request.agency.name} submitted for the review {named(request.review)} "
            "was returned with comments.",
            "Read the comments in Casework, change what is asked and submit it again by "
            f"{on(request.due_on)}.",
        ),
        "Read the comments",
    )
    return announce(agency_leads(request.agency_id), news, by)


def request_chased(request: ContributionRequest, days_overdue: int) -> News:
    """A board manager's "send a reminder now": the news each of the agency's leads is told."""
    what = request.kind.label.lower()
    late = (
        f"It is {days_overdue} working day{'' if days_overdue == 1 else 's'} overdue."
        if days_overdue > 0
        else f"It is due {on(request.due_on)}."
    )
    return _news(
        request,
        "request_chased",
        f"a reminder about your agency's {what}",
        (
            f"The partnership reminds {request.agency.name} that its {what} for the review "
            f"{named(request.review)} was due {on(request.due_on)}."
            if days_overdue > 0
            else f"The partnership reminds {request.agency.name} of its {what} for the review "
            f"{named(request.review)}.",
            late,
            "Answer the request in Casework, or tell the partnership if you need more time.",
        ),
        "Open the request",
    )
