"""Every route declared with ``@loads(Model, may=...)`` answers as the record's own rule says.

In a small world with one record of each kind and one person in each role, for every such route,
method and person: 404 when the person may neither view the record nor do the route's ability
with it, 403 when they may view it but ``record.can_<ability>(user)`` is false, and neither
otherwise (404 only when the route has
another id argument whose sample does not match). The routes are found by walking the URL map,
so a route converted later is covered as soon as it exists; a model without a sample fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from casework.actions import services as actions
from casework.actions.models import (
    Action,
    ActionStatus,
    DeadlineChangeRequest,
    ProgressUpdate,
    Recommendation,
)
from casework.agencies.chronology_jobs import CHRONOLOGY_IMPORT
from casework.agencies.contributions import ChronologyEntry, ContributionRequest
from casework.agencies.models import Agency, AgencyType
from casework.auth.access import AccessPolicy, policy_of
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.documents.models import Document
from casework.jobs import services as background
from casework.jobs.models import BackgroundJob
from casework.reviews.appointments import services as appointments
from casework.reviews.drafts import services as drafts
from casework.reviews.learning import dissemination
from casework.reviews.learning import services as learning
from casework.reviews.learning.models import BriefingRecipient
from casework.reviews.models import (
    AccuracyAnswer,
    Affiliation,
    AssignmentRole,
    DraftVersion,
    Review,
    ReviewerAssignment,
)
from casework.reviews.stages import ReviewStage
from tests.support.files import PDF, upload
from tests.support.http import client_as, csrf_token
from tests.support.people import make_cast
from tests.support.readonly import built_once
from tests.support.records import make_action, make_recommendation, make_request
from tests.support.reviews import make_review

AGENCIES = {"X": ("Northshire Police", AgencyType.POLICE), "Y": ("Riverside NHS Trust", AgencyType.NHS_TRUST)}
PEOPLE = ("board_manager", "R1", "R2", "R3", "admin", "LX", "LY")
REFUSALS = (403, 404)


@dataclass(frozen=True)
class World:
    """Ids of the people and of one record of each kind, all about one review in drafting:
    R1 leads it, R2 is proposed and has not answered, X and Y are in its scope; X has a request
    with an entry and a document (and an import job LX started), and an action with a progress
    update and a deadline change."""

    people: dict[str, int]
    records: dict[type, int]  # the sample of each model a route may load
    arguments: dict[str, tuple[type, int]]  # other id arguments of a URL, by name


# The record of each kind that stands for its model; a model @loads names must be here.
SAMPLE_MODELS = (
    Review,
    ContributionRequest,
    ChronologyEntry,
    Action,
    ProgressUpdate,
    Recommendation,
    DraftVersion,
    ReviewerAssignment,
    Agency,
    AccuracyAnswer,
    Affiliation,
    BriefingRecipient,
    BackgroundJob,
)
INTEGER_CONVERTERS = {"IntegerConverter", "IdConverter"}


def build_world(app: Flask) -> World:
    with app.app_context():
        cast = make_cast(AGENCIES)
        manager, x, y = cast.user("board_manager"), cast.agency("X"), cast.agency("Y")
        review = make_review(
            "CSPR", ReviewStage.DRAFTING, by=manager, agencies=[x, y], reviewer=cast.user("R1")
        )
        review = db.session.get(Review, review.id)
        proposed = appointments.assign_reviewer(
            review, cast.user("R2"), AssignmentRole.CO_REVIEWER, manager, version=review.version
        )
        db.session.commit()
        request = make_request(review, x, manager, entries=("Home visit recorded",), document="report.pdf")
        recommendation = make_recommendation(review, manager, agencies=[x])
        action = make_action(recommendation, manager, agency=x, owner=cast.user("LX"))
        lead = cast.user("LX")
        update = actions.add_progress(
            action, ActionStatus.ON_TRACK, "Started.", [upload(PDF, "evidence.pdf")], lead, None
        )
        change = actions.request_deadline_change(action, uk_today() + timedelta(days=90), "More time.", lead)
        db.session.commit()
        draft = db.session.execute(
            db.select(DraftVersion).where(DraftVersion.review_id == review.id)
        ).scalar_one()
        answer = drafts.share_for_accuracy(draft, [x], uk_today() + timedelta(days=10), manager).answers[0]
        link = appointments.add_affiliation(
            cast.user("R3"), y, uk_today() - timedelta(days=400), None, "Nurse"
        )
        briefing = learning.draft_from_review(review, manager)
        learning.approve_briefing(briefing, manager, None)
        [recipient] = dissemination.send_briefing(review, [x], uk_today(), manager)
        job = background.start_job(CHRONOLOGY_IMPORT, by=lead, total=1, review_id=review.id, subject=request)
        db.session.info.pop(background.JOBS_STARTED)  # a job to look at, not to run
        db.session.commit()
        arguments = {
            "review_id": (Review, review.id),
            "request_id": (ContributionRequest, request.id),
            "entry_id": (ChronologyEntry, request.entries[0].id),
            "action_id": (Action, action.id),
            "update_id": (ProgressUpdate, update.id),
            "change_id": (DeadlineChangeRequest, change.id),
            "recommendation_id": (Recommendation, recommendation.id),
            "version_id": (DraftVersion, draft.id),
            "draft_id": (DraftVersion, draft.id),
            "assignment_id": (ReviewerAssignment, proposed.id),
            "agency_id": (Agency, x.id),
            "document_id": (Document, request.documents[0].id),
            "answer_id": (AccuracyAnswer, answer.id),
            "affiliation_id": (Affiliation, link.id),
            "briefing_recipient_id": (BriefingRecipient, recipient.id),
        }
        # the sample of each model is the record its URL argument names; the job is named by none
        records: dict[type, int] = {m: record_id for m, record_id in arguments.values() if m in SAMPLE_MODELS}
        records[BackgroundJob] = job.id
        assert set(records) == set(SAMPLE_MODELS), set(SAMPLE_MODELS) - set(records)
        return World(dict(cast.user_ids), records, arguments)


# --- the routes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    rule: Rule
    policy: AccessPolicy

    @property
    def methods(self) -> list[str]:
        return sorted((self.rule.methods or set()) - {"HEAD", "OPTIONS"})

    def url(self, world: World) -> str:
        values: dict[str, Any] = {}
        for name, converter in self.rule._converters.items():
            if name == self.policy.argument:
                values[name] = world.records[self.policy.model]  # type: ignore[index]
            elif type(converter).__name__ == "AnyConverter":
                values[name] = sorted(converter.items)[0]  # type: ignore[attr-defined]
            elif name in world.arguments:
                values[name] = world.arguments[name][1]
            else:
                values[name] = 1 if type(converter).__name__ in INTEGER_CONVERTERS else "sample"
        return self.rule.build(values, append_unknown=False)[1]

    def may_miss(self, app: Flask, world: World) -> bool:
        """Another id argument the world has no matching sample for (or whose sample is gone):
        a 404 then says nothing about the rule."""
        for name, converter in self.rule._converters.items():
            if name == self.policy.argument or type(converter).__name__ not in INTEGER_CONVERTERS:
                continue
            if name not in world.arguments:
                return True
            model, record_id = world.arguments[name]
            with app.app_context():
                if db.session.get(model, record_id) is None:
                    return True
        return False


def object_routes(app: Flask) -> list[Route]:
    with app.test_request_context():
        found = [(rule, policy_of(rule.endpoint)) for rule in app.url_map.iter_rules()]
    routes = [Route(rule, policy) for rule, policy in found if policy is not None and policy.kind == "object"]
    return sorted(routes, key=lambda route: (route.rule.endpoint, route.rule.rule))


def expected(app: Flask, world: World, route: Route, person: str) -> int | None:
    """404 or 403 as the record's rule says, or None: the rule lets the person through."""
    model = route.policy.model
    with app.app_context():
        user = db.session.get(User, world.people[person])
        record = db.session.get(model, world.records[model])  # type: ignore[arg-type,index]
        allowed = record is not None and getattr(record, "can_" + route.policy.ability)(user)
        # Someone allowed to act knows the record exists, even without its page.
        if record is None or not (allowed or record.can_view(user)):
            return 404
        return None if allowed else 403


