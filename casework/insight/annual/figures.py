"""The figures of a reporting year, counted in SQL in a fixed number of queries whatever the data.

One section per family of review, by the review type's code: children (CSPR), what Working
Together asks the partners' yearly report to cover; adults (SAR), what the Care Act 2014
(Schedule 2, paragraph 4) asks of the Safeguarding Adults Board's annual report; and domestic
abuse related death reviews (DHR), counted the same way.

What the counts mean:
  referrals         the partnership became aware of the case in the year;
  notifications     the Panel was notified in the year (a CSPR); in time against the review's
                    notification clock (5 working days);
  rapid reviews     sent to the Panel in the year; in time against the rapid review clock;
  decisions         the review's current decision was made in the year, by outcome (a decision
                    the partners reconsidered counts once, as it now stands);
  arranged          a decision to hold a local review made in the year (a SAR's mandate with it);
  commissioned      terms of reference agreed in the year;
  concluded         a CSPR or DHR: the report was published, or the decision not to publish it
                    made, in the year; a SAR: the partners signed off the final report in the year;
                    in time against the review's conclusion clock (pauses and agreed extensions
                    allowed for), and the median number of days from the decision;
  ongoing           a local review decided by the year's last day and not concluded by then;
  themes            of the findings and recommendations of the reviews concluded in the year,
                    each counted once per review;
  recommendations   written in the year;
  actions           created, completed (reported done by the owner), verified by a board manager
                    in the year, and overdue at the year's end (created by then, deadline passed
                    by then, neither completed nor verified by then: the deadline is the action's
                    current one), by agency;
  impact            the recommendations' outcome measures: achieved in the year (a re-measure
                    met the target), re-measured in the year and still short of it at the year's
                    end, and, at the year's end, measures awaiting their re-measure and those
                    whose re-measure was overdue; and actions verified in the year with evidence
                    attached to their history (files on the action's updates);
  not pursued       recommendations the partners decided, in the year, not to pursue, with the
                    reason they recorded.

The status of a measure at the year's end is rebuilt from its rows as they are now: achieved
or given up by then, and the date to measure again as it stood then (the measure's own when
nothing was re-measured after the year, else the one the last re-measure by the year's end set).

Adults also get the findings of each SAR concluded in the year (the review's reference and
anonymised name only), the actions completed or verified in the year from SAR recommendations,
and the recommendations on which nothing was done and nothing decided: confirmed, or their review
concluded, by the year's end with no action planned and no decision not to pursue them recorded
by then. They are listed apart from the decisions, so none silently drops out of the report.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, union_all
from sqlalchemy.orm import aliased

from casework.actions.models import (
    Action,
    Finding,
    OutcomeRemeasure,
    ProgressUpdate,
    Recommendation,
    RecommendationOutcome,
    Theme,
    finding_themes,
    recommendation_themes,
)
from casework.agencies.models import Agency
from casework.core.extensions import db
from casework.core.timeutil import UK
from casework.documents.models import Document
from casework.insight.annual.year import FIRST_YEAR, ReportingYear, last_complete_year
from casework.insight.years import start_year_of
from casework.reviews.models import (
    Decision,
    DecisionOutcome,
    Publication,
    RapidReview,
    Referral,
    Review,
    ReviewDeadline,
    ReviewMandate,
    ReviewType,
    TermsOfReference,
)

CHILDREN, ADULTS, DEATHS = "CSPR", "SAR", "DHR"
FAMILIES: tuple[tuple[str, str], ...] = (
    (CHILDREN, "Children: child safeguarding practice reviews"),
    (ADULTS, "Adults: safeguarding adults reviews"),
    (DEATHS, "Domestic abuse related death reviews"),
)
PARTNERSHIP = "The partnership"


@dataclass(frozen=True)
class Share:
    """``met`` of ``of`` were on time."""

    met: int = 0
    of: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.of) if self.of else None

    def __str__(self) -> str:
        if not self.of:
            return "None to count"
        return f"{self.met} of {self.of} ({self.percent}%)"


@dataclass(frozen=True)
class AgencyActions:
    agency: str
    created: int = 0
    completed: int = 0
    verified: int = 0
    overdue: int = 0
    verified_with_evidence: int = 0

    HEADINGS = ("Agency", "Created", "Completed", "Verified", "Overdue at year end", "Verified with evidence")

    def cells(self) -> tuple[str | int, ...]:
        """One row of the "Actions by agency" table, in the order of HEADINGS."""
        return (
            self.agency,
            self.created,
            self.completed,
            self.verified,
            self.overdue,
            self.verified_with_evidence,
        )


@dataclass(frozen=True)
class ConcludedReview:
    reference: str
    name: str  # the review's anonymised name, never an identifying detail
    concluded_on: date
    findings: tuple[str, ...]


@dataclass(frozen=True)
class DoneAction:
    reference: str
    recommendation: int
    description: str
    agency: str
    completed_on: date | None
    verified_on: date | None


@dataclass(frozen=True)
class NotActedOn:
    reference: str
    recommendation: int
    text: str


@dataclass(frozen=True)
class NotPursued:
    """A recommendation the partners decided not to pursue, and why."""

    reference: str
    name: str  # the review's anonymised name
    recommendation: int
    text: str
    reason: str
    decided_on: date  # England's day


@dataclass(frozen=True)
class Impact:
    """The recommendations' outcome measures in the year and at its end."""

    achieved: int = 0  # a re-measure in the year met the target
    short: int = 0  # re-measured in the year, the target not met by the year's end
    awaiting: int = 0  # at the year's end: set, open, the date to measure again still to come
    overdue: int = 0  # at the year's end: open, the date to measure again on or before it


