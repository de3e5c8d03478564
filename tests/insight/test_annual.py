"""The annual report pack: every figure against a world built for it with known answers, in the
reporting year 2024/25 (1 April 2024 to 31 March 2025), with records on both sides of each bound;
the page, the Word document, the workbook, who may see them, and bad years.

The world is built once, through the services; what the services only record as "today" (when a
recommendation was written, when an action was created, completed, verified, when an outcome was
measured, re-measured or not pursued) is then moved to the day the case needs, as if it had
happened then.
"""

from __future__ import annotations

import io
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import docx
import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.actions import outcomes
from casework.actions import services as actions
from casework.actions.models import (
    Action,
    ActionStatus,
    OutcomeRemeasure,
    Recommendation,
    RecommendationOutcome,
    Theme,
)
from casework.agencies.models import Agency, AgencyType
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import UK, uk_today
from casework.insight.annual.figures import annual_figures
from casework.insight.annual.sections import AnnualFigures, Impact
from casework.insight.annual.year import ReportingYear
from casework.insight.years import year_starting
from casework.reviews.drafts import services as drafts
from casework.reviews.models import Decision, DecisionOutcome, Review, ReviewMandate
from casework.reviews.publication import checks, publishing
from tests.support.files import PDF, upload
from tests.support.http import client_as
from tests.support.people import make_agency, make_user
from tests.support.readonly import built_once
from tests.support.records import plan_action
from tests.support.reviews import make_review, publication_details
from tests.support.rows import last_audit_event

pytestmark = pytest.mark.read_only

YEAR = 2024
D = date.fromisoformat


# The dates build_world gives each kind of review, in the order it writes them.
_DATES = {
    "CSPR": (
        "incident_on",
        "became_aware_on",
        "panel_notified_on",
        "meeting_on",
        "sent_to_panel_on",
        "panel_responded_on",
        "decided_on",
        "commissioned_on",
    ),
    "SAR": ("incident_on", "became_aware_on", "decided_on", "commissioned_on"),
    "DHR": ("incident_on", "became_aware_on", "decided_on", "commissioned_on"),
}


def uk(moment: str) -> datetime:
    """A moment on England's clock (BST in summer), as the UTC the database keeps."""
    return datetime.fromisoformat(moment).replace(tzinfo=UK).astimezone(UTC)


@dataclass(frozen=True)
class World:
    manager_email: str
    outsiders: dict[Role, str]
    references: dict[str, str]  # pseudonym: reference
    days: dict[str, int]  # pseudonym: days from the decision to the conclusion


def _themes(*names: str) -> list[Theme]:
    return list(db.session.execute(select(Theme).where(Theme.name.in_(names))).scalars().unique())


def _theme(name: str, code: str) -> list[Theme]:
    found = [theme for theme in _themes(name) if any(t.code == code for t in theme.review_types)]
    assert found, (name, code)
    return found[:1]


def _recommend(
    review: Review, text: str, written: str, by: User, *, confirmed: str | None = None, themes=()
) -> Recommendation:
    made = actions.add_recommendation(review, text, True, [], list(themes), by)
    db.session.flush()
    made.created_at = uk(written)
    made.confirmed_at = uk(confirmed) if confirmed else None
    return made


def _act(
    recommendation: Recommendation,
    agency: Agency | None,
    owner: User,
    manager: User,
    *,
    created: str,
    deadline: str,
    completed: str | None = None,
    verified: str | None = None,
) -> Action:
    action = plan_action(
        recommendation,
        manager,
        agency=agency,
        owner=owner,
        description="Brief every team",
        measure="An audit",
    )
    if completed:
        actions.add_progress(action, ActionStatus.COMPLETED, "Done", [upload(PDF, "audit.pdf")], owner, None)
    if verified:
        actions.verify_action(action, "Checked", manager, None)
    action.created_on = D(created)
    action.deadline = action.original_deadline = D(deadline)
    action.completed_on = D(completed) if completed else None
    action.verified_at = uk(verified) if verified else None
    return action


