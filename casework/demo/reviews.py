"""Demo reviews of every type at different stages, built through the services so every rule,
clock and timeline entry is real. Dates are relative to today so the demo never goes stale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.appointments import services as appointments
from casework.reviews.models import (
    AssignmentRole,
    DecisionOutcome,
    PanelResponse,
    RapidReviewRecommendation,
    Review,
    ReviewMandate,
    ReviewType,
)
from casework.reviews.referral.commissioning import TermsDetails, commission_review
from casework.reviews.referral.decision import (
    DecisionDetails,
    reconsider_decision,
    record_decision,
    record_panel_challenge,
)
from casework.reviews.referral.identifiers import PersonDetails, save_identifiers
from casework.reviews.referral.pausing import pause_review
from casework.reviews.referral.rapid_review import (
    RapidReviewDetails,
    begin_rapid_review,
    complete_rapid_review,
    refer_for_decision,
    save_rapid_review,
)
from casework.reviews.referral.referral import ReferralDetails, create_referral


@dataclass(frozen=True)
class DemoReview:
    code: str
    pseudonym: str
    aware_days_ago: int
    story: str
    build: Callable[[Review, User, Callable[[str], Agency], date], None]


def _ago(days: int) -> date:
    return uk_today() - timedelta(days=days)


def demo_review_type(code: str) -> ReviewType:
    """The review type of this code: the seeded reference data always holds the demo's three."""
    return db.session.execute(db.select(ReviewType).where(ReviewType.code == code)).scalar_one()


def demo_referral(
    review_type: ReviewType,
    pseudonym: str,
    story: str,
    aware: date,
    notified_after: int | None,
    police: Agency,
    by: User,
) -> Review:
    """A referral as most demo reviews arrive: the incident the day before the partnership heard of
    it, the Panel told ``notified_after`` days later (None: not told), children's social care
    notifying a CSPR, the police already involved."""
    notifying = "Northshire Children's Social Care" if review_type.code == "CSPR" else ""
    return demo_referred(
        review_type, pseudonym, story, aware, police, by, notified_after=notified_after, notifying=notifying
    )


def demo_referred(
    review_type: ReviewType,
    pseudonym: str,
    story: str,
    aware: date,
    known: Agency,
    by: User,
    *,
    days_before: int = 1,
    notified_after: int | None = None,
    la_became_aware_on: date | None = None,
    looked_after_child_died: bool = False,
    notifying: str = "",
) -> Review:
    """A referral of an incident ``days_before`` the partnership heard of it, the Panel told
    ``notified_after`` days after it heard (None: not told), one agency already involved: every
    demo review arrives this way, with the dates and the notifier its story needs."""
    details = ReferralDetails(
        pseudonym=pseudonym,
        incident_on=aware - timedelta(days=days_before),
        incident_description=story,
        became_aware_on=aware,
        panel_notified_on=aware + timedelta(days=notified_after) if notified_after is not None else None,
        la_became_aware_on=la_became_aware_on,
        looked_after_child_died=looked_after_child_died,
        notifying_organisation=notifying,
        known_agencies=[known],
    )
    return create_referral(review_type, details, by)


def demo_rapid_review(
    review: Review, agency: Callable[[str], Agency], meeting: date, *, respond: bool
) -> None:
    begin_rapid_review(review, review.version)
    save_rapid_review(
        review,
        RapidReviewDetails(
            meeting_on=meeting,
            facts_established="Health visiting, the GP and the police all had contact in the month before.",
            immediate_safety_actions="Siblings placed with grandparents under a safety plan.",
            learning_identified="Bruising in a non-mobile baby was not referred.",
            recommendation=RapidReviewRecommendation.LOCAL_REVIEW,
            sent_to_panel_on=meeting + timedelta(days=2),
            panel_response=PanelResponse.AGREES_LOCAL if respond else None,
            panel_responded_on=meeting + timedelta(days=12) if respond else None,
            contributing_agencies=[agency("Northshire Police"), agency("Riverside Medical Practice")],
        ),
        review.version,
    )
    complete_rapid_review(review, review.version)