@dataclass
class Section:
    code: str
    title: str
    referrals: int = 0
    notifications: Share = field(default_factory=Share)  # in time of those notified in the year
    rapid_reviews: Share = field(default_factory=Share)
    decisions: dict[DecisionOutcome, int] = field(default_factory=dict)
    arranged: int = 0
    mandates: dict[ReviewMandate | None, int] = field(default_factory=dict)
    commissioned: int = 0
    ongoing: int = 0
    concluded: int = 0
    published: int = 0
    not_published: int = 0
    concluded_in_time: Share = field(default_factory=Share)
    median_days: float | None = None  # from the decision to the conclusion
    themes: list[tuple[str, int]] = field(default_factory=list)
    recommendations: int = 0
    actions: list[AgencyActions] = field(default_factory=list)
    concluded_reviews: list[ConcludedReview] = field(default_factory=list)
    done: list[DoneAction] = field(default_factory=list)
    not_acted_on: list[NotActedOn] = field(default_factory=list)
    impact: Impact = field(default_factory=Impact)
    not_pursued: list[NotPursued] = field(default_factory=list)

    @property
    def action_totals(self) -> AgencyActions:
        return AgencyActions(
            "All",
            *(sum(getattr(line, name) for line in self.actions) for name in _ACTION_COUNTS),
        )

    def decision_rows(self) -> list[tuple[str, int]]:
        return [(outcome.label, self.decisions.get(outcome, 0)) for outcome in DecisionOutcome]

    def mandate_rows(self) -> list[tuple[str, int]]:
        return [
            ("Mandatory (section 44(1) to (3))", self.mandates.get(ReviewMandate.MANDATORY, 0)),
            ("Discretionary (section 44(4))", self.mandates.get(ReviewMandate.DISCRETIONARY, 0)),
            ("Mandate not recorded", self.mandates.get(None, 0)),
        ]

    def impact_rows(self) -> list[tuple[str, int]]:
        return [
            ("Recommendations achieved in the year (re-measured, target met)", self.impact.achieved),
            ("Recommendations re-measured in the year, target not yet met", self.impact.short),
            ("Measures awaiting their re-measure at the end of the year", self.impact.awaiting),
            ("Re-measures overdue at the end of the year", self.impact.overdue),
            ("Actions verified with evidence of impact", self.action_totals.verified_with_evidence),
        ]

    @property
    def is_children(self) -> bool:
        return self.code == CHILDREN

    @property
    def is_adults(self) -> bool:
        return self.code == ADULTS

    @property
    def concluded_word(self) -> str:
        return "completed (final report signed off)" if self.is_adults else "published, or not published"

    @property
    def target_words(self) -> str:
        if self.is_children:
            return "published within 6 months of the decision"
        if self.is_adults:
            return "completed within the board's target (6 months of the decision)"
        return "sent to the Home Office within 6 months of the decision, of those concluded"

    @property
    def target_short(self) -> str:
        if self.is_children:
            return "Published within 6 months"
        if self.is_adults:
            return "Completed within 6 months"
        return "To the Home Office within 6 months"

    def summary_rows(self) -> list[tuple[str, str]]:
        """The section's headline figures, in the order the report gives them."""
        rows: list[tuple[str, str]] = [("Referrals received", str(self.referrals))]
        if self.is_children:
            rows += [
                ("Serious incident notifications to the Panel", str(self.notifications.of)),
                ("Notifications within 5 working days", str(self.notifications)),
                ("Rapid reviews sent to the Panel", str(self.rapid_reviews.of)),
                ("Rapid reviews within 15 working days", str(self.rapid_reviews)),
            ]
        rows += [
            ("Decisions made", str(sum(self.decisions.values()))),
            ("Reviews arranged (decision to hold a review)", str(self.arranged)),
            ("Reviews commissioned", str(self.commissioned)),
            ("Reviews ongoing at the end of the year", str(self.ongoing)),
            (f"Reviews concluded: {self.concluded_word}", str(self.concluded)),
            ("Reports published", str(self.published)),
            ("Decisions not to publish (improvement information published instead)", str(self.not_published)),
            (f"Reviews {self.target_words}", str(self.concluded_in_time)),
            ("Median days from the decision to the conclusion", _days(self.median_days)),
            ("Recommendations made", str(self.recommendations)),
        ]
        totals = self.action_totals
        rows += [
            ("Actions created", str(totals.created)),
            ("Actions completed", str(totals.completed)),
            ("Actions verified", str(totals.verified)),
            ("Actions overdue at the end of the year", str(totals.overdue)),
            ("Actions verified with evidence of impact", str(totals.verified_with_evidence)),
            ("Recommendations achieved in the year", str(self.impact.achieved)),
            ("Recommendations not pursued, with the reason recorded", str(len(self.not_pursued))),
        ]
        return rows


