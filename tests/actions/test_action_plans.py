"""Findings, recommendations and the action plan: the services, and the same steps over HTTP.

The world: agencies X (Northshire Police) and Y (Riverside NHS Trust), each with an agency lead
(``lead_x``, ``lead_y``); a board manager; ``reviewer``, the accepted lead reviewer of review A (a
CSPR with X and Y in scope), and ``outsider``, a reviewer on no review; review B, a SAR. A has
recommendation 1 (to the partnership and X, themed "Information sharing") with two actions: X's,
owned by X's lead, and the partnership's, owned by the board manager.

Every refusal is checked twice: the message the user reads, and that nothing changed.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from casework.actions import services
from casework.actions.models import (
    Action,
    ActionStatus,
    ChangeStatus,
    DeadlineChangeRequest,
    Finding,
    ProgressUpdate,
    Recommendation,
    Theme,
    UpdateKind,
)
from casework.actions.plan_views import plan_summary
from casework.actions.rag import Rag, is_overdue, rag_of, soon_limit
from casework.agencies.models import Agency, AgencyType
from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.documents.models import Document
from casework.documents.storage import stored_path
from casework.reviews.appointments import services as appointments
from casework.reviews.models import AssignmentRole, Review
from casework.reviews.stages import ReviewStage
from tests.conftest import client_as, make_agency, make_user, post_form
from tests.reviews.conftest import make_review
from tests.support.copies import replayed_in_context
from tests.support.demo import load_demo
from tests.support.files import PDF
from tests.support.readonly import built_once
from tests.support.reviews import review_type
from tests.support.rows import last_audit_event

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(50) + b"This program cannot be run"
X_NAME, Y_NAME = "Northshire Police", "Riverside NHS Trust"
X_ACTION = "Brief every response team on referring babies present at domestic abuse incidents."
PARTNERSHIP_ACTION = "Audit twenty multi-agency referrals for information shared within 24 hours."


# --- the world --------------------------------------------------------------------------------


@dataclass
class World:
    """The world's records, in the session of the app context that built them."""

    manager: User
    reviewer: User
    outsider: User
    lead_x: User
    lead_y: User
    x: Agency
    y: Agency
    review: Review
    other_review: Review
    recommendation: Recommendation
    action: Action
    partnership_action: Action


@dataclass(frozen=True)
class Ids:
    """The same world as ids and email addresses, for tests that make requests."""

    review: int
    other_review: int
    recommendation: int
    action: int
    partnership_action: int
    x: int
    y: int
    emails: dict[str, str]
    users: dict[str, int]


def theme(name: str) -> Theme:
    return db.session.execute(select(Theme).where(Theme.name == name)).scalar_one()


def build_world() -> World:
    """Inside an app context: the world described at the top of this file, committed."""
    today = uk_today()
    x = make_agency(X_NAME, AgencyType.POLICE)
    y = make_agency(Y_NAME, AgencyType.NHS_TRUST)
    manager = make_user(Role.BOARD_MANAGER, name="Morgan Price")
    reviewer = make_user(Role.REVIEWER, name="Robin Lead")
    outsider = make_user(Role.REVIEWER, name="Terry Elsewhere")
    lead_x = make_user(Role.AGENCY_LEAD, name="Priya Police", agency=x)
    lead_y = make_user(Role.AGENCY_LEAD, name="Yusuf Health", agency=y)
    review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[x, y], pseudonym="Child Alder")
    other = make_review("SAR", "awaiting_reviewer", by=manager, agencies=[x], pseudonym="Adult Birch")
    lead = appointments.assign_reviewer(
        review, reviewer, AssignmentRole.LEAD, manager, version=review.version
    )
    appointments.accept_appointment(lead, reviewer, declared=True)
    recommendation = services.add_recommendation(
        review,
        "Police should refer every domestic abuse incident where a baby is present.",
        True,
        [x],
        [theme("Information sharing")],
        manager,
    )
    action = services.add_action(
        recommendation, X_ACTION, x, lead_x, today + timedelta(days=60), "Referral audit: 95%.", manager
    )
    partnership_action = services.add_action(
        recommendation,
        PARTNERSHIP_ACTION,
        None,
        manager,
        today + timedelta(days=90),
        "Audit report.",
        manager,
    )
    db.session.commit()
    return World(
        manager,
        reviewer,
        outsider,
        lead_x,
        lead_y,
        x,
        y,
        review,
        other,
        recommendation,
        action,
        partnership_action,
    )


def ids_of(world: World) -> Ids:
    people = {
        "manager": world.manager,
        "reviewer": world.reviewer,
        "outsider": world.outsider,
        "lead_x": world.lead_x,
        "lead_y": world.lead_y,
    }
    return Ids(
        review=world.review.id,
        other_review=world.other_review.id,
        recommendation=world.recommendation.id,
        action=world.action.id,
        partnership_action=world.partnership_action.id,
        x=world.x.id,
        y=world.y.id,
        emails={key: user.email for key, user in people.items()},
        users={key: user.id for key, user in people.items()},
    )


def pdf(name: str = "evidence.pdf") -> FileStorage:
    return FileStorage(io.BytesIO(PDF), filename=name, content_type="application/pdf")


@pytest.fixture
def ids(app: Flask, folder: Path) -> Ids:
    """The world, for tests that make requests (no app context stays open)."""
    return replayed_in_context(app, "action plan world", lambda: ids_of(build_world()))


@pytest.fixture
def w(app: Flask, ids: Ids) -> Iterator[World]:
    """The same world as records, for tests that call the services inside one app context."""
    with app.app_context():
        yield world_of(ids)


def world_of(ids: Ids) -> World:
    def get(model: type[Any], key: int) -> Any:
        found = db.session.get(model, key)
        assert found is not None, (model, key)
        return found

    people = {key: get(User, user_id) for key, user_id in ids.users.items()}
    return World(
        **people,
        x=get(Agency, ids.x),
        y=get(Agency, ids.y),
        review=get(Review, ids.review),
        other_review=get(Review, ids.other_review),
        recommendation=get(Recommendation, ids.recommendation),
        action=get(Action, ids.action),
        partnership_action=get(Action, ids.partnership_action),
    )


def state() -> tuple[Any, ...]:
    """Everything a refused step must leave alone. Queried in the session, so anything a service
    added or changed before refusing is flushed and shows here."""

    def count(model: type) -> int:
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()

    actions = db.session.execute(
        select(
            Action.id,
            Action.status,
            Action.deadline,
            Action.original_deadline,
            Action.deadline_changes,
            Action.owner_id,
            Action.verified_at,
            Action.version,
        ).order_by(Action.id)
    ).all()
    changes = db.session.execute(
        select(DeadlineChangeRequest.id, DeadlineChangeRequest.status).order_by(DeadlineChangeRequest.id)
    ).all()
    confirmed = db.session.execute(select(Recommendation.id, Recommendation.confirmed_at)).all()
    reviews = db.session.execute(select(Review.id, Review.stage, Review.version).order_by(Review.id)).all()
    counts = tuple(
        count(model)
        for model in (Theme, Finding, Recommendation, Action, ProgressUpdate, DeadlineChangeRequest, Document)
    )
    # what the records' timelines say (sign-ins, recorded against the user, are left out)
    events = db.session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.subject_type.is_distinct_from("User"))
    ).scalar_one()
    return counts, tuple(actions), tuple(changes), tuple(confirmed), tuple(reviews), events