def _measure(
    recommendation: Recommendation, manager: User, *, set_on: str, due: str
) -> RecommendationOutcome:
    """An outcome measure set on ``set_on`` (10:00 in England), to be measured again by ``due``."""
    today = uk_today()
    details = outcomes.MeasureDetails(
        "Referrals are shared the same day.",
        "Share of referrals shared within a day (case audit).",
        "40% of 20 cases",
        today - timedelta(days=1),
        "90% of cases",
        today + timedelta(days=30),
        manager,
    )
    outcome = outcomes.set_measure(recommendation, details, manager, None)
    outcome.baseline_on = D(set_on) - timedelta(days=30)
    outcome.set_at = uk(f"{set_on}T10:00")
    outcome.remeasure_on = D(due)
    return outcome


def _remeasure(
    recommendation: Recommendation, manager: User, *, on: str, met: bool, then: str | None = None
) -> OutcomeRemeasure:
    """A re-measure on ``on``: the target met, or not and to be measured again by ``then``."""
    today = uk_today()
    result = outcomes.Remeasure(
        today, "70% of 20 cases", met, "Case audit.", None, None if met else today + timedelta(days=30)
    )
    remeasure = outcomes.record_remeasure(recommendation, result, manager, None)
    outcome = remeasure.outcome
    remeasure.measured_on = outcome.last_measured_on = D(on)
    remeasure.recorded_at = uk(f"{on}T16:00")
    if met:
        outcome.achieved_on = D(on)
    else:
        assert then is not None
        remeasure.next_remeasure_on = outcome.remeasure_on = D(then)
    return remeasure


def _not_pursued(recommendation: Recommendation, reason: str, at: str, manager: User) -> None:
    outcome = outcomes.decide_not_to_pursue(recommendation, reason, manager, None)
    outcome.not_pursued_at = uk(at)


def _publish(review: Review, on: str, manager: User) -> None:
    checks.run_anonymisation_check(review, manager)
    assert review.terms is not None
    publication_details(review, manager, sent=review.terms.commissioned_on)
    publishing.publish_review(review, D(on), manager, None)


def _get(review: Review) -> Review:
    found = db.session.get(Review, review.id)
    assert found is not None
    return found


def _days_to_conclusion(review: Review) -> int | None:
    concluded = review.completed_on if review.review_type.code == "SAR" else review.published_on
    return (concluded - review.decision.decided_on).days if concluded and review.decision else None