_ACTION_COUNTS = ("created", "completed", "verified", "overdue", "verified_with_evidence")


def _days(value: float | None) -> str:
    if value is None:
        return "None to count"
    return f"{value:g}"


@dataclass
class AnnualFigures:
    year: ReportingYear
    complete: bool  # the year has ended
    sections: list[Section]

    def section(self, code: str) -> Section:
        return next(section for section in self.sections if section.code == code)


# --- the queries --------------------------------------------------------------------------------


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _within(column: Any, year: ReportingYear) -> ColumnElement[bool]:
    """A date column's day falls in the year."""
    return column.between(year.start, year.end)


def _concluded_on() -> ColumnElement[date]:
    """A SAR concludes when its report is signed off; the others when it is published, or the
    decision not to publish it made."""
    settled = func.coalesce(Review.published_on, Publication.not_published_on)
    return case((ReviewType.code == ADULTS, Review.completed_on), else_=settled)


def _ending_clock() -> ColumnElement[str]:
    """The clock a review's timeliness is judged by: a CSPR's publication within 6 months of the
    decision; a SAR's completion; a DHR's report to the Home Office within 6 months."""
    return case((ReviewType.code == CHILDREN, "publication"), else_="completion")


def _on_time(clock: type[ReviewDeadline]) -> ColumnElement[bool]:
    return and_(clock.met_on.is_not(None), clock.met_on <= clock.due_on)


