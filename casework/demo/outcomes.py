"""Demo outcome measures: recommendations of Child D, Adult G and Child M with an intended
outcome, a baseline, a target and a date to measure again. One is achieved (re-measured, the
target met), one awaits its re-measure, one is overdue (so its owner is reminded), one was
re-measured short of its target, and one the partners decided not to pursue. Built through the
outcome services; added once."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from casework.actions import outcomes
from casework.actions.models import Recommendation, RecommendationOutcome
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.demo.plans import evidence_pdf
from casework.reviews.models import Review


@dataclass(frozen=True)
class DemoMeasure:
    pseudonym: str
    number: int  # the recommendation's
    intended_outcome: str
    measure: str
    baseline: str
    baseline_days_ago: int
    target: str
    remeasure_in_days: int  # negative: overdue (set after the measure, see below)


AWAITING = DemoMeasure(
    "Child D",
    1,
    "Babies living where police attend domestic abuse are known to children's social care and "
    "health visiting the next working day, so their safety is assessed before harm happens.",
    "Share of police domestic abuse incidents with a baby in the household referred to children's "
    "social care and shared with health visiting within one working day (monthly police audit).",
    "38% of 52 qualifying incidents",
    60,
    "95% of qualifying incidents, three months running",
    120,
)
OVERDUE = DemoMeasure(
    "Child D",
    4,
    "Practitioners across the partnership use the learning from Child D's review in their work.",
    "Multi-agency case audit of 20 cases with babies: share showing the learning applied.",
    "6 of 20 audited cases (30%)",
    200,
    "16 of 20 audited cases (80%)",
    -12,
)
ACHIEVED = DemoMeasure(
    "Adult G",
    1,
    "Reports of others taking over a vulnerable adult's home reach adult safeguarding quickly.",
    "Share of police reports of possible cuckooing shared with adult safeguarding within two "
    "working days (quarterly police data).",
    "2 of 14 reports (14%)",
    180,
    "90% of reports",
    90,
)
NOT_YET = DemoMeasure(
    "Child M",
    1,
    "Babies living where police attend domestic abuse are referred and seen by health visiting.",
    "Share of such incidents referred to children's social care within one working day.",
    "41% of 37 incidents",
    700,
    "95% of incidents",
    30,
)
NOT_PURSUED = (
    "Adult G",
    4,
    "The Safeguarding Adults Board's annual assurance programme already asks every partner for "
    "evidence that SAR learning has changed practice; a separate measure would duplicate it.",
)


def _recommendations() -> dict[tuple[str, int], Recommendation]:
    rows = db.session.execute(
        db.select(Review.pseudonym, Recommendation).join(Review, Recommendation.review_id == Review.id)
    ).all()
    return {(pseudonym, recommendation.number): recommendation for pseudonym, recommendation in rows}


def _measure(recommendation: Recommendation, demo: DemoMeasure, manager: User) -> RecommendationOutcome:
    today = uk_today()
    details = outcomes.MeasureDetails(
        demo.intended_outcome,
        demo.measure,
        demo.baseline,
        today - timedelta(days=demo.baseline_days_ago),
        demo.target,
        today + timedelta(days=max(demo.remeasure_in_days, 1)),
        manager,
    )
    outcome = outcomes.set_measure(recommendation, details, manager, None)
    if demo.remeasure_in_days < 0:
        # Demo only: the service refuses a date to measure again in the past, so an overdue
        # re-measure is made by moving its date back after it was set.
        outcome.remeasure_on = today + timedelta(days=demo.remeasure_in_days)
    return outcome


def load_demo_outcomes(manager: User) -> list[str]:
    found = _recommendations()
    wanted = [(m.pseudonym, m.number) for m in (AWAITING, OVERDUE, ACHIEVED, NOT_YET)] + [NOT_PURSUED[:2]]
    if any(key not in found for key in wanted):
        return []
    ids = [found[key].id for key in wanted]
    if db.session.execute(
        db.select(RecommendationOutcome.id).where(RecommendationOutcome.recommendation_id.in_(ids))
    ).first():
        return []
    today = uk_today()
    for demo in (AWAITING, OVERDUE):
        _measure(found[(demo.pseudonym, demo.number)], demo, manager)
    achieved = found[(ACHIEVED.pseudonym, ACHIEVED.number)]
    _measure(achieved, ACHIEVED, manager)
    report = FileStorage(
        io.BytesIO(evidence_pdf("Cuckooing reports shared, quarter 3")),
        filename="cuckooing-reports-quarter-3.pdf",
        content_type="application/pdf",
    )
    outcomes.record_remeasure(
        achieved,
        outcomes.Remeasure(
            today - timedelta(days=10),
            "13 of 14 reports (93%)",
            True,
            "Quarter 3 police data, checked against adult safeguarding's referral log.",
            report,
            None,
        ),
        manager,
        None,
    )
    short = found[(NOT_YET.pseudonym, NOT_YET.number)]
    _measure(short, NOT_YET, manager)
    outcomes.record_remeasure(
        short,
        outcomes.Remeasure(
            today - timedelta(days=5),
            "72% of 40 incidents",
            False,
            "Police audit of the last quarter: referrals made, but often on the second working day.",
            None,
            today + timedelta(days=90),
        ),
        manager,
        None,
    )
    pseudonym, number, reason = NOT_PURSUED
    outcomes.decide_not_to_pursue(found[(pseudonym, number)], reason, manager, None)
    db.session.flush()
    return ["outcome measures of 5 recommendations (achieved, awaiting, overdue, not yet, not pursued)"]