def build_world(app: Flask) -> World:
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        police = make_agency("Oak Police", AgencyType.POLICE)
        health = make_agency("Elm Health Trust", AgencyType.NHS_TRUST)
        police_lead = make_user(Role.AGENCY_LEAD, agency=police)
        health_lead = make_user(Role.AGENCY_LEAD, agency=health)
        outsiders = {role: make_user(role).email for role in (Role.REVIEWER, Role.AGENCY_LEAD, Role.ADMIN)}
        involved = [police, health]

        def review(code: str, stage: str, pseudonym: str, *days: str) -> Review:
            """A review of ``code`` on the ``days`` (YYYY-MM-DD) of _DATES[code], as far as given."""
            dates = {name: D(day) for name, day in zip(_DATES[code], days, strict=False)}
            return _get(make_review(code, stage, by=manager, agencies=involved, pseudonym=pseudonym, **dates))

        # --- children -------------------------------------------------------------------------
        # North: notified before the year; rapid review, decision and commissioning in it;
        # published on time (6 months of 22 April 2024 end on 22 October).
        north = review("CSPR", "publication", "Child North", "2024-03-20", "2024-03-21", "2024-03-25",
                       "2024-04-08", "2024-04-09", "2024-04-15", "2024-04-22", "2024-05-01")  # fmt: skip
        # South: notified on time in the year, rapid review late, published late on 31 March.
        south = review("CSPR", "publication", "Child South", "2024-03-27", "2024-03-28", "2024-04-02",
                       "2024-05-01", "2024-05-02", "2024-05-10", "2024-05-20", "2024-06-03")  # fmt: skip
        # East: referred in the year, notified on 1 April, the next year.
        review("CSPR", "referral", "Child East", "2025-03-24", "2025-03-25", "2025-04-01")
        # West: notified late, rapid review on time, no review decided.
        review("CSPR", "no_review", "Child West", "2024-06-02", "2024-06-03", "2024-06-14",
               "2024-06-18", "2024-06-20", "2024-06-25", "2024-07-01")  # fmt: skip
        # Central: everything on time in the year, commissioned, still going.
        central = review("CSPR", "awaiting_reviewer", "Child Central", "2024-10-31",
                         "2024-11-01", "2024-11-05", "2024-11-18", "2024-11-20", "2024-11-25",
                         "2024-12-02", "2025-01-10")  # fmt: skip
        # Old: decided on 28 March 2024, before the year; commissioned in it; published on
        # 1 April 2025, after it: ongoing at the year's end.
        old = review("CSPR", "publication", "Child Old", "2024-02-01", "2024-02-02", "2024-02-05",
                     "2024-02-20", "2024-02-21", "2024-03-01", "2024-03-28", "2024-04-15")  # fmt: skip

        sharing, neglect, abuse = (
            _theme("Information sharing", "CSPR"),
            _theme("Neglect", "CSPR"),
            _theme("Domestic abuse", "CSPR"),
        )
        actions.add_finding(north, "Agencies held pieces of the picture.", sharing, manager)
        actions.add_finding(south, "Nobody shared the referral.", sharing, manager)
        actions.add_finding(central, "Abuse at home was not asked about.", abuse, manager)
        north_1 = _recommend(north, "Share referrals.", "2024-10-05T13:00", manager, themes=sharing + neglect)
        # 00:30 on 1 April in England is still 31 March in UTC: the UK day counts.
        north_2 = _recommend(north, "Audit neglect cases.", "2024-04-01T00:30", manager)
        south_1 = _recommend(south, "Train on referrals.", "2025-04-01T00:30", manager)
        central_1 = _recommend(central, "Ask about abuse.", "2025-01-15T10:00", manager)

        # Police: created 3 in the year, completed 3, verified 2 (the third on 1 April, UK time),
        # overdue 1 (created before the year, completed after it). Health: created 2, one overdue
        # (due 31 March), one due 1 April. The partnership's action comes after the year.
        _act(north_1, police, police_lead, manager, created="2024-10-10", deadline="2025-01-31",
             completed="2025-01-20", verified="2025-02-01T09:00")  # fmt: skip
        _act(north_1, health, health_lead, manager, created="2024-10-10", deadline="2025-03-31")
        _act(north_2, health, health_lead, manager, created="2024-10-10", deadline="2025-04-01")
        _act(south_1, None, manager, manager, created="2025-04-02", deadline="2025-06-01")
        _act(central_1, police, police_lead, manager, created="2024-03-30", deadline="2024-09-30",
             completed="2025-04-02")  # fmt: skip
        _act(north_1, police, police_lead, manager, created="2024-10-10", deadline="2024-12-31",
             completed="2025-03-31", verified="2025-04-01T00:30")  # fmt: skip
        _act(north_2, police, police_lead, manager, created="2024-10-10", deadline="2025-02-28",
             completed="2025-02-20", verified="2025-03-01T09:00")  # fmt: skip
        # Outcomes. North 1: re-measured short on 31 January, to measure again by 1 April, the
        # next year (awaiting at the year's end), when it is achieved. North 2: due on 31 March
        # and not re-measured (overdue). Central 1: not pursued in February.
        _measure(north_1, manager, set_on="2024-10-06", due="2025-01-31")
        _remeasure(north_1, manager, on="2025-01-31", met=False, then="2025-04-01")
        _remeasure(north_1, manager, on="2025-04-01", met=True)
        _measure(north_2, manager, set_on="2024-06-01", due="2025-03-31")
        _not_pursued(central_1, "The police's own review covers it.", "2025-02-10T10:00", manager)
        db.session.commit()
        _publish(_get(north), "2024-10-01", manager)
        _publish(_get(south), "2025-03-31", manager)
        _publish(_get(old), "2025-04-01", manager)
        db.session.commit()

        # --- adults ---------------------------------------------------------------------------
        # Adult North: decided before the year, signed off in it, on time.
        adult_north = review("SAR", "drafting", "Adult North", "2024-01-09", "2024-01-10",
                             "2024-02-01", "2024-02-15")  # fmt: skip
        drafts.mark_final(adult_north, D("2024-07-15"), manager, None)
        # Adult South: a discretionary review arranged on 1 April 2024, signed off on 1 April 2025.
        adult_south = review("SAR", "drafting", "Adult South", "2024-02-28", "2024-03-01",
                             "2024-04-01", "2024-04-10")  # fmt: skip
        decision = db.session.get(Decision, adult_south.id)
        assert decision is not None
        decision.mandate, decision.criteria_met = ReviewMandate.DISCRETIONARY, []
        drafts.mark_final(adult_south, D("2025-04-01"), manager, None)
        # Adult East: a mandatory review arranged on 31 March 2025, the year's last day.
        review("SAR", "commissioning", "Adult East", "2024-04-30", "2024-05-01", "2025-03-31")
        review("SAR", "no_review", "Adult West", "2024-05-31", "2024-06-01", "2024-07-01")
        # Adult Early: concluded on 31 March 2024, the year before.
        adult_early = review("SAR", "drafting", "Adult Early", "2023-04-01", "2023-04-02",
                             "2023-05-01", "2023-05-10")  # fmt: skip
        drafts.mark_final(adult_early, D("2024-03-31"), manager, None)

        self_neglect = _theme("Self-neglect", "SAR")
        actions.add_finding(
            adult_north, "Agencies did not share concerns about self-neglect.", self_neglect, manager
        )
        actions.add_finding(adult_north, "Missed appointments were not followed up.", [], manager)
        actions.add_finding(adult_early, "An earlier finding.", [], manager)
        north_r1 = _recommend(adult_north, "Share self-neglect concerns.", "2024-08-01T10:00", manager,
                              confirmed="2024-08-01T11:00")  # fmt: skip
        north_r2 = _recommend(adult_north, "Follow up missed appointments.", "2024-08-01T10:00", manager,
                              confirmed="2024-08-01T11:00")  # fmt: skip
        later = _recommend(adult_north, "A later recommendation.", "2025-04-02T10:00", manager)
        south_r1 = _recommend(adult_south, "Plan transitions at 17.", "2025-03-01T10:00", manager,
                              confirmed="2025-03-01T11:00")  # fmt: skip
        early_r1 = _recommend(adult_early, "Review the hoarding protocol.", "2023-06-01T10:00", manager,
                              confirmed="2023-06-01T11:00")  # fmt: skip
        early_r2 = _recommend(adult_early, "Brief GPs on self-neglect.", "2023-06-01T10:00", manager,
                              confirmed="2023-06-01T11:00")  # fmt: skip
        _act(north_r1, police, police_lead, manager, created="2024-08-05", deadline="2025-02-01",
             completed="2025-01-05", verified="2025-01-10T10:00")  # fmt: skip
        _act(north_r1, health, health_lead, manager, created="2024-08-05", deadline="2025-03-15",
             completed="2025-04-02")  # fmt: skip
        _act(south_r1, police, police_lead, manager, created="2025-04-05", deadline="2025-09-01")
        _act(
            early_r1,
            None,
            manager,
            manager,
            created="2023-06-01",
            deadline="2024-07-01",
            completed="2024-06-01",
        )
        # Outcomes. North 1: achieved on 31 March. South 1: re-measured short in March, to
        # measure again by 31 March (overdue). Early 1: re-measured short on 31 March 2024, the
        # year before, to measure again in June 2025 (awaiting). The later recommendation's
        # measure was set after the year. Not pursued: Early 2 at 00:30 on 1 April 2024 (still
        # 31 March in UTC: in the year), North 2 at 00:30 on 1 April 2025 (the next year).
        _measure(north_r1, manager, set_on="2024-08-10", due="2025-03-31")
        _remeasure(north_r1, manager, on="2025-03-31", met=True)
        _measure(south_r1, manager, set_on="2025-03-05", due="2025-03-20")
        _remeasure(south_r1, manager, on="2025-03-20", met=False, then="2025-03-31")
        _measure(early_r1, manager, set_on="2024-03-20", due="2024-03-31")
        _remeasure(early_r1, manager, on="2024-03-31", met=False, then="2025-06-01")
        _measure(later, manager, set_on="2025-04-05", due="2025-06-01")
        _not_pursued(early_r2, "The GP practices' own training covers it.", "2024-04-01T00:30", manager)
        _not_pursued(north_r2, "Superseded by the new pathway.", "2025-04-01T00:30", manager)

        # --- domestic abuse related deaths: kept apart ------------------------------------------
        review("DHR", "commissioning", "Person Dale", "2024-07-01", "2024-07-02", "2024-08-01")
        db.session.commit()

        reviews = db.session.execute(select(Review)).scalars().all()
        references = {r.pseudonym: r.reference for r in reviews}
        days = {r.pseudonym: _days_to_conclusion(r) for r in reviews if _days_to_conclusion(r) is not None}
        return World(manager.email, outsiders, references, days)


