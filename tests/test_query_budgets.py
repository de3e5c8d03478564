"""Each main page loads what it shows in a fixed number of queries, whatever the data.

The demo partnership is the small world: every page is fetched once and its SQL statements
counted. Then more of what each page lists is added (reviews, actions and progress updates,
contribution requests, chronology entries, draft versions, anonymisation checks, published
reviews, agencies, audit rows...) and years of history on a few records (an action with hundreds
of updates, a plan of forty more recommendations, an agency lead with hundreds of actions and
requests, a long timeline and a long chronology: tests/support/histories.py), and every page is
counted again. A page whose count grows issues a query per row (an N+1); a page over its budget
loads more than it should; no page may need more than MOST. Counts, never timings: they are the
same on every machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from casework.actions import outcomes
from casework.actions import services as actions
from casework.actions.models import Action, ActionStatus, Recommendation
from casework.agencies import services as contributions
from casework.agencies.contributions import ContributionKind, ContributionRequest
from casework.agencies.models import Agency, AgencyType
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import working_calendar
from casework.demo import DEMO_USERS
from casework.demo import reviews as demo_reviews
from casework.demo.contributions import HEALTH_EVENTS, _entries
from casework.demo.publication import _new_published_review, _report
from casework.jobs.models import BackgroundJob
from casework.notifications.models import MailStatus, OutboxMessage
from casework.notifications.outbox import queue_mail
from casework.reviews.drafts import services as drafts
from casework.reviews.learning import dissemination
from casework.reviews.learning import services as briefings
from casework.reviews.learning.models import BriefingRecipient, EventKind
from casework.reviews.models import FamilyContactKind, MonitoringKind, ProcessKind, ProcessStatus, Review
from casework.reviews.publication import checks, publishing
from casework.reviews.records import family, monitoring, processes
from casework.reviews.referral.identifiers import record_identifier_view
from tests.conftest import empty_database
from tests.support import histories
from tests.support.demo import load_demo
from tests.support.http import client_as

# No main page may issue more, whatever the data or the history of its record.
MOST = 15

# Today's figures: the most statements one GET of each page may issue, in either world (the
# signed-in user's own load included, and the count of their unread notifications in the header).
BUDGETS = {
    # 7, and "Needs your attention": the reminder rules, the closure days, every kind in one query.
    "dashboard": 10,
    "review list": 8,
    "review page": 15,  # with the decision's history and the statutory notices
    "notices page": 6,
    "notice page": 6,
    "action plan": 14,
    "action plan being carried out": 15,  # every kind of row a plan holds: outcomes, briefing...
    "action page": 7,
    "outcome page": 5,  # the recommendation with its review and outcome, the re-measures, the owners
    "action tracker": 14,
    "contributions tracker": 8,
    "my agency's actions": 4,  # a page of them
    "agency lead's requests": 4,  # a page of them
    "request page": 7,  # with a page of its chronology
    "agency directory": 3,
    "audit log": 3,  # never counted: one page and the one row after it
    "sent mail": 4,
    "public register": 3,  # a page of it, when it last changed, the types of review it explains
    "publication page": 10,
    "drafts page": 15,
    "chronology": 5,
    "your notifications": 4,
    "reminder rules": 5,
    "agency lead's home": 11,  # with the learning briefings to acknowledge
    "reviewer's home": 9,
    "review types": 5,  # with each type's statutory notices
    "decision page": 5,
    "Panel's challenge page": 5,
    "reconsidered decision page": 5,
    "parallel processes": 6,  # the processes, and the pauses naming them
    "monitoring log": 5,
    "written requests": 5,
    "family involvement": 5,
    "earlier recommendations like a text": 5,  # the fragment for the plan page's script
    "review's access report": 10,  # with its own view recorded, and the people for the filter
    "person's access report": 9,  # with its own view recorded, and the reviews it names
    "insight": 12,  # the review types, then one or two queries per chart
    "annual report pack": 14,  # the years with records, and eleven queries for every figure
    "7-minute briefing": 8,
    "briefing's printable page": 6,
    "dissemination record": 11,  # recipients, events with attendance, audits with recommendations
    "agency lead's briefings": 3,
    "briefing sent to an agency": 6,
    "public briefing page": 3,
    "background job": 4,  # the job with its files and starter, then the request it is about
    "your sessions": 3,  # the signed-in sessions, in one query however many there are
    "person's page": 10,  # a user for an administrator: what they own, their sessions, passkeys
}

MANAGER, ADMIN = "manager@northshire.example", "admin@northshire.example"
POLICE_LEAD = "police.lead@northshire.example"
REVIEWER = "reviewer2@northshire.example"
OPEN = (ActionStatus.ON_TRACK, ActionStatus.AT_RISK, ActionStatus.OFF_TRACK)


@dataclass(frozen=True)
class Page:
    name: str
    who: str | None  # the demo user's email; None: anonymous
    template: str  # the path, naming the records of demo_page_ids: "/reviews/{child_d}"

    def path(self, ids: dict[str, int | str]) -> str:
        return self.template.format_map(ids)


PAGES = [
    Page("your sessions", MANAGER, "/account/sessions"),
    Page("person's page", ADMIN, "/admin/users/{manager}"),
    Page("dashboard", MANAGER, "/reviews/dashboard"),
    Page("review list", MANAGER, "/reviews/"),
    Page("review page", MANAGER, "/reviews/{child_d}"),
    Page("action plan", MANAGER, "/reviews/{child_d}/action-plan"),
    Page("action plan being carried out", MANAGER, "/reviews/{child_k}/action-plan"),
    Page("action page", MANAGER, "/actions/{action}"),
    Page("outcome page", MANAGER, "/reviews/{child_m}/recommendations/{measured}/outcome"),
    Page("action tracker", MANAGER, "/actions/"),
    Page("contributions tracker", MANAGER, "/agencies/contributions"),
    Page("my agency's actions", POLICE_LEAD, "/actions/mine"),
    Page("agency lead's requests", POLICE_LEAD, "/agencies/mine"),
    Page("request page", MANAGER, "/agencies/requests/{request}"),
    Page("agency directory", MANAGER, "/agencies/"),
    Page("audit log", ADMIN, "/admin/audit-log"),
    Page("sent mail", ADMIN, "/admin/sent-mail"),
    Page("public register", None, "/published-reviews/"),
    Page("publication page", MANAGER, "/reviews/{adult_g}/publication"),
    Page("drafts page", MANAGER, "/reviews/{child_d}/drafts"),
    Page("notices page", MANAGER, "/reviews/{child_d}/notices"),
    Page("notice page", MANAGER, "/reviews/{child_d}/notices/{notice}"),
    Page("chronology", MANAGER, "/reviews/{child_d}/chronology"),
    Page("your notifications", POLICE_LEAD, "/notifications/"),
    Page("reminder rules", MANAGER, "/reviews/reminders"),
    Page("review types", MANAGER, "/reviews/types"),
    Page("decision page", MANAGER, "/reviews/{child_r}/decision"),
    Page("Panel's challenge page", MANAGER, "/reviews/{child_r}/decision/challenge"),
    Page("reconsidered decision page", MANAGER, "/reviews/{child_r}/decision/reconsider"),
    Page("agency lead's home", POLICE_LEAD, "/work/agency"),
    Page("reviewer's home", REVIEWER, "/work/reviewer"),
    Page("parallel processes", MANAGER, "/reviews/{child_e}/processes"),
    Page("monitoring log", MANAGER, "/reviews/{child_d}/monitoring"),
    Page("written requests", REVIEWER, "/reviews/{child_d}/monitoring"),
    Page("family involvement", MANAGER, "/reviews/{child_d}/family"),
    Page("review's access report", MANAGER, "/reviews/{child_d}/access"),
    Page("person's access report", ADMIN, "/admin/users/{manager}/access"),
    Page("insight", MANAGER, "/insight/"),
    Page("annual report pack", MANAGER, "/insight/annual"),
    Page("background job", POLICE_LEAD, "/jobs/{job}"),
    Page(
        "earlier recommendations like a text",
        MANAGER,
        (
            "/reviews/{child_d}/action-plan/resemblances?text=Police+should+refer+every+"
            "domestic+abuse+incident+where+a+baby+lives+in+the+household"
        ),
    ),
    Page("7-minute briefing", MANAGER, "/reviews/{child_k}/briefing"),
    Page("briefing's printable page", MANAGER, "/reviews/{child_k}/briefing/print"),
    Page("dissemination record", MANAGER, "/reviews/{child_k}/dissemination"),
    Page("agency lead's briefings", POLICE_LEAD, "/briefings/"),
    Page("briefing sent to an agency", POLICE_LEAD, "/briefings/{police_briefing}"),
    Page("public briefing page", None, "/published-reviews/{child_k_reference}/learning-briefing"),
]


def _password(email: str) -> str:
    return next(user.password for user in DEMO_USERS if user.email == email)


def count_statements(app: Flask, client: FlaskClient, path: str) -> int:
    """The SQL statements one GET of ``path`` issues (the page must answer 200)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, (path, response.status_code)
    return len(statements)


