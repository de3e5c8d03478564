"""Older reviews for the board's insight charts, so they show more than the current year: Child T
(three reporting years back: published two months late, its plan verified and the review
closed), Child U (two years back: notified late, no local review, its learning kept with one
action completed late and one still overdue) and Adult V (a SAR completed a month late). Their
findings and recommendations carry themes that recur across the years. Built through the
services like the rest of the demo; added once."""

from __future__ import annotations

from datetime import date, timedelta

from casework.actions import services as actions
from casework.actions.models import Recommendation, Theme
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import working_calendar
from casework.demo.notices import send_cspr_notices, send_report_notice
from casework.demo.plans import HEALTH, POLICE, SOCIAL_CARE, Complete, Verify, apply_step
from casework.demo.publication import _report
from casework.demo.reviews import (
    demo_commission,
    demo_decision,
    demo_lead_reviewer,
    demo_rapid_review,
    demo_referral,
    demo_review_type,
)
from casework.reviews.drafts import services as drafts
from casework.reviews.models import DecisionOutcome, Review
from casework.reviews.publication import checks, publishing
from casework.reviews.referral.rapid_review import refer_for_decision

PSEUDONYMS = ("Child T", "Child U", "Adult V")
SHARING, RISK, BABIES = "Information sharing", "Risk assessment", "Vulnerability of babies"
CURIOSITY, FAMILY, SCHOOL = "Professional curiosity", "Whole-family working", "Children not in school"
SELF_NEGLECT = "Self-neglect"


class _Demo:
    """What every older review is built with: the people, agencies and themes, by name."""

    def __init__(self, manager: User) -> None:
        self.manager = manager
        self.users = {u.email: u for u in db.session.execute(db.select(User)).scalars()}
        self.agencies = {a.name: a for a in db.session.execute(db.select(Agency)).scalars()}
        self.themes = {t.name: t for t in db.session.execute(db.select(Theme)).scalars()}
        self.reviewer = self.users.get("reviewer@northshire.example")

    @property
    def ready(self) -> bool:
        needed_users = ("police.lead@northshire.example", "socialcare.lead@northshire.example")
        return (
            self.reviewer is not None
            and all(email in self.users for email in needed_users)
            and all(name in self.agencies for name in (POLICE, SOCIAL_CARE, HEALTH))
            and all(
                name in self.themes
                for name in (SHARING, RISK, BABIES, CURIOSITY, FAMILY, SCHOOL, SELF_NEGLECT)
            )
        )

    def lead_of(self, agency: str) -> User:
        email = {POLICE: "police.lead@northshire.example", SOCIAL_CARE: "socialcare.lead@northshire.example"}
        return self.users[email[agency]]

    def tag(self, *names: str) -> list[Theme]:
        return [self.themes[name] for name in names]

    def referral(self, code: str, pseudonym: str, aware: date, notified_after: int | None) -> Review:
        story = "A serious incident the partnership reviewed in an earlier year."
        kind, police = demo_review_type(code), self.agencies[POLICE]
        return demo_referral(kind, pseudonym, story, aware, notified_after, police, self.manager)

    def report(self, review: Review, signed_off: date) -> None:
        """A lead reviewer who accepted, a report with nothing identifying in it, signed off."""
        assert self.reviewer is not None
        demo_lead_reviewer(review, self.reviewer, self.manager)
        text = (
            f"This review looks at the help {review.pseudonym} received from local services.",
            "Agencies held pieces of the picture but did not bring them together.",
        )
        drafts.upload_draft(review, _report("final.docx", *text), "Final report", self.reviewer, None)
        drafts.mark_final(review, signed_off, self.manager, None)

    def publish(self, review: Review, sent: date, published: date) -> None:
        checks.run_anonymisation_check(review, self.manager)
        if review.review_type.code == "CSPR":
            send_report_notice(review, sent, self.manager)
        publishing.save_publication_details(
            review,
            sent_to_panel_on=sent if review.review_type.code == "CSPR" else None,
            public_summary=f"{review.pseudonym}: agencies did not bring together what each of them knew.",
            learning="Share what you know; ask what others know.",
            public_recommendations="1. Agencies share concerns at the first sign, not the third.",
            by=self.manager,
        )
        publishing.publish_review(review, published, self.manager, None)

    def findings(self, review: Review, *found: tuple[str, tuple[str, ...]]) -> None:
        """An older review's findings, each with the themes it is tagged with."""
        for text, themes in found:
            actions.add_finding(review, text, self.tag(*themes), self.manager)

    def confirmed_recommendation(
        self, review: Review, text: str, agencies: tuple[str, ...], themes: tuple[str, ...]
    ) -> Recommendation:
        """An older review's one recommendation, to the named agencies, confirmed with the plan."""
        recommendation = actions.add_recommendation(
            review, text, False, [self.agencies[name] for name in agencies], self.tag(*themes), self.manager
        )
        actions.confirm_recommendations(review, self.manager)
        return recommendation

    def add_actions(
        self, recommendation: Recommendation, created: date, *planned: tuple[str, str, int, int | None]
    ) -> None:
        """Actions created on ``created``, each (agency, description, days to its deadline, days
        until it was completed or None), with dates in the past: the services date a new action
        today and refuse a past deadline, so the dates are moved back once it is built (the demo
        only; nothing else does)."""
        for agency, description, deadline_after, completed_after in planned:
            lead = self.lead_of(agency)
            made = actions.add_action(
                recommendation,
                description,
                self.agencies[agency],
                lead,
                uk_today() + timedelta(days=30),
                "An audit of cases shows the change held.",
                self.manager,
            )
            if completed_after is not None:
                apply_step(
                    made, Complete("Done, with the audit attached.", "older-audit.pdf"), lead, self.manager
                )
                apply_step(made, Verify("The audit shows the change held."), lead, self.manager)
                made.completed_on = created + timedelta(days=completed_after)
            deadline = created + timedelta(days=deadline_after)
            made.created_on, made.original_deadline, made.deadline = created, deadline, deadline