def refused(change: Callable[[], object], message: str, field: str | None = None) -> None:
    """The service refuses with this message (and field), and nothing has changed."""
    before = state()
    with pytest.raises(DomainError) as caught:
        change()
    assert caught.value.message == message
    if field is not None:
        assert caught.value.field == field
    assert state() == before
    db.session.rollback()
    assert state() == before


def committed_state(app: Flask) -> tuple[Any, ...]:
    with app.app_context():
        return state()


def text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def date_fields(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def post(client: FlaskClient, path: str, data: dict[str, object]) -> Any:
    """POST with the session's CSRF token, taken from a page every signed-in user can open."""
    return post_form(client, path, data, token_from="/account")


# --- themes -----------------------------------------------------------------------------------


def test_board_managers_add_themes_and_a_duplicate_is_refused(w: World) -> None:
    cspr, sar = review_type("CSPR"), review_type("SAR")
    added = services.add_theme("  Online   harms ", w.manager, [cspr])
    db.session.commit()
    assert added.name == "Online harms" and added.active and added.review_types == [cspr]

    already = "That theme already exists for these types of review"
    refused(lambda: services.add_theme("online HARMS", w.manager, [cspr]), already, "name")
    # the themes the migration seeded count too
    refused(lambda: services.add_theme("information sharing", w.manager, [cspr]), already, "name")
    refused(lambda: services.add_theme("   ", w.manager, [cspr]), "Enter the theme", "name")
    refused(lambda: services.add_theme("Housing", w.manager, []), "Select the types of review it applies to")
    # A theme of one type is offered to another by naming it again: one theme, its tags kept.
    again = services.add_theme("Online harms", w.manager, [sar])
    db.session.commit()
    assert again.id == added.id and again.review_types == [cspr, sar]
    for someone in (w.reviewer, w.lead_x):
        refused(
            lambda someone=someone: services.add_theme("Housing", someone, [cspr]),
            "Only a board manager can add themes",
        )


def test_themes_page_adds_a_theme_and_refuses_a_duplicate(app: Flask, ids: Ids) -> None:
    manager = client_as(app, ids.emails["manager"])
    with app.app_context():
        cspr = str(review_type("CSPR").id)
    response = post_form(manager, "/actions/themes", {"name": "Online harms", "review_types": [cspr]})
    assert response.status_code == 302
    page = text(manager.get("/actions/themes"))
    assert "Theme added." in page and "Online harms" in page

    before = committed_state(app)
    response = post_form(manager, "/actions/themes", {"name": "ONLINE HARMS", "review_types": [cspr]})
    assert response.status_code == 400
    assert "That theme already exists" in text(response)
    response = post_form(manager, "/actions/themes", {"name": "Housing"})
    assert response.status_code == 400
    assert "Select the types of review it applies to" in text(response)
    assert committed_state(app) == before

    for person in ("reviewer", "lead_x"):
        client = client_as(app, ids.emails[person])
        assert client.get("/actions/themes").status_code == 403
        assert post(client, "/actions/themes", {"name": "Another"}).status_code == 403
    assert committed_state(app) == before


# --- findings and recommendations -------------------------------------------------------------


def test_recommendations_and_findings_are_numbered_within_each_review(w: World) -> None:
    neglect = theme("Neglect")
    second = services.add_recommendation(w.review, "Second for A.", True, [], [neglect], w.reviewer)
    first_b = services.add_recommendation(w.other_review, "First for B.", True, [], [], w.manager)
    third = services.add_recommendation(w.review, "Third for A.", False, [w.y], [], w.manager)
    assert (w.recommendation.number, second.number, third.number) == (1, 2, 3)
    assert first_b.number == 1

    findings_a = [services.add_finding(w.review, f"Finding {n} on A.", [neglect], w.manager) for n in (1, 2)]
    finding_b = services.add_finding(w.other_review, "Finding on B.", [], w.manager)
    db.session.commit()
    assert [f.number for f in findings_a] == [1, 2] and finding_b.number == 1
    assert findings_a[0].themes == [neglect]


def test_a_recommendation_is_addressed_to_the_partnership_and_or_agencies_with_themes(w: World) -> None:
    themes = [theme("Risk assessment"), theme("Domestic abuse")]
    partnership = services.add_recommendation(w.review, "To the partnership.", True, [], [], w.manager)
    agencies = services.add_recommendation(
        w.review, "To both agencies.", False, [w.y, w.x], themes, w.manager
    )
    both = services.add_recommendation(w.review, "To all.", True, [w.x], themes, w.manager)
    db.session.commit()

    assert partnership.addressed_to == "The partnership"
    assert agencies.addressed_to == f"{X_NAME}, {Y_NAME}"  # by name
    assert both.addressed_to == f"The partnership, {X_NAME}"
    assert [t.name for t in agencies.themes] == ["Domestic abuse", "Risk assessment"]
    assert w.recommendation.themes == [theme("Information sharing")]
    assert all(r.confirmed_at is None for r in (partnership, agencies, both))
    event = last_audit_event("recommendation_added")
    assert event is not None and event.review_id == w.review.id
    assert event.details == {"themes": ["Risk assessment", "Domestic abuse"]}  # as chosen


def test_refused_recommendations_and_findings(w: World) -> None:
    refused(
        lambda: services.add_recommendation(w.review, "To nobody.", False, [], [], w.manager),
        "Say who the recommendation is addressed to",
        "agencies",
    )
    refused(
        lambda: services.add_recommendation(w.review, "   ", True, [], [], w.manager),
        "Enter the recommendation",
        "text",
    )
    refused(lambda: services.add_finding(w.review, " ", [], w.manager), "Enter the finding", "text")
    for someone in (w.outsider, w.lead_x, w.lead_y):
        refused(
            lambda someone=someone: services.add_recommendation(
                w.review, "Not mine to make.", True, [], [], someone
            ),
            "Only the board manager or the review's reviewer can record recommendations",
        )
        refused(
            lambda someone=someone: services.add_finding(w.review, "Not mine to make.", [], someone),
            "Only the board manager or the review's reviewer can record findings",
        )


def test_confirming_the_recommendations(w: World) -> None:
    second = services.add_recommendation(w.review, "Second.", True, [], [], w.manager)
    db.session.commit()
    for someone in (w.reviewer, w.lead_x):
        refused(
            lambda someone=someone: services.confirm_recommendations(w.review, someone),
            "Only a board manager can confirm the recommendations",
        )

    assert services.confirm_recommendations(w.review, w.manager) == 2
    db.session.commit()
    assert w.recommendation.confirmed_at is not None and second.confirmed_at is not None
    refused(
        lambda: services.confirm_recommendations(w.review, w.manager),
        "There are no unconfirmed recommendations",
    )
    # a later recommendation is confirmed on its own; the earlier ones keep their time
    confirmed_at = w.recommendation.confirmed_at
    third = services.add_recommendation(w.review, "Third.", True, [], [], w.manager)
    assert services.confirm_recommendations(w.review, w.manager) == 1
    assert third.confirmed_at is not None and w.recommendation.confirmed_at == confirmed_at


def test_recommendations_findings_and_confirmation_over_http(app: Flask, ids: Ids) -> None:
    with app.app_context():
        themes = {t.name: t.id for t in db.session.execute(select(Theme)).scalars()}
    plan = f"/reviews/{ids.review}/action-plan"
    reviewer = client_as(app, ids.emails["reviewer"])
    response = post_form(
        reviewer,
        plan + "/recommendations",
        {
            "text": "Health should record who lives with a baby.",
            "agencies": [str(ids.y)],
            "themes": [str(themes["Vulnerability of babies"]), str(themes["Whole-family working"])],
            "add_recommendation": "Add recommendation",
        },
        token_from=plan,
    )
    assert response.status_code == 302
    response = post_form(
        reviewer,
        plan + "/findings",
        {"text": "Nobody asked who else lived there.", "themes": [str(themes["Professional curiosity"])],
         "add_finding": "Add finding"},
        token_from=plan,
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        added = db.session.execute(
            select(Recommendation).where(Recommendation.review_id == ids.review, Recommendation.number == 2)
        ).scalar_one()
        assert added.addressed_to == Y_NAME and not added.to_partnership
        assert [t.name for t in added.themes] == ["Vulnerability of babies", "Whole-family working"]
        finding = db.session.execute(select(Finding).where(Finding.review_id == ids.review)).scalar_one()
        assert finding.number == 1 and [t.name for t in finding.themes] == ["Professional curiosity"]

    before = committed_state(app)
    response = post_form(
        reviewer,
        plan + "/recommendations",
        {"text": "To nobody.", "add_recommendation": "Add recommendation"},
        token_from=plan,
    )
    assert response.status_code == 400
    assert "Say who the recommendation is addressed to" in text(response)
    assert committed_state(app) == before

    # confirming is the board manager's
    confirm = f"/reviews/{ids.review}/recommendations/confirm"
    assert post(reviewer, confirm, {}).status_code == 403
    assert committed_state(app) == before
    manager = client_as(app, ids.emails["manager"])
    response = post(manager, confirm, {})
    assert response.status_code == 302
    page = text(manager.get(plan))
    assert "2 recommendations confirmed as final." in page
    assert page.count("Confirmed</strong>") == 2 and "Draft</strong>" not in page
    assert "Confirm the recommendations as final" not in page


# --- actions ----------------------------------------------------------------------------------


def test_an_action_has_an_owner_an_agency_a_deadline_and_a_success_measure(w: World) -> None:
    today = uk_today()
    action, partnership = w.action, w.partnership_action
    assert (action.agency, action.owner, action.recommendation) == (w.x, w.lead_x, w.recommendation)
    assert action.review_id == w.review.id
    assert action.deadline == action.original_deadline == today + timedelta(days=60)
    assert action.success_measure == "Referral audit: 95%."
    assert (action.status, action.deadline_changes, action.created_on) == (ActionStatus.NOT_STARTED, 0, today)
    assert action.owner_label == X_NAME and action.updates == []
    assert (partnership.agency, partnership.owner, partnership.owner_label) == (
        None,
        w.manager,
        "The partnership",
    )
    assert w.recommendation.actions == [action, partnership]


def _add(w: World, **changes: Any) -> Callable[[], Action]:
    values: dict[str, Any] = {
        "recommendation": w.recommendation,
        "description": "Train the front desk.",
        "agency": w.x,
        "owner": w.lead_x,
        "deadline": uk_today() + timedelta(days=30),
        "success_measure": "Dip sample of 20 calls.",
        "by": w.manager,
    }
    values.update(changes)
    return lambda: services.add_action(**values)


def test_refused_actions(w: World) -> None:
    yesterday = uk_today() - timedelta(days=1)
    not_a_lead_of = f"is not an agency lead of {X_NAME}"
    refused(
        _add(w, deadline=yesterday), "The deadline cannot be before the day the action is created", "deadline"
    )
    refused(_add(w, owner=w.lead_y), f"{w.lead_y.name} {not_a_lead_of}", "owner")
    refused(_add(w, owner=w.manager), f"{w.manager.name} {not_a_lead_of}", "owner")
    refused(_add(w, agency=None, owner=w.lead_x), "A partnership action is owned by a board manager", "owner")
    refused(_add(w, owner=None), "Select the named owner", "owner")
    refused(_add(w, deadline=None), "Enter the deadline", "deadline")
    refused(_add(w, description="  "), "Describe what will be done", "description")
    refused(
        _add(w, success_measure=""),
        "Say what evidence will show the action made a difference",
        "success_measure",
    )
    for someone in (w.reviewer, w.lead_x):
        refused(_add(w, by=someone), "Only a board manager can add actions")

    w.x.active = False
    db.session.commit()
    refused(_add(w), f"{X_NAME} is no longer active", "agency")
    w.x.active, w.lead_x.active = True, False
    db.session.commit()
    refused(_add(w), f"{w.lead_x.name}'s account is deactivated", "owner")


def _new_action_form(ids: Ids, **changes: object) -> dict[str, object]:
    deadline = uk_today() + timedelta(days=45)
    form: dict[str, object] = {
        "description": "Add the baby-present question to the incident log.",
        "agency": str(ids.x),
        "owner": str(ids.users["lead_x"]),
        "deadline": date_fields(deadline),
        "success_measure": "Audit of 50 logs shows the question answered.",
    }
    form.update(changes)
    return form


def test_adding_an_action_over_http(app: Flask, ids: Ids) -> None:
    path = f"/reviews/{ids.review}/recommendations/{ids.recommendation}/actions/new"
    manager = client_as(app, ids.emails["manager"])
    response = post_form(manager, path, _new_action_form(ids))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reviews/{ids.review}/action-plan"
    with app.app_context():
        action = db.session.execute(select(Action).order_by(Action.id.desc())).scalars().first()
        assert action is not None
        assert (action.agency_id, action.owner_id, action.status) == (
            ids.x,
            ids.users["lead_x"],
            ActionStatus.NOT_STARTED,
        )
        assert action.deadline == uk_today() + timedelta(days=45)
    # a reviewer writes recommendations, but the action plan is the board manager's
    reviewer = client_as(app, ids.emails["reviewer"])
    assert reviewer.get(path).status_code == 403


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"deadline": date_fields(uk_today() - timedelta(days=3))},
            "The deadline cannot be before the day the action is created",
        ),
        ({"owner": "lead_y"}, "Yusuf Health is not an agency lead of Northshire Police"),
        ({"agency": "partnership", "owner": "lead_x"}, "A partnership action is owned by a board manager"),
        ({"agency": ""}, "Choose the owning agency, or the partnership"),
        ({"success_measure": ""}, "Say what evidence will show the action made a difference"),
    ],
    ids=[
        "deadline-before-created",
        "owner-of-another-agency",
        "partnership-owned-by-lead",
        "no-agency",
        "no-measure",
    ],
)
def test_a_refused_action_over_http_says_why_and_adds_nothing(
    app: Flask, ids: Ids, changes: dict[str, object], message: str
) -> None:
    changes = {key: str(ids.users[value]) if key == "owner" else value for key, value in changes.items()}
    path = f"/reviews/{ids.review}/recommendations/{ids.recommendation}/actions/new"
    manager = client_as(app, ids.emails["manager"])
    before = committed_state(app)
    response = post_form(manager, path, _new_action_form(ids, **changes))
    assert response.status_code == 400
    assert message in text(response)
    assert committed_state(app) == before


