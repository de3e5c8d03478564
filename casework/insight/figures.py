"""The figures behind the board's charts, each counted in the database with GROUP BY: one or two
queries per chart, whatever the number of reviews, actions or years.

Years are the partnership's reporting years (April to March, see years.py). Every figure can be
narrowed to one review type; the rules of who may see what are the records' own SQL twins.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, literal, or_, select, union_all

from casework.actions.models import Action, ActionStatus, Theme
from casework.actions.rag import Rag, rag_sql
from casework.actions.tracker import PARTNERSHIP_LABEL
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.insight.themes import review_themes
from casework.insight.years import ReportingYear, start_year_of, start_year_sql, year_starting
from casework.reviews.models import (
    Decision,
    DecisionOutcome,
    RapidReview,
    Referral,
    Review,
    ReviewDeadline,
    ReviewType,
)
from casework.reviews.stages import ReviewStage

RECENT_YEARS = 5  # the charts by year show this many reporting years unless asked for every one


def first_recent_year(today: date) -> int:
    """The start year of the first of the RECENT_YEARS reporting years that end with the current one."""
    return start_year_of(today) - (RECENT_YEARS - 1)


def years_from(start_years: set[int], today: date, since: int | None = None) -> list[ReportingYear]:
    """Every reporting year from the earliest one with data (or ``since``, if later) to the current
    one, none skipped (an empty year is a finding too)."""
    current = start_year_of(today)
    first = min(start_years, default=current)
    if since is not None:
        first = max(first, since)
    return [year_starting(start) for start in range(min(first, current), current + 1)]


def _from_year(column: Any, since: int | None) -> list[ColumnElement[bool]]:
    """The condition that keeps the rows dated in reporting year ``since`` or later (none: every year)."""
    return [] if since is None else [column >= year_starting(since).start]


# --- the review types (the filter, and the columns of the stages chart) --------------------------


@dataclass(frozen=True)
class TypeColumn:
    id: int
    code: str
    name: str


def review_types() -> list[TypeColumn]:
    rows = db.session.execute(
        select(ReviewType.id, ReviewType.code, ReviewType.name).order_by(ReviewType.id)
    ).all()
    return [TypeColumn(*row) for row in rows]


def _reviews_of(user: User, type_id: int | None) -> list[ColumnElement[bool]]:
    conditions = [Review.visible_to(user)]
    if type_id is not None:
        conditions.append(Review.review_type_id == type_id)
    return conditions


# --- reviews by stage and type ---------------------------------------------------------------------


@dataclass(frozen=True)
class StageRow:
    stage: ReviewStage
    by_type: dict[int, int]  # review type id -> reviews; every column, zero included

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


@dataclass(frozen=True)
class StageCounts:
    types: list[TypeColumn]
    rows: list[StageRow]  # the stages any review is at, in the order a review moves through them


def stages_by_type(user: User, types: list[TypeColumn], type_id: int | None = None) -> StageCounts:
    found = db.session.execute(
        select(Review.stage, Review.review_type_id, func.count())
        .where(*_reviews_of(user, type_id))
        .group_by(Review.stage, Review.review_type_id)
    ).all()
    columns = [kind for kind in types if type_id is None or kind.id == type_id]
    counts: dict[ReviewStage, dict[int, int]] = {}
    for stage, kind, count in found:
        counts.setdefault(ReviewStage(stage), {column.id: 0 for column in columns})[kind] = count
    rows = [StageRow(stage, counts[stage]) for stage in ReviewStage if stage in counts]
    return StageCounts(columns, rows)


# --- rapid reviews and what they became -------------------------------------------------------------


class RapidOutcome(LabelledEnum):
    LOCAL_REVIEW = "local_review", "Became a local review"
    NATIONAL_REVIEW = "national_review", "National review by the Panel"
    NO_REVIEW = "no_review", "No review"
    AWAITING = "awaiting", "Decision awaited"


@dataclass(frozen=True)
class RapidYear:
    year: ReportingYear
    by_outcome: dict[RapidOutcome, int]

    @property
    def total(self) -> int:
        return sum(self.by_outcome.values())


def rapid_reviews(
    user: User, today: date, type_id: int | None = None, since: int | None = None
) -> list[RapidYear]:
    """Rapid reviews by the reporting year they were held (sent to the Panel, or met if not sent
    yet) and the decision that followed: the current one, after any reconsideration."""
    held = func.coalesce(RapidReview.sent_to_panel_on, RapidReview.meeting_on)
    dated = (
        select(start_year_sql(held).label("year"), Decision.outcome.label("outcome"))
        .select_from(RapidReview)
        .join(Review, Review.id == RapidReview.review_id)
        .outerjoin(Decision, Decision.review_id == Review.id)
        .where(held.is_not(None), *_from_year(held, since), *_reviews_of(user, type_id))
        .subquery()
    )
    found = db.session.execute(
        select(dated.c.year, dated.c.outcome, func.count()).group_by(dated.c.year, dated.c.outcome)
    ).all()
    counts: dict[int, dict[RapidOutcome, int]] = {}
    for year, outcome, count in found:
        key = RapidOutcome(DecisionOutcome(outcome).value) if outcome else RapidOutcome.AWAITING
        by_outcome = counts.setdefault(year, {})
        by_outcome[key] = by_outcome.get(key, 0) + count
    return [
        RapidYear(
            year, {outcome: counts.get(year.start.year, {}).get(outcome, 0) for outcome in RapidOutcome}
        )
        for year in years_from(set(counts), today, since)
    ]


# --- timeliness of the statutory steps --------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str  # the clock's key on the review types
    label: str


# The steps the board reports on, by their clocks' keys. A SAR's and a domestic abuse review's
# completion clock is their six-month step.
STEPS = (
    Step("notification", "Notification to the Panel (5 working days)"),
    Step("rapid_review", "Rapid review to the Panel (15 working days)"),
    Step("publication", "Publication (6 months from the decision)"),
    Step("completion", "Review completed (SAR and DHR, about 6 months)"),
)


@dataclass(frozen=True)
class StepYear:
    step: Step
    year: ReportingYear
    measured: int  # taken, or overdue now
    within: int  # taken on or before the date the rule set (no extension or pause)
    within_agreed: int  # taken on or before the due date as extended or moved by pauses
    median_days_late: float | None  # calendar days past the rule's date, of the late ones

    @property
    def share(self) -> float | None:
        return self.within / self.measured if self.measured else None


@dataclass(frozen=True)
class Timeliness:
    years: list[ReportingYear]
    steps: list[Step]  # the steps with any measured clock
    cells: dict[tuple[str, int], StepYear] = field(default_factory=dict)  # (step key, start year)

    def cell(self, step: Step, year: ReportingYear) -> StepYear:
        return self.cells.get((step.key, year.start.year), StepYear(step, year, 0, 0, 0, None))


def _measured(today: date) -> ColumnElement[bool]:
    """A clock counts once its step was taken, or when it is running past its due date (late for
    certain). A clock still running within time, or never started, is not measured yet."""
    return and_(
        ReviewDeadline.original_due_on.is_not(None),
        or_(
            ReviewDeadline.met_on.is_not(None),
            and_(ReviewDeadline.running.is_(True), ReviewDeadline.due_on < today),
        ),
    )


def timeliness(user: User, today: date, type_id: int | None = None, since: int | None = None) -> Timeliness:
    """Each step's clocks by the reporting year they fell due (by the rule's date)."""
    keys = [step.key for step in STEPS]
    measured = (
        select(ReviewDeadline)
        .join(Review, Review.id == ReviewDeadline.review_id)
        .where(
            ReviewDeadline.clock_key.in_(keys),
            _measured(today),
            *_from_year(ReviewDeadline.original_due_on, since),
            *_reviews_of(user, type_id),
        )
    )
    on_time = ReviewDeadline.met_on <= ReviewDeadline.original_due_on
    on_agreed = ReviewDeadline.met_on <= ReviewDeadline.due_on
    dated = measured.with_only_columns(
        ReviewDeadline.clock_key.label("key"),
        start_year_sql(ReviewDeadline.original_due_on).label("year"),
        case((on_time, 1), else_=0).label("within"),
        case((on_agreed, 1), else_=0).label("within_agreed"),
    ).subquery()
    counts = db.session.execute(
        select(
            dated.c.key, dated.c.year, func.count(), func.sum(dated.c.within), func.sum(dated.c.within_agreed)
        ).group_by(dated.c.key, dated.c.year)
    ).all()
    # The median needs each late step's delay: only the late ones are read.
    late = db.session.execute(
        measured.with_only_columns(
            ReviewDeadline.clock_key, ReviewDeadline.original_due_on, ReviewDeadline.met_on
        ).where(or_(ReviewDeadline.met_on.is_(None), ReviewDeadline.met_on > ReviewDeadline.original_due_on))
    ).all()
    delays: dict[tuple[str, int], list[int]] = {}
    for key, due, met in late:
        delays.setdefault((key, start_year_of(due)), []).append(((met or today) - due).days)
    years = years_from({year for _, year, *_ in counts}, today, since)
    by_year = {year.start.year: year for year in years}
    cells = {}
    steps = {step.key: step for step in STEPS}
    for key, year, count, within, within_agreed in counts:
        late_days = delays.get((key, year))
        cells[(key, year)] = StepYear(
            steps[key],
            by_year[year],
            count,
            int(within or 0),
            int(within_agreed or 0),
            statistics.median(late_days) if late_days else None,
        )
    shown = [step for step in STEPS if any(key == step.key for key, _ in cells)]
    return Timeliness(years, shown, cells)


# --- actions by RAG per agency -------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyRag:
    name: str
    partnership: bool
    by_rag: dict[Rag, int]  # every colour, zero included

    @property
    def total(self) -> int:
        return sum(self.by_rag.values())


def actions_of(user: User, type_id: int | None) -> list[ColumnElement[bool]]:
    conditions = [Action.visible_to(user)]
    if type_id is not None:
        conditions.append(Action.review.has(Review.review_type_id == type_id))
    return conditions


def actions_by_rag(user: User, today: date, soon: date, type_id: int | None = None) -> list[AgencyRag]:
    """The partnership's own actions first, then each agency A to Z."""
    # Counted by agency and colour first, then named: each agency's name is joined to its few
    # counts, not to every action.
    # The verified ones (most, after a few years) are counted apart: their colour needs no
    # dates, and each part reads its own partial index.
    rag = rag_sql(today, soon)
    verified = Action.status == ActionStatus.VERIFIED
    counted = union_all(
        select(Action.agency_id, literal(Rag.VERIFIED.value).label("rag"), func.count().label("count"))
        .where(*actions_of(user, type_id), verified)
        .group_by(Action.agency_id),
        select(Action.agency_id, rag, func.count())
        .where(*actions_of(user, type_id), Action.status != ActionStatus.VERIFIED)
        .group_by(Action.agency_id, rag),
    ).subquery()
    found = db.session.execute(
        select(counted.c.agency_id, Agency.name, counted.c.rag, counted.c.count)
        .select_from(counted)
        .outerjoin(Agency, Agency.id == counted.c.agency_id)
    ).all()
    rows: dict[int | None, AgencyRag] = {}
    for agency_id, name, colour, count in found:
        row = rows.setdefault(
            agency_id, AgencyRag(name or PARTNERSHIP_LABEL, agency_id is None, {c: 0 for c in Rag})
        )
        row.by_rag[Rag(colour)] = count
    return sorted(rows.values(), key=lambda row: (not row.partnership, row.name.casefold()))


