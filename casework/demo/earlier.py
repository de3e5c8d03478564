"""Child M, an older review (two years ago) whose learning was kept as recommendations without a
local review: the earlier recommendation Child D's plan repeats, with what became of its actions
(one verified, one overdue). Built through the services; added once."""

from __future__ import annotations

from datetime import timedelta

from casework.actions import services as actions
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.demo.plans import POLICE, SOCIAL_CARE, Complete, DemoAction, Verify, add_demo_action
from casework.demo.reviews import demo_decision, demo_rapid_review, demo_referral
from casework.reviews.models import DecisionOutcome, Review, ReviewType

PSEUDONYM = "Child M"
EARLIER_RECOMMENDATION = (
    "Northshire Police should make sure that every domestic abuse incident where a baby lives in the "
    "household leads to a referral to children's social care, shared with health visiting."
)
BRIEFED = DemoAction(
    POLICE,
    "Brief response officers on referring domestic abuse incidents where a baby lives.",
    "Every response team briefed; referral rate for such incidents audited.",
    30,
    (Complete("All teams briefed.", "child-m-briefing-register.pdf"), Verify("Briefing register seen.")),
)
SCREENED = DemoAction(
    SOCIAL_CARE,
    "Share every police notification about a baby with health visiting on the day it arrives.",
    "Monthly report: every notification about a baby shared the same day.",
    30,
    overdue_by=400,
)


def load_demo_earlier_review(manager: User) -> list[str]:
    cspr = db.session.execute(db.select(ReviewType).where(ReviewType.code == "CSPR")).scalar_one_or_none()
    if cspr is None or db.session.execute(db.select(Review.id).where(Review.pseudonym == PSEUDONYM)).first():
        return []
    agencies = {a.name: a for a in db.session.execute(db.select(Agency)).scalars()}
    leads = {u.email: u for u in db.session.execute(db.select(User)).scalars()}
    police, social_care = agencies.get(POLICE), agencies.get(SOCIAL_CARE)
    police_lead = leads.get("police.lead@northshire.example")
    care_lead = leads.get("socialcare.lead@northshire.example")
    if police is None or social_care is None or police_lead is None or care_lead is None:
        return []
    aware = uk_today() - timedelta(days=730)
    story = "A baby was injured at home after police attended a domestic incident."
    review = demo_referral(cspr, PSEUDONYM, story, aware, 3, police, manager)
    demo_rapid_review(review, agencies.__getitem__, aware + timedelta(days=12), respond=True)
    demo_decision(review, manager, aware + timedelta(days=25), DecisionOutcome.NO_REVIEW)
    recommendation = actions.keep_learning(review, [EARLIER_RECOMMENDATION], manager)[0]
    for planned, agency, owner in ((BRIEFED, police, police_lead), (SCREENED, social_care, care_lead)):
        add_demo_action(recommendation, planned, agency, owner, manager)
    actions.confirm_recommendations(review, manager)
    db.session.flush()
    return [f"review {review.reference} ({PSEUDONYM}), an earlier recommendation repeated by Child D"]