# --- progress ---------------------------------------------------------------------------------


def _complete(w: World, action: Action | None = None, by: User | None = None) -> ProgressUpdate:
    action = action or w.action
    return services.add_progress(
        action, ActionStatus.COMPLETED, "Done; audit attached.", [pdf()], by or w.lead_x, action.version
    )


def test_progress_updates_are_only_ever_added(w: World) -> None:
    action = w.action
    first = services.add_progress(action, ActionStatus.ON_TRACK, "Briefing drafted.", [], w.lead_x, None)
    db.session.commit()
    kept = (first.id, first.kind, first.status, first.note, first.by_id, first.at)
    services.add_progress(action, ActionStatus.AT_RISK, "Two teams not yet briefed.", [], w.lead_x, None)
    services.add_progress(action, ActionStatus.AT_RISK, "Two teams not yet briefed.", [], w.lead_x, None)
    db.session.commit()
    db.session.expire_all()

    rows = (
        db.session.execute(
            select(ProgressUpdate).where(ProgressUpdate.action_id == action.id).order_by(ProgressUpdate.id)
        )
        .scalars()
        .all()
    )
    assert len(rows) == 3, "the same note twice is two entries"
    assert (rows[0].id, rows[0].kind, rows[0].status, rows[0].note, rows[0].by_id, rows[0].at) == kept
    assert [r.status for r in rows] == [ActionStatus.ON_TRACK, ActionStatus.AT_RISK, ActionStatus.AT_RISK]
    assert all(r.kind == UpdateKind.PROGRESS for r in rows)
    assert action.status == ActionStatus.AT_RISK
    events = db.session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "action_progress")
    ).scalar_one()
    assert events == 3