@pytest.fixture(scope="module")
def world(app: Flask) -> Iterator[World]:
    """Built once: the tests read it (downloads and sign-ins add audit rows and sessions)."""
    with built_once(app, lambda: build_world(app), may_add_to={"audit_events", "user_sessions"}) as made:
        yield made


@pytest.fixture(scope="module")
def figures(app: Flask, world: World) -> AnnualFigures:
    with app.app_context():
        return annual_figures(ReportingYear.starting(YEAR), uk_today())


@pytest.fixture(scope="module")
def manager(app: Flask, world: World) -> FlaskClient:
    return client_as(app, world.manager_email)


# --- the figures ------------------------------------------------------------------------------


def test_the_year_runs_from_1_april_to_31_march() -> None:
    assert tuple(year_starting(2025)) == (D("2025-04-01"), D("2026-03-31"), "2025/26")
    assert year_starting(1999).label == "1999/00"


def test_children_notifications_rapid_reviews_and_decisions(figures: AnnualFigures) -> None:
    children = figures.section("CSPR")
    assert figures.complete
    assert children.referrals == 3  # East, West, Central; North and South became known in March 2024
    assert (children.notifications.met, children.notifications.of) == (2, 3)  # South, West (late), Central
    assert (children.rapid_reviews.met, children.rapid_reviews.of) == (
        3,
        4,
    )  # North, South (late), West, Central
    assert children.decisions == {DecisionOutcome.LOCAL_REVIEW: 3, DecisionOutcome.NO_REVIEW: 1}
    assert children.arranged == 3


