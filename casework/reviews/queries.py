"""Read-only queries for lists and the dashboard, filtered in SQL by what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import working_calendar
from casework.reviews.models import Review, ReviewDeadline, ReviewPause, ReviewType
from casework.reviews.stages import ReviewStage

PAGE_SIZE = 25
SOON_WORKING_DAYS = 10


@dataclass
class ReviewFilters:
    type_code: str = ""
    stage: str = ""
    due: str = ""  # "overdue" or "soon"
    search: str = ""


def _running(*conditions: object) -> object:
    return exists().where(
        ReviewDeadline.review_id == Review.id, ReviewDeadline.running.is_(True), *conditions
    )


def soon_limit(today: date) -> date:
    return working_calendar().add_working_days(today, SOON_WORKING_DAYS)


def review_list(user: User, filters: ReviewFilters) -> Select[tuple[Review]]:
    today = uk_today()
    query = (
        select(Review)
        .where(Review.visible_to(user))
        .options(
            selectinload(Review.deadlines), selectinload(Review.review_type), selectinload(Review.pauses)
        )
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    if filters.type_code:
        query = query.join(ReviewType).where(ReviewType.code == filters.type_code)
    if filters.stage:
        query = query.where(Review.stage == filters.stage)
    if filters.due == "overdue":
        query = query.where(_running(ReviewDeadline.due_on < today))
    elif filters.due == "soon":
        query = query.where(
            _running(ReviewDeadline.due_on >= today, ReviewDeadline.due_on <= soon_limit(today))
        )
    if filters.search.strip():
        term = f"%{filters.search.strip().lower()}%"
        query = query.where(
            or_(func.lower(Review.reference).like(term), func.lower(Review.pseudonym).like(term))
        )
    return query


def next_running_deadline(review: Review) -> ReviewDeadline | None:
    running = [d for d in review.deadlines if d.running and d.due_on]
    return min(running, key=lambda d: d.due_on or date.max, default=None)


def stage_counts(user: User) -> dict[ReviewStage, int]:
    rows = db.session.execute(
        select(Review.stage, func.count()).where(Review.visible_to(user)).group_by(Review.stage)
    ).all()
    return {stage: count for stage, count in rows}


def upcoming_deadlines(user: User, limit: int = 20) -> list[ReviewDeadline]:
    """Running deadlines across all visible reviews, the most urgent (overdue) first."""
    return list(
        db.session.execute(
            select(ReviewDeadline)
            .join(Review)
            .where(Review.visible_to(user), ReviewDeadline.running.is_(True))
            .options(selectinload(ReviewDeadline.review))
            .order_by(ReviewDeadline.due_on, Review.reference)
            .limit(limit)
        ).scalars()
    )


def paused_reviews(user: User) -> list[Review]:
    return list(
        db.session.execute(
            select(Review)
            .where(
                Review.visible_to(user),
                exists().where(ReviewPause.review_id == Review.id, ReviewPause.ended_on.is_(None)),
            )
            .options(selectinload(Review.pauses))
            .order_by(Review.reference)
        ).scalars()
    )