def test_no_route_edits_or_deletes_an_update(app: Flask) -> None:
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/actions")]
    assert rules
    for rule in rules:
        assert not {"PUT", "PATCH", "DELETE"} & set(rule.methods or ()), rule.rule
        assert not re.search(r"delete|remove|edit", rule.endpoint), rule.endpoint


def test_refused_progress_updates(w: World) -> None:
    action = w.action
    refused(
        lambda: services.add_progress(action, ActionStatus.COMPLETED, "Done.", [], w.lead_x, None),
        "Attach evidence that shows the action made a difference",
        "evidence",
    )
    empty = FileStorage(io.BytesIO(b""), filename="", content_type="application/octet-stream")
    refused(
        lambda: services.add_progress(action, ActionStatus.COMPLETED, "Done.", [empty], w.lead_x, None),
        "Attach evidence that shows the action made a difference",
        "evidence",
    )
    refused(
        lambda: services.add_progress(action, ActionStatus.ON_TRACK, "Not mine.", [], w.lead_y, None),
        "Only the owning agency can report progress on this action",
    )
    for someone in (w.manager, w.reviewer):
        refused(
            lambda someone=someone: services.add_progress(
                action, ActionStatus.ON_TRACK, "Not mine.", [], someone, None
            ),
            "Only the owning agency can report progress on this action",
        )
    # the partnership's actions are reported by board managers, not agency leads
    refused(
        lambda: services.add_progress(w.partnership_action, ActionStatus.ON_TRACK, "Hi.", [], w.lead_x, None),
        "Only the owning agency can report progress on this action",
    )
    refused(
        lambda: services.add_progress(action, None, "No status.", [], w.lead_x, None),
        "Select the action's status",
        "status",
    )
    refused(
        lambda: services.add_progress(
            action, ActionStatus.VERIFIED, "Verifying myself.", [pdf()], w.lead_x, None
        ),
        "Select the action's status",
        "status",
    )
    refused(
        lambda: services.add_progress(action, ActionStatus.ON_TRACK, "  ", [], w.lead_x, None),
        "Describe the progress",
        "note",
    )
    before = state()
    with pytest.raises(ConcurrentEditError):
        services.add_progress(action, ActionStatus.ON_TRACK, "Stale.", [], w.lead_x, action.version - 1)
    assert state() == before
    db.session.rollback()

    _complete(w)
    services.verify_action(action, "", w.manager, None)
    db.session.commit()
    refused(
        lambda: services.add_progress(action, ActionStatus.ON_TRACK, "One more thing.", [], w.lead_x, None),
        "This action is verified and closed; no further updates can be added",
    )


def test_the_partnerships_actions_are_reported_by_a_board_manager(w: World) -> None:
    update = services.add_progress(
        w.partnership_action, ActionStatus.ON_TRACK, "Audit tool agreed.", [], w.manager, None
    )
    db.session.commit()
    assert update.by == w.manager and w.partnership_action.status == ActionStatus.ON_TRACK


def test_progress_over_http(app: Flask, ids: Ids) -> None:
    path = f"/actions/{ids.action}/progress"
    lead = client_as(app, ids.emails["lead_x"])
    for status, note in (("on_track", "Briefing drafted."), ("at_risk", "Two teams still to brief.")):
        response = post_form(
            lead, path, {"status": status, "note": note}, token_from=f"/actions/{ids.action}"
        )
        assert response.status_code == 302
    page = text(lead.get(f"/actions/{ids.action}"))
    assert "Update added." in page
    assert page.index("Two teams still to brief.") < page.index("Briefing drafted."), "newest first"
    with app.app_context():
        notes = (
            db.session.execute(
                select(ProgressUpdate.note)
                .where(ProgressUpdate.action_id == ids.action)
                .order_by(ProgressUpdate.id)
            )
            .scalars()
            .all()
        )
        assert notes == ["Briefing drafted.", "Two teams still to brief."]
        assert db.session.get(Action, ids.action).status == ActionStatus.AT_RISK

    before = committed_state(app)
    response = post(lead, path, {"status": "completed", "note": "All done."})
    assert response.status_code == 400
    assert "Attach evidence that shows the action made a difference" in text(response)
    assert committed_state(app) == before