def demo_decision(
    review: Review,
    by: User,
    decided_on: date,
    outcome: DecisionOutcome = DecisionOutcome.LOCAL_REVIEW,
    mandate: ReviewMandate = ReviewMandate.MANDATORY,
) -> None:
    local = outcome == DecisionOutcome.LOCAL_REVIEW
    criteria = [c["key"] for c in review.criteria()][:1] if local else []
    if local and review.review_type.has_mandate:
        # A mandatory SAR meets every condition of s44(1)-(3); a discretionary one needs none.
        criteria = [c["key"] for c in review.criteria()] if mandate == ReviewMandate.MANDATORY else []
    record_decision(
        review,
        DecisionDetails(
            outcome=outcome,
            mandate=mandate if local and review.review_type.has_mandate else None,
            criteria_met=criteria,
            regard_had_to=[],
            rationale=(
                "Several agencies were involved and information was not shared."
                if outcome == DecisionOutcome.LOCAL_REVIEW
                else "Single-agency learning, already acted on; no wider learning expected."
            ),
            decided_on=decided_on,
            decided_by="The statutory partners",
        ),
        review.version,
        by,
    )


def demo_commission(review: Review, by: User, agency: Callable[[str], Agency], on: date) -> None:
    commission_review(
        review,
        TermsDetails(
            scope_from=on - timedelta(days=540),
            scope_to=on - timedelta(days=60),
            key_lines_of_enquiry="How did agencies share what they knew about risk at home?",
            method="Systems approach with a practitioner learning event.",
            family_involvement="The reviewer will offer to meet the family after the criminal trial.",
            target_completion_on=None,
            commissioned_on=on,
            agencies_in_scope=[agency("Northshire Police"), agency("Northshire Children's Social Care")],
        ),
        review.version,
        by,
    )


def demo_lead_reviewer(review: Review, lead: User, by: User) -> None:
    """A lead reviewer appointed who accepts at once, declaring no conflict of interest."""
    assignment = appointments.assign_reviewer(review, lead, AssignmentRole.LEAD, by)
    appointments.accept_appointment(assignment, lead, declared=True)


def demo_commissioned_with_lead(
    review: Review, by: User, lead: User, agency: Callable[[str], Agency], aware: date
) -> None:
    """A local review decided on a month after the partnership heard, commissioned a fortnight
    later, its lead reviewer appointed: the path of the demo's reviews that reach a final report."""
    demo_decision(review, by, aware + timedelta(days=30))
    demo_commission(review, by, agency, aware + timedelta(days=45))
    demo_lead_reviewer(review, lead, by)


def _at_referral(review: Review, by: User, agency: Callable[[str], Agency], aware: date) -> None:
    pass


def _cspr_rapid_review_overdue(
    review: Review, by: User, agency: Callable[[str], Agency], aware: date
) -> None:
    begin_rapid_review(review, review.version)


def _cspr_decision(review: Review, by: User, agency: Callable[[str], Agency], aware: date) -> None:
    demo_rapid_review(review, agency, aware + timedelta(days=14), respond=True)


def _cspr_commissioned(review: Review, by: User, agency: Callable[[str], Agency], aware: date) -> None:
    demo_rapid_review(review, agency, aware + timedelta(days=14), respond=True)
    demo_decision(review, by, aware + timedelta(days=30))
    demo_commission(review, by, agency, aware + timedelta(days=45))
    save_identifiers(
        review,
        [PersonDetails("Demo Child One", date_of_birth=aware - timedelta(days=210))],
        [PersonDetails("Demo Parent One", relationship_to_child="Mother")],
        "1 Example Street, Northshire",
        review.version,
    )


def _cspr_paused(review: Review, by: User, agency: Callable[[str], Agency], aware: date) -> None:
    demo_rapid_review(review, agency, aware + timedelta(days=10), respond=True)
    demo_decision(review, by, aware + timedelta(days=25))
    pause_review(
        review,
        aware + timedelta(days=40),
        "Criminal proceedings against the father",
        "The three partners",
        review.version,
        by,
    )


def _refer_and_decide(
    outcome: DecisionOutcome,
) -> Callable[[Review, User, Callable[[str], Agency], date], None]:
    def build(review: Review, by: User, agency: Callable[[str], Agency], aware: date) -> None:
        refer_for_decision(review, review.version)
        demo_decision(review, by, aware + timedelta(days=20), outcome)

    return build


