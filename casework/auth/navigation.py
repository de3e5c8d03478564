"""What each role sees in the header, and where each role lands after signing in."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

from casework.auth.models import Role, User


@dataclass(frozen=True)
class NavItem:
    text: str
    endpoint: str
    section: str  # endpoints starting with this light the item up (besides the item's own)

    @property
    def href(self) -> str:
        return url_for(self.endpoint)

    @property
    def active(self) -> bool:
        endpoint = request.endpoint or ""
        return endpoint == self.endpoint or endpoint.startswith(self.section)


NAVIGATION: dict[Role, list[NavItem]] = {
    Role.BOARD_MANAGER: [
        NavItem("Dashboard", "reviews.dashboard", "reviews.dashboard"),
        NavItem("Reviews", "reviews.index", "reviews.review_"),
        NavItem("Agencies", "agencies.index", "agencies."),
        NavItem("Action tracker", "actions.index", "actions."),
    ],
    Role.REVIEWER: [
        NavItem("My reviews", "reviews.index", "reviews.review_"),
        NavItem("My profile", "reviews.reviewer_profile", "reviews.reviewer_profile"),
    ],
    Role.AGENCY_LEAD: [
        NavItem("My agency's requests", "agencies.mine", "agencies.request"),
        NavItem("My agency's actions", "actions.mine", "actions."),
    ],
    Role.ADMIN: [
        NavItem("Users", "admin.users", "admin.user"),
        NavItem("Audit log", "admin.audit_log", "admin.audit"),
    ],
}


def navigation_for(user: User) -> list[dict[str, object]]:
    """Items in the shape the service navigation macro takes."""
    return [{"text": item.text, "href": item.href, "active": item.active} for item in NAVIGATION[user.role]]


def home_for(user: User) -> str:
    return NAVIGATION[user.role][0].href
