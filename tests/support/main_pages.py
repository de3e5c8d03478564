"""The main pages of each role, in the demo partnership: what the checks that look at every page
(no sideways scrolling at 375 px, unique ids, unique titles) visit."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from sqlalchemy import ColumnElement

from casework.actions.models import Action, Recommendation
from casework.agencies.contributions import ContributionRequest, RequestStatus
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.demo import DEMO_USERS
from casework.jobs.models import BackgroundJob
from casework.reviews.learning.models import BriefingRecipient
from casework.reviews.models import Review
from tests.support.demo import load_demo

ADMIN, MANAGER = "admin@northshire.example", "manager@northshire.example"
REVIEWER, POLICE_LEAD = "reviewer@northshire.example", "police.lead@northshire.example"


@dataclass(frozen=True)
class MainPage:
    who: str | None  # the demo user's email; None: signed out
    path: str


def demo_password(email: str) -> str:
    return next(user.password for user in DEMO_USERS if user.email == email)


def _review_id(pseudonym: str) -> int:
    return db.session.execute(db.select(Review.id).where(Review.pseudonym == pseudonym)).scalar_one()


def _first_police_request(condition: ColumnElement[bool]) -> int | None:
    """The first request to the Northshire Police (in the order made) that meets ``condition``."""
    return db.session.scalars(
        db.select(ContributionRequest.id)
        .join(ContributionRequest.agency)
        .where(condition, Agency.name == "Northshire Police")
        .order_by(ContributionRequest.id)
    ).first()


def load_demo_pages(app: Flask) -> list[MainPage]:
    """Load the demo partnership and name the pages each role works with most."""
    with app.app_context():
        load_demo(app)
        child_d, adult_g, person_h = _review_id("Child D"), _review_id("Adult G"), _review_id("Person H")
        action = db.session.scalars(
            db.select(Action.id).where(Action.review_id == child_d).order_by(Action.id)
        ).first()
        police_request = _first_police_request(ContributionRequest.review_id == child_d)
        # One the police lead is still answering: its page shows every form of a request.
        open_request = _first_police_request(
            ContributionRequest.status.in_([RequestStatus.REQUESTED, RequestStatus.RETURNED])
        )
        manager_id = db.session.execute(db.select(User.id).where(User.email == MANAGER)).scalar_one()
        child_k = db.session.execute(db.select(Review).where(Review.pseudonym == "Child K")).scalar_one()
        police_briefing = db.session.execute(
            db.select(BriefingRecipient.id)
            .join(Agency, Agency.id == BriefingRecipient.agency_id)
            .where(BriefingRecipient.review_id == child_k.id, Agency.name == "Northshire Police")
        ).scalar_one()
        child_k_id, child_k_reference = child_k.id, child_k.reference
        # Adult G's first recommendation: measured, re-measured and achieved, with its evidence.
        achieved = db.session.execute(
            db.select(Recommendation.id).where(
                Recommendation.review_id == adult_g, Recommendation.number == 1
            )
        ).scalar_one()
        job = db.session.execute(db.select(BackgroundJob.id).order_by(BackgroundJob.id)).scalars().first()
    # Each role's pages, signed out (None) first.
    pages: dict[str | None, list[str]] = {
        None: [
            "/sign-in",
            "/published-reviews/",
            "/accessibility",
            f"/published-reviews/{child_k_reference}/learning-briefing",
        ],
        ADMIN: [
            "/admin/users",
            f"/admin/users/{manager_id}",
            "/admin/audit-log",
            f"/admin/users/{manager_id}/access",
            "/admin/sent-mail",
        ],
        MANAGER: [
            "/reviews/dashboard",
            "/reviews/",
            f"/reviews/{child_d}",
            f"/reviews/{adult_g}",
            f"/reviews/{person_h}",
            f"/reviews/{child_d}/referral",
            f"/reviews/{child_d}/requests/new",
            f"/reviews/{child_d}/drafts",
            f"/reviews/{child_d}/chronology",
            f"/reviews/{child_d}/access",
            f"/reviews/{child_d}/action-plan",
            f"/reviews/{adult_g}/recommendations/{achieved}/outcome",
            f"/reviews/{adult_g}/publication",
            f"/reviews/{child_k_id}/briefing",
            f"/reviews/{child_d}/briefing",  # a draft: the form to edit it
            f"/reviews/{child_k_id}/dissemination",
            f"/actions/{action}",
            "/actions/",
            "/insight/",
            "/insight/annual",
            "/agencies/",
            f"/agencies/requests/{police_request}",
            "/reviews/reminders",
            "/notifications/",
            "/account",
            "/account/sessions",
        ],
        REVIEWER: ["/reviews/", "/reviews/profile"],
        POLICE_LEAD: [
            "/agencies/mine",
            "/actions/mine",
            f"/agencies/requests/{police_request}",
            f"/agencies/requests/{open_request}",
            "/briefings/",
            f"/briefings/{police_briefing}",
            f"/jobs/{job}",
        ],
    }
    return [MainPage(who, path) for who, paths in pages.items() for path in paths]