def _sar_decision(review: Review, by: User, agency: Callable[[str], Agency], aware: date) -> None:
    refer_for_decision(review, review.version)


def _sar_discretionary(review: Review, by: User, agency: Callable[[str], Agency], aware: date) -> None:
    refer_for_decision(review, review.version)
    demo_decision(review, by, aware + timedelta(days=21), mandate=ReviewMandate.DISCRETIONARY)


def _cspr_reconsidered(review: Review, by: User, agency: Callable[[str], Agency], aware: date) -> None:
    """No review decided; the Panel disagreed; the partners reconsidered and hold a local review."""
    demo_rapid_review(review, agency, aware + timedelta(days=10), respond=True)
    demo_decision(review, by, aware + timedelta(days=20), DecisionOutcome.NO_REVIEW)
    record_panel_challenge(
        review,
        aware + timedelta(days=30),
        "Three agencies saw the family in the month before; the case may highlight how they worked together.",
        review.version,
        by,
    )
    reconsider_decision(
        review,
        DecisionDetails(
            outcome=DecisionOutcome.LOCAL_REVIEW,
            criteria_met=["working_together"],
            regard_had_to=["cross_boundary"],
            rationale="On the Panel's challenge: the family moved between areas and agencies did not share.",
            decided_on=aware + timedelta(days=37),
            decided_by="The three safeguarding partners",
        ),
        review.version,
        by,
    )


DEMO_REVIEWS = [
    DemoReview(
        "CSPR", "Child A", 2, "A baby with unexplained bruising; the Panel is not notified yet.", _at_referral
    ),
    DemoReview("CSPR", "Child B", 45, "Rapid review overdue.", _cspr_rapid_review_overdue),
    DemoReview("CSPR", "Child C", 40, "Rapid review done; the Panel agreed.", _cspr_decision),
    DemoReview("CSPR", "Child D", 120, "Commissioned, waiting for a reviewer.", _cspr_commissioned),
    DemoReview("CSPR", "Child E", 200, "Paused for criminal proceedings.", _cspr_paused),
    DemoReview(
        "SAR", "Adult F", 20, "Referral from adult social care, awaiting the board's decision.", _sar_decision
    ),
    DemoReview("SAR", "Adult G", 90, "Commissioned.", _refer_and_decide(DecisionOutcome.LOCAL_REVIEW)),
    DemoReview(
        "CSPR",
        "Child R",
        70,
        "No review at first; the Panel disagreed and the partners reconsidered.",
        _cspr_reconsidered,
    ),
    DemoReview(
        "SAR", "Adult S", 50, "Discretionary review (Care Act s44(4)): self-neglect.", _sar_discretionary
    ),
    DemoReview(
        "DHR", "Person H", 12, "Police notification; the decision is due within a month.", _at_referral
    ),
    DemoReview(
        "DHR",
        "Person J",
        60,
        "No review: the criteria were not met.",
        _refer_and_decide(DecisionOutcome.NO_REVIEW),
    ),
]


def load_demo_reviews(manager: User) -> list[str]:
    agencies = {a.name: a for a in db.session.execute(db.select(Agency)).scalars()}
    types = {t.code: t for t in db.session.execute(db.select(ReviewType)).scalars()}
    existing = {(r.review_type.code, r.pseudonym) for r in db.session.execute(db.select(Review)).scalars()}
    added = []
    for demo in DEMO_REVIEWS:
        if (demo.code, demo.pseudonym) in existing:
            continue
        aware = _ago(demo.aware_days_ago)
        review_type = types[demo.code]
        notified = review_type.uses_event("panel_notified") and demo.aware_days_ago > 3
        review = demo_referral(
            review_type,
            demo.pseudonym,
            demo.story,
            aware,
            3 if notified else None,
            agencies["Northshire Police"],
            manager,
        )
        demo.build(review, manager, agencies.__getitem__, aware)
        if demo.code == "SAR" and demo.pseudonym == "Adult G":
            demo_commission(review, manager, agencies.__getitem__, aware + timedelta(days=35))
        added.append(f"review {review.reference} ({demo.pseudonym})")
    return added