def measure(app: Flask, ids: dict[str, int | str]) -> dict[str, int]:
    clients: dict[str | None, FlaskClient] = {}
    counts = {}
    for page in PAGES:
        if page.who not in clients:
            if page.who is None:
                clients[None] = client_as(app, None)
            else:
                with app.app_context():
                    user = db.session.execute(db.select(User).where(User.email == page.who)).scalar_one()
                clients[page.who] = client_as(app, user, _password(page.who))
        path = page.path(ids)
        count_statements(app, clients[page.who], path)  # warm: first-visit work is not the page's
        counts[page.name] = count_statements(app, clients[page.who], path)
    return counts


def _by_email(email: str) -> User:
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one()


def _review(pseudonym: str) -> Review:
    return db.session.execute(db.select(Review).where(Review.pseudonym == pseudonym)).scalar_one()


def grow() -> None:
    """Add several more of everything the pages list, through the services."""
    manager, police_lead = _by_email(MANAGER), _by_email(POLICE_LEAD)
    sam = _by_email("reviewer2@northshire.example")
    # More reads of identifying details, by more people, on more reviews (the access reports).
    for pseudonym in ("Child D", "Adult G", "Child E"):
        for reader in (manager, sam, police_lead):
            record_identifier_view(_review(pseudonym), reader)
    agencies = {a.name: a for a in db.session.execute(db.select(Agency)).scalars()}
    police = agencies["Northshire Police"]

    # More reviews at every stage the demo has (dashboard, review list, audit log).
    original = demo_reviews.DEMO_REVIEWS
    demo_reviews.DEMO_REVIEWS = [replace(r, pseudonym=f"{r.pseudonym} (2)") for r in original]
    try:
        demo_reviews.load_demo_reviews(manager)
    finally:
        demo_reviews.DEMO_REVIEWS = original

    # More agencies, each with a lead (directory).
    for number in range(3):
        agency = Agency(name=f"Extra agency {number}", agency_type=AgencyType.EDUCATION)
        db.session.add(agency)
        db.session.add(
            User(
                name=f"Extra lead {number}",
                email=f"extra{number}@example.org",
                role=Role.AGENCY_LEAD,
                agency=agency,
            )
        )
    db.session.flush()

    # More actions and updates on Child D's plan, owned by the police (plan, tracker, my actions).
    child_d, adult_g = _review("Child D"), _review("Adult G")
    recommendation = (
        db.session.execute(
            db.select(Recommendation)
            .where(Recommendation.review_id == child_d.id)
            .order_by(Recommendation.id)
        )
        .scalars()
        .first()
    )
    assert recommendation is not None
    for number in range(4):
        action = actions.add_action(
            recommendation,
            f"Extra action {number}",
            police,
            police_lead,
            uk_today() + timedelta(days=30 + number),
            "Audited",
            manager,
        )
        actions.add_progress(action, ActionStatus.ON_TRACK, f"Started {number}", [], police_lead, None)
        # New deadlines asked for (the dashboard's queue).
        actions.request_deadline_change(action, action.deadline + timedelta(days=30), "Later.", police_lead)

    # More updates on the measured action (action page).
    measured = _measured_action()
    for number in range(4):
        actions.add_progress(
            measured, ActionStatus.AT_RISK, f"More progress {number}", [], measured.owner, None
        )

    # More re-measures of the outcome short of its target (outcome page).
    measured = db.session.get(Recommendation, _measured_recommendation())
    for number in range(3):
        outcomes.record_remeasure(
            measured,
            outcomes.Remeasure(
                uk_today(), f"{70 + number}%", False, "An audit.", None, uk_today() + timedelta(days=30)
            ),
            manager,
            None,
        )

    # More requests of the police (requests), and a chronology from the GP (chronology).
    due = contributions.default_due_date(adult_g)
    for kind in (ContributionKind.CHRONOLOGY, ContributionKind.AGENCY_REPORT, ContributionKind.DOCUMENTS):
        contributions.request_contributions(adult_g, [police], kind, "More, please.", due, manager)
    gp = agencies["Riverside Medical Practice"]
    gp_lead = User(name="GP lead", email="gp.lead@example.org", role=Role.AGENCY_LEAD, agency=gp)
    db.session.add(gp_lead)
    db.session.flush()
    request = contributions.request_contributions(
        child_d, [gp], ContributionKind.CHRONOLOGY, "Your contact.", due, manager
    )[0]
    _entries(request, HEALTH_EVENTS, uk_today() - timedelta(days=300), gp_lead)
    contributions.submit_request(request, "Our records.", gp_lead, None)
    contributions.accept_request(request, manager, None)
    # Submissions waiting to be accepted (the dashboard's and the reviewer's queues).
    for kind in (ContributionKind.LEARNING_EVENT,):
        waiting = contributions.request_contributions(child_d, [gp], kind, "Yours.", due, manager)[0]
        contributions.submit_request(waiting, "Sent.", gp_lead, None)

    # More draft versions of Child D, one shared for accuracy (drafts page).
    for number in range(2):
        version = drafts.upload_draft(
            child_d, _report(f"child-d-v{3 + number}.docx", "More text."), f"Version {number}", sam, None
        )
    check = drafts.share_for_accuracy(
        version,
        [police, agencies["Northshire Hospitals NHS Foundation Trust"]],
        working_calendar().add_working_days(uk_today(), 10),
        manager,
    )
    # Comments for the lead reviewer to answer (the reviewer's tasks).
    police_answer = next(answer for answer in check.answers if answer.agency_id == police.id)
    for number in range(2):
        drafts.add_accuracy_comment(police_answer, f"Page {number}", "A date is wrong.", police_lead)

    # Adult G checked again (publication page), and two more published reviews (public register).
    checks.run_anonymisation_check(adult_g, manager, "Checked again")
    published = []
    for name in ("Child M", "Child N"):
        review = _new_published_review(name, manager, sam, agencies)
        published.append(review)
        checks.run_anonymisation_check(review, manager)
        publishing.save_publication_details(
            review,
            sent_to_panel_on=working_calendar().add_working_days(uk_today(), -12),
            public_summary="A summary.",
            learning="Learning.",
            public_recommendations="1. A recommendation.",
            by=manager,
        )
        publishing.publish_review(review, uk_today(), manager, None)

    # More briefings sent to the police (their list), and more of Child K's dissemination record.
    for review in published:
        briefing = briefings.draft_from_review(review, manager)
        briefings.approve_briefing(briefing, manager, None)
        dissemination.send_briefing(review, [police], uk_today(), manager)
    child_k = _review("Child K")
    extra = [agencies[name] for name in ("Northshire Education Service", "Riverside Medical Practice")]
    dissemination.send_briefing(child_k, extra, uk_today(), manager)
    recommendation_ids = set(
        db.session.execute(
            db.select(Recommendation.id).where(Recommendation.review_id == child_k.id)
        ).scalars()
    )
    for number in range(3):
        dissemination.record_event(
            child_k,
            dissemination.EventDetails(
                f"Extra event {number}",
                uk_today(),
                EventKind.WEBINAR,
                attendance={agency.id: 3 + number for agency in [police, *extra]},
            ),
            manager,
        )
        dissemination.add_audit(
            child_k,
            dissemination.AuditDetails(
                f"Extra audit {number}", uk_today(), recommendation_ids=recommendation_ids
            ),
            manager,
        )

    # More parallel processes, monitoring entries, written requests and family entries.
    child_e = _review("Child E")
    for number in range(3):
        processes.add_process(
            child_e,
            processes.ProcessDetails(
                kind=ProcessKind.OTHER, description=f"Extra process {number}", status=ProcessStatus.EXPECTED
            ),
            manager,
        )
        for kind in MonitoringKind:
            monitoring.add_entry(child_d, kind, uk_today(), f"Extra entry {number}", manager)
        family.add_contact(
            child_d,
            family.ContactDetails(
                FamilyContactKind.SHARED, uk_today(), "Father", "Letter", f"Extra {number}"
            ),
            manager,
        )

    # Mail to everyone, in every state (sent mail).
    for number, person in enumerate(db.session.execute(db.select(User)).scalars()):
        queue_mail(person, "request", f"request:{number}", "A request", "Text.", "<p>HTML.</p>")
    db.session.execute(
        db.update(OutboxMessage).where(OutboxMessage.id % 3 == 0).values(status=MailStatus.FAILED)
    )

    # Years of history: the action with hundreds of updates, a plan of forty more
    # recommendations, hundreds of the police's actions and requests, a long timeline and a
    # long chronology (rows in bulk: see tests/support/histories.py).
    histories.long_action_history(_measured_action(), [police_lead, manager, sam])
    histories.long_plan(child_d, police, police_lead, manager)
    histories.long_plan(_review("Child K"), police, police_lead, manager)
    histories.many_requests([child_d, adult_g], police, manager)
    histories.long_chronology(_chronology_request(), police_lead)
    histories.long_timeline(child_d, [manager, sam, police_lead])
    db.session.commit()