def _review_counts(year: ReportingYear) -> dict[str, dict[str, int]]:
    notified, rapid, ending = (aliased(ReviewDeadline) for _ in range(3))
    concluded_on = _concluded_on()
    local = Decision.outcome == DecisionOutcome.LOCAL_REVIEW
    arranged = and_(local, _within(Decision.decided_on, year))
    in_notified = _within(Referral.panel_notified_on, year)
    in_rapid = _within(RapidReview.sent_to_panel_on, year)
    in_concluded = _within(concluded_on, year)
    columns = {
        "referrals": _count_if(_within(Referral.became_aware_on, year)),
        "notified": _count_if(in_notified),
        "notified_in_time": _count_if(and_(in_notified, _on_time(notified))),
        "rapid": _count_if(in_rapid),
        "rapid_in_time": _count_if(and_(in_rapid, _on_time(rapid))),
        "arranged": _count_if(arranged),
        "mandatory": _count_if(and_(arranged, Decision.mandate == ReviewMandate.MANDATORY)),
        "discretionary": _count_if(and_(arranged, Decision.mandate == ReviewMandate.DISCRETIONARY)),
        "no_mandate": _count_if(and_(arranged, Decision.mandate.is_(None))),
        "commissioned": _count_if(_within(TermsOfReference.commissioned_on, year)),
        "ongoing": _count_if(
            and_(local, Decision.decided_on <= year.end, or_(concluded_on.is_(None), concluded_on > year.end))
        ),
        "concluded": _count_if(in_concluded),
        "concluded_in_time": _count_if(and_(in_concluded, _on_time(ending))),
        "published": _count_if(_within(Review.published_on, year)),
        "not_published": _count_if(_within(Publication.not_published_on, year)),
    }
    query = (
        select(ReviewType.code, *(column.label(name) for name, column in columns.items()))
        .select_from(Review)
        .join(ReviewType, Review.review_type_id == ReviewType.id)
        .outerjoin(Referral, Referral.review_id == Review.id)
        .outerjoin(RapidReview, RapidReview.review_id == Review.id)
        .outerjoin(Decision, Decision.review_id == Review.id)
        .outerjoin(TermsOfReference, TermsOfReference.review_id == Review.id)
        .outerjoin(Publication, Publication.review_id == Review.id)
        .outerjoin(notified, and_(notified.review_id == Review.id, notified.clock_key == "notification"))
        .outerjoin(rapid, and_(rapid.review_id == Review.id, rapid.clock_key == "rapid_review"))
        .outerjoin(ending, and_(ending.review_id == Review.id, ending.clock_key == _ending_clock()))
        .group_by(ReviewType.code)
    )
    return {row.code: dict(row._mapping) for row in db.session.execute(query)}


def _concluded_reviews(year: ReportingYear) -> Any:
    """The reviews concluded in the year, with their type's code and the day they concluded."""
    concluded_on = _concluded_on()
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
        .where(_within(concluded_on, year))
        .subquery()
    )


def _median_days(year: ReportingYear) -> dict[str, float]:
    concluded = _concluded_reviews(year)
    days: dict[str, list[int]] = defaultdict(list)
    rows = db.session.execute(
        select(concluded.c.code, concluded.c.decided_on, concluded.c.concluded_on).where(
            concluded.c.decided_on.is_not(None)
        )
    )
    for code, decided_on, concluded_on in rows:
        days[code].append((concluded_on - decided_on).days)
    return {code: float(statistics.median(values)) for code, values in days.items()}


def _decisions(year: ReportingYear) -> dict[str, dict[DecisionOutcome, int]]:
    rows = db.session.execute(
        select(ReviewType.code, Decision.outcome, func.count())
        .select_from(Decision)
        .join(Review, Review.id == Decision.review_id)
        .join(ReviewType, Review.review_type_id == ReviewType.id)
        .where(_within(Decision.decided_on, year))
        .group_by(ReviewType.code, Decision.outcome)
    )
    found: dict[str, dict[DecisionOutcome, int]] = defaultdict(dict)
    for code, outcome, count in rows:
        found[code][outcome] = count
    return found