def _child_t(demo: _Demo, aware: date) -> None:
    """Published two months after the six months, its plan done and the review closed."""
    review = demo.referral("CSPR", "Child T", aware, 3)
    send_cspr_notices(review, demo.manager)
    demo_rapid_review(review, demo.agencies.__getitem__, aware + timedelta(days=12), respond=True)
    demo_decision(review, demo.manager, aware + timedelta(days=28))
    demo_commission(review, demo.manager, demo.agencies.__getitem__, aware + timedelta(days=40))
    signed_off = aware + timedelta(days=250)
    demo.report(review, signed_off)
    sent = working_calendar().add_working_days(signed_off, 3)
    demo.publish(review, sent, sent + timedelta(days=14))
    demo.findings(
        review,
        ("Bruising on a baby who could not crawl was explained away.", (BABIES, CURIOSITY)),
        ("The police did not pass on two callouts to the home.", (SHARING,)),
    )
    recommendation = demo.confirmed_recommendation(
        review,
        "Every agency uses the partnership's protocol for bruising in babies who are not mobile.",
        (SOCIAL_CARE,),
        (BABIES, RISK),
    )
    trained = (SOCIAL_CARE, "Train every duty social worker on the bruising protocol.", 90, 80)
    demo.add_actions(recommendation, aware + timedelta(days=300), trained)
    actions.close_review(review, None, demo.manager)


def _child_u(demo: _Demo, aware: date) -> None:
    """Notified late; no local review; its learning kept, one action late, one still overdue."""
    review = demo.referral("CSPR", "Child U", aware, 10)
    demo_rapid_review(review, demo.agencies.__getitem__, aware + timedelta(days=20), respond=True)
    demo_decision(review, demo.manager, aware + timedelta(days=35), DecisionOutcome.NO_REVIEW)
    missed = "Nobody asked why the child had missed half a term of school."
    demo.findings(review, (missed, (SCHOOL, CURIOSITY)))
    recommendation = demo.confirmed_recommendation(
        review,
        "Schools tell children's social care when a child on a plan misses ten days in a term.",
        (POLICE, SOCIAL_CARE),
        (SCHOOL, SHARING, FAMILY),
    )
    demo.add_actions(
        recommendation,
        aware + timedelta(days=50),
        (SOCIAL_CARE, "Agree the attendance alert with every school.", 120, 240),
        (POLICE, "Add school attendance to the police's vulnerability screening.", 300, None),
    )


def _adult_v(demo: _Demo, aware: date) -> None:
    """A SAR signed off a month after its six months, then published."""
    review = demo.referral("SAR", "Adult V", aware, None)
    refer_for_decision(review, review.version)
    demo_decision(review, demo.manager, aware + timedelta(days=20))
    demo_commission(review, demo.manager, demo.agencies.__getitem__, aware + timedelta(days=35))
    signed_off = aware + timedelta(days=235)
    demo.report(review, signed_off)
    demo.publish(review, signed_off, signed_off + timedelta(days=10))
    demo.findings(
        review,
        ("Her refusals of help were recorded but never explored.", (SELF_NEGLECT, CURIOSITY)),
        ("The GP and housing never compared notes.", (SHARING, RISK)),
    )


def load_demo_insight(manager: User) -> list[str]:
    demo = _Demo(manager)
    if not demo.ready:
        return []
    existing = set(
        db.session.execute(db.select(Review.pseudonym).where(Review.pseudonym.in_(PSEUDONYMS))).scalars()
    )
    if existing:
        return []
    today = uk_today()
    _child_t(demo, today - timedelta(days=1000))
    _child_u(demo, today - timedelta(days=640))
    _adult_v(demo, today - timedelta(days=480))
    db.session.flush()
    return ["older reviews for the insight charts: Child T, Child U and Adult V"]
