"""What each role sees in the header, and where each role lands after signing in."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

from casework.auth.models import User


@dataclass(frozen=True)
class NavItem:
    text: str
    endpoint: str
    section: str  # endpoints starting with this light the item up (besides the item's own)
    may: str  # the user-level ability that shows the item: user.can_<may>()

    @property
    def href(self) -> str:
        return url_for(self.endpoint)

    @property
    def active(self) -> bool:
        endpoint = request.endpoint or ""
        return endpoint == self.endpoint or endpoint.startswith(self.section)

    def shown_to(self, user: User) -> bool:
        return bool(getattr(user, "can_" + self.may)())


# In the order each person sees them; the first item a person may use is where they land.
NAVIGATION: list[NavItem] = [
    NavItem("Dashboard", "reviews.dashboard", "reviews.dashboard", "manage_reviews"),
    NavItem("Reviews", "reviews.index", "reviews.review_", "manage_reviews"),
    NavItem("Your tasks", "work.reviewer_home", "work.reviewer", "lead_reviews"),
    NavItem("My reviews", "reviews.index", "reviews.review_", "lead_reviews"),
    NavItem("My profile", "reviews.reviewer_profile", "reviews.reviewer_profile", "lead_reviews"),
    NavItem("Agencies", "agencies.index", "agencies.agency", "manage_agencies"),
    NavItem("Contributions", "agencies.contributions", "agencies.contributions", "manage_reviews"),
    NavItem("Action tracker", "actions.index", "actions.", "track_actions"),
    NavItem("Insight", "insight.index", "insight.", "manage_reviews"),
    NavItem("What your agency owes", "work.agency_home", "work.agency", "answer_for_agency"),
    NavItem("My agency's requests", "agencies.mine", "agencies.request", "answer_for_agency"),
    NavItem("My agency's actions", "actions.mine", "actions.", "answer_for_agency"),
    NavItem("Learning briefings", "briefings.mine", "briefings.", "answer_for_agency"),
    NavItem("Users", "admin.users", "admin.user", "administer"),
    NavItem("Audit log", "admin.audit_log", "admin.audit", "administer"),
    NavItem("Sent mail", "admin.sent_mail_list", "admin.sent_mail", "administer"),
]


def items_for(user: User) -> list[NavItem]:
    return [item for item in NAVIGATION if item.shown_to(user)]


def navigation_for(user: User) -> list[dict[str, object]]:
    """Items in the shape the service navigation macro takes."""
    return [{"text": item.text, "href": item.href, "active": item.active} for item in items_for(user)]


def home_for(user: User) -> str:
    return items_for(user)[0].href