# --- theme recurrence ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeRow:
    theme_id: int
    name: str
    by_year: dict[int, int]  # start year -> reviews; every year shown, zero included

    @property
    def reviews(self) -> int:
        return sum(self.by_year.values())


@dataclass(frozen=True)
class ThemeRecurrence:
    years: list[ReportingYear]
    rows: list[ThemeRow]  # most reviews first, then A to Z


def theme_recurrence(
    user: User, today: date, type_id: int | None = None, since: int | None = None
) -> ThemeRecurrence:
    """How many reviews had a finding or a recommendation on each theme, by the reporting year the
    review started (the partnership became aware of the case)."""
    links = review_themes()
    dated = (
        select(
            links.c.review_id,
            links.c.theme_id,
            Theme.name,
            start_year_sql(Referral.became_aware_on).label("year"),
        )
        .select_from(links)
        .join(Theme, Theme.id == links.c.theme_id)
        .join(Review, Review.id == links.c.review_id)
        .join(Referral, Referral.review_id == Review.id)
        .where(*_from_year(Referral.became_aware_on, since), *_reviews_of(user, type_id))
        .subquery()
    )
    found = db.session.execute(
        select(
            dated.c.theme_id, dated.c.name, dated.c.year, func.count(distinct(dated.c.review_id))
        ).group_by(dated.c.theme_id, dated.c.name, dated.c.year)
    ).all()
    years = years_from({year for _, _, year, _ in found}, today, since)
    rows: dict[int, ThemeRow] = {}
    for theme_id, name, year, count in found:
        row = rows.setdefault(theme_id, ThemeRow(theme_id, name, {y.start.year: 0 for y in years}))
        row.by_year[year] = count
    return ThemeRecurrence(years, sorted(rows.values(), key=lambda row: (-row.reviews, row.name.casefold())))
