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
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from casework.actions.models import Action, ProgressUpdate, Recommendation, Theme
from casework.agencies.models import Agency
from casework.core.extensions import db
from casework.documents.models import Document
from casework.insight.annual.conditions import (
    concluded_reviews,
    conclusion_day,
    count_if,
    ending_clock,
    may_count_in,
    on_time,
    verified_in,
    within,
)
from casework.insight.annual.learning import (
    adult_actions_done,
    adult_findings,
    adult_not_acted_on,
    impact_of,
    not_pursued_in,
)
from casework.insight.annual.sections import (
    ADULTS,
    FAMILIES,
    PARTNERSHIP,
    AgencyActions,
    AnnualFigures,
    Impact,
    Section,
    Share,
)
from casework.insight.annual.year import FIRST_YEAR, ReportingYear, last_complete_year
from casework.insight.themes import review_themes
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

# --- the queries --------------------------------------------------------------------------------


def _review_counts(year: ReportingYear) -> dict[str, dict[str, int]]:
    notified, rapid, ending = (aliased(ReviewDeadline) for _ in range(3))
    concluded_on = conclusion_day()
    local = Decision.outcome == DecisionOutcome.LOCAL_REVIEW
    arranged = and_(local, within(Decision.decided_on, year))
    in_notified = within(Referral.panel_notified_on, year)
    in_rapid = within(RapidReview.sent_to_panel_on, year)
    in_concluded = within(concluded_on, year)
    columns = {
        "referrals": count_if(within(Referral.became_aware_on, year)),
        "notified": count_if(in_notified),
        "notified_in_time": count_if(and_(in_notified, on_time(notified))),
        "rapid": count_if(in_rapid),
        "rapid_in_time": count_if(and_(in_rapid, on_time(rapid))),
        "arranged": count_if(arranged),
        "mandatory": count_if(and_(arranged, Decision.mandate == ReviewMandate.MANDATORY)),
        "discretionary": count_if(and_(arranged, Decision.mandate == ReviewMandate.DISCRETIONARY)),
        "no_mandate": count_if(and_(arranged, Decision.mandate.is_(None))),
        "commissioned": count_if(within(TermsOfReference.commissioned_on, year)),
        "ongoing": count_if(
            and_(local, Decision.decided_on <= year.end, or_(concluded_on.is_(None), concluded_on > year.end))
        ),
        "concluded": count_if(in_concluded),
        "concluded_in_time": count_if(and_(in_concluded, on_time(ending))),
        "published": count_if(within(Review.published_on, year)),
        "not_published": count_if(within(Publication.not_published_on, year)),
    }
    query = (
        select(ReviewType.code, *(column.label(name) for name, column in columns.items()))
        .select_from(Review)
        .join(ReviewType, Review.review_type_id == ReviewType.id)
    )
    # Each review's records (one of each at most), then the clocks its counts are judged by.
    for record in (Referral, RapidReview, Decision, TermsOfReference, Publication):
        query = query.outerjoin(record, record.review_id == Review.id)
    for clock, key in ((notified, "notification"), (rapid, "rapid_review"), (ending, ending_clock())):
        query = query.outerjoin(clock, and_(clock.review_id == Review.id, clock.clock_key == key))
    return {row.code: dict(row._mapping) for row in db.session.execute(query.group_by(ReviewType.code))}


def _median_days(year: ReportingYear) -> dict[str, float]:
    concluded = concluded_reviews(year)
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
        .where(within(Decision.decided_on, year))
        .group_by(ReviewType.code, Decision.outcome)
    )
    found: dict[str, dict[DecisionOutcome, int]] = defaultdict(dict)
    for code, outcome, count in rows:
        found[code][outcome] = count
    return found


def _themes(year: ReportingYear) -> dict[str, list[tuple[str, int]]]:
    concluded = concluded_reviews(year)
    tagged = review_themes()
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


def _actions(year: ReportingYear) -> dict[str, list[AgencyActions]]:
    verified = verified_in(year)
    # The actions verified in the year with a file on their updates, found once rather than
    # looked up for each action.
    evidenced = aliased(Action)
    with_evidence = Action.id.in_(
        select(ProgressUpdate.action_id)
        .join(Document, Document.progress_update_id == ProgressUpdate.id)
        .join(evidenced, evidenced.id == ProgressUpdate.action_id)
        .where(verified_in(year, evidenced))
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
            count_if(within(Action.created_on, year)),
            count_if(within(Action.completed_on, year)),
            count_if(verified),
            count_if(overdue),
            count_if(and_(verified, with_evidence)),
        )
        .select_from(Action)
        .join(Review, Review.id == Action.review_id)
        .join(ReviewType, Review.review_type_id == ReviewType.id)
        .outerjoin(Agency, Agency.id == Action.agency_id)
        .where(may_count_in(year))
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


def annual_figures(year: ReportingYear, today: date) -> AnnualFigures:
    """Every figure of the pack for ``year``: eleven queries, whatever the number of reviews."""
    counts = _review_counts(year)
    medians = _median_days(year)
    decisions = _decisions(year)
    themes = _themes(year)
    recommendations = _recommendations(year)
    actions = _actions(year)
    impact = impact_of(year)
    not_pursued = not_pursued_in(year)
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
    adults.concluded_reviews = adult_findings(year)
    adults.done = adult_actions_done(year)
    adults.not_acted_on = adult_not_acted_on(year)
    return AnnualFigures(year, year.is_complete(today), sections)


def year_choices(today: date) -> list[int]:
    """The reporting years with records, newest first: from the year of the earliest referral to
    the year in progress; the last complete year at least."""
    earliest = db.session.execute(select(func.min(Referral.became_aware_on))).scalar()
    current = start_year_of(today)
    first = min(start_year_of(earliest) if earliest else current, last_complete_year(today))
    return list(range(current, max(first, FIRST_YEAR) - 1, -1))
