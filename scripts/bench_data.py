"""The benchmark's partnership: the demo, then years of reviews built through the services.

Each review is walked through its lifecycle on the days it happened (the clock is moved with
time-machine, so every date the services stamp is the day of the step): referral, rapid review,
decision, commissioning, a lead reviewer, chronology requests answered with entries
(``import_chronology_rows``), a draft, the final version, the anonymisation check, publication,
findings, recommendations and actions (``add_action``), each action's latest progress report
(``add_progress``) and, on older plans, verification. The newest reviews stop at earlier stages.

The bulk of the volume is then added as copies of rows the services made, shaped as they shape
them: each action's earlier progress updates copy its service-made update and that update's
audit row ("action_progress"), dated between the action's creation and its latest report; the
rest of the audit trail copies the "identifiers_viewed" rows ``record_identifier_view`` wrote,
spread over each review's life. Chronology entries all come from the import service.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, fields, replace
from datetime import date, time, timedelta

from sqlalchemy import select

from casework.actions import services as actions
from casework.actions.models import Action, ActionStatus, Theme
from casework.agencies import services as contributions
from casework.agencies.chronology_csv import ChronologyRow
from casework.agencies.contributions import ContributionKind, ContributionRequest
from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.demo import load_demo_data
from casework.demo.plans import evidence_pdf
from casework.reviews.appointments import services as appointments
from casework.reviews.drafts import services as drafts
from casework.reviews.models import AssignmentRole, DecisionOutcome, Review, ReviewType
from casework.reviews.publication import checks, publishing
from casework.reviews.referral.commissioning import commission_review
from casework.reviews.referral.decision import record_decision
from casework.reviews.referral.rapid_review import (
    begin_rapid_review,
    complete_rapid_review,
    refer_for_decision,
    save_rapid_review,
)
from casework.reviews.referral.referral import ReferralDetails, create_referral
from casework.reviews.stages import ReviewStage
from scripts import bench_volume as volume
from scripts.bench_volume import on
from tests.support.files import docx_with, upload
from tests.support.reviews import (
    CLEAN_REPORT,
    decision_details,
    publication_details,
    rapid_review_details,
    terms_details,
)


@dataclass(frozen=True)
class Scale:
    """How much a partnership holds after ``years`` of reviews."""

    name: str
    years: float
    reviews: int
    actions: int
    updates: int
    audit_rows: int
    chronology: int

    def times(self, factor: float, name: str) -> Scale:
        counts = {f.name: max(1, round(getattr(self, f.name) * factor)) for f in fields(self)[2:]}
        return replace(self, name=name, years=self.years * factor, **counts)


ONE_YEAR = Scale("S1", 1, reviews=50, actions=2_500, updates=10_000, audit_rows=25_000, chronology=3_000)
TEN_YEARS = ONE_YEAR.times(10, "S10")

# The share of reviews that reach an action plan; the newest stop at these stages, in turn.
PLANNED_SHARE = 0.8
EARLIER = (
    ReviewStage.REFERRAL,
    ReviewStage.DECISION,
    ReviewStage.AWAITING_REVIEWER,
    ReviewStage.CONTRIBUTIONS,
    ReviewStage.DRAFTING,
    ReviewStage.PUBLICATION,
)
# Days after the referral of each step, for a review old enough to have taken its time.
DAYS = {"rapid": 10, "decision": 25, "commission": 40, "reviewer": 45, "answers": 70, "draft": 120}
DAYS |= {"final": 150, "publish": 175, "plan": 180}
LIFETIME = 240  # a review younger than this has its steps closer together
MANAGER = "manager@northshire.example"
REVIEWERS = "bench.example"
LEADS = {
    "Northshire Police": "police.lead@northshire.example",
    "Northshire Hospitals NHS Foundation Trust": "health.lead@northshire.example",
    "Northshire Children's Social Care": "socialcare.lead@northshire.example",
}
PROGRESS_NOTES = (
    "Briefing drafted and shared with team managers.",
    "Training dates booked; attendance so far 60%.",
    "Audit of ten cases started.",
    "Policy revised and out for consultation.",
    "Delayed by staff changes; new lead named.",
)


@dataclass
class Cast:
    manager: User
    agencies: list[Agency]
    leads: dict[int, User]  # agency id -> its lead
    reviewers: list[User]
    themes: list[Theme]


def add_reviewers(reviews: int) -> None:
    """Independent reviewers, one for every ten reviews."""
    for number in range(max(1, math.ceil(reviews / 10))):
        reviewer = User(name=f"Reviewer {number + 1}", email=f"reviewer{number + 1}@{REVIEWERS}")
        reviewer.role = Role.REVIEWER
        db.session.add(reviewer)


def load_cast() -> Cast:
    users = {u.email: u for u in db.session.execute(select(User).order_by(User.id)).scalars()}
    by_name = {a.name: a for a in db.session.execute(select(Agency)).scalars()}
    agencies = [by_name[name] for name in LEADS]
    reviewers = [user for email, user in users.items() if email.endswith(f"@{REVIEWERS}")]
    themes = list(db.session.execute(select(Theme).order_by(Theme.id)).scalars())
    leads = {agency.id: users[LEADS[agency.name]] for agency in agencies}
    return Cast(users[MANAGER], agencies, leads, reviewers, themes)


@dataclass(frozen=True)
class Plan:
    """One review's place in the partnership's history."""

    number: int
    referred_on: date
    stop: ReviewStage  # the last stage it reaches (ACTION_PLANNING: it has a plan)
    actions: int
    pace: float  # 1: the usual days between steps; less for a review begun recently

    def day(self, step: str) -> date:
        return self.referred_on + timedelta(days=int(DAYS[step] * self.pace))


def plans(scale: Scale, today: date) -> list[Plan]:
    planned = max(1, round(scale.reviews * PLANNED_SHARE))
    per_plan = math.ceil(scale.actions / planned)
    span = max(1, int(scale.years * 365))
    built = []
    for number in range(scale.reviews):
        referred = today - timedelta(days=span + LIFETIME) + timedelta(days=number * span // scale.reviews)
        if number < planned:
            stop, count = ReviewStage.ACTION_PLANNING, min(per_plan, scale.actions - number * per_plan)
            referred = min(referred, today - timedelta(days=LIFETIME // 2))
        else:
            stop, count = EARLIER[(number - planned) % len(EARLIER)], 0
            referred = today - timedelta(days=LIFETIME // 2) + timedelta(days=number - planned)
        pace = min(1.0, (today - referred).days / LIFETIME)
        built.append(Plan(number, referred, stop, max(count, 0), pace))
    return built


def review_kind(plan: Plan, kinds: dict[str, ReviewType]) -> ReviewType:
    """One review in three is a SAR, and every review begun before CSPRs existed."""
    cspr = kinds["CSPR"]
    if plan.number % 3 == 2 or not cspr.criteria_on(plan.referred_on):
        return kinds["SAR"]
    return cspr


def build_review(plan: Plan, cast: Cast, kinds: dict[str, ReviewType], chronology: int) -> Review:
    """One review, taken through the services on the days it happened, up to ``plan.stop``."""
    manager, agencies = cast.manager, cast.agencies
    start, kind = plan.referred_on, review_kind(plan, kinds)
    cspr = kind.has_stage(ReviewStage.RAPID_REVIEW)
    with on(start):
        review = create_referral(
            kind,
            ReferralDetails(
                pseudonym=f"{'Child' if cspr else 'Adult'} {plan.number + 1}",
                incident_on=start - timedelta(days=3),
                incident_description="Admitted to hospital with injuries that were not explained.",
                became_aware_on=start - timedelta(days=1),
                panel_notified_on=start if cspr else None,
                notifying_organisation="Northshire Council",
                notifying_person="Head of Children's Services",
                known_agencies=agencies,
            ),
            manager,
        )
        db.session.commit()  # the reference's counter is not held while the rest is built
    if plan.stop == ReviewStage.REFERRAL:
        return review
    dates = {
        "meeting_on": plan.day("rapid"),
        "sent_to_panel_on": plan.day("rapid"),
        "panel_responded_on": plan.day("rapid"),
        "scope_from": start - timedelta(days=400),
        "scope_to": start - timedelta(days=3),
        "target_completion_on": None,
        "commissioned_on": plan.day("commission"),
    }
    with on(plan.day("rapid")):
        if cspr:
            begin_rapid_review(review, review.version)
            save_rapid_review(review, rapid_review_details(dates, agencies=agencies), review.version)
            complete_rapid_review(review, review.version)
        else:
            refer_for_decision(review, review.version)
    if plan.stop == ReviewStage.DECISION:
        return review
    with on(plan.day("decision")):
        # The criteria in force when the review started (the guidance changed over the years).
        # A SAR is mandatory: every condition of s44(1)-(3) is met.
        criteria = [c["key"] for c in review.criteria()][: 1 if cspr else None]
        details = decision_details(
            kind, DecisionOutcome.LOCAL_REVIEW, plan.day("decision"), criteria_met=criteria
        )
        record_decision(review, details, review.version, manager)
    with on(plan.day("commission")):
        commission_review(review, terms_details(dates, agencies), review.version, manager)
    if plan.stop == ReviewStage.AWAITING_REVIEWER:
        return review
    with on(plan.day("reviewer")):
        lead = cast.reviewers[plan.number % len(cast.reviewers)]
        assignment = appointments.assign_reviewer(review, lead, AssignmentRole.LEAD, manager)
        appointments.accept_appointment(assignment, lead, declared=True)
        asked = contributions.request_contributions(
            review, agencies[:2], ContributionKind.CHRONOLOGY, "Your contact.", plan.day("answers"), manager
        )
    _answer(plan, cast, asked, chronology, answered=plan.stop != ReviewStage.CONTRIBUTIONS)
    if plan.stop == ReviewStage.CONTRIBUTIONS:
        return review
    with on(plan.day("draft")):
        drafts.upload_draft(review, upload(docx_with(*CLEAN_REPORT), "report.docx"), "Draft", lead, None)
    if plan.stop == ReviewStage.DRAFTING:
        return review
    with on(plan.day("final")):
        drafts.mark_final(review, plan.day("final"), manager, None)
    if plan.stop == ReviewStage.PUBLICATION:
        return review
    with on(plan.day("publish")):
        checks.run_anonymisation_check(review, manager)
        steps = (kind.publication_rules or {}).get("steps", [])
        publication_details(review, manager, sent=plan.day("final") if "sent_to_panel" in steps else None)
        publishing.publish_review(review, plan.day("publish"), manager, None)
    _action_plan(review, plan, cast)
    return review


def _answer(plan: Plan, cast: Cast, asked: list[ContributionRequest], entries: int, answered: bool) -> None:
    """Each agency asked imports its chronology; answered requests are sent and accepted."""
    for index, request in enumerate(asked):
        lead = cast.leads[request.agency_id]
        count = entries // len(asked) + (index < entries % len(asked))
        with on(plan.day("answers") - timedelta(days=2)):
            rows = [
                ChronologyRow(
                    plan.referred_on - timedelta(days=300 - (n * 7) % 290),
                    time(9 + n % 8, 15) if n % 3 else None,
                    "Health visitor" if n % 2 else "Police officer",
                    f"Contact number {n + 1} with the family.",
                    "Concern noted; no referral made." if n % 5 == 0 else "",
                )
                for n in range(count)
            ]
            contributions.import_chronology_rows(request, rows, lead)
            if answered:
                contributions.submit_request(request, "Our chronology.", lead, None)
        if answered:
            with on(plan.day("answers")):
                contributions.accept_request(request, cast.manager, None)


def _action_plan(review: Review, plan: Plan, cast: Cast) -> None:
    """Findings, recommendations and actions on the plan's day; each action's latest report."""
    manager, today = cast.manager, uk_today()
    planned_on = plan.day("plan")
    with on(planned_on):
        themes = cast.themes[plan.number % len(cast.themes) :][:2] if cast.themes else []
        actions.add_finding(review, "Agencies did not share what they knew.", themes, manager)
        recommendations = [
            actions.add_recommendation(
                review,
                f"Recommendation {n + 1}: share concerns about bruising.",
                False,
                [agency],
                themes,
                manager,
            )
            for n, agency in enumerate(cast.agencies)
        ]
        made = []
        for n in range(plan.actions):
            recommendation = recommendations[n % len(recommendations)]
            agency = cast.agencies[n % len(cast.agencies)]
            deadline = planned_on + timedelta(days=60 + (n * 37) % 330)
            made.append(
                actions.add_action(
                    recommendation,
                    f"Action {n + 1}: brief every team on the finding.",
                    agency,
                    cast.leads[agency.id],
                    deadline,
                    "An audit shows the change in practice.",
                    manager,
                )
            )
    for n, action in enumerate(made):
        _latest_report(action, n, cast, today)


def _latest_report(action: Action, n: int, cast: Cast, today: date) -> None:
    """The action's latest progress report; a finished action of an older plan is verified."""
    owner = cast.leads[action.agency_id]
    reported = min(today, action.created_on + timedelta(days=30 + n % 40))
    due_by_now = action.deadline < today - timedelta(days=30)
    with on(reported):
        if due_by_now and n % 10 < 8:
            evidence = upload(evidence_pdf(f"Audit {action.id}"), "audit.pdf")
            actions.add_progress(action, ActionStatus.COMPLETED, "Audit done.", [evidence], owner, None)
            actions.verify_action(action, "Audit seen.", cast.manager, None)
        else:
            status = (ActionStatus.ON_TRACK, ActionStatus.AT_RISK, ActionStatus.OFF_TRACK)[n % 3]
            actions.add_progress(action, status, PROGRESS_NOTES[n % len(PROGRESS_NOTES)], [], owner, None)