def _themes(year: ReportingYear) -> dict[str, list[tuple[str, int]]]:
    concluded = _concluded_reviews(year)
    tagged = union_all(
        select(Finding.review_id, finding_themes.c.theme_id).join(
            finding_themes, finding_themes.c.finding_id == Finding.id
        ),
        select(Recommendation.review_id, recommendation_themes.c.theme_id).join(
            recommendation_themes, recommendation_themes.c.recommendation_id == Recommendation.id
        ),
    ).subquery()
    rows = db.session.execute(
        select(concluded.c.code, Theme.name, func.count(func.distinct(tagged.c.review_id)).label("reviews"))
        .select_from(tagged)
        .join(concluded, concluded.c.review_id == tagged.c.review_id)
        .join(Theme, Theme.id == tagged.c.theme_id)
        .group_by(concluded.c.code, Theme.name)
        .order_by(concluded.c.code, func.count(func.distinct(tagged.c.review_id)).desc(), Theme.name)
    )
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for code, name, count in rows:
        found[code].append((name, count))
    return found


def _recommendations(year: ReportingYear) -> dict[str, int]:
    rows = db.session.execute(
        select(ReviewType.code, func.count())
        .select_from(Recommendation)
        .join(Review, Review.id == Recommendation.review_id)
        .join(ReviewType, Review.review_type_id == ReviewType.id)
        .where(Recommendation.created_at >= year.starts_at, Recommendation.created_at < year.ends_before)
        .group_by(ReviewType.code)
    )
    return {code: count for code, count in rows}


def _verified_in(year: ReportingYear, action: Any = Action) -> ColumnElement[bool]:
    return and_(action.verified_at >= year.starts_at, action.verified_at < year.ends_before)


def _may_count_in(year: ReportingYear) -> ColumnElement[bool]:
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


def _actions(year: ReportingYear) -> dict[str, list[AgencyActions]]:
    verified = _verified_in(year)
    # The actions verified in the year with a file on their updates, found once rather than
    # looked up for each action.
    evidenced = aliased(Action)
    with_evidence = Action.id.in_(
        select(ProgressUpdate.action_id)
        .join(Document, Document.progress_update_id == ProgressUpdate.id)
        .join(evidenced, evidenced.id == ProgressUpdate.action_id)
        .where(_verified_in(year, evidenced))
    )
    overdue = and_(
        Action.created_on <= year.end,
        Action.deadline <= year.end,
        or_(Action.completed_on.is_(None), Action.completed_on > year.end),
        or_(Action.verified_at.is_(None), Action.verified_at >= year.ends_before),
    )
    rows = db.session.execute(
        select(
            ReviewType.code,
            Agency.name,
            _count_if(_within(Action.created_on, year)),
            _count_if(_within(Action.completed_on, year)),
            _count_if(verified),
            _count_if(overdue),
            _count_if(and_(verified, with_evidence)),
        )
        .select_from(Action)
        .join(Review, Review.id == Action.review_id)
        .join(ReviewType, Review.review_type_id == ReviewType.id)
        .outerjoin(Agency, Agency.id == Action.agency_id)
        .where(_may_count_in(year))
        # Grouped by the agency's id too: two agencies may share a name; None is the partnership.
        .group_by(ReviewType.code, Agency.id, Agency.name)
    )
    found: dict[str, list[AgencyActions]] = defaultdict(list)
    for code, name, *counts in rows:
        if any(counts):
            found[code].append(AgencyActions(name or PARTNERSHIP, *counts))
    for lines in found.values():
        lines.sort(key=lambda line: (line.agency != PARTNERSHIP, line.agency))
    return found


def _adult_findings(year: ReportingYear) -> list[ConcludedReview]:
    concluded = _concluded_reviews(year)
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