@dataclass
class Clients:
    app: Flask
    world: World
    signed_in: dict[str, FlaskClient]
    tokens: dict[str, str]

    def call(self, person: str, method: str, url: str) -> int:
        client = self.signed_in[person]
        if method == "GET":
            return client.get(url).status_code
        return client.open(url, method=method, data={"csrf_token": self.tokens[person]}).status_code


def clients_for(app: Flask, world: World) -> Clients:
    signed_in = {person: client_as(app, world.people[person]) for person in PEOPLE}
    tokens = {person: csrf_token(client, "/account") for person, client in signed_in.items()}
    return Clients(app, world, signed_in, tokens)


def check(clients: Clients, route: Route, method: str, person: str, want: int | None) -> str | None:
    """What went wrong, or None."""
    url = route.url(clients.world)
    status = clients.call(person, method, url)
    what = f"{method} {url} as {person} ({route.policy.describe()})"
    if want is not None:
        return None if status == want else f"{what}: {status}, the rule says {want}"
    allowed_misses = (404,) if route.may_miss(clients.app, clients.world) else ()
    if status in REFUSALS and status not in allowed_misses:
        return f"{what}: refused with {status}, though the rule allows it"
    return None


@contextmanager
def _uploads(app: Flask, folder: Path) -> Iterator[None]:
    before = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = folder
    try:
        yield
    finally:
        app.config["UPLOAD_FOLDER"] = before