def test_children_reviews_commissioned_ongoing_and_published(figures: AnnualFigures, world: World) -> None:
    children = figures.section("CSPR")
    assert children.commissioned == 4  # North, South, Central, Old
    assert children.ongoing == 2  # Central; Old, published on 1 April 2025
    assert (children.concluded, children.published, children.not_published) == (2, 2, 0)
    assert (children.concluded_in_time.met, children.concluded_in_time.of) == (1, 2)  # North; South late
    assert children.concluded_in_time.percent == 50
    assert children.median_days == statistics.median([world.days["Child North"], world.days["Child South"]])
    assert world.days["Child North"] == 162


def test_children_themes_recommendations_and_actions(figures: AnnualFigures) -> None:
    children = figures.section("CSPR")
    # Of the reviews published in the year; Central's theme is not one of them.
    assert children.themes == [("Information sharing", 2), ("Neglect", 1)]
    assert children.recommendations == 3  # 1 April 00:30 counts, 1 April 2025 00:30 does not
    by_agency = {line.agency: line for line in children.actions}
    assert set(by_agency) == {"Oak Police", "Elm Health Trust"}  # the partnership's came after the year
    police, health = by_agency["Oak Police"], by_agency["Elm Health Trust"]
    assert (police.created, police.completed, police.verified, police.overdue) == (3, 3, 2, 1)
    assert (health.created, health.completed, health.verified, health.overdue) == (2, 0, 0, 1)
    assert police.verified_with_evidence == 2
    totals = children.action_totals
    assert (totals.created, totals.completed, totals.verified, totals.overdue) == (5, 3, 2, 2)


def test_adult_reviews_arranged_ongoing_and_concluded(figures: AnnualFigures, world: World) -> None:
    adults = figures.section("SAR")
    assert adults.referrals == 2  # East, West
    assert adults.decisions == {DecisionOutcome.LOCAL_REVIEW: 2, DecisionOutcome.NO_REVIEW: 1}
    assert adults.arranged == 2
    assert adults.mandates == {ReviewMandate.MANDATORY: 1, ReviewMandate.DISCRETIONARY: 1, None: 0}
    assert adults.commissioned == 1  # South
    assert adults.ongoing == 2  # South (signed off on 1 April 2025), East
    assert adults.concluded == 1  # North; Early concluded on 31 March 2024
    assert (adults.concluded_in_time.met, adults.concluded_in_time.of) == (1, 1)
    assert adults.median_days == world.days["Adult North"]
    assert adults.themes == [("Self-neglect", 1)]
    assert adults.recommendations == 3  # North's two, South's; not the one of 2 April 2025


