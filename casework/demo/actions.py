"""Demo action plans: findings, recommendations and thirty actions on Child D and Adult G, in every
status and with their histories, built through the action services like the rest of the demo."""

from __future__ import annotations

from casework.actions import services
from casework.actions.models import Recommendation, Theme
from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.demo.adult_g_plan import ADULT_G
from casework.demo.child_d_plan import CHILD_D
from casework.demo.plans import GP, LEADS, PARTNERSHIP, add_demo_action
from casework.reviews.models import AssignmentRole, AssignmentStatus, Review

PLANS = (CHILD_D, ADULT_G)


def _lead_reviewer(review: Review, manager: User) -> User:
    """The review's accepted lead reviewer writes its findings and recommendations."""
    for assignment in review.assignments:
        if assignment.role == AssignmentRole.LEAD and assignment.status == AssignmentStatus.ACCEPTED:
            return assignment.reviewer
    return manager


def load_demo_actions(manager: User) -> list[str]:
    """The action plans of Child D and Adult G; nothing if they have one already, or if the demo's
    reviews or people are missing."""
    reviews = {r.pseudonym: r for r in db.session.execute(db.select(Review)).scalars()}
    chosen = [reviews.get(plan.pseudonym) for plan in PLANS]
    if any(review is None or review.terms is None or review.is_ended for review in chosen):
        return []
    ids = [review.id for review in chosen if review is not None]
    if db.session.execute(db.select(Recommendation.id).where(Recommendation.review_id.in_(ids))).first():
        return []
    users = {u.email: u for u in db.session.execute(db.select(User).where(User.active.is_(True))).scalars()}
    if any(email not in users for email in LEADS.values()):
        return []
    agencies = {a.name: a for a in db.session.execute(db.select(Agency)).scalars()}
    if any(name not in agencies for name in (*LEADS, GP)):
        return []
    themes = {t.name: t for t in db.session.execute(db.select(Theme)).scalars()}
    owners: dict[str, tuple[Agency | None, User]] = {
        name: (agencies[name], users[email]) for name, email in LEADS.items()
    }
    owners[PARTNERSHIP] = (None, manager)
    gp_lead = (
        db.session.execute(
            db.select(User)
            .where(User.role == Role.AGENCY_LEAD, User.agency_id == agencies[GP].id, User.active.is_(True))
            .order_by(User.id)
        )
        .scalars()
        .first()
    )
    # The demo has no GP agency lead: the partnership holds the GP's actions unless one exists.
    owners[GP] = (agencies[GP], gp_lead) if gp_lead else (None, manager)

    count = 0
    for plan, review in zip(PLANS, chosen, strict=True):
        assert review is not None
        writer = _lead_reviewer(review, manager)
        differences: dict[int, str] = {}
        for text, names in plan.findings:
            services.add_finding(review, text, [themes[name] for name in names if name in themes], writer)
        for demo in plan.recommendations:
            recommendation = services.add_recommendation(
                review,
                demo.text,
                demo.to_partnership,
                [agencies[name] for name in demo.agencies],
                [themes[name] for name in demo.themes if name in themes],
                writer,
            )
            if demo.different_this_time:
                db.session.flush()  # its id, for the answer
                differences[recommendation.id] = demo.different_this_time
            for planned in demo.actions:
                agency, owner = owners[planned.owner]
                add_demo_action(recommendation, planned, agency, owner, manager)
                count += 1
        if plan.confirm:
            services.confirm_recommendations(review, manager, differences)
    db.session.flush()
    references = " and ".join(review.reference for review in chosen if review is not None)
    return [f"action plans for {references} ({count} actions)"]