def test_an_agency_lead_cannot_update_another_agencys_action(app: Flask, ids: Ids) -> None:
    other = client_as(app, ids.emails["lead_y"])
    before = committed_state(app)
    for path in (f"/actions/{ids.action}/progress", f"/actions/{ids.partnership_action}/progress"):
        response = post(other, path, {"status": "on_track", "note": "Not ours."})
        assert response.status_code == 404, path  # they cannot see it, so it does not exist for them
        assert X_ACTION not in text(response) and PARTNERSHIP_ACTION not in text(response)
    assert other.get(f"/actions/{ids.action}").status_code == 404
    assert committed_state(app) == before


def test_no_update_over_http_on_a_verified_action(app: Flask, ids: Ids) -> None:
    with app.app_context():
        action = db.session.get(Action, ids.action)
        lead, manager = db.session.get(User, ids.users["lead_x"]), db.session.get(User, ids.users["manager"])
        services.add_progress(action, ActionStatus.COMPLETED, "Done.", [pdf()], lead, None)
        services.verify_action(action, "Evidence of impact seen.", manager, None)
        db.session.commit()
    client = client_as(app, ids.emails["lead_x"])
    page = text(client.get(f"/actions/{ids.action}"))
    assert "Report progress" not in page and "Ask for a different deadline" not in page
    before = committed_state(app)
    response = post(client, f"/actions/{ids.action}/progress", {"status": "on_track", "note": "More."})
    assert response.status_code == 400
    assert "This action is verified and closed; no further updates can be added" in text(response)
    assert committed_state(app) == before


# --- evidence, and the tracker's export -------------------------------------------------------


def test_completing_with_a_pdf_stores_it_linked_to_the_update(app: Flask, ids: Ids, folder: Path) -> None:
    lead = client_as(app, ids.emails["lead_x"])
    response = post_form(
        lead,
        f"/actions/{ids.action}/progress",
        {
            "status": "completed",
            "note": "Every team briefed; the audit shows 97% referred.",
            "evidence": [(io.BytesIO(PDF), "referral-audit.pdf")],
        },
        token_from=f"/actions/{ids.action}",
    )
    assert response.status_code == 302
    with app.app_context():
        action = db.session.get(Action, ids.action)
        assert action.status == ActionStatus.COMPLETED
        (update,) = action.updates
        assert (update.kind, update.status, update.by_id) == (
            UpdateKind.PROGRESS,
            ActionStatus.COMPLETED,
            ids.users["lead_x"],
        )
        (document,) = update.evidence
        assert document.progress_update_id == update.id
        assert document.review_id == ids.review and document.contribution_request_id is None
        assert (document.original_name, document.detected_type) == ("referral-audit.pdf", "pdf")
        assert document.uploaded_by_id == ids.users["lead_x"]
        assert stored_path(document).read_bytes() == PDF
        assert folder in stored_path(document).parents
        document_id = document.id
    page = text(lead.get(f"/actions/{ids.action}"))
    assert f'href="/documents/{document_id}"' in page and "referral-audit.pdf" in page


def test_evidence_that_is_not_an_allowed_file_is_refused_and_nothing_is_kept(
    app: Flask, ids: Ids, folder: Path
) -> None:
    lead = client_as(app, ids.emails["lead_x"])
    before = committed_state(app)
    response = post(
        lead,
        f"/actions/{ids.action}/progress",
        {"status": "completed", "note": "Done.", "evidence": [(io.BytesIO(EXECUTABLE), "audit.pdf")]},
    )
    assert response.status_code == 400
    assert "The selected file must be a PDF" in text(response)
    assert committed_state(app) == before
    assert not [path for path in folder.rglob("*") if path.is_file()]


def completed_with_evidence(app: Flask, ids: Ids) -> int:
    """X's action completed by its lead with a PDF; the document's id."""
    with app.app_context():
        action = db.session.get(Action, ids.action)
        lead = db.session.get(User, ids.users["lead_x"])
        update = services.add_progress(
            action, ActionStatus.COMPLETED, "Audit attached.", [pdf("audit.pdf")], lead, None
        )
        db.session.commit()
        return update.evidence[0].id


@pytest.fixture
def evidence(app: Flask, ids: Ids) -> int:
    return completed_with_evidence(app, ids)


def world_with_evidence(app: Flask) -> tuple[Ids, int]:
    with app.app_context():
        ids = ids_of(build_world())
    return ids, completed_with_evidence(app, ids)


