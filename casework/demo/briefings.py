"""Child K's learning reaching practice: findings and recommendations on its plan, a 7-minute
briefing drafted from them and approved (so the public register offers it with the published
report), sent to three agencies of which two acknowledged it, a learning event with attendance by
agency, and a practice audit of two recommendations. Child D's briefing is a draft still being
edited. Built through the services; added once."""

from __future__ import annotations

from datetime import timedelta

from casework.actions import services as actions
from casework.actions.models import Theme
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.learning import dissemination, services
from casework.reviews.learning.models import EventKind, LearningBriefing
from casework.reviews.models import Review

PSEUDONYM = "Child K"
POLICE, HEALTH, SOCIAL_CARE = (
    "Northshire Police",
    "Northshire Hospitals NHS Foundation Trust",
    "Northshire Children's Social Care",
)
FINDINGS = (
    "Bruising on a baby who could not yet move was seen as minor and not referred.",
    "The police knew of domestic abuse at home but health visiting was not told.",
)
RECOMMENDATIONS = (
    "Every agency follows the partnership's protocol for bruising in babies who are not yet mobile.",
    "Northshire Police shares every domestic abuse incident where a baby lives with health visiting.",
    "The partnership audits referrals of bruising in babies a year from now.",
)


def load_demo_briefings(manager: User) -> list[str]:
    review = db.session.execute(db.select(Review).where(Review.pseudonym == PSEUDONYM)).scalar_one_or_none()
    if review is None or review.publication is None or review.publication.published_on is None:
        return []
    if db.session.get(LearningBriefing, review.id) is not None:
        return []
    agencies = {a.name: a for a in db.session.execute(db.select(Agency)).scalars()}
    users = {u.email: u for u in db.session.execute(db.select(User)).scalars()}
    themes = {t.name: t for t in db.session.execute(db.select(Theme)).scalars()}
    police, health, care = agencies[POLICE], agencies[HEALTH], agencies[SOCIAL_CARE]
    chosen = [theme for name, theme in sorted(themes.items()) if "information" in name.lower()][:1]

    for text in FINDINGS:
        actions.add_finding(review, text, chosen, manager)
    recommendations = [
        actions.add_recommendation(review, RECOMMENDATIONS[0], True, [], chosen, manager),
        actions.add_recommendation(review, RECOMMENDATIONS[1], False, [police], chosen, manager),
        actions.add_recommendation(review, RECOMMENDATIONS[2], True, [], [], manager),
    ]

    briefing = services.draft_from_review(review, manager)
    db.session.flush()
    edited = {name: getattr(briefing, name) for name in ("title", *services.SECTION_NAMES)}
    edited["what_to_think_about"] = (
        "Bruising in a baby who cannot move is never normal: refer it, whatever the explanation.\n"
        "Domestic abuse in a home with a baby is a safeguarding concern for every agency that knows."
    )
    services.save_briefing(briefing, edited, manager, briefing.version)
    services.approve_briefing(briefing, manager, briefing.version)

    sent_on = uk_today()
    sent = dissemination.send_briefing(review, [police, health, care], sent_on, manager)
    by_agency = {recipient.agency_id: recipient for recipient in sent}
    db.session.flush()
    dissemination.acknowledge_briefing(by_agency[police.id], users["police.lead@northshire.example"], None)
    dissemination.acknowledge_briefing(by_agency[health.id], users["health.lead@northshire.example"], None)

    dissemination.record_event(
        review,
        dissemination.EventDetails(
            title="Learning from Child K: bruising in babies",
            held_on=uk_today(),
            kind=EventKind.WORKSHOP,
            notes="Safeguarding leads' workshop; the briefing was read and discussed in groups.",
            attendance={police.id: 6, health.id: 11, care.id: 8},
        ),
        manager,
    )
    dissemination.add_audit(
        review,
        dissemination.AuditDetails(
            tested="Whether bruising in babies who are not yet mobile is referred, and whether police "
            "incidents reach health visiting.",
            planned_on=uk_today() + timedelta(days=120),
            recommendation_ids={recommendations[0].id, recommendations[1].id},
        ),
        manager,
    )
    child_d = db.session.execute(db.select(Review).where(Review.pseudonym == "Child D")).scalar_one_or_none()
    if child_d is not None:
        # Drafted from the stored rows, as a page would draft it: a recommendation the demo built
        # earlier may otherwise still be in memory, its agencies in the order given, not by name.
        db.session.flush()
        db.session.expire_all()
        services.draft_from_review(child_d, manager)
    db.session.flush()
    return [f"7-minute briefing and its dissemination for {review.reference}"]