def _adult_actions_done(year: ReportingYear) -> list[DoneAction]:
    rows = db.session.execute(
        select(
            Review.reference,
            Recommendation.number,
            Action.description,
            Agency.name,
            Action.completed_on,
            Action.verified_at,
        )
        .select_from(Action)
        .join(Recommendation, Recommendation.id == Action.recommendation_id)
        .join(Review, Review.id == Action.review_id)
        .join(ReviewType, Review.review_type_id == ReviewType.id)
        .outerjoin(Agency, Agency.id == Action.agency_id)
        .where(ReviewType.code == ADULTS, or_(_within(Action.completed_on, year), _verified_in(year)))
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


def _adult_not_acted_on(year: ReportingYear) -> list[NotActedOn]:
    concluded_on = _concluded_on()
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
        select(Review.reference, Recommendation.number, Recommendation.text)
        .select_from(Recommendation)
        .join(Review, Review.id == Recommendation.review_id)
        .join(ReviewType, Review.review_type_id == ReviewType.id)
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


def _impact(year: ReportingYear) -> dict[str, Impact]:
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
        select(
            ReviewType.code,
            _count_if(_within(outcome.achieved_on, year)),
            _count_if(and_(_remeasured(_within(OutcomeRemeasure.measured_on, year)), ~achieved_by_end)),
            _count_if(and_(open_at_end, ~overdue)),
            _count_if(overdue),
        )
        .select_from(outcome)
        .join(Recommendation, Recommendation.id == outcome.recommendation_id)
        .join(Review, Review.id == Recommendation.review_id)
        .join(ReviewType, Review.review_type_id == ReviewType.id)
        .group_by(ReviewType.code)
    )
    return {code: Impact(*counts) for code, *counts in rows}


def _not_pursued(year: ReportingYear) -> dict[str, list[NotPursued]]:
    """Every family's recommendations the partners decided in the year not to pursue, in one query."""
    outcome = RecommendationOutcome
    rows = db.session.execute(
        select(
            ReviewType.code,
            Review.reference,
            Review.pseudonym,
            Recommendation.number,
            Recommendation.text,
            outcome.not_pursued_reason,
            outcome.not_pursued_at,
        )
        .select_from(outcome)
        .join(Recommendation, Recommendation.id == outcome.recommendation_id)
        .join(Review, Review.id == Recommendation.review_id)
        .join(ReviewType, Review.review_type_id == ReviewType.id)
        .where(outcome.not_pursued_at >= year.starts_at, outcome.not_pursued_at < year.ends_before)
        .order_by(ReviewType.code, Review.reference, Recommendation.number)
    )
    found: dict[str, list[NotPursued]] = defaultdict(list)
    for code, reference, name, number, text, reason, decided_at in rows:
        found[code].append(
            NotPursued(reference, name, number, text, reason or "", decided_at.astimezone(UK).date())
        )
    return found


def annual_figures(year: ReportingYear, today: date) -> AnnualFigures:
    """Every figure of the pack for ``year``: eleven queries, whatever the number of reviews."""
    counts = _review_counts(year)
    medians = _median_days(year)
    decisions = _decisions(year)
    themes = _themes(year)
    recommendations = _recommendations(year)
    actions = _actions(year)
    impact = _impact(year)
    not_pursued = _not_pursued(year)
    sections = []
    for code, title in FAMILIES:
        found = counts.get(code, {})
        section = Section(
            code,
            title,
            referrals=found.get("referrals", 0),
            notifications=Share(found.get("notified_in_time", 0), found.get("notified", 0)),
            rapid_reviews=Share(found.get("rapid_in_time", 0), found.get("rapid", 0)),
            decisions=decisions.get(code, {}),
            arranged=found.get("arranged", 0),
            mandates={
                ReviewMandate.MANDATORY: found.get("mandatory", 0),
                ReviewMandate.DISCRETIONARY: found.get("discretionary", 0),
                None: found.get("no_mandate", 0),
            },
            commissioned=found.get("commissioned", 0),
            ongoing=found.get("ongoing", 0),
            concluded=found.get("concluded", 0),
            published=found.get("published", 0),
            not_published=found.get("not_published", 0),
            concluded_in_time=Share(found.get("concluded_in_time", 0), found.get("concluded", 0)),
            median_days=medians.get(code),
            themes=themes.get(code, []),
            recommendations=recommendations.get(code, 0),
            actions=actions.get(code, []),
            impact=impact.get(code, Impact()),
            not_pursued=not_pursued.get(code, []),
        )
        sections.append(section)
    adults = next(section for section in sections if section.code == ADULTS)
    adults.concluded_reviews = _adult_findings(year)
    adults.done = _adult_actions_done(year)
    adults.not_acted_on = _adult_not_acted_on(year)
    return AnnualFigures(year, year.is_complete(today), sections)