def test_adult_findings_what_was_done_and_what_was_not(figures: AnnualFigures, world: World) -> None:
    adults = figures.section("SAR")
    [concluded] = adults.concluded_reviews
    assert (concluded.reference, concluded.name, concluded.concluded_on) == (
        world.references["Adult North"],
        "Adult North",
        D("2024-07-15"),
    )
    assert concluded.findings == (
        "Agencies did not share concerns about self-neglect.",
        "Missed appointments were not followed up.",
    )
    done = {(item.reference, item.agency): item for item in adults.done}
    assert set(done) == {
        (world.references["Adult North"], "Oak Police"),
        (world.references["Adult Early"], "The partnership"),
    }
    police = done[(world.references["Adult North"], "Oak Police")]
    assert (police.completed_on, police.verified_on) == (D("2025-01-05"), D("2025-01-10"))
    assert done[(world.references["Adult Early"], "The partnership")].verified_on is None
    # Early's second recommendation has its decision not to pursue it (in the year): not here.
    not_acted = {(item.reference, item.text) for item in adults.not_acted_on}
    assert not_acted == {
        (world.references["Adult North"], "Follow up missed appointments."),  # decided on 1 April 2025
        (world.references["Adult South"], "Plan transitions at 17."),  # its action came in April 2025
    }
    by_agency = {line.agency: line for line in adults.actions}
    assert [by_agency[name].overdue for name in ("Oak Police", "Elm Health Trust", "The partnership")] == [
        0,
        1,
        0,
    ]
    assert by_agency["The partnership"].completed == 1


def test_recommendations_not_pursued_in_the_year_with_their_reason(
    figures: AnnualFigures, world: World
) -> None:
    [adult] = figures.section("SAR").not_pursued  # not North's second, decided on 1 April 2025
    assert (adult.reference, adult.name, adult.recommendation, adult.text) == (
        world.references["Adult Early"],
        "Adult Early",
        2,
        "Brief GPs on self-neglect.",
    )
    assert adult.reason == "The GP practices' own training covers it."
    assert adult.decided_on == D("2024-04-01")  # 31 March in UTC, 1 April in England
    [child] = figures.section("CSPR").not_pursued
    assert (child.text, child.reason) == ("Ask about abuse.", "The police's own review covers it.")
    assert figures.section("DHR").not_pursued == []


def test_impact_achieved_short_awaiting_and_overdue(figures: AnnualFigures) -> None:
    # Children: North 1 short in January, awaiting its 1 April re-measure; North 2 overdue.
    assert figures.section("CSPR").impact == Impact(achieved=0, short=1, awaiting=1, overdue=1)
    # Adults: North achieved on 31 March; South short and overdue; Early awaiting; not the later one.
    assert figures.section("SAR").impact == Impact(achieved=1, short=1, awaiting=1, overdue=1)
    assert figures.section("DHR").impact == Impact()
    assert dict(figures.section("CSPR").impact_rows())["Actions verified with evidence of impact"] == 2


def test_each_family_counts_only_its_own_reviews(figures: AnnualFigures) -> None:
    deaths = figures.section("DHR")
    assert (deaths.referrals, deaths.arranged, deaths.ongoing) == (1, 1, 1)
    assert deaths.decisions == {DecisionOutcome.LOCAL_REVIEW: 1}