@pytest.mark.read_only
class TestWhoMayDownloadAndExport:
    """Downloads of the evidence and the tracker's export change nothing: one world, X's action
    completed with a PDF, for them all, checked unchanged after the class (downloads and exports
    add audit rows)."""

    @pytest.fixture(scope="class")
    @classmethod
    def ids_and_evidence(
        cls, app: Flask, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[tuple[Ids, int]]:
        folder = tmp_path_factory.mktemp("uploads")
        with built_once(
            app, lambda: world_with_evidence(app), may_add_to={"audit_events"}, uploads=folder
        ) as made:
            yield made

    @pytest.fixture(scope="class")
    @classmethod
    def ids(cls, ids_and_evidence: tuple[Ids, int]) -> Ids:
        return ids_and_evidence[0]

    @pytest.fixture(scope="class")
    @classmethod
    def evidence(cls, ids_and_evidence: tuple[Ids, int]) -> int:
        return ids_and_evidence[1]

    @pytest.mark.parametrize("person", ["manager", "reviewer", "lead_x"])
    def test_the_evidence_downloads_for_the_board_manager_the_reviewer_and_the_owning_agency_lead(
        self, app: Flask, ids: Ids, evidence: int, person: str
    ) -> None:
        response = client_as(app, ids.emails[person]).get(f"/documents/{evidence}")
        assert response.status_code == 200
        assert response.get_data() == PDF

    def test_the_evidence_is_404_for_another_agencys_lead_and_a_reviewer_not_on_the_review(
        self, app: Flask, ids: Ids, evidence: int
    ) -> None:
        for person in ("lead_y", "outsider"):
            response = client_as(app, ids.emails[person]).get(f"/documents/{evidence}")
            assert response.status_code == 404, person
            assert response.get_data() != PDF

    def test_the_export_is_for_board_managers_and_names_only_a_review_that_exists(
        self, app: Flask, ids: Ids
    ) -> None:
        for person in ("lead_x", "lead_y", "reviewer", "outsider"):
            client = client_as(app, ids.emails[person])
            response = client.get(f"/actions/export.csv?review={ids.review}")
            assert response.status_code == 403, person
            assert X_ACTION.encode() not in response.get_data()
        manager = client_as(app, ids.emails["manager"])
        with app.app_context():
            missing = (db.session.execute(select(func.max(Review.id))).scalar_one() or 0) + 1000
        assert manager.get(f"/actions/export.csv?review={missing}").status_code == 404
        response = manager.get(f"/actions/export.csv?review={ids.review}")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert X_ACTION in response.get_data(as_text=True)


# --- verification and return ------------------------------------------------------------------


def test_verifying_a_completed_action_makes_it_count_as_done(w: World) -> None:
    action = w.action
    refused(
        lambda: services.verify_action(action, "", w.manager, None),
        "Only a completed action, with its evidence, can be verified",
    )
    _complete(w)
    # Test data only: the deadline has passed while the evidence waited for verification.
    action.deadline = uk_today() - timedelta(days=3)
    db.session.commit()
    today = uk_today()
    assert rag_of(action, today, soon_limit(today)) == Rag.RED and is_overdue(action, today)
    for someone in (w.lead_x, w.reviewer):
        refused(
            lambda someone=someone: services.verify_action(action, "", someone, None),
            "Only a board manager can verify an action",
        )

    services.verify_action(action, "", w.manager, action.version)
    db.session.commit()
    assert action.status == ActionStatus.VERIFIED
    assert action.verified_by == w.manager and action.verified_at is not None
    last = action.updates[-1]
    assert (last.kind, last.status, last.note) == (
        UpdateKind.VERIFIED,
        ActionStatus.VERIFIED,
        "Evidence of impact verified",
    )
    assert rag_of(action, today, soon_limit(today)) == Rag.VERIFIED and not is_overdue(action, today)
    summary = plan_summary(w.review)
    assert summary["total"] == 2
    assert summary["counts"] == {Rag.RED: 0, Rag.AMBER: 0, Rag.GREEN: 1, Rag.AWAITING: 0, Rag.VERIFIED: 1}
    assert action not in summary["upcoming"]  # type: ignore[operator]
    refused(
        lambda: services.verify_action(action, "", w.manager, None),
        "Only a completed action, with its evidence, can be verified",
    )


def test_completed_in_time_waits_for_verification_without_turning_red(w: World) -> None:
    """The day of completion is recorded by the services: set when the action is first reported
    completed, kept through further reports and verification, cleared when it is returned."""
    action, today = w.action, uk_today()
    services.add_progress(action, ActionStatus.ON_TRACK, "Started.", [], w.lead_x, None)
    assert action.completed_on is None
    _complete(w)
    db.session.commit()
    assert action.completed_on == today
    # Test data only: weeks pass; the board has not verified yet and the deadline went by.
    action.completed_on = action.deadline = today - timedelta(days=20)
    db.session.commit()
    assert rag_of(action, today, soon_limit(today)) == Rag.AWAITING and not is_overdue(action, today)
    assert plan_summary(w.review)["counts"][Rag.AWAITING] == 1
    services.add_progress(action, ActionStatus.COMPLETED, "More evidence.", [pdf()], w.lead_x, None)
    assert action.completed_on == today - timedelta(days=20)  # a further report keeps the day

    services.return_action(action, "The audit covers one team only", ActionStatus.ON_TRACK, w.manager, None)
    db.session.commit()
    assert action.completed_on is None
    assert rag_of(action, today, soon_limit(today)) == Rag.RED and is_overdue(action, today)
    _complete(w)  # completed again, now after the deadline: late, so red until verified
    db.session.commit()
    assert action.completed_on == today
    assert rag_of(action, today, soon_limit(today)) == Rag.RED
    services.verify_action(action, "", w.manager, None)
    db.session.commit()
    assert action.completed_on == today and rag_of(action, today, soon_limit(today)) == Rag.VERIFIED


def test_returning_needs_a_reason_and_a_status(w: World) -> None:
    action = w.action
    refused(
        lambda: services.return_action(action, "Not enough.", ActionStatus.ON_TRACK, w.manager, None),
        "Only a completed action can be returned",
    )
    _complete(w)
    db.session.commit()
    refused(
        lambda: services.return_action(action, "", ActionStatus.ON_TRACK, w.manager, None),
        "Say why the evidence is not enough",
        "note",
    )
    for status in (None, ActionStatus.OFF_TRACK, ActionStatus.NOT_STARTED, ActionStatus.COMPLETED):
        refused(
            lambda status=status: services.return_action(action, "Show impact.", status, w.manager, None),
            "Select whether the action is back on track or at risk",
            "status",
        )
    refused(
        lambda: services.return_action(action, "Show impact.", ActionStatus.AT_RISK, w.lead_x, None),
        "Only a board manager can return an action",
    )

    services.return_action(action, "The audit covers one team only.", ActionStatus.AT_RISK, w.manager, None)
    db.session.commit()
    assert action.status == ActionStatus.AT_RISK and action.verified_at is None
    last = action.updates[-1]
    assert (last.kind, last.status, last.note) == (
        UpdateKind.RETURNED,
        ActionStatus.AT_RISK,
        "The audit covers one team only.",
    )
    assert [u.kind for u in action.updates] == [UpdateKind.PROGRESS, UpdateKind.RETURNED]


def test_verify_and_return_over_http(app: Flask, ids: Ids, evidence: int) -> None:
    manager = client_as(app, ids.emails["manager"])
    with app.app_context():
        version = db.session.get(Action, ids.action).version
    before = committed_state(app)
    response = post_form(
        manager, f"/actions/{ids.action}/return", {"version": version, "status": "on_track", "note": ""},
        token_from=f"/actions/{ids.action}",
    )  # fmt: skip
    assert response.status_code == 400
    assert "Say why the evidence is not enough" in text(response)
    response = post(
        manager, f"/actions/{ids.action}/return", {"version": version, "note": "Show the impact."}
    )
    assert response.status_code == 400
    assert "Select whether the action is back on track or at risk" in text(response)
    assert committed_state(app) == before

    response = post(manager, f"/actions/{ids.action}/verify", {"version": version})
    assert response.status_code == 302
    assert "Action verified: it now counts as done." in text(manager.get(f"/actions/{ids.action}"))
    with app.app_context():
        assert db.session.get(Action, ids.action).status == ActionStatus.VERIFIED


# --- deadline changes -------------------------------------------------------------------------


def test_an_approved_deadline_change_moves_the_deadline_and_keeps_the_original(w: World) -> None:
    action = w.action
    original = action.deadline
    proposed = original + timedelta(days=28)
    change = services.request_deadline_change(action, proposed, "Training venue cancelled.", w.lead_x)
    db.session.commit()
    assert (change.status, change.current_deadline, change.proposed_deadline) == (
        ChangeStatus.PENDING,
        original,
        proposed,
    )
    assert action.deadline == original  # nothing moves until a board manager approves

    refused(
        lambda: services.request_deadline_change(action, proposed + timedelta(days=7), "Again.", w.lead_x),
        "A deadline change is already waiting for a decision",
    )
    refused(
        lambda: services.request_deadline_change(action, proposed, "And me.", w.manager),
        "A deadline change is already waiting for a decision",
    )
    refused(
        lambda: services.decide_deadline_change(change, True, "", w.lead_x),
        "Only a board manager can decide on a deadline change",
    )

    services.decide_deadline_change(change, True, "Agreed at the board.", w.manager)
    db.session.commit()
    assert (action.deadline, action.original_deadline, action.deadline_changes) == (proposed, original, 1)
    assert (change.status, change.decided_by, change.decision_note) == (
        ChangeStatus.APPROVED,
        w.manager,
        "Agreed at the board.",
    )
    (history,) = action.updates
    assert history.kind == UpdateKind.DEADLINE and history.status == action.status
    assert history.note == (
        f"Deadline moved from {original:%d %B %Y} to {proposed:%d %B %Y}: Training venue cancelled."
    )
    refused(
        lambda: services.decide_deadline_change(change, False, "", w.manager),
        "This request has already been decided",
    )

    # a second change: the original deadline still shows where it started
    later = proposed + timedelta(days=14)
    second = services.request_deadline_change(action, later, "Trainer off sick.", w.manager)
    services.decide_deadline_change(second, True, "", w.manager)
    db.session.commit()
    assert (action.deadline, action.original_deadline, action.deadline_changes) == (later, original, 2)
    assert [u.kind for u in action.updates] == [UpdateKind.DEADLINE, UpdateKind.DEADLINE]


def test_a_refused_deadline_change_leaves_the_deadline(w: World) -> None:
    action = w.action
    original = action.deadline
    change = services.request_deadline_change(
        action, original + timedelta(days=60), "Short of staff.", w.lead_x
    )
    db.session.commit()
    services.decide_deadline_change(change, False, "Not agreed: find cover.", w.manager)
    db.session.commit()
    assert change.status == ChangeStatus.REFUSED and change.decision_note == "Not agreed: find cover."
    assert (action.deadline, action.original_deadline, action.deadline_changes) == (original, original, 0)
    assert action.updates == []
    # once decided, another request may be made
    again = services.request_deadline_change(
        action, original + timedelta(days=20), "Partial cover.", w.lead_x
    )
    assert again.status == ChangeStatus.PENDING


def test_refused_deadline_requests(w: World) -> None:
    action = w.action
    today = uk_today()
    refused(
        lambda: services.request_deadline_change(action, today - timedelta(days=1), "Late.", w.lead_x),
        "The proposed deadline cannot be in the past",
        "proposed_deadline",
    )
    refused(
        lambda: services.request_deadline_change(action, action.deadline, "Same.", w.lead_x),
        "The proposed deadline is the current one",
        "proposed_deadline",
    )
    refused(
        lambda: services.request_deadline_change(action, None, "No date.", w.lead_x),
        "Enter the proposed deadline",
        "proposed_deadline",
    )
    refused(
        lambda: services.request_deadline_change(action, today + timedelta(days=99), " ", w.lead_x),
        "Give the reason for the change",
        "reason",
    )
    for someone in (w.lead_y, w.reviewer):
        refused(
            lambda someone=someone: services.request_deadline_change(
                action, today + timedelta(days=99), "Why not.", someone
            ),
            "Only the action's owner or a board manager can ask for a new deadline",
        )
    _complete(w)
    services.verify_action(action, "", w.manager, None)
    db.session.commit()
    refused(
        lambda: services.request_deadline_change(action, today + timedelta(days=99), "Reopen.", w.lead_x),
        "This action is verified and closed",
    )


def test_deadline_change_over_http(app: Flask, ids: Ids) -> None:
    with app.app_context():
        original = db.session.get(Action, ids.action).deadline
    proposed = original + timedelta(days=21)
    lead = client_as(app, ids.emails["lead_x"])
    path = f"/actions/{ids.action}/deadline"
    response = post(lead, path, {"proposed_deadline": date_fields(proposed), "reason": "Venue cancelled."})
    assert response.status_code == 302
    before = committed_state(app)
    response = post(
        lead, path, {"proposed_deadline": date_fields(proposed + timedelta(days=1)), "reason": "Again."}
    )
    assert response.status_code == 400
    assert "A deadline change is already waiting for a decision" in text(response)
    assert committed_state(app) == before
    with app.app_context():
        change_id = db.session.execute(
            select(DeadlineChangeRequest.id).where(DeadlineChangeRequest.action_id == ids.action)
        ).scalar_one()

    decide = f"/actions/{ids.action}/deadline/{change_id}"
    assert post(lead, f"{decide}/approve", {}).status_code == 403  # the owner cannot approve their own
    assert committed_state(app) == before
    manager = client_as(app, ids.emails["manager"])
    response = post(manager, f"{decide}/approve", {"note": ""})
    assert response.status_code == 302
    page = text(manager.get(f"/actions/{ids.action}"))
    assert "Deadline changed." in page
    assert f"Originally {original.day} {original:%B %Y}; changed 1 time" in page
    with app.app_context():
        action = db.session.get(Action, ids.action)
        assert (action.deadline, action.original_deadline, action.deadline_changes) == (proposed, original, 1)


def test_a_url_mixing_records_of_two_reviews_or_actions_is_404(app: Flask, ids: Ids) -> None:
    with app.app_context():
        manager = db.session.get(User, ids.users["manager"])
        other = db.session.get(Review, ids.other_review)
        services.add_recommendation(other, "For B.", True, [], [], manager)
        lead = db.session.get(User, ids.users["lead_x"])
        action = db.session.get(Action, ids.action)
        change = services.request_deadline_change(action, action.deadline + timedelta(days=9), "Why.", lead)
        db.session.commit()
        change_id = change.id
    client = client_as(app, ids.emails["manager"])
    before = committed_state(app)
    # review B's page with review A's recommendation
    path = f"/reviews/{ids.other_review}/recommendations/{ids.recommendation}/actions/new"
    assert client.get(path).status_code == 404
    assert post(client, path, _new_action_form(ids)).status_code == 404
    # the partnership action's page with X's action's deadline request
    response = post(client, f"/actions/{ids.partnership_action}/deadline/{change_id}/approve", {})
    assert response.status_code == 404
    assert committed_state(app) == before


# --- closing the review -----------------------------------------------------------------------


def _at_action_planning(review: Review) -> None:
    # The publication steps that lead to action planning are not built yet, so the test puts the
    # review there directly.
    review.stage = ReviewStage.ACTION_PLANNING
    db.session.commit()


def test_a_review_closes_only_when_every_action_is_verified(w: World) -> None:
    review = w.review
    before = state()
    with pytest.raises(DomainError) as caught:
        services.close_review(review, review.version, w.manager)
    assert caught.value.message.startswith(
        "You cannot close the review while the review is at the agency contributions stage."
    )
    assert state() == before
    db.session.rollback()
    _at_action_planning(review)
    refused(
        lambda: services.close_review(review, review.version, w.manager),
        "2 actions are not verified yet. Close the review once every action is verified.",
    )
    _complete(w)
    services.verify_action(w.action, "", w.manager, None)
    db.session.commit()
    refused(
        lambda: services.close_review(review, review.version, w.manager),
        "1 action is not verified yet. Close the review once every action is verified.",
    )
    services.add_progress(
        w.partnership_action, ActionStatus.COMPLETED, "Audit done.", [pdf("audit.pdf")], w.manager, None
    )
    db.session.commit()
    # completed is not enough: only verified counts
    refused(
        lambda: services.close_review(review, review.version, w.manager),
        "1 action is not verified yet. Close the review once every action is verified.",
    )
    services.verify_action(w.partnership_action, "", w.manager, None)
    db.session.commit()

    services.close_review(review, review.version, w.manager)
    db.session.commit()
    assert review.stage == ReviewStage.CLOSED and review.is_ended
    ended = "This review has ended (Closed). Nothing more can be changed."
    refused(lambda: services.add_recommendation(review, "Late.", True, [], [], w.manager), ended)
    refused(lambda: services.add_finding(review, "Late.", [], w.manager), ended)


def test_a_deadline_change_left_pending_is_not_approved_once_the_action_is_verified(w: World) -> None:
    change = services.request_deadline_change(
        w.action, w.action.deadline + timedelta(days=30), "Venue cancelled.", w.lead_x
    )
    for action, owner in ((w.action, w.lead_x), (w.partnership_action, w.manager)):
        services.add_progress(action, ActionStatus.COMPLETED, "Done.", [pdf()], owner, None)
        services.verify_action(action, "", w.manager, None)
    db.session.commit()
    assert change.status == ChangeStatus.PENDING
    refused(
        lambda: services.decide_deadline_change(change, True, "", w.manager),
        "This action is verified and closed; its deadline no longer changes",
    )

    _at_action_planning(w.review)
    services.close_review(w.review, w.review.version, w.manager)
    db.session.commit()
    assert w.review.stage == ReviewStage.CLOSED and change.status == ChangeStatus.PENDING
    for approve in (True, False):
        refused(
            lambda approve=approve: services.decide_deadline_change(change, approve, "", w.manager),
            "This review has ended (Closed). Nothing more can be changed.",
        )


def test_closing_over_http(app: Flask, ids: Ids) -> None:
    with app.app_context():
        review = db.session.get(Review, ids.review)
        _at_action_planning(review)
        version = review.version
    manager = client_as(app, ids.emails["manager"])
    before = committed_state(app)
    response = post(manager, f"/reviews/{ids.review}/move/close", {"version": version})
    assert response.status_code == 302
    page = text(manager.get(f"/reviews/{ids.review}"))
    assert "2 actions are not verified yet. Close the review once every action is verified." in page
    assert committed_state(app) == before

    with app.app_context():
        manager_user = db.session.get(User, ids.users["manager"])
        for action_id, owner in ((ids.action, "lead_x"), (ids.partnership_action, "manager")):
            action = db.session.get(Action, action_id)
            by = db.session.get(User, ids.users[owner])
            services.add_progress(action, ActionStatus.COMPLETED, "Done.", [pdf()], by, None)
            services.verify_action(action, "", manager_user, None)
        db.session.commit()
        version = db.session.get(Review, ids.review).version
    response = post(manager, f"/reviews/{ids.review}/move/close", {"version": version})
    assert response.status_code == 302
    assert "The review is closed." in text(manager.get(f"/reviews/{ids.review}"))
    with app.app_context():
        assert db.session.get(Review, ids.review).stage == ReviewStage.CLOSED


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_action_plans_hold_every_status_and_load_once(app: Flask, folder: Path) -> None:
    from casework.demo import annual as demo_annual
    from casework.demo import insight as demo_insight
    from casework.demo.actions import load_demo_actions

    with app.app_context():
        load_demo(app)  # the rows `flask demo` writes, from the suite's copy
        everything = db.session.execute(select(Action)).scalars().all()
        # Child P's learning kept from a no-review decision is a one-action plan of its own;
        # Child M's, two years older, is the plan Child D repeats (two actions). The older
        # reviews of the insight charts and the annual report pack have small plans of their own.
        earlier = ("Child P", "Child M")
        older = {*earlier, *demo_insight.PSEUDONYMS, demo_annual.CHILD, demo_annual.ADULT}
        actions = [action for action in everything if action.review.pseudonym not in older]
        reviews = {action.review.pseudonym for action in actions}
        assert reviews == {"Child D", "Adult G"} and 25 <= len(actions) <= 35
        assert sum(action.review.pseudonym in earlier for action in everything) == 3
        assert {action.status for action in actions} == set(ActionStatus)
        today = uk_today()
        assert {rag_of(action, today, soon_limit(today)) for action in actions} == set(Rag)
        assert any(is_overdue(action, today) for action in actions)
        assert any(a.status == ActionStatus.VERIFIED and a.deadline < today for a in actions)
        (moved,) = [action for action in actions if action.deadline_changes]
        assert moved.deadline_changes == 2 and moved.original_deadline < moved.deadline
        assert [u.kind for u in moved.updates].count(UpdateKind.DEADLINE) == 2
        assert sum(len(action.updates) >= 3 for action in actions) >= 10  # histories of several updates
        completed = [a for a in actions if a.status in (ActionStatus.COMPLETED, ActionStatus.VERIFIED)]
        assert all(any(u.evidence for u in action.updates) for action in completed)
        # the demo has no GP agency lead, so the partnership holds the GP's actions
        owners = {(action.agency.name if action.agency else None, action.owner.email) for action in actions}
        assert owners == {
            ("Northshire Police", "police.lead@northshire.example"),
            ("Northshire Hospitals NHS Foundation Trust", "health.lead@northshire.example"),
            ("Northshire Children's Social Care", "socialcare.lead@northshire.example"),
            (None, "manager@northshire.example"),
        }
        manager = db.session.execute(
            select(User).where(User.email == "manager@northshire.example")
        ).scalar_one()
        before = state()
        assert load_demo_actions(manager) == []
        assert state() == before


def test_the_demo_action_plans_need_the_demo_reviews(w: World) -> None:
    from casework.demo.actions import load_demo_actions

    before = state()
    assert load_demo_actions(w.manager) == []
    assert state() == before