def year_choices(today: date) -> list[int]:
    """The reporting years with records, newest first: from the year of the earliest referral to
    the year in progress; the last complete year at least."""
    earliest = db.session.execute(select(func.min(Referral.became_aware_on))).scalar()
    current = start_year_of(today)
    first = min(start_year_of(earliest) if earliest else current, last_complete_year(today))
    return list(range(current, max(first, FIRST_YEAR) - 1, -1))


# How each figure is counted, in the pack's own words (the page, the document and the workbook).
DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("Referrals received", "The partnership became aware of the case during the year."),
    (
        "Notifications",
        "Serious incident notifications to the Panel made during the year; on time when "
        "made within 5 working days of the local authority becoming aware.",
    ),
    (
        "Rapid reviews",
        "Sent to the Panel during the year; on time within 15 working days of the notification.",
    ),
    (
        "Decisions",
        "The review's current decision, made during the year (a decision the partners "
        "reconsidered counts once, as it now stands).",
    ),
    (
        "Reviews arranged",
        "A decision to hold a review made during the year; for adults, whether the "
        "review is mandatory (Care Act 2014 s44(1) to (3)) or discretionary (s44(4)).",
    ),
    (
        "Ongoing at the end of the year",
        "A review decided by 31 March and not concluded by then, whenever it began.",
    ),
    (
        "Concluded",
        "Children and domestic abuse related deaths: the report published, or the decision "
        "not to publish it made, during the year. Adults: the final report signed off during the year.",
    ),
    ("Timeliness", "Against the review's own clock, allowing for recorded pauses and agreed extensions."),
    (
        "Themes",
        "Of the findings and recommendations of the reviews concluded in the year, each theme "
        "counted once per review.",
    ),
    (
        "Actions overdue at the end of the year",
        "Created by 31 March, deadline passed by then, and "
        "neither completed nor verified by then (against the action's current deadline).",
    ),
    ("Evidence of impact", "Actions verified during the year with evidence attached to their updates."),
    (
        "Achieved",
        "Recommendations whose outcome was re-measured during the year and met its target, as the "
        "partners judged it (verifying the actions alone never achieves one).",
    ),
    (
        "Re-measured, target not yet met",
        "Recommendations re-measured during the year and not achieved by 31 March.",
    ),
    (
        "Awaiting re-measure, and overdue, at the end of the year",
        "Measures set by 31 March, neither achieved nor given up by then. Overdue when the date "
        "to measure again was 31 March or before; awaiting otherwise. That date is the measure's "
        "own when nothing was re-measured after 31 March, else the one the last re-measure by then "
        "set; a measure first re-measured after 31 March counts as awaiting.",
    ),
    (
        "Not acted on, with the reason",
        "Recommendations the partners decided during the year not to pursue, with the reason they recorded.",
    ),
    (
        "No action planned and no decision recorded",
        "Adults: recommendations confirmed, or whose review concluded, by 31 March with no action "
        "planned and no decision not to pursue them recorded by then, whatever the year they were made.",
    ),
)