def test_the_year_before_has_its_own_figures(app: Flask, world: World) -> None:
    with app.app_context():
        before = annual_figures(ReportingYear.starting(YEAR - 1), uk_today())
        after = annual_figures(ReportingYear.starting(YEAR + 1), uk_today())
    adults = before.section("SAR")
    assert adults.concluded == 1 and adults.concluded_reviews[0].name == "Adult Early"
    assert before.section("CSPR").notifications.of == 2  # North (25 March 2024) and Old
    # Early 1 re-measured short on 31 March 2024; Early 2 not yet decided (23:30 UTC is 1 April).
    assert adults.impact == Impact(achieved=0, short=1, awaiting=1, overdue=0)
    assert adults.not_pursued == []
    assert "Brief GPs on self-neglect." in {item.text for item in adults.not_acted_on}
    # The next year: children's North 1 achieved on 1 April 2025, Adult North 2 not pursued then.
    assert after.section("CSPR").impact.achieved == 1
    assert [item.text for item in after.section("SAR").not_pursued] == ["Follow up missed appointments."]


# --- the page and the files -------------------------------------------------------------------


def _table(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</table>", start)]


def _rows(table: str) -> dict[str, str]:
    """A table of a heading and a number a row, as {heading: number}."""
    return dict(re.findall(r'<th scope="row"[^>]*>([^<]*)</th>\s*<td[^>]*>([^<]*)</td>', table))


def test_the_page_shows_the_figures_of_the_year_asked_for(manager: FlaskClient, world: World) -> None:
    response = manager.get(f"/insight/annual?year={YEAR}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Annual report pack 2024/25" in page
    children = _rows(_table(page, "figures-CSPR"))
    assert children["Notifications within 5 working days"] == "2 of 3 (67%)"
    assert children["Reviews arranged (decision to hold a review)"] == "3"
    assert _rows(_table(page, "mandates-SAR"))["Discretionary (section 44(4))"] == "1"
    assert "Information sharing" in _table(page, "themes-CSPR")
    assert "Follow up missed appointments." in _table(page, "not-acted-SAR")
    assert "Brief GPs on self-neglect." not in _table(page, "not-acted-SAR")
    not_pursued = _table(page, "not-pursued-SAR")
    assert f"{world.references['Adult Early']}: Adult Early" in not_pursued
    assert "The GP practices&#39; own training covers it." in not_pursued and "1 April 2024" in not_pursued
    assert "Ask about abuse." in _table(page, "not-pursued-CSPR")
    assert "No decision not to pursue" in page[page.index('data-testid="section-DHR"') :]
    impact = _rows(_table(page, "impact-SAR"))
    assert impact["Recommendations achieved in the year (re-measured, target met)"] == "1"
    assert impact["Re-measures overdue at the end of the year"] == "1"
    assert (
        _rows(_table(page, "impact-CSPR"))["Measures awaiting their re-measure at the end of the year"] == "1"
    )
    assert "Awaiting re-measure, and overdue, at the end of the year" in page
    assert f'value="{YEAR}" selected' in page


def test_the_page_defaults_to_the_last_complete_year(manager: FlaskClient) -> None:
    today = uk_today()
    last = (today.year if today.month >= 4 else today.year - 1) - 1
    page = manager.get("/insight/annual").get_data(as_text=True)
    assert f"Annual report pack {year_starting(last).label}" in page


def test_the_word_document_has_the_sections_tables_and_charts(app: Flask, manager: FlaskClient) -> None:
    response = manager.get(f"/insight/annual/pack.docx?year={YEAR}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=annual-report-pack-2024-25.docx"
    document = docx.Document(io.BytesIO(response.data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    for heading in (
        "Annual report pack 2024/25",
        "Children: child safeguarding practice reviews",
        "Adults: safeguarding adults reviews",
        "Findings not acted on, and why (paragraph 4(1)(g))",
    ):
        assert heading in headings
    first = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert first["Rapid reviews within 15 working days"] == "3 of 4 (75%)"
    assert first["Reviews ongoing at the end of the year"] == "2"
    assert "Impact" in headings and "No action planned and no decision recorded" in headings
    impact = [
        {row.cells[0].text: row.cells[1].text for row in table.rows}
        for table in document.tables
        if table.rows[1].cells[0].text.startswith("Recommendations achieved in the year")
    ]
    assert [table["Recommendations re-measured in the year, target not yet met"] for table in impact] == [
        "1",
        "1",
        "0",
    ]
    assert impact[1]["Recommendations achieved in the year (re-measured, target met)"] == "1"
    not_pursued = [
        [cell.text for cell in row.cells]
        for table in document.tables
        if table.rows[0].cells[-1].text == "Decided"
        for row in table.rows[1:]
    ]
    assert [row[2:] for row in not_pursued] == [
        ["Ask about abuse.", "The police's own review covers it.", "10/02/2025"],
        ["Brief GPs on self-neglect.", "The GP practices' own training covers it.", "01/04/2024"],
    ]
    shapes = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert len(shapes) >= 9
    assert shapes[0].startswith("Bar chart, Children") and "2 of 3 (67%)" in shapes[0]
    assert any(alt.startswith("Bar chart, Adults: safeguarding adults reviews: impact") for alt in shapes)
    with app.app_context():
        event = last_audit_event("annual_pack_exported")
        assert event is not None and event.details == {"format": "docx", "year": YEAR}


def test_the_workbook_has_a_sheet_per_section_with_charts(manager: FlaskClient, world: World) -> None:
    response = manager.get(f"/insight/annual/pack.xlsx?year={YEAR}")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames[:3] == ["About", "Children", "Adults"]
    children = {row[0]: row[1] for row in workbook["Children"].iter_rows(values_only=True) if row[0]}
    assert children["Reviews commissioned"] == "4"
    assert children["Oak Police"] == 3
    assert children["Measures awaiting their re-measure at the end of the year"] == 1
    assert children["Re-measures overdue at the end of the year"] == 1
    assert len(workbook["Children"]._charts) == 4
    child_rows = list(workbook["Children"].iter_rows(values_only=True))
    assert any(row[2:5] == ("Ask about abuse.", "The police's own review covers it.", datetime(2025, 2, 10))
               for row in child_rows)  # fmt: skip
    adults = {row[0]: row[1] for row in workbook["Adults"].iter_rows(values_only=True) if row[0]}
    assert adults["Recommendations achieved in the year (re-measured, target met)"] == 1
    assert adults["Recommendations re-measured in the year, target not yet met"] == 1
    not_acted = list(workbook["Adults not acted on"].iter_rows(values_only=True))
    assert not_acted[0][0] == "Recommendations not acted on, with the reason"
    assert not_acted[2] == (
        f"{world.references['Adult Early']}: Adult Early",
        2,
        "Brief GPs on self-neglect.",
        "The GP practices' own training covers it.",
        datetime(2024, 4, 1),
    )
    titles = [row[0] for row in not_acted]
    after = titles.index("No action planned and no decision recorded")
    assert {row[2] for row in not_acted[after + 2 :] if row[0]} == {
        "Follow up missed appointments.",
        "Plan transitions at 17.",
    }
    findings = [row for row in workbook["Adults findings"].iter_rows(min_row=3, values_only=True)]
    assert [row[3] for row in findings] == [
        "Agencies did not share concerns about self-neglect.",
        "Missed appointments were not followed up.",
    ]
    assert findings[0][0] == world.references["Adult North"]


# --- who may see it, and bad years --------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.AGENCY_LEAD, Role.ADMIN])
def test_only_board_managers_see_the_pack(app: Flask, world: World, role: Role) -> None:
    client = client_as(app, world.outsiders[role])
    for path in ("/insight/annual", "/insight/annual/pack.docx", "/insight/annual/pack.xlsx"):
        assert client.get(path).status_code == 403, path


def test_signed_out_visitors_are_sent_to_sign_in(app: Flask, world: World) -> None:
    response = app.test_client().get("/insight/annual")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("abc", "Enter the reporting year as the year it starts in, for example 2025 for 2025/26"),
        ("1800", "Choose a reporting year from 2000/01 to"),
        ("99999", "Choose a reporting year from 2000/01 to"),
        ("\uff12\uff10\uff12\uff14", "Enter the reporting year as the year it starts in"),
        ("-1", "Enter the reporting year as the year it starts in"),
    ],
)
def test_a_year_that_is_not_one_gets_a_message(
    manager: FlaskClient, world: World, year: str, message: str
) -> None:
    for path in ("/insight/annual", "/insight/annual/pack.docx", "/insight/annual/pack.xlsx"):
        response = manager.get(path, query_string={"year": year})
        assert response.status_code == 400, (path, year)
        page = response.get_data(as_text=True)
        assert message in page and 'id="year-error"' in page
        assert "<title>Error: " in page
