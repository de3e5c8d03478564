"""What came of the learning in a reporting year: the outcome measures achieved, re-measured and
awaited, the recommendations not pursued, and for adults the findings of the SARs concluded,
the actions done and the recommendations nothing was done about."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, or_, select

from casework.actions.models import (
    Action,
    Finding,
    OutcomeRemeasure,
    Recommendation,
    RecommendationOutcome,
)
from casework.agencies.models import Agency
from casework.core.extensions import db
from casework.core.timeutil import UK
from casework.insight.annual.conditions import (
    concluded_reviews,
    conclusion_day,
    count_if,
    verified_in,
    within,
)
from casework.insight.annual.sections import (
    ADULTS,
    PARTNERSHIP,
    ConcludedReview,
    DoneAction,
    Impact,
    NotActedOn,
    NotPursued,
)
from casework.insight.annual.year import ReportingYear
from casework.reviews.models import (
    Publication,
    Review,
    ReviewType,
)


def _of_recommendations(
    source: type[Recommendation] | type[Action] | type[RecommendationOutcome], *columns: Any
) -> Select[Any]:
    """``columns`` of the recommendations, or of their actions or outcomes, each row joined to its
    recommendation, the recommendation's review and the review's type."""
    query = select(*columns).select_from(source)
    if source is not Recommendation:
        query = query.join(Recommendation, Recommendation.id == source.recommendation_id)
    return query.join(Review, Review.id == Recommendation.review_id).join(
        ReviewType, Review.review_type_id == ReviewType.id
    )


def adult_findings(year: ReportingYear) -> list[ConcludedReview]:
    concluded = concluded_reviews(year)
    rows = db.session.execute(
        select(Review.reference, Review.pseudonym, concluded.c.concluded_on, Finding.text)
        .select_from(concluded)
        .join(Review, Review.id == concluded.c.review_id)
        .outerjoin(Finding, Finding.review_id == Review.id)
        .where(concluded.c.code == ADULTS)
        .order_by(concluded.c.concluded_on, Review.reference, Finding.number)
    )
    reviews: dict[str, tuple[str, date, list[str]]] = {}
    for reference, pseudonym, concluded_on, text in rows:
        entry = reviews.setdefault(reference, (pseudonym, concluded_on, []))
        if text is not None:
            entry[2].append(text)
    return [ConcludedReview(ref, name, on, tuple(texts)) for ref, (name, on, texts) in reviews.items()]


def adult_actions_done(year: ReportingYear) -> list[DoneAction]:
    rows = db.session.execute(
        _of_recommendations(
            Action,
            Review.reference,
            Recommendation.number,
            Action.description,
            Agency.name,
            Action.completed_on,
            Action.verified_at,
        )
        .outerjoin(Agency, Agency.id == Action.agency_id)
        .where(ReviewType.code == ADULTS, or_(within(Action.completed_on, year), verified_in(year)))
        .order_by(Review.reference, Recommendation.number, Action.id)
    )
    return [
        DoneAction(
            reference,
            number,
            description,
            agency or PARTNERSHIP,
            # completed in the year or before it: the report says when, whichever year it was
            completed_on,
            verified_at.astimezone(UK).date() if verified_at is not None else None,
        )
        for reference, number, description, agency, completed_on, verified_at in rows
    ]


def adult_not_acted_on(year: ReportingYear) -> list[NotActedOn]:
    concluded_on = conclusion_day()
    planned = exists(
        select(Action.id).where(Action.recommendation_id == Recommendation.id, Action.created_on <= year.end)
    )
    # A decision not to pursue it recorded by then: the year it was made lists it with its reason.
    decided = exists(
        select(RecommendationOutcome.id).where(
            RecommendationOutcome.recommendation_id == Recommendation.id,
            RecommendationOutcome.not_pursued_at < year.ends_before,
        )
    )
    rows = db.session.execute(
        _of_recommendations(Recommendation, Review.reference, Recommendation.number, Recommendation.text)
        .outerjoin(Publication, Publication.review_id == Review.id)
        .where(
            ReviewType.code == ADULTS,
            Recommendation.created_at < year.ends_before,
            or_(Recommendation.confirmed_at < year.ends_before, concluded_on <= year.end),
            ~planned,
            ~decided,
        )
        .order_by(Review.reference, Recommendation.number)
    )
    return [NotActedOn(reference, number, text) for reference, number, text in rows]


def _remeasured(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """The outcome in the row has a re-measure meeting the conditions."""
    return exists(
        select(OutcomeRemeasure.id).where(
            OutcomeRemeasure.outcome_id == RecommendationOutcome.id, *conditions
        )
    )


def impact_of(year: ReportingYear) -> dict[str, Impact]:
    """The outcome measures of each family's recommendations, in one query."""
    outcome = RecommendationOutcome
    by_end = OutcomeRemeasure.measured_on <= year.end
    # The date to measure again as it stood at the year's end: a re-measure moves it, so the
    # measure's own date holds when nothing was re-measured after the year; otherwise the one
    # the last re-measure by the year's end set. A measure first re-measured after the year has
    # no date kept for then: it counts as awaiting, never as overdue on a guess.
    last_next = (
        select(OutcomeRemeasure.next_remeasure_on)
        .where(OutcomeRemeasure.outcome_id == outcome.id, by_end)
        .order_by(OutcomeRemeasure.measured_on.desc(), OutcomeRemeasure.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    due_then = case(
        (~_remeasured(OutcomeRemeasure.measured_on > year.end), outcome.remeasure_on), else_=last_next
    )
    achieved_by_end = and_(outcome.achieved_on.is_not(None), outcome.achieved_on <= year.end)
    open_at_end = and_(
        outcome.measure.is_not(None),
        # set by then (a change since moves ``set_at``, but a re-measure by then shows it was set)
        or_(outcome.set_at < year.ends_before, _remeasured(by_end)),
        ~achieved_by_end,
        or_(outcome.not_pursued_at.is_(None), outcome.not_pursued_at >= year.ends_before),
    )
    overdue = and_(open_at_end, due_then.is_not(None), due_then <= year.end)
    rows = db.session.execute(
        _of_recommendations(
            outcome,
            ReviewType.code,
            count_if(within(outcome.achieved_on, year)),
            count_if(and_(_remeasured(within(OutcomeRemeasure.measured_on, year)), ~achieved_by_end)),
            count_if(and_(open_at_end, ~overdue)),
            count_if(overdue),
        ).group_by(ReviewType.code)
    )
    return {code: Impact(*counts) for code, *counts in rows}


def not_pursued_in(year: ReportingYear) -> dict[str, list[NotPursued]]:
    """Every family's recommendations the partners decided in the year not to pursue, in one query."""
    outcome = RecommendationOutcome
    rows = db.session.execute(
        _of_recommendations(
            outcome,
            ReviewType.code,
            Review.reference,
            Review.pseudonym,
            Recommendation.number,
            Recommendation.text,
            outcome.not_pursued_reason,
            outcome.not_pursued_at,
        )
        .where(outcome.not_pursued_at >= year.starts_at, outcome.not_pursued_at < year.ends_before)
        .order_by(ReviewType.code, Review.reference, Recommendation.number)
    )
    found: dict[str, list[NotPursued]] = defaultdict(list)
    for code, reference, name, number, text, reason, decided_at in rows:
        found[code].append(
            NotPursued(reference, name, number, text, reason or "", decided_at.astimezone(UK).date())
        )
    return found