# --- the tests --------------------------------------------------------------------------------


def test_every_model_a_route_loads_has_a_sample(app: Flask) -> None:
    routes = object_routes(app)
    assert routes, "no route declares @loads"
    missing = sorted(
        {route.policy.model.__name__ for route in routes if route.policy.model not in SAMPLE_MODELS}
    )  # type: ignore[union-attr]
    assert missing == [], f"add a sample of these models to the world: {missing}"


@pytest.fixture(scope="class")
def shared_world(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Built once: the refusals and the GETs change nothing (views add audit rows)."""
    uploads = _uploads(app, tmp_path_factory.mktemp("uploads"))
    with uploads, built_once(app, lambda: build_world(app), may_add_to={"audit_events"}) as world:
        yield world


@pytest.mark.read_only
class TestRefusalsAndPages:
    def test_refusals_and_pages_follow_the_records_rules(self, app: Flask, shared_world: World) -> None:
        clients = clients_for(app, shared_world)
        problems, checked = [], 0
        for route in object_routes(app):
            for method in route.methods:
                for person in PEOPLE:
                    want = expected(app, shared_world, route, person)
                    if want is None and method != "GET":
                        continue  # a POST the rule allows may change data: the next test sends it
                    problems.append(check(clients, route, method, person, want))
                    checked += 1
        assert [p for p in problems if p] == []
        assert checked >= 100  # the walk really reached the routes


def test_changes_the_rules_allow_are_not_refused(app: Flask, tmp_path: Path) -> None:
    """Each POST the rule allows reaches its form (a message, a redirect), never 403/404. The
    expectation is read again before each call, as earlier posts may have changed the world."""
    with _uploads(app, tmp_path):
        world = build_world(app)
        clients = clients_for(app, world)
        problems, checked = [], 0
        for route in object_routes(app):
            for method in (m for m in route.methods if m != "GET"):
                for person in PEOPLE:
                    want = expected(app, world, route, person)
                    if want is None:
                        problems.append(check(clients, route, method, person, want))
                        checked += 1
        assert [p for p in problems if p] == []
        assert checked >= 10