def build_partnership(scale: Scale, progress: bool = False) -> Counter[str]:
    """The demo partnership, then ``scale``'s reviews, then the bulk, in this process."""
    prepare(scale)
    build_part(scale, 0, 1, progress)
    return finish(scale)


def prepare(scale: Scale) -> None:
    """The demo partnership and the reviewers, before the reviews are built (in one process or
    several side by side: see build_part)."""
    load_demo_data()
    add_reviewers(scale.reviews)
    db.session.commit()


def finish(scale: Scale) -> Counter[str]:
    """The bulk, once every review is built; what the partnership then holds."""
    cast = load_cast()
    volume.earlier_updates(scale.updates, PROGRESS_NOTES)
    db.session.commit()
    volume.identifier_views(scale.audit_rows, [cast.manager, *cast.leads.values()], uk_today())
    db.session.commit()
    return volume.counts()


def build_part(scale: Scale, part: int, parts: int, progress: bool) -> None:
    """Every ``parts``-th review of the schedule, from the ``part``-th: several processes can
    build side by side, each review committed step by step."""
    kinds = {kind.code: kind for kind in db.session.execute(select(ReviewType)).scalars()}
    cast = load_cast()
    schedule = plans(scale, uk_today())
    answering = [p for p in schedule if p.stop not in (ReviewStage.REFERRAL, ReviewStage.DECISION)]
    answering = [p for p in answering if p.stop != ReviewStage.AWAITING_REVIEWER]
    per_review = math.ceil(scale.chronology / max(1, len(answering)))
    for plan in schedule[part::parts]:
        build_review(plan, cast, kinds, per_review)
        db.session.commit()
        if progress and plan.number % 50 == 49:
            print(f"  {scale.name}: review {plan.number + 1} of {scale.reviews} built", flush=True)
