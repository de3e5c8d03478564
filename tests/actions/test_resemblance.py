"""Has this been recommended before? Earlier findings and recommendations of other reviews that
resemble a text, what became of their actions, and confirming a repeated recommendation.

The world: review E, a CSPR from two years ago, with recommendation 1 on domestic abuse referrals
(themes domestic abuse and information sharing; three actions: verified, overdue, open),
recommendation 2 on bruising in babies (confirmed, no action: dropped) and finding 1; review C,
this year's CSPR, whose plan is being written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, select

from casework.actions import resemblance, services
from casework.actions.models import Action, ActionStatus, Recommendation, Theme
from casework.actions.resemblance import CLOSE, SIMILAR, find_resembling
from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.documents.storage import init_storage
from casework.reviews.appointments import services as appointments
from casework.reviews.models import AssignmentRole, Review
from casework.reviews.timeline import describe
from tests.conftest import make_agency, make_user, post_form
from tests.reviews.conftest import make_review
from tests.support.http import client_as
from tests.support.readonly import built_once
from tests.support.rows import stored

EARLIER = (
    "Police should refer every domestic abuse incident where a baby lives in the household to "
    "children's social care and share it with health visiting."
)
BRUISING = "The NHS trust should follow the protocol for bruising in non-mobile babies every time."
FINDING = "Agencies knew of domestic abuse at home but did not share what they knew."
REWORDED = (
    "Every domestic abuse incident where a baby lives in the household should be referred by the "
    "police to children's social care and shared with health visiting."
)
REORDERED = (
    "Share with health visiting, and refer to children's social care, every domestic abuse incident "
    "where a baby lives in the household: the police should."
)
FAR = (
    "Schools should record each absence of a child on a child protection plan and tell the "
    "allocated social worker the same day."
)


def theme(name: str) -> Theme:
    return db.session.execute(select(Theme).where(Theme.name == name)).scalar_one()


@dataclass(frozen=True)
class World:
    earlier: int  # review E
    current: int  # review C
    repeated_rec: int  # E's recommendation 1
    bruising_rec: int
    manager: str
    reviewer: str
    lead: str
    earlier_reference: str
    themes: tuple[int, int]


def build_world(folder: Path) -> World:
    today = uk_today()
    police = make_agency("Northshire Police")
    manager = make_user(Role.BOARD_MANAGER, name="Morgan Price")
    lead = make_user(Role.AGENCY_LEAD, name="Priya Police", agency=police)
    reviewer = make_user(Role.REVIEWER, name="Robin Lead")
    earlier = make_review(
        "CSPR", "awaiting_reviewer", by=manager, agencies=[police], incident_on=today - timedelta(days=760)
    )
    current = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[police])
    assignment = appointments.assign_reviewer(current, reviewer, AssignmentRole.LEAD, manager)
    appointments.accept_appointment(assignment, reviewer, declared=True)
    abuse, sharing = theme("Domestic abuse"), theme("Information sharing")
    repeated = services.add_recommendation(earlier, EARLIER, True, [], [abuse, sharing], manager)
    bruising = services.add_recommendation(earlier, BRUISING, True, [], [], manager)
    services.add_finding(earlier, FINDING, [abuse], manager)
    actions = [
        services.add_action(
            repeated, f"Action {n}.", police, lead, today + timedelta(days=30), "Audit.", manager
        )
        for n in range(3)
    ]
    db.session.flush()
    # One verified, one overdue, one open.
    actions[0].status, actions[0].completed_on = ActionStatus.VERIFIED, today
    actions[1].deadline = today - timedelta(days=10)
    services.confirm_recommendations(earlier, manager)
    db.session.commit()
    return World(
        earlier.id,
        current.id,
        repeated.id,
        bruising.id,
        manager.email,
        reviewer.email,
        lead.email,
        earlier.reference,
        (abuse.id, sharing.id),
    )


def _built(app: Flask, folder: Path) -> World:
    with app.app_context():
        return build_world(folder)


@pytest.fixture
def world(app: Flask, folder: Path) -> World:
    return _built(app, folder)


@pytest.fixture
def ctx(app: Flask, world: World) -> Iterator[World]:
    with app.app_context():
        yield world


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


# --- the search, the plan page and its fragment, read; hostile wordings refused --------------


@pytest.mark.read_only
class TestReadingOneWorld:
    """The search, the plan page and its fragment read, and hostile wordings refused: one world
    for them all, checked unchanged after the class (signing in adds audit rows)."""

    @pytest.fixture(scope="class")
    @classmethod
    def world(cls, app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
        before = app.config["UPLOAD_FOLDER"]
        app.config["UPLOAD_FOLDER"] = folder = tmp_path_factory.mktemp("uploads")
        init_storage(app)
        try:
            with built_once(app, lambda: _built(app, folder), may_add_to={"audit_events"}) as made:
                yield made
        finally:
            app.config["UPLOAD_FOLDER"] = before
            init_storage(app)

    def test_reworded_and_reordered_texts_are_found_and_a_different_topic_is_not(self, ctx: World) -> None:
        for wording in (EARLIER, REWORDED, REORDERED):
            found = find_resembling(wording, exclude_review_id=ctx.current)
            assert found, wording
            best = found[0]
            assert (best.kind, best.id) == ("recommendation", ctx.repeated_rec), wording
            assert best.close and best.band == "very similar"
            assert best.reference == ctx.earlier_reference and best.year == uk_today().year - 2
        assert find_resembling(FAR, exclude_review_id=ctx.current) == []
        # Two words that every long text contains do not make a match.
        assert find_resembling("domestic abuse", exclude_review_id=ctx.current) == []

    def test_the_finding_is_found_and_has_no_outcome_of_its_own(self, ctx: World) -> None:
        found = find_resembling("Agencies knew about domestic abuse at home and did not share it.")
        finding = next(r for r in found if r.kind == "finding")
        assert finding.outcome is None and finding.score >= SIMILAR

    def test_shared_themes_raise_the_score_and_are_named(self, ctx: World) -> None:
        wording = "Police should tell children's social care about domestic abuse where a baby lives."
        plain = find_resembling(wording)
        themed = find_resembling(wording, theme_ids=ctx.themes)
        before = next(r for r in plain if r.id == ctx.repeated_rec and r.kind == "recommendation")
        after = next(r for r in themed if r.id == ctx.repeated_rec and r.kind == "recommendation")
        assert before.shared_themes == ()
        assert after.shared_themes == ("Domestic abuse", "Information sharing")
        assert after.score == min(100, before.score + 2 * resemblance.THEME_BONUS)

    def test_only_other_reviews_are_searched(self, ctx: World) -> None:
        assert find_resembling(EARLIER, exclude_review_id=ctx.earlier) == []
        assert find_resembling(EARLIER, exclude_review_id=ctx.current)

    def test_what_became_of_the_actions(self, ctx: World) -> None:
        repeated = find_resembling(EARLIER, kinds=["recommendation"])[0]
        assert repeated.id == ctx.repeated_rec
        assert repeated.outcome == resemblance.Outcome(verified=1, overdue=1, open=1, dropped=False)
        bruising = find_resembling(BRUISING, kinds=["recommendation"])[0]
        assert bruising.id == ctx.bruising_rec
        assert bruising.outcome == resemblance.Outcome(0, 0, 0, dropped=True)

    @pytest.mark.parametrize("hostile", ["", "   ", "\x00", "a\x00b " * 10, "x" * 10000, EARLIER * 50])
    def test_hostile_text_is_answered(self, ctx: World, hostile: str) -> None:
        found = find_resembling(hostile, exclude_review_id=ctx.current)
        assert all(r.score >= SIMILAR for r in found)

    def test_the_plan_without_the_check_or_with_a_bad_one_shows_no_list(
        self, app: Flask, world: World
    ) -> None:
        client = client_as(app, world.manager)
        for query in ("", "?like=recommendation-99", "?like=nonsense", "?like=finding-", "?like=" + "9" * 40):
            page = client.get(f"/reviews/{world.current}/action-plan{query}")
            assert page.status_code == 200, query
            assert "like this one" not in text(page)
        assert client.get(f"/reviews/{world.current}/action-plan?like=finding-%00").status_code == 400

    @pytest.mark.parametrize("wording", ["\x00", "x" * 10001, "", "   "])
    def test_hostile_recommendations_are_refused_without_a_500(
        self, app: Flask, world: World, wording: str
    ) -> None:
        client = client_as(app, world.manager)
        assert _add(client, world, wording).status_code == 400
        with app.app_context():
            assert _recommendations(world.current) == []

    def test_the_fragment_lists_the_earlier_ones_like_a_text_for_managers_only(
        self, app: Flask, world: World
    ) -> None:
        path = f"/reviews/{world.current}/action-plan/resemblances"
        manager = client_as(app, world.manager)
        found = manager.get(path, query_string={"text": REWORDED, "themes": [str(t) for t in world.themes]})
        assert found.status_code == 200
        body = text(found)
        assert (
            world.earlier_reference in body and "Shared themes: Domestic abuse, Information sharing" in body
        )
        assert "<html" not in body  # a fragment, not a page
        assert "No earlier" in text(manager.get(path, query_string={"text": FAR}))
        for hostile in ("", "x" * 20000, "\u202e" * 50):
            assert (
                manager.get(path, query_string={"text": hostile, "themes": ["x", "-1", "9" * 30]}).status_code
                == 200
            )
        assert manager.get(path + "?text=%00").status_code == 400
        assert client_as(app, world.reviewer).get(path, query_string={"text": REWORDED}).status_code == 403
        assert client_as(app, world.lead).get(path, query_string={"text": REWORDED}).status_code == 404
        page = text(manager.get(f"/reviews/{world.current}/action-plan"))
        assert f'data-resemblances="{path}"' in page
        assert "data-resemblances=" not in text(
            client_as(app, world.reviewer).get(f"/reviews/{world.current}/action-plan")
        )


def _count(app: Flask, change) -> int:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        change()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_a_fixed_number_of_queries_whatever_the_number_of_earlier_recommendations(
    app: Flask, ctx: World
) -> None:
    def search() -> None:
        db.session.expire_all()
        assert find_resembling(EARLIER, theme_ids=ctx.themes, exclude_review_id=ctx.current)

    few = _count(app, search)
    manager = db.session.execute(select(User).where(User.email == ctx.manager)).scalar_one()
    police = db.session.execute(select(Action)).scalars().first().agency  # type: ignore[union-attr]
    for number in range(6):
        review = make_review("SAR", "awaiting_reviewer", by=manager, agencies=[police])
        added = services.add_recommendation(
            review, f"{EARLIER} Variant {number}.", True, [], [theme("Domestic abuse")], manager
        )
        services.add_action(added, "Act.", None, manager, uk_today() + timedelta(days=5), "Audit.", manager)
        services.add_finding(review, f"{FINDING} Variant {number}.", [theme("Domestic abuse")], manager)
    db.session.commit()
    many = _count(app, search)
    assert few == many <= 3


# --- the plan page, adding ----------------------------------------------------------------------


def _add(client, world: World, wording: str, follow: bool = True):  # type: ignore[no-untyped-def]
    path = f"/reviews/{world.current}/action-plan"
    return post_form(
        client,
        f"{path}/recommendations",
        {"text": wording, "to_partnership": "y", "add_recommendation": "Add recommendation"},
        token_from=path,
    )


def _form_key(page: str) -> str:
    found = re.search(r'name="form_key" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_a_manager_sees_the_earlier_recommendations_like_the_one_just_added(app: Flask, world: World) -> None:
    client = client_as(app, world.manager)
    added = _add(client, world, REWORDED)
    assert added.status_code == 302
    assert "like=recommendation-1" in added.headers["Location"]
    page = client.get(added.headers["Location"])
    body = text(page)
    assert page.status_code == 200
    assert "Earlier recommendations like this one" in body
    assert world.earlier_reference in body and "Very similar" in body
    assert "1 verified, 1 overdue, 1 open" in body


def test_only_board_managers_see_resemblances(app: Flask, world: World) -> None:
    reviewer = client_as(app, world.reviewer)
    added = _add(reviewer, world, REWORDED)
    assert added.status_code == 302
    page = reviewer.get(added.headers["Location"])
    assert page.status_code == 200
    assert "like this one" not in text(page) and world.earlier_reference not in text(page)
    lead = client_as(app, world.lead)
    assert lead.get(added.headers["Location"]).status_code == 404


def test_a_long_recommendation_is_saved_and_checked(app: Flask, world: World) -> None:
    client = client_as(app, world.manager)
    added = _add(client, world, (EARLIER + " ") * 60)
    assert added.status_code == 302
    page = client.get(added.headers["Location"])
    assert page.status_code == 200 and "like this one" in text(page)


# --- confirming a repeated recommendation ------------------------------------------------------


def test_a_repeat_needs_what_is_different_before_it_is_confirmed(app: Flask, world: World) -> None:
    client = client_as(app, world.manager)
    assert _add(client, world, REWORDED).status_code == 302
    assert _add(client, world, FAR).status_code == 302
    plan = f"/reviews/{world.current}/action-plan"
    with app.app_context():
        repeat = db.session.execute(
            select(Recommendation).where(
                Recommendation.review_id == world.current, Recommendation.number == 1
            )
        ).scalar_one()
        field = f"different-{repeat.id}"
    page = text(client.get(plan))
    assert "Recommendation 1: what is different this time?" in page
    assert "Recommendation 2: what is different" not in page

    refused = client.post(
        f"{plan.replace('action-plan', 'recommendations/confirm')}",
        data={"csrf_token": _csrf(page), "form_key": _form_key(page), field: "   "},
    )
    assert refused.status_code == 400
    assert f"Recommendation 1 closely resembles recommendation 1 of {world.earlier_reference}" in text(
        refused
    )
    with app.app_context():
        assert all(r.confirmed_at is None for r in _recommendations(world.current))

    page = text(client.get(plan))
    answer = "This time children's social care owns the route and it is audited monthly."
    confirmed = client.post(
        plan.replace("action-plan", "recommendations/confirm"),
        data={"csrf_token": _csrf(page), "form_key": _form_key(page), field: answer},
    )
    assert confirmed.status_code == 302
    with app.app_context():
        kept = stored(Recommendation, repeat.id)
        assert kept.confirmed_at is not None
        assert kept.resembles_id == world.repeated_rec and kept.difference_from_earlier == answer
        other = _recommendations(world.current)[1]
        assert other.confirmed_at is not None and other.resembles_id is None
        events = (
            db.session.execute(select(AuditEvent).where(AuditEvent.action == "recommendation_repeated"))
            .scalars()
            .all()
        )
        assert len(events) == 1 and answer in events[0].summary
        said = describe(events[0]).sentence
        assert "which closely resembles recommendation 1 of" in said and said.endswith(answer)
    shown = text(client.get(plan))
    assert "What is different this time:" in shown and answer in shown
    assert world.earlier_reference in shown


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found
    return found.group(1)


def _recommendations(review_id: int) -> list[Recommendation]:
    return list(
        db.session.execute(
            select(Recommendation)
            .where(Recommendation.review_id == review_id)
            .order_by(Recommendation.number)
        ).scalars()
    )


def test_the_service_refuses_a_repeat_without_an_answer_and_changes_nothing(ctx: World) -> None:
    manager = db.session.execute(select(User).where(User.email == ctx.manager)).scalar_one()
    current = db.session.get(Review, ctx.current)
    assert current is not None
    added = services.add_recommendation(current, REWORDED, True, [], [], manager)
    db.session.commit()
    with pytest.raises(DomainError, match="what is different this time"):
        services.confirm_recommendations(current, manager, {added.id: ""})
    db.session.rollback()
    assert stored(Recommendation, added.id).confirmed_at is None
    with pytest.raises(DomainError, match="5,000 characters"):
        services.confirm_recommendations(current, manager, {added.id: "x" * 5001})
    db.session.rollback()
    assert (
        services.confirm_recommendations(current, manager, {added.id: "Owned by the partnership now."}) == 1
    )
    assert added.resembles_id == ctx.repeated_rec
    assert resemblance.CLOSE == CLOSE


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_repeats_an_older_review_s_recommendation_and_says_why(app: Flask, folder: Path) -> None:
    from tests.support.demo import load_demo

    with app.app_context():
        load_demo(app)
        repeated = db.session.execute(
            select(Recommendation).where(Recommendation.resembles_id.is_not(None))
        ).scalar_one()
        assert repeated.review.pseudonym == "Child D" and repeated.confirmed_at is not None
        assert repeated.resembles is not None and repeated.resembles.review.pseudonym == "Child M"
        assert repeated.resembles.review.year < repeated.review.year
        answer = repeated.difference_from_earlier or ""
        assert "This time" in answer
        review_id = repeated.review_id
    client = client_as(app, "manager@northshire.example", "demo manager passphrase")
    page = text(client.get(f"/reviews/{review_id}/action-plan"))
    assert "What is different this time:" in page and "Closely resembles recommendation 1 of CSPR-" in page
    export = client.get(f"/actions/export.csv?review={review_id}").get_data(as_text=True)
    assert "What is different this time" in export and answer in export
