"""Every form of every route, posted by the role that uses it with hostile values: never a 5xx,
and a refusal (a 4xx, a form shown again with errors, an error message after a redirect) leaves
every table as it was.

The world is the demo partnership, built through the services: reviews at every stage, requests,
drafts, publications and action plans, and a user of every role. Pages are found by walking the
links each user sees, forms by reading each page's HTML, and the walk must reach every route in
``app.url_map`` (a new route is covered, or the test says which one it could not reach). Each
generated request runs inside a transaction that is rolled back afterwards, so every example
starts from the same world and a run is reproducible.

CASEWORK_FUZZ_EXAMPLES sets the number of generated requests (CI default below);
CASEWORK_FUZZ_SEED explores other examples than the fixed default run.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode, urljoin, urlsplit

import lxml.html
import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.test import TestResponse

from casework.actions.models import Action, ActionStatus, Recommendation, RecommendationOutcome
from casework.actions.services import request_deadline_change
from casework.agencies.chronology_csv import ChronologyRow
from casework.agencies.contributions import ContributionKind, ContributionRequest, RequestStatus
from casework.agencies.directory import deactivate_agency
from casework.agencies.services import add_chronology_entry, default_due_date, request_contributions
from casework.auth.access import policy_of
from casework.auth.models import Role, User
from casework.auth.services import authenticate, issue_set_password_link
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import add_closure_day, working_calendar
from casework.demo import DEMO_USERS
from casework.demo.notices import DHR_PSEUDONYM
from casework.demo.publication import _report as demo_report
from casework.jobs.models import BackgroundJob
from casework.notifications.models import MailStatus, OutboxMessage
from casework.notifications.outbox import queue_mail
from casework.reviews.appointments.services import assign_reviewer
from casework.reviews.drafts import services as drafts
from casework.reviews.learning.models import PracticeAudit
from casework.reviews.models import Review, ReviewNotice, ReviewPause
from casework.reviews.models.reviewers import AssignmentRole
from casework.reviews.stages import ReviewStage
from tests.conftest import make_agency, make_user, sign_in
from tests.reviews.conftest import make_review
from tests.support.demo import load_demo
from tests.support.http import csrf_token, second_step, session_cookie

# 400 generated requests on top of every field of every form sent each hostile value; a longer
# exploration: CASEWORK_FUZZ_EXAMPLES=5000 with a CASEWORK_FUZZ_SEED.
EXAMPLES = int(os.environ.get("CASEWORK_FUZZ_EXAMPLES", "400"))
# Runs are the same every time; set a seed to explore other examples (and to reproduce one).
SEED = int(os.environ["CASEWORK_FUZZ_SEED"]) if os.environ.get("CASEWORK_FUZZ_SEED") else None
# One of each role and each agency or set of reviews; the second board manager sees what the first does.
WALKED_USERS = [user for user in DEMO_USERS if user.email != "manager2@northshire.example"]
# Distinct URLs walked per route and user, besides the seeds of _extend_demo (the pages of records
# in the rarer states, opened first whatever the count): with them, 2 meets every form, field,
# option and page route that 4 met before they were added (610 pages walked instead of 930).
URLS_PER_ROUTE = 2

# Routes the walk cannot reach from a page, and why; each is covered by its own tests.
UNREACHED = {
    "static": "vendored assets, no forms",
    "static_any_version": "vendored assets under another version, no forms",
    "reviews.review_assignment_withdraw": "no page shows its form",
    "reviews.review_checked_by_hand": "needs a scanned final version; tests/reviews/test_publishing.py",
    "reviews.accuracy_comment_add": "every demo answer is signed off; tests/reviews/test_drafts.py",
    "reviews.accuracy_sign_off": "every demo answer is signed off; tests/reviews/test_drafts.py",
    "auth.keep_alive": "posted by the timeout warning's script, not a form; tests/auth/test_sessions.py",
    "auth.end_one_session": "the walk signs each person in once: no other device to sign out; "
    "tests/auth/test_device_sessions.py",
    "auth.end_other_sessions": "the walk signs each person in once: no other device to sign out; "
    "tests/auth/test_device_sessions.py",
    "auth.passkey_registration_options": "JSON the passkey script asks for; tests/auth/test_passkeys.py",
    "auth.passkey_sign_in_options": "JSON the passkey script asks for; tests/auth/test_passkeys.py",
    "auth.passkey_second_step_options": "JSON the passkey script asks for; tests/auth/test_passkeys.py",
    "auth.sign_in_code_passkey": "offered only to someone with a passkey; tests/auth/test_passkeys.py",
    "auth.passkey_remove": "no demo user has a passkey (a device makes it); tests/auth/test_passkeys.py",
    "actions.export_in_background": (
        "offered for exports above CASEWORK_EXPORT_INLINE_ROWS, more actions than the demo holds; "
        "tests/actions/test_tracker_exports.py"
    ),
}

HUGE = "9" * 30
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    HUGE,
    "-" + HUGE,
    "-1",
    "0",
    "2147483648",
    "9223372036854775808",
    "18446744073709551616",
    "1e400",
    "NaN",
    "not-a-real-value",
    "\u202egnp.exe",
    "\ufeff\u200b",
    "Ω≈ç√∫ 😀 \U0001d518",
    "e\u0301" * 50,
    "\r\n\t\x0b\x1f\x7f",
    "<script>alert(1)</script>",
    "'; DROP TABLE reviews; --",
    '=HYPERLINK("http://x")',
    "x" * 5000,
    "2026-02-30",
    "31",
    "13",
]


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, textarea, hidden, select, checkbox, radio, file, password...
    options: tuple[str, ...] = ()
    value: str = ""


@dataclass(frozen=True)
class Form:
    email: str
    page: str
    action: str
    endpoint: str
    fields: tuple[Field, ...]


@dataclass
class World:
    forms: list[Form] = field(default_factory=list)
    searches: list[Form] = field(default_factory=list)  # forms sent by GET
    pages: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # email -> (endpoint, url)
    cookies: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    reached: set[str] = field(default_factory=set)


# --- the walk ------------------------------------------------------------------------------


def _endpoint(app: Flask, url: str, method: str) -> tuple[str, dict[str, object]] | None:
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(url).path, method=method)  # type: ignore[return-value]
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return None


def _fields(form: lxml.html.HtmlElement) -> tuple[Field, ...]:
    found: dict[str, Field] = {}
    for element in form.iter("input", "select", "textarea"):
        name = element.get("name")
        if not name or name == "csrf_token":
            continue
        if element.tag == "select":
            options = tuple(option.get("value", option.text or "") for option in element.iter("option"))
            found[name] = Field(name, "select", options, options[0] if options else "")
        elif element.tag == "textarea":
            found[name] = Field(name, "textarea", (), element.text or "")
        else:
            kind = (element.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset"}:
                continue
            value = element.get("value", "")
            if kind in {"checkbox", "radio"}:
                earlier = found.get(name)
                options = (earlier.options if earlier else ()) + (value,)
                found[name] = Field(name, kind, options, options[0])
            else:
                found[name] = Field(name, kind, (), value)
    return tuple(found.values())


def _walk(
    app: Flask, client: FlaskClient, email: str, world: World, starts: list[str], seeds: list[str]
) -> None:
    """Open the seeds (pages of records in the states a few pages per route would not meet),
    follow the links this user sees, then open every route they may use with each record id met
    on the way (so a step that is not linked in a record's current state is tried too)."""
    queue = list(seeds) + list(starts)
    seeded = set(seeds)
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    arguments: dict[str, set[object]] = {}

    def visit(url: str) -> None:
        match = _endpoint(app, url, "GET")
        if match is None:
            return
        endpoint, values = match
        if per_route.get(endpoint, 0) >= URLS_PER_ROUTE and url not in seeded:
            return
        per_route[endpoint] = per_route.get(endpoint, 0) + 1
        for name, value in values.items():
            arguments.setdefault(name, set()).add(value)
        response = client.get(url)
        assert response.status_code < 500, f"{email}: GET {url} answered {response.status_code}"
        world.reached.add(endpoint)
        world.pages.setdefault(email, []).append((endpoint, url))
        if response.status_code in (301, 302, 303):
            queue.append(urljoin(url, response.headers["Location"]))
            return
        if response.status_code != 200 or response.mimetype != "text/html":
            return
        page = lxml.html.fromstring(response.get_data(as_text=True))
        for href in page.xpath("//a/@href"):
            target = urljoin(url, href).split("#")[0]
            if target.startswith("/") and not target.startswith(("/static/", "//")):
                queue.append(target)
        for form in page.iter("form"):
            method = (form.get("method") or "get").upper()
            action = urljoin(url, form.get("action") or url).split("?")[0]
            if method == "GET":  # filters and searches: their fields become the query string
                found = _endpoint(app, action, "GET")
                if found is not None:
                    world.searches.append(Form(email, url, action, found[0], _fields(form)))
                continue
            found = _endpoint(app, action, "POST")
            if found is None:
                continue
            for name, value in found[1].items():
                arguments.setdefault(name, set()).add(value)
            world.reached.add(found[0])
            world.forms.append(Form(email, url, action, found[0], _fields(form)))

    def drain() -> None:
        while queue:
            url = queue.pop(0)
            if url not in seen:
                seen.add(url)
                visit(url)

    drain()
    per_route.clear()
    queue.extend(_every_instance(app, email, arguments))
    drain()


def _every_instance(app: Flask, email: str, arguments: dict[str, set[object]]) -> list[str]:
    """Each GET route with arguments this user may open, once per value met for its first argument."""
    urls = []
    with app.test_request_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
            policy = policy_of(rule.endpoint)
            if not rule.arguments or "GET" not in (rule.methods or ()) or policy is None:
                continue
            if policy.kind != "public" and (
                user is None or (policy.kind == "roles" and user.role not in policy.roles)
            ):
                continue
            names = sorted(rule.arguments)
            if any(not arguments.get(name) for name in names):
                continue
            first = {name: sorted(arguments[name], key=str)[0] for name in names}
            for value in sorted(arguments[names[0]], key=str)[:URLS_PER_ROUTE]:
                urls.append(rule.build({**first, names[0]: value}, append_unknown=False)[1])
    return urls


def _demo_user(email: str) -> User:
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one()


def _extend_demo() -> dict[str, list[str]]:
    """States the demo does not hold, so every form has a page: built through the services.
    Returns, per user ("" for a visitor not signed in), the pages of records in a state whose
    forms a walk of a few pages per route might not meet."""
    manager = _demo_user("manager@northshire.example")
    police_lead = _demo_user("police.lead@northshire.example")
    inactive = make_user(Role.AGENCY_LEAD, active=False)
    locked = make_user(Role.BOARD_MANAGER)
    for _ in range(current_app.config["SIGN_IN_MAX_FAILURES"]):
        authenticate(locked.email, "not the password", source="127.0.0.9")
    closed = make_agency("Closed Youth Service")
    deactivate_agency(closed)
    add_closure_day(working_calendar().add_working_days(uk_today(), 30), "Staff training day")
    commissioning = make_review(stage=ReviewStage.COMMISSIONING, by=manager)  # its clocks run
    waiting = make_review(stage=ReviewStage.AWAITING_REVIEWER, by=manager)
    reviewer = _demo_user("reviewer2@northshire.example")
    assign_reviewer(waiting, reviewer, AssignmentRole.CO_REVIEWER, manager)
    child_d = db.session.execute(db.select(Review).where(Review.pseudonym == "Child D")).scalar_one()
    police = police_lead.agency
    assert police is not None
    request = request_contributions(
        child_d,
        [police],
        ContributionKind.CHRONOLOGY,
        "More of your contact.",
        default_due_date(child_d),
        manager,
    )[0]
    add_chronology_entry(
        request, ChronologyRow(uk_today() - timedelta(days=90), None, "PC", "Visit", "Low"), police_lead
    )
    action = (
        db.session.execute(
            db.select(Action)
            .where(Action.review_id == child_d.id, Action.status != ActionStatus.VERIFIED)
            .order_by(Action.id)
        )
        .scalars()
        .first()
    )
    assert action is not None
    request_deadline_change(action, action.deadline + timedelta(days=60), "The provider changed.", manager)
    # The latest draft shared with the police, whose lead comments: the reviewer's answer form shows.
    latest = drafts.versions_of(child_d)[-1]
    check = drafts.share_for_accuracy(latest, [police], default_due_date(child_d), manager)
    drafts.add_accuracy_comment(check.answers[0], "Page 4", "The meeting was on the 3rd.", police_lead)
    drafts.sign_off_answer(check.answers[0], False, police_lead)
    # ...and a newer version not shared yet, so the share form shows too.
    lead = _demo_user("reviewer2@northshire.example")
    drafts.upload_draft(
        child_d, demo_report("child-d-v3.docx", "A third version."), "Third draft", lead, None
    )
    # A message that failed: Sent mail links to its page, which shows the "Send again" form.
    queue_mail(manager, "request", "request:fuzz", "A request", "Text.", "<p>HTML.</p>")
    db.session.execute(db.update(OutboxMessage).values(status=MailStatus.FAILED, last_error="550 No mailbox"))
    newcomer = make_user(Role.BOARD_MANAGER, password=None)
    token = issue_set_password_link(newcomer)
    db.session.commit()
    completed = db.session.execute(
        db.select(Action.id).where(Action.status == ActionStatus.COMPLETED).order_by(Action.id)
    ).scalar()
    published = db.session.execute(
        db.select(Review.id).where(Review.published_on.is_not(None)).order_by(Review.id)
    ).scalar()
    unconfirmed = db.session.execute(db.select(Review.id).where(Review.pseudonym == "Adult G")).scalar_one()
    # Its pause form offers the agencies asked for contributions as the cause.
    commissioned = db.session.execute(db.select(Review.id).where(Review.pseudonym == "Child E")).scalar_one()
    # The partnership's own open action: the board manager reports its progress.
    partnership_action = db.session.execute(
        db.select(Action.id)
        .where(Action.agency_id.is_(None), Action.status != ActionStatus.VERIFIED)
        .order_by(Action.id)
    ).scalar()
    paused = db.session.execute(
        db.select(ReviewPause.review_id).where(ReviewPause.ended_on.is_(None)).order_by(ReviewPause.id)
    ).scalar()
    in_quality_assurance = db.session.execute(
        db.select(Review.id).where(Review.pseudonym == DHR_PSEUDONYM)
    ).scalar()
    # A recommendation of Child D with its measure set: the form to record a re-measure shows.
    measured = db.session.execute(
        db.select(Recommendation.id)
        .join(RecommendationOutcome)
        .where(Recommendation.review_id == child_d.id, RecommendationOutcome.measure.is_not(None))
        .order_by(Recommendation.id)
    ).scalar()
    # Child D's request submitted and waiting for the board manager to accept or return it.
    submitted = db.session.execute(
        db.select(ContributionRequest.id)
        .where(
            ContributionRequest.review_id == child_d.id, ContributionRequest.status == RequestStatus.SUBMITTED
        )
        .order_by(ContributionRequest.id)
    ).scalar()
    # All its actions verified: the review page offers to close the action plan.
    closing = db.session.execute(db.select(Review.id).where(Review.pseudonym == "Child K")).scalar_one()
    admin = _demo_user("admin@northshire.example")
    # The DHR's notice sent to the Home Office: the forms for its comments and the response.
    sent_notice = db.session.execute(
        db.select(ReviewNotice.id)
        .where(ReviewNotice.review_id == in_quality_assurance, ReviewNotice.sent_on.is_not(None))
        .order_by(ReviewNotice.id)
    ).scalar()
    audit = db.session.execute(
        db.select(PracticeAudit.id).where(PracticeAudit.review_id == closing).order_by(PracticeAudit.id)
    ).scalar()
    # The demo's background job (an export): its progress page.
    job = db.session.execute(db.select(BackgroundJob.id).order_by(BackgroundJob.id)).scalar()
    assert (
        completed
        and published
        and paused
        and in_quality_assurance
        and partnership_action
        and job
        and measured
        and submitted
        and sent_notice
        and audit
    ), "the demo no longer holds one of the states walked"
    return {
        "": [f"/set-password/{token}"],
        "admin@northshire.example": [
            f"/admin/users/{inactive.id}",
            f"/admin/users/{locked.id}",
            f"/admin/users/{manager.id}",
            f"/admin/users/{admin.id}",  # their own sessions: the form to end the others
        ],
        "manager@northshire.example": [
            # Child D is in drafting with every part of a review started: its pages come first,
            # before other reviews use up a route's pages.
            f"/reviews/{child_d.id}",
            f"/reviews/{child_d.id}/decision",
            f"/reviews/{child_d.id}/publication",
            f"/reviews/{child_d.id}/dissemination",
            f"/reviews/{unconfirmed}",
            f"/reviews/{unconfirmed}/publication",
            f"/reviews/{unconfirmed}/dissemination",
            # Child K's learning: the briefing sent, an audit of practice, recommendations to confirm.
            f"/reviews/{closing}",
            f"/reviews/{closing}/briefing",
            f"/reviews/{closing}/dissemination",
            f"/reviews/{closing}/dissemination/audits/{audit}",
            f"/reviews/{closing}/action-plan",
            f"/reviews/{commissioning.id}/decision",
            f"/reviews/{commissioning.id}/scope/add",
            f"/reviews/{paused}/processes",
            f"/reviews/{in_quality_assurance}/notices/{sent_notice}",
            f"/agencies/requests/{submitted}",
            f"/agencies/{closed.id}",
            f"/actions/{action.id}",
            f"/actions/{completed}",
            f"/actions/{partnership_action}",
            f"/reviews/{published}/publication",
            f"/reviews/{unconfirmed}/action-plan",
            f"/reviews/{unconfirmed}/decision",
            f"/reviews/{unconfirmed}/decision/reconsider",
            f"/reviews/{commissioned}/pause",
            f"/reviews/{paused}",
            f"/reviews/{commissioning.id}",
            f"/reviews/{in_quality_assurance}/notices",
            f"/jobs/{job}",
            f"/reviews/{child_d.id}/recommendations/{measured}/outcome",
        ],
        # Child D's lead reviewer: the chronology's key notes and the monitoring responses.
        "reviewer2@northshire.example": [
            f"/reviews/{child_d.id}/chronology",
            f"/reviews/{child_d.id}/monitoring",
            f"/reviews/{in_quality_assurance}/action-plan",
        ],
        # Adult G's lead reviewer: its chronology's key notes.
        "reviewer@northshire.example": [f"/reviews/{unconfirmed}/chronology"],
    }


def _start_pages(app: Flask, email: str) -> list[str]:
    """Every route without arguments that this user (or a visitor) may open."""
    with app.test_request_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()
        starts = ["/"]
        for rule in app.url_map.iter_rules():
            policy = policy_of(rule.endpoint)
            if rule.arguments or "GET" not in (rule.methods or ()) or policy is None:
                continue
            if policy.kind == "public" or (
                user is not None and (policy.kind == "signed_in" or user.role in policy.roles)
            ):
                starts.append(rule.rule)
    return starts


def _signed_cookie(client: FlaskClient) -> str:
    cookie = session_cookie(client)
    assert cookie is not None, "the walk left no session"
    return cookie


def build_world(app: Flask) -> World:
    with app.app_context():
        load_demo(app)
        seeds = _extend_demo()
    world = World()
    for user in WALKED_USERS:
        client = app.test_client()
        second_step(app, client, sign_in(client, user.email, user.password))
        _walk(app, client, user.email, world, _start_pages(app, user.email), seeds.get(user.email, []))
        world.tokens[user.email] = csrf_token(client, "/account")
        world.cookies[user.email] = _signed_cookie(client)
    anonymous = app.test_client()
    _walk(app, anonymous, "", world, _start_pages(app, ""), seeds[""])
    world.tokens[""] = csrf_token(anonymous, "/sign-in")
    world.cookies[""] = _signed_cookie(anonymous)
    page = lxml.html.fromstring(anonymous.get("/sign-in").get_data(as_text=True))
    for form in page.iter("form"):
        world.forms.append(Form("", "/sign-in", "/sign-in", "auth.sign_in", _fields(form)))
    world.reached.add("auth.sign_in")
    return world


# --- one transaction per example ------------------------------------------------------------


@pytest.fixture
def world_in_transaction(app: Flask) -> Iterator[tuple[World, Connection]]:
    """The demo world, committed; then the app's session bound to one connection whose outer
    transaction the test rolls back after every example (the app's commits become savepoints)."""
    world = build_world(app)
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    if engine.dialect.name == "sqlite":
        # pysqlite would otherwise commit when the first savepoint is released.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_connection, record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection):  # type: ignore[no-untyped-def]
            connection.exec_driver_sql("BEGIN")

    connection = engine.connect()
    original = db.session
    with app.app_context():
        db.session.remove()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    db.session = scoped_session(factory, scopefunc=_app_ctx_id)
    try:
        yield world, connection
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original
        if connection.in_transaction():
            connection.rollback()
        connection.close()
        engine.dispose()


def snapshot(connection: Connection) -> dict[str, str]:
    """A digest of every row of every table but the browsers' sessions (a refusal's message is
    kept in the browser's session until the next page shows it)."""
    digests = {}
    for name, query in _every_row():
        # Raw rows, as stored: nothing to decode (sealed columns need the app to open them). As
        # plain tuples: a row's own repr shortens long values, a tuple's shows every character.
        rows = [tuple(row) for row in connection.exec_driver_sql(query)]
        digests[name] = hashlib.sha256(repr(rows).encode()).hexdigest() + f" ({len(rows)} rows)"
    return digests


@functools.cache
def _every_row() -> tuple[tuple[str, str], ...]:
    """Each table but the sessions', with the query that reads all its rows in key order."""
    queries = []
    for table in db.metadata.sorted_tables:
        if table.name == "web_sessions":
            continue
        order = ", ".join(f'"{column.name}"' for column in table.primary_key.columns)
        queries.append((table.name, f'SELECT * FROM "{table.name}" ORDER BY {order}'))
    return tuple(queries)


def write_mark(connection: Connection) -> int:
    """Where the connection's count of written rows stands (SQLite counts every row changed on
    the connection since it opened; PostgreSQL needs no mark, see below)."""
    if connection.dialect.name == "postgresql":
        return 0
    return connection.execute(text("SELECT total_changes()")).scalar_one()


def wrote_since(connection: Connection, mark: int) -> bool:
    """Whether the open transaction has written a row since the mark, even one later undone: when
    it has not, no table can differ from the snapshot taken before, and reading every row again
    is skipped."""
    if connection.dialect.name == "postgresql":
        # A transaction is given an id by its first write (in a savepoint too), never by a read.
        return connection.execute(text("SELECT txid_current_if_assigned()")).scalar() is not None
    return write_mark(connection) != mark


# --- what is sent ---------------------------------------------------------------------------

MISSING = object()
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def _value(data: st.DataObject, spec: Field) -> object:
    valid = st.sampled_from(spec.options) if spec.options else st.just(spec.value)
    if spec.kind == "file":
        name = data.draw(
            st.sampled_from(["notes.txt", "a\x00b.pdf", "x" * 300 + ".pdf", "", "../../etc/passwd"])
        )
        body = data.draw(st.sampled_from([b"", b"plain words\n", b"%PDF-1.4\n%%EOF\n", b"\x00" * 64]))
        return (io.BytesIO(body), name)
    choice = data.draw(
        st.sampled_from(["valid", "valid", "hostile", "hostile", "missing", "list"]), label=spec.name
    )
    if choice == "missing":
        return MISSING
    if choice == "valid":
        return data.draw(valid)
    if choice == "list":
        return data.draw(st.lists(st.one_of(valid, hostile_text), min_size=2, max_size=3))
    return data.draw(hostile_text)


def _form_data(data: st.DataObject, form: Form, token: str) -> dict[str, object]:
    sent: dict[str, object] = {"csrf_token": token}
    for spec in form.fields:
        value = _value(data, spec)
        if value is not MISSING:
            sent[spec.name] = value
    if data.draw(st.booleans(), label="unknown field"):
        sent[data.draw(st.sampled_from(["id", "review_id", "stage", "\x00"]))] = data.draw(hostile_text)
    return sent


URL_VALUES = [
    HUGE,
    "-1",
    "0",
    "9223372036854775808",
    "%00",
    "a%00",
    "x" * 300,
    "not-a-real-value",
    "\uff19",
    "\u00b2",
]


def _hostile_url(data: st.DataObject, url: str) -> str:
    """The same page with a path segment or a query parameter made hostile."""
    path, _, query = url.partition("?")
    segments = path.split("/")
    if data.draw(st.booleans(), label="in the path") and len(segments) > 2:
        index = data.draw(st.integers(min_value=1, max_value=len(segments) - 1))
        segments[index] = data.draw(st.sampled_from(URL_VALUES))
        return "/".join(segments) + (f"?{query}" if query else "")
    names = ["page", "q", "stage", "type", "due", "status", "rag", "agency", "owner", "review", "from", "to"]
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    values = st.one_of(st.sampled_from(URL_VALUES).map(lambda v: v.replace("%00", "\x00")), hostile_text)
    return f"{path}?{urlencode({name: data.draw(values) for name in chosen})}"


def _refused(app: Flask, client: FlaskClient, response) -> bool:  # type: ignore[no-untyped-def]
    if response.status_code >= 400:
        return True
    if response.status_code == 200 and b"govuk-error-summary" in response.data:
        return True
    with client.session_transaction() as session:
        return any(category == "error" for category, _ in session.get("_flashes", []))


FORMS_PER_ROUTE = 4


def _by_endpoint(found: list[Form]) -> dict[str, list[Form]]:
    """Each route's distinct forms (the sign-out button on every page is one form), a few per
    user: drawing the route first gives every route the same share of the examples."""
    chosen: dict[str, list[Form]] = {}
    seen: set[tuple[object, ...]] = set()
    per_user: Counter[tuple[str, str]] = Counter()
    for form in sorted(found, key=lambda form: (form.endpoint, form.email, form.action)):
        shape = (form.endpoint, form.email, form.action, tuple(spec.name for spec in form.fields))
        if shape in seen or per_user[form.endpoint, form.email] >= FORMS_PER_ROUTE:
            continue
        seen.add(shape)
        per_user[form.endpoint, form.email] += 1
        chosen.setdefault(form.endpoint, []).append(form)
    return chosen


def _one_of(forms: dict[str, list[Form]]) -> Callable[[str], st.SearchStrategy[Form]]:
    return lambda endpoint: st.sampled_from(forms[endpoint])


# Sent in every field of every form once, before the generated examples.
EVERY_FIELD: list[object] = [HUGE, " ", ["-1", "x" * 300]]


# Refused sign-ins, passkeys included, are recorded by design (the audit log and the lockout
# counter). The publication page shows the report's identifier findings again with a refused
# form, and every display of them is recorded.
RECORDS_REFUSALS = {"auth.sign_in", "auth.sign_in_passkey", "reviews.review_publication"}


def test_no_hostile_request_gets_a_5xx_and_refusals_change_nothing(
    app: Flask, world_in_transaction: tuple[World, Connection]
) -> None:
    world, connection = world_in_transaction
    unreached = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint not in world.reached
    } - set(UNREACHED)
    assert not unreached, f"the walk reached no page or form for: {sorted(unreached)}"
    now_reached = world.reached & set(UNREACHED)
    assert not now_reached, f"reached now, take them off UNREACHED: {sorted(now_reached)}"
    forms = _by_endpoint(world.forms)
    searches = _by_endpoint(world.searches)
    pages = sorted((email, endpoint, url) for email, found in world.pages.items() for endpoint, url in found)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    connection.begin()
    before = snapshot(connection)
    # The harness sees what a request changes, and the rollback undoes it.
    manager = app.test_client()
    manager.set_cookie(cookie_name, world.cookies["manager@northshire.example"])
    token = world.tokens["manager@northshire.example"]
    mark = write_mark(connection)
    theme = {"csrf_token": token, "name": "Harness check theme", "review_types": "1"}  # 1: the seeded CSPR
    added = manager.post("/actions/themes", data=theme)
    assert added.status_code == 302, added.get_data(as_text=True)[:500]
    assert wrote_since(connection, mark)
    assert snapshot(connection)["themes"] != before["themes"]
    with app.app_context():
        db.session.remove()
    connection.rollback()
    connection.begin()
    assert snapshot(connection) == before
    assert not wrote_since(connection, write_mark(connection)), "reading counted as writing"
    connection.rollback()

    def check(email: str, endpoint: str, what: str, send: Callable[[FlaskClient], TestResponse]) -> None:
        """Send one request in a transaction of its own: no 5xx; a refusal changes no table."""
        connection.begin()
        mark = write_mark(connection)
        try:
            client = app.test_client()
            client.set_cookie(cookie_name, world.cookies[email])
            response = send(client)
            assert response.status_code < 500, f"{email or 'anonymous'}: {what} -> {response.status_code}"
            # Whether anything was written is read first: it is one query, where reading the
            # session for a refusal's message loads it and saves it back.
            if (
                endpoint not in RECORDS_REFUSALS
                and wrote_since(connection, mark)
                and _refused(app, client, response)
            ):
                after = snapshot(connection)
                changed = {name for name in before if before[name] != after[name]}
                assert not changed, (
                    f"{email}: {what} was refused ({response.status_code}) but changed {changed}"
                )
        finally:
            with app.app_context():
                db.session.remove()
            connection.rollback()

    # First every route's form once with the same hostile value in every field, so each is tried
    # whatever the examples below happen to draw.
    for endpoint, found in sorted(forms.items()):
        form = found[0]
        for value in EVERY_FIELD:
            sent = {spec.name: value for spec in form.fields if spec.kind != "file"}
            sent["csrf_token"] = world.tokens[form.email]
            check(
                form.email,
                endpoint,
                f"POST {form.action} {sent!r:.300}",
                lambda client, form=form, sent=sent: client.post(form.action, data=sent),
            )

    @settings(
        max_examples=EXAMPLES,
        derandomize=SEED is None,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @seed(SEED)
    @given(st.data())
    def hostile_request(data: st.DataObject) -> None:
        kind = data.draw(st.integers(min_value=0, max_value=5), label="kind")
        if kind == 1 and searches:
            form = data.draw(st.sampled_from(sorted(searches)).flatmap(_one_of(searches)), label="search")
            query = {
                name: value
                for name, value in _form_data(data, form, "").items()
                if name != "csrf_token" and not isinstance(value, tuple)
            }
            check(
                form.email,
                form.endpoint,
                f"GET {form.action} {query!r:.600}",
                lambda client: client.get(form.action, query_string=query),
            )
        elif kind > 1:
            form = data.draw(st.sampled_from(sorted(forms)).flatmap(_one_of(forms)), label="form")
            sent = _form_data(data, form, world.tokens[form.email])
            check(
                form.email,
                form.endpoint,
                f"POST {form.action} {sent!r:.600}",
                lambda client: client.post(form.action, data=sent),
            )
        else:
            email, endpoint, url = data.draw(st.sampled_from(pages), label="page")
            url = _hostile_url(data, url)
            check(email, endpoint, f"GET {url!r:.300}", lambda client: client.get(url))

    hostile_request()
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1