def _measured_recommendation() -> int:
    """Child M's recommendation, re-measured short of its target (the demo's outcomes)."""
    return db.session.execute(
        db.select(Recommendation.id)
        .join(Review, Review.id == Recommendation.review_id)
        .where(Review.pseudonym == "Child M", Recommendation.number == 1)
    ).scalar_one()


def _measured_action() -> Action:
    """The first open action of Child D's plan (still taking progress updates)."""
    child_d = _review("Child D")
    return (
        db.session.execute(
            db.select(Action)
            .where(Action.review_id == child_d.id, Action.status.in_(OPEN))
            .order_by(Action.id)
        )
        .scalars()
        .first()
    )


def _chronology_request() -> ContributionRequest:
    """The first chronology asked of an agency for Child D (the request page)."""
    return (
        db.session.execute(
            db.select(ContributionRequest)
            .where(
                ContributionRequest.review_id == _review("Child D").id,
                ContributionRequest.kind == ContributionKind.CHRONOLOGY,
            )
            .order_by(ContributionRequest.id)
        )
        .scalars()
        .first()
    )


def _police_briefing() -> int:
    """The briefing the demo sent the police (Child K's)."""
    police = db.session.execute(db.select(Agency.id).where(Agency.name == "Northshire Police")).scalar_one()
    return db.session.execute(
        db.select(BriefingRecipient.id).where(BriefingRecipient.agency_id == police)
    ).scalar_one()


