"""The conditions a reporting year's figures are counted by: a day within the year, a review's
conclusion and its clock, an action verified in the year or still open to count."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from casework.actions.models import (
    Action,
)
from casework.insight.annual.sections import (
    ADULTS,
    CHILDREN,
)
from casework.insight.annual.year import ReportingYear
from casework.reviews.models import (
    Decision,
    Publication,
    Review,
    ReviewDeadline,
    ReviewType,
)


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def within(column: Any, year: ReportingYear) -> ColumnElement[bool]:
    """A date column's day falls in the year."""
    return column.between(year.start, year.end)


def conclusion_day() -> ColumnElement[date]:
    """A SAR concludes when its report is signed off; the others when it is published, or the
    decision not to publish it made."""
    settled = func.coalesce(Review.published_on, Publication.not_published_on)
    return case((ReviewType.code == ADULTS, Review.completed_on), else_=settled)


def ending_clock() -> ColumnElement[str]:
    """The clock a review's timeliness is judged by: a CSPR's publication within 6 months of the
    decision; a SAR's completion; a DHR's report to the Home Office within 6 months."""
    return case((ReviewType.code == CHILDREN, "publication"), else_="completion")


def on_time(clock: type[ReviewDeadline]) -> ColumnElement[bool]:
    return and_(clock.met_on.is_not(None), clock.met_on <= clock.due_on)


def concluded_reviews(year: ReportingYear) -> Any:
    """The reviews concluded in the year, with their type's code and the day they concluded."""
    concluded_on = conclusion_day()
    return (
        select(
            Review.id.label("review_id"),
            ReviewType.code.label("code"),
            concluded_on.label("concluded_on"),
            Decision.decided_on.label("decided_on"),
        )
        .join(ReviewType, Review.review_type_id == ReviewType.id)
        .outerjoin(Publication, Publication.review_id == Review.id)
        .outerjoin(Decision, Decision.review_id == Review.id)
        .where(within(concluded_on, year))
        .subquery()
    )


def verified_in(year: ReportingYear, action: Any = Action) -> ColumnElement[bool]:
    return and_(action.verified_at >= year.starts_at, action.verified_at < year.ends_before)


def may_count_in(year: ReportingYear) -> ColumnElement[bool]:
    """An action created by the year's end that may count in it: created, completed or verified in
    the year or since, or not completed yet (every overdue one is). The others count nowhere, so
    the year's figures read only the actions of recent years and the open ones."""
    return and_(
        Action.created_on <= year.end,
        or_(
            Action.created_on >= year.start,
            Action.completed_on.is_(None),
            Action.completed_on >= year.start,
            Action.verified_at >= year.starts_at,
        ),
    )
