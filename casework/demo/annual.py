"""Two reviews that concluded in the last complete reporting year (April to March), so the annual
report pack has something to show for it: Child W, a CSPR published on time, and Adult X, a SAR
signed off, each with findings, themes, recommendations and actions. Of Adult X's
recommendations, one has no action and no decision, another the partners decided not to pursue,
with their reason (the Care Act's "not acted on"), and the one with an action had its outcome
measure met in the year. Their dates follow the year's bounds, so they stay in the last complete
year whatever today is. Built through the services, with the days the services record as "today"
moved back afterwards; added once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from werkzeug.datastructures import FileStorage

from casework.actions import outcomes
from casework.actions import services as actions
from casework.actions.models import Action, ActionStatus, Recommendation, Theme
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import UK, uk_today
from casework.demo.notices import send_cspr_notices, send_report_notice
from casework.demo.publication import BODY, _report
from casework.demo.reviews import (
    demo_commissioned_with_lead,
    demo_rapid_review,
    demo_referred,
    demo_review_type,
)
from casework.insight.annual.year import last_complete_year
from casework.insight.years import year_starting
from casework.reviews.drafts import services as drafts
from casework.reviews.models import Review
from casework.reviews.publication import checks, publishing
from casework.reviews.referral.identifiers import PersonDetails, save_identifiers
from casework.reviews.referral.rapid_review import refer_for_decision

CHILD, ADULT = "Child W", "Adult X"
POLICE, HEALTH = "Northshire Police", "Northshire Hospitals NHS Foundation Trust"


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10), UK).astimezone(UTC)


def _themes(code: str, *names: str) -> list[Theme]:
    found = db.session.execute(db.select(Theme).where(Theme.name.in_(names))).scalars().unique()
    return [theme for theme in found if any(kind.code == code for kind in theme.review_types)]


def _evidence() -> FileStorage:
    return _report("audit-of-cases.docx", "Audit of 20 cases: every call-out was shared within a day.")


def _recommend(review: Review, text: str, on: date, by: User, themes: list[Theme]) -> Recommendation:
    recommendation = actions.add_recommendation(review, text, True, [], themes, by)
    db.session.flush()
    recommendation.created_at = recommendation.confirmed_at = _moment(on)
    return recommendation


def _act(
    recommendation: Recommendation,
    description: str,
    agency: Agency,
    owner: User,
    manager: User,
    created: date,
    deadline: date,
    done: date | None = None,
) -> Action:
    """An action created and, when ``done``, completed with evidence and verified then."""
    action = actions.add_action(
        recommendation,
        description,
        agency,
        owner,
        uk_today() + timedelta(days=30),
        "An audit of cases.",
        manager,
    )
    if done:
        actions.add_progress(
            action, ActionStatus.COMPLETED, "Done; audit attached.", [_evidence()], owner, None
        )
        actions.verify_action(action, "The audit shows the change held.", manager, None)
    # Demo only: the services record today; these happened in the year being reported on.
    action.created_on, action.deadline, action.original_deadline = created, deadline, deadline
    action.completed_on = done
    action.verified_at = _moment(done + timedelta(days=3)) if done else None
    return action


def _child(
    start: date, manager: User, lead: User, people: dict[str, User], agency: Callable[[str], Agency]
) -> Review:
    aware = start + timedelta(days=20)
    cspr, story = demo_review_type("CSPR"), "A toddler was admitted to hospital with a head injury."
    review = demo_referred(
        cspr, CHILD, story, aware, agency(POLICE), manager, notified_after=3, la_became_aware_on=aware
    )
    send_cspr_notices(review, manager)
    save_identifiers(review, [PersonDetails("Demo Child W Person")], [], "7 Demo Lane", None)
    demo_rapid_review(review, agency, aware + timedelta(days=12), respond=True)
    demo_commissioned_with_lead(review, manager, lead, agency, aware)
    drafts.upload_draft(
        review, _report("child-t-final.docx", *(p.format(x="T") for p in BODY)), "Final", lead, None
    )
    drafts.mark_final(review, aware + timedelta(days=150), manager, None)
    checks.run_anonymisation_check(review, manager)
    send_report_notice(review, aware + timedelta(days=155), manager)
    publishing.save_publication_details(
        review,
        sent_to_panel_on=aware + timedelta(days=155),
        public_summary="A toddler was seriously injured at home.",
        learning="Ask who lives in the household, and share what you know.",
        public_recommendations="1. Ask about new partners.\n2. Share police call-outs with health visitors.",
        by=manager,
    )
    publishing.publish_review(review, aware + timedelta(days=200), manager, None)

    findings = (
        ("A new partner in the household was not known to health visiting.", ("Information sharing",)),
        (
            "Police call-outs were not shared with the health visitor.",
            ("Information sharing", "Domestic abuse"),
        ),
    )
    for text, names in findings:
        actions.add_finding(review, text, _themes("CSPR", *names), manager)
    asked = _recommend(
        review, "Every agency asks who lives in the household.", aware + timedelta(days=205), manager,
        _themes("CSPR", "Professional curiosity"),
    )  # fmt: skip
    shared = _recommend(
        review, "Police share call-outs where a child under 2 lives.", aware + timedelta(days=205), manager,
        _themes("CSPR", "Information sharing", "Domestic abuse"),
    )  # fmt: skip
    police, health = agency(POLICE), agency(HEALTH)
    created = aware + timedelta(days=210)
    _act(shared, "Share every call-out with health visiting within a day.", police, people["police"], manager,
         created, created + timedelta(days=60), done=created + timedelta(days=50))  # fmt: skip
    _act(
        asked,
        "Add 'who lives here?' to the health visiting contact record.",
        health,
        people["health"],
        manager,
        created,
        created + timedelta(days=90),
    )
    return review


def _adult(
    start: date, manager: User, lead: User, people: dict[str, User], agency: Callable[[str], Agency]
) -> Review:
    aware = start + timedelta(days=10)
    story = "An older man living alone died in a house fire; he had refused help with hoarding."
    review = demo_referred(
        demo_review_type("SAR"), ADULT, story, aware, agency(HEALTH), manager, days_before=2
    )
    refer_for_decision(review, review.version)
    demo_commissioned_with_lead(review, manager, lead, agency, aware)
    report = _report(
        "adult-x-final.docx", "Adult X lived alone.", "Agencies did not share concerns about hoarding."
    )
    drafts.upload_draft(review, report, "Final report", lead, None)
    drafts.mark_final(review, aware + timedelta(days=190), manager, None)

    findings = (
        (
            "Agencies saw the hoarding but treated each refusal of help as the end of their work.",
            ("Self-neglect",),
        ),
        (
            "The fire service's home safety visit was not shared with adult social care.",
            ("Information sharing",),
        ),
        ("Nobody assessed whether Adult X could make decisions about his home.", ("Mental capacity",)),
    )
    for text, names in findings:
        actions.add_finding(review, text, _themes("SAR", *names), manager)
    on = aware + timedelta(days=195)
    shared = _recommend(review, "Share home safety visits where hoarding is seen.", on, manager,
                        _themes("SAR", "Information sharing"))  # fmt: skip
    _recommend(review, "Use a multi-agency self-neglect protocol before closing a case.", on, manager,
               _themes("SAR", "Self-neglect"))  # fmt: skip
    panels = _recommend(review, "Set up a hoarding panel in each district.", on, manager,
                        _themes("SAR", "Self-neglect"))  # fmt: skip
    outcome = outcomes.decide_not_to_pursue(
        panels,
        "The multi-agency risk management meeting already hears every high-risk hoarding case; "
        "district panels would split the same people's time across two meetings.",
        manager,
        None,
    )
    # Demo only: the service records now; the partners decided in the year being reported on.
    outcome.not_pursued_at = _moment(on + timedelta(days=20))
    created = on + timedelta(days=5)
    _act(
        shared,
        "Refer every home safety visit with hoarding to adult social care.",
        agency(HEALTH),
        people["health"],
        manager,
        created,
        created + timedelta(days=60),
        done=created + timedelta(days=40),
    )
    _achieved(shared, manager, on + timedelta(days=10))
    return review


def _achieved(recommendation: Recommendation, manager: User, set_on: date) -> None:
    """An outcome measure set on ``set_on`` and met when re-measured three months later."""
    today = uk_today()
    outcome = outcomes.set_measure(
        recommendation,
        outcomes.MeasureDetails(
            "Adult social care hears of every home where the fire service sees hoarding.",
            "Share of fire service home safety visits noting hoarding referred to adult social care.",
            "3 of 11 visits (27%)",
            today - timedelta(days=1),
            "90% of visits",
            today + timedelta(days=30),
            manager,
        ),
        manager,
        None,
    )
    measured_on = set_on + timedelta(days=90)
    remeasure = outcomes.record_remeasure(
        recommendation,
        outcomes.Remeasure(
            today, "12 of 13 visits (92%)", True, "Fire service visit log against referrals.", None, None
        ),
        manager,
        None,
    )
    # Demo only: the services record today; the measure was set and met in the reported year.
    outcome.baseline_on, outcome.set_at, outcome.remeasure_on = set_on, _moment(set_on), measured_on
    remeasure.measured_on = outcome.last_measured_on = outcome.achieved_on = measured_on
    remeasure.recorded_at = _moment(measured_on)


def load_demo_annual(manager: User) -> list[str]:
    names = set(db.session.execute(db.select(Review.pseudonym)).scalars())
    if CHILD in names or ADULT in names:
        return []
    users = {u.email: u for u in db.session.execute(db.select(User)).scalars()}
    agencies = {a.name: a for a in db.session.execute(db.select(Agency)).scalars()}
    needed = ("reviewer2@northshire.example", "reviewer@northshire.example", "police.lead@northshire.example",
              "health.lead@northshire.example")  # fmt: skip
    if any(email not in users for email in needed) or POLICE not in agencies or HEALTH not in agencies:
        return []
    people = {
        "police": users["police.lead@northshire.example"],
        "health": users["health.lead@northshire.example"],
    }
    start = year_starting(last_complete_year(uk_today())).start
    child = _child(start, manager, users["reviewer2@northshire.example"], people, agencies.__getitem__)
    adult = _adult(start, manager, users["reviewer@northshire.example"], people, agencies.__getitem__)
    db.session.flush()
    return [
        f"review {child.reference} ({CHILD}, published in the last complete reporting year)",
        f"review {adult.reference} ({ADULT}, concluded in the last complete reporting year, "
        "one recommendation not pursued)",
    ]