@dataclass(frozen=True)
class Counts:
    small: dict[str, int]
    grown: dict[str, int]


def demo_page_ids() -> dict[str, int | str]:
    """The demo's records each page is about (the benchmark asks the same). In an app context."""
    return {
        "child_d": _review("Child D").id,
        "adult_g": _review("Adult G").id,
        "child_r": _review("Child R").id,  # a decision the Panel challenged, reconsidered
        "child_e": _review("Child E").id,
        "action": _measured_action().id,
        "child_m": _review("Child M").id,
        "measured": _measured_recommendation(),
        "notice": _review("Child D").notices[0].id,
        "manager": _by_email(MANAGER).id,
        "child_k": _review("Child K").id,
        "child_k_reference": _review("Child K").reference,
        "police_briefing": _police_briefing(),
        "request": _chronology_request().id,
        "job": db.session.execute(db.select(BackgroundJob.id).order_by(BackgroundJob.id)).scalars().first(),
    }


@pytest.fixture(scope="module")
def counts(app: Flask) -> Iterator[Counts]:
    with app.app_context():
        load_demo(app)
        ids = demo_page_ids()
    small = measure(app, ids)
    with app.app_context():
        grow()
    grown = measure(app, ids)
    yield Counts(small, grown)
    empty_database(app)


@pytest.mark.parametrize("page", [page.name for page in PAGES])
def test_page_loads_in_a_fixed_number_of_queries(counts: Counts, page: str) -> None:
    small, grown = counts.small[page], counts.grown[page]
    assert small == grown, f"{page}: {small} statements with the demo, {grown} with more rows"
    assert grown <= BUDGETS[page], f"{page}: {grown} statements, budget {BUDGETS[page]}"
    assert grown <= MOST, f"{page}: {grown} statements, more than any page may issue ({MOST})"


def test_no_budget_allows_more_than_any_page_may_issue() -> None:
    assert {page: budget for page, budget in BUDGETS.items() if budget > MOST} == {}
