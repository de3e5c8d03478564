"""A recommendation's outcome: achieved only when re-measured (figure, date, evidence) and the
target is met, or ended by the partners' recorded decision not to pursue it; verified actions alone
never achieve it. The status is the same in Python and in SQL; every refusal says why and changes
nothing; the page follows the plan's access rules; a re-measure falling due reminds its owner
through the daily pass, whatever the review's stage."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, insert, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from casework.actions import outcomes
from casework.actions import services as actions
from casework.actions.models import (
    ActionStatus,
    OutcomeStatus,
    Recommendation,
    RecommendationOutcome,
)
from casework.actions.outcomes import MeasureDetails, Remeasure
from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.core.workdays import WorkingCalendar, working_calendar
from casework.notifications.due import Window, everything_due
from casework.notifications.models import Reminder, ReminderKind
from casework.notifications.reminders import run_daily_pass
from casework.notifications.rules import current_rules
from casework.reviews.models import Review
from casework.reviews.timeline_phrases import PHRASES
from tests.notifications.due_world import on
from tests.support.files import PDF
from tests.support.http import SIGN_IN, assert_answer, client_as, page_text, post_form
from tests.support.people import make_agency, make_user
from tests.support.readonly import built_once
from tests.support.records import make_recommendation, plan_action
from tests.support.reviews import make_review

STATUSES = {
    "no_measure": OutcomeStatus.NO_MEASURE,  # its only action verified: still nothing measured
    "awaiting": OutcomeStatus.AWAITING,  # its only action verified too
    "due": OutcomeStatus.DUE,
    "overdue": OutcomeStatus.OVERDUE,
    "not_yet": OutcomeStatus.NOT_YET,
    "achieved": OutcomeStatus.ACHIEVED,
    "not_pursued": OutcomeStatus.NOT_PURSUED,
}


def details(
    today: date, remeasure_on: date | None = None, owner: User | None = None, **changes: Any
) -> MeasureDetails:
    values: dict[str, Any] = {
        "intended_outcome": "Babies where police attend domestic abuse are seen by health visiting.",
        "measure": "Share of incidents shared with health visiting within a working day.",
        "baseline": "38% of 52 incidents",
        "baseline_on": today - timedelta(days=90),
        "target": "95% of incidents",
        "remeasure_on": remeasure_on or today + timedelta(days=60),
        "owner": owner,
    }
    return MeasureDetails(**(values | changes))


def result(today: date, met: bool | None = True, **changes: Any) -> Remeasure:
    values: dict[str, Any] = {
        "measured_on": today,
        "figure": "96% of 48 incidents",
        "target_met": met,
        "evidence_note": "Police audit of the quarter, checked against health visiting's log.",
        "evidence": None,
        "next_remeasure_on": None if met else today + timedelta(days=30),
    }
    return Remeasure(**(values | changes))


def verified_action(recommendation: Recommendation, manager: User) -> None:
    """A partnership action taken to verified, with its evidence: the plan's work done."""
    action = plan_action(
        recommendation, manager, description="Brief every team.", measure="An audit.", due_in=20
    )
    upload = FileStorage(io.BytesIO(PDF), filename="briefing.pdf", content_type="application/pdf")
    actions.add_progress(action, ActionStatus.COMPLETED, "All teams briefed.", [upload], manager, None)
    actions.verify_action(action, "Seen.", manager, None)
    assert action.status == ActionStatus.VERIFIED


@dataclass(frozen=True)
class World:
    review_id: int
    other_review_id: int
    recommendations: dict[str, int]  # by the status it was given
    people: dict[str, int]

    def url(self, key: str, then: str = "", review_id: int | None = None) -> str:
        review = review_id or self.review_id
        return f"/reviews/{review}/recommendations/{self.recommendations[key]}/outcome{then}"


def build_world(app: Flask) -> World:
    """A commissioned review led by reviewer R1, with a recommendation in every outcome status,
    and another review; a second manager, an outside reviewer, an agency lead, an administrator."""
    with app.app_context():
        today = uk_today()
        manager = make_user(Role.BOARD_MANAGER, name="Morgan Price")
        people = {
            "manager": manager.id,
            "manager2": make_user(Role.BOARD_MANAGER, name="Sam Okafor").id,
            "R1": (lead_reviewer := make_user(Role.REVIEWER, name="Robin Lead")).id,
            "R3": make_user(Role.REVIEWER, name="Terry Elsewhere").id,
            "lead": make_user(Role.AGENCY_LEAD, agency=make_agency()).id,
            "admin": make_user(Role.ADMIN).id,
        }
        review = make_review("CSPR", "contributions", by=manager, reviewer=lead_reviewer, pseudonym="Child O")
        other = make_review("CSPR", "awaiting_reviewer", by=manager, pseudonym="Child P")
        manager = db.session.get(User, people["manager"])
        review = db.session.get(Review, review.id)
        made = {key: make_recommendation(review, manager, text=f"Recommendation {key}.") for key in STATUSES}
        verified_action(made["no_measure"], manager)
        verified_action(made["awaiting"], manager)
        outcomes.set_measure(made["awaiting"], details(today), manager, None)
        outcomes.set_measure(made["due"], details(today, today), manager, None)
        overdue = outcomes.set_measure(made["overdue"], details(today), manager, None)
        overdue.remeasure_on = today - timedelta(days=5)  # the service refuses a past date
        outcomes.set_measure(made["not_yet"], details(today), manager, None)
        outcomes.record_remeasure(made["not_yet"], result(today, False, figure="61%"), manager, None)
        outcomes.set_measure(made["achieved"], details(today), manager, None)
        outcomes.record_remeasure(made["achieved"], result(today - timedelta(days=1)), manager, None)
        outcomes.decide_not_to_pursue(made["not_pursued"], "Superseded by the Board's audit.", manager, None)
        db.session.commit()
        return World(review.id, other.id, {key: r.id for key, r in made.items()}, people)


@pytest.fixture(scope="class")
def world(app: Flask) -> Iterator[World]:
    """Built once for the class that only reads it; sign-ins add audit rows."""
    with built_once(app, lambda: build_world(app), may_add_to={"audit_events"}) as made:
        yield made


@pytest.fixture(scope="class")
def clients(app: Flask, world: World) -> dict[str, FlaskClient]:
    return {key: client_as(app, world.people[key]) for key in ("manager", "R1")}


def _named(name: str) -> User:
    return db.session.execute(select(User).where(User.name == name)).scalar_one()


def _load(recommendation_id: int) -> Recommendation:
    found = db.session.get(Recommendation, recommendation_id, options=[joinedload(Recommendation.outcome)])
    assert found is not None
    return found


# --- the rule ----------------------------------------------------------------------------------


Call = Callable[[Recommendation, User, date], object]

REFUSALS: list[tuple[str, str, str, Call, str | None, str]] = [
    # (case, recommendation, who, the call, field, words of the message)
    (
        "re-measure without a figure",
        "awaiting",
        "manager",
        lambda r, by, t: outcomes.record_remeasure(r, result(t, figure="  "), by, None),
        "figure",
        "Enter the figure",
    ),
    (
        "re-measure without evidence",
        "awaiting",
        "manager",
        lambda r, by, t: outcomes.record_remeasure(r, result(t, evidence_note=""), by, None),
        "evidence_note",
        "Describe the evidence",
    ),
    (
        "re-measure without the partners' judgement",
        "awaiting",
        "manager",
        lambda r, by, t: outcomes.record_remeasure(r, result(t, None), by, None),
        "target_met",
        "meets the target",
    ),
    (
        "re-measure short of the target without a new date",
        "awaiting",
        "manager",
        lambda r, by, t: outcomes.record_remeasure(r, result(t, False, next_remeasure_on=None), by, None),
        "next_remeasure_on",
        "Enter the date to measure again",
    ),
    (
        "re-measure in the future",
        "awaiting",
        "manager",
        lambda r, by, t: outcomes.record_remeasure(r, result(t + timedelta(days=1)), by, None),
        "measured_on",
        "cannot be in the future",
    ),
    (
        "re-measure before the baseline",
        "awaiting",
        "manager",
        lambda r, by, t: outcomes.record_remeasure(r, result(t - timedelta(days=400)), by, None),
        "measured_on",
        "before the baseline",
    ),
    (
        "re-measure with no measure set",
        "no_measure",
        "manager",
        lambda r, by, t: outcomes.record_remeasure(r, result(t), by, None),
        None,
        "Set the outcome's measure",
    ),
    (
        "no reason not to pursue it",
        "awaiting",
        "manager",
        lambda r, by, t: outcomes.decide_not_to_pursue(r, " \n ", by, None),
        "reason",
        "Give the partners' reason",
    ),
    (
        "an achieved outcome re-measured again",
        "achieved",
        "manager",
        lambda r, by, t: outcomes.record_remeasure(r, result(t), by, None),
        None,
        "recorded as achieved",
    ),
    (
        "an achieved outcome given up",
        "achieved",
        "manager",
        lambda r, by, t: outcomes.decide_not_to_pursue(r, "Changed our minds.", by, None),
        None,
        "achieved",
    ),
    (
        "a measure for an outcome not pursued",
        "not_pursued",
        "manager",
        lambda r, by, t: outcomes.set_measure(r, details(t), by, None),
        None,
        "recorded as not pursued",
    ),
    (
        "a date to measure again before the baseline",
        "no_measure",
        "manager",
        lambda r, by, t: outcomes.set_measure(r, details(t, remeasure_on=t - timedelta(days=100)), by, None),
        "remeasure_on",
        "after the date of the baseline",
    ),
    (
        "a new date to measure again in the past",
        "awaiting",
        "manager",
        lambda r, by, t: outcomes.set_measure(r, details(t, remeasure_on=t - timedelta(days=1)), by, None),
        "remeasure_on",
        "cannot be in the past",
    ),
    (
        "a baseline in the future",
        "no_measure",
        "manager",
        lambda r, by, t: outcomes.set_measure(r, details(t, baseline_on=t + timedelta(days=1)), by, None),
        "baseline_on",
        "cannot be in the future",
    ),
    (
        "a measure with no target",
        "no_measure",
        "manager",
        lambda r, by, t: outcomes.set_measure(r, details(t, target=""), by, None),
        "target",
        "Enter the target",
    ),
    (
        "a reviewer owning the measure",
        "no_measure",
        "manager",
        lambda r, by, t: outcomes.set_measure(r, details(t, owner=_named("Robin Lead")), by, None),
        "owner",
        "active board manager",
    ),
    (
        "the lead reviewer recording a re-measure",
        "awaiting",
        "R1",
        lambda r, by, t: outcomes.record_remeasure(r, result(t), by, None),
        None,
        "Only a board manager",
    ),
]


# --- the pages -----------------------------------------------------------------------------------


def measure_form(**changes: str | list[str]) -> dict[str, str | list[str]]:
    """The outcome's measure form, filled in, with ``changes``."""
    values: dict[str, str | list[str]] = {
        "intended_outcome": "x",
        "measure": "x",
        "baseline": "1",
        "target": "2",
        "baseline_on": ["1", "1", "2026"],
        "remeasure_on": ["1", "1", "2030"],
    }
    return values | changes


BAD_POSTS = [
    (
        "/measure",
        measure_form(
            intended_outcome="",
            baseline="",
            target="95%",
            baseline_on=["", "", ""],
            remeasure_on=["31", "2", "2030"],
        ),
        [
            "Describe the outcome the recommendation should bring about",
            "Enter the baseline, with its unit",
            "Enter the date of the baseline",
            "must be a real date",
        ],
    ),
    (
        "/remeasure",
        {"measured_on": ["1", "1", "2026"], "figure": "", "target_met": "maybe"},
        ["Enter the figure measured", "Not a valid choice"],
    ),
    (
        "/remeasure",
        {"measured_on": ["", "", ""], "figure": "50%", "target_met": "no", "evidence_note": "Audit"},
        ["Enter the date it was measured"],
    ),
    ("/not-pursued", {"reason": "   "}, ["Give the partners' reason for not pursuing it"]),
    (
        "/measure",
        measure_form(version="0"),
        ["Someone else changed this recommendation's outcome"],
    ),
]


@pytest.mark.read_only
class TestOneWorld:
    """Only reads, or refused changes: the world is built once for the class."""

    def test_each_status_is_the_same_in_python_and_in_sql(self, app: Flask, world: World) -> None:
        expected = {world.recommendations[key]: status for key, status in STATUSES.items()}
        with app.app_context():
            today = uk_today()
            found = (
                db.session.execute(
                    select(Recommendation)
                    .where(Recommendation.review_id == world.review_id)
                    .options(joinedload(Recommendation.outcome), joinedload(Recommendation.actions))
                )
                .unique()
                .scalars()
            )
            by_id = {r.id: r for r in found}
            assert {key: r.outcome_status(today) for key, r in by_id.items()} == expected
            in_sql = db.session.execute(
                select(Recommendation.id, RecommendationOutcome.status_sql(today))
                .outerjoin(
                    RecommendationOutcome, RecommendationOutcome.recommendation_id == Recommendation.id
                )
                .where(Recommendation.review_id == world.review_id)
            ).all()
            assert {key: OutcomeStatus(value) for key, value in in_sql} == expected
            # Verified actions alone achieve nothing: with or without a measure.
            for key in ("no_measure", "awaiting"):
                assert [a.status for a in by_id[world.recommendations[key]].actions] == [
                    ActionStatus.VERIFIED
                ]
            achieved = by_id[world.recommendations["achieved"]].outcome
            assert (
                achieved is not None
                and achieved.achieved_on == achieved.last_measured_on == today - timedelta(days=1)
            )

    @pytest.mark.parametrize(
        ("key", "who", "call", "field", "words"),
        [case[1:] for case in REFUSALS],
        ids=[case[0] for case in REFUSALS],
    )
    def test_a_refused_change_says_why_and_changes_nothing(
        self, app: Flask, world: World, key: str, who: str, call: Call, field: str | None, words: str
    ) -> None:
        with app.app_context():
            recommendation, by = _load(world.recommendations[key]), db.session.get(User, world.people[who])
            assert by is not None
            before = recommendation.outcome.version if recommendation.outcome else None
            with pytest.raises(DomainError) as refused:
                call(recommendation, by, uk_today())
            db.session.rollback()
            assert (refused.value.field, words in refused.value.message) == (field, True), (
                refused.value.message
            )
            after = _load(world.recommendations[key]).outcome
            assert (after.version if after else None) == before

    def test_a_measure_changed_since_the_page_was_drawn_is_refused(self, app: Flask, world: World) -> None:
        with app.app_context():
            recommendation = _load(world.recommendations["awaiting"])
            manager = db.session.get(User, world.people["manager"])
            assert recommendation.outcome is not None and manager is not None
            stale = recommendation.outcome.version - 1
            with pytest.raises(ConcurrentEditError):
                outcomes.set_measure(recommendation, details(uk_today()), manager, stale)
            db.session.rollback()
            with pytest.raises(ConcurrentEditError):  # a page drawn before any measure was set
                outcomes.decide_not_to_pursue(recommendation, "Superseded.", manager, 0)
            db.session.rollback()

    def test_who_may_read_and_who_may_record_an_outcome(
        self, app: Flask, world: World, clients: dict[str, FlaskClient]
    ) -> None:
        page = world.url("awaiting")
        manager, reviewer = clients["manager"], clients["R1"]
        shown = page_text(manager.get(page))
        assert (
            "Awaiting re-measure" in shown
            and "Record a re-measure" in shown
            and "Change the measure" in shown
        )
        read = reviewer.get(page)
        assert read.status_code == 200 and "Awaiting re-measure" in page_text(read)
        assert (
            "Record a re-measure" not in page_text(read)
            and "csrf_token" not in read.get_data(as_text=True).split("<main")[1]
        )
        for then in ("/measure", "/remeasure", "/not-pursued"):
            assert (
                post_form(reviewer, page + then, {"reason": "No."}, token_from="/account").status_code == 403
            )
        for key in ("R3", "lead", "admin"):
            assert client_as(app, world.people[key]).get(page).status_code == 404, key
        assert_answer(client_as(app, None).get(page), SIGN_IN)
        # A recommendation named under another review is not found, even by a board manager.
        assert manager.get(world.url("awaiting", review_id=world.other_review_id)).status_code == 404
        assert manager.get(f"/reviews/{world.review_id}/recommendations/999999/outcome").status_code == 404

    def test_the_plan_shows_each_recommendations_outcome(
        self, world: World, clients: dict[str, FlaskClient]
    ) -> None:
        for who in ("manager", "R1"):
            plan = page_text(clients[who].get(f"/reviews/{world.review_id}/action-plan"))
            for number, status in enumerate(STATUSES.values(), start=1):
                start = plan.index(f'data-testid="outcome-{number}"')
                assert status.label in plan[start : start + 400], (who, number, status)
        assert "Set the outcome and its measure" not in plan  # the reviewer reads, never sets

    @pytest.mark.parametrize(("then", "data", "messages"), BAD_POSTS)
    def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(
        self,
        app: Flask,
        world: World,
        clients: dict[str, FlaskClient],
        then: str,
        data: dict[str, Any],
        messages: list[str],
    ) -> None:
        with app.app_context():
            before = _load(world.recommendations["awaiting"]).outcome.version  # type: ignore[union-attr]
        page = world.url("awaiting")
        response = post_form(clients["manager"], page + then, data, token_from=page)
        assert response.status_code == 400
        shown = page_text(response)
        assert "<title>Error:" in shown
        for message in messages:
            assert message in shown, message
        with app.app_context():
            assert _load(world.recommendations["awaiting"]).outcome.version == before  # type: ignore[union-attr]


def test_a_board_manager_measures_re_measures_and_achieves_an_outcome_on_the_timeline(app: Flask) -> None:
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        review = make_review("CSPR", "awaiting_reviewer", by=manager)
        recommendation = make_recommendation(review, manager)
        page = f"/reviews/{review.id}/recommendations/{recommendation.id}/outcome"
        today, manager_id, review_id = uk_today(), manager.id, review.id
    client = client_as(app, manager_id)

    def dmy(day: date) -> list[str]:
        return [str(day.day), str(day.month), str(day.year)]

    def send(then: str, data: dict[str, Any], status: str) -> str:
        response = post_form(client, page + then, data, token_from=page)
        assert response.status_code == 302, page_text(response)[:3000]
        shown = page_text(client.get(page))
        assert status in shown.split('data-testid="outcome-status"')[1][:200], shown[:3000]
        return shown

    measure = {
        "intended_outcome": "Babies are seen.",
        "measure": "Share seen within a day.",
        "baseline": "38%",
        "baseline_on": dmy(today - timedelta(days=30)),
        "target": "95%",
        "remeasure_on": dmy(today + timedelta(days=40)),
        "owner": str(manager_id),
        "version": "0",
    }
    send("/measure", measure, "Awaiting re-measure")
    evidence = (io.BytesIO(PDF), "audit.pdf")
    shown = send(
        "/remeasure",
        {
            "measured_on": dmy(today),
            "figure": "72%",
            "target_met": "no",
            "evidence": evidence,
            "next_remeasure_on": dmy(today + timedelta(days=50)),
            "version": "1",
        },
        "Not achieved yet",
    )
    assert "72%" in shown and "audit.pdf" in shown and "target not met" in shown
    shown = send(
        "/remeasure",
        {
            "measured_on": dmy(today),
            "figure": "96%",
            "target_met": "yes",
            "evidence_note": "The quarter's audit.",
            "version": "2",
        },
        "Achieved",
    )
    assert "Record a re-measure" not in shown and "Change the measure" not in shown
    with app.app_context():
        events = (
            db.session.execute(
                select(AuditEvent)
                .where(AuditEvent.review_id == review.id, AuditEvent.action.like("outcome_%"))
                .order_by(AuditEvent.id)
            )
            .scalars()
            .all()
        )
        said = [PHRASES[e.action](e, e.details or {}) for e in events]
        assert [e.action for e in events] == [
            "outcome_measure_set",
            "outcome_remeasured",
            "outcome_remeasured",
        ]
        assert all(s is not None for s in said)
        assert said[-1].what.endswith("the target met: achieved")  # type: ignore[union-attr]
    timeline = page_text(client.get(f"/reviews/{review_id}"))
    assert "re-measured the outcome of recommendation 1" in timeline


def test_two_managers_starting_the_same_outcome_at_once_are_told_not_failed(app: Flask) -> None:
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        review = make_review("CSPR", "awaiting_reviewer", by=manager)
        recommendation = _load(make_recommendation(review, manager).id)
        assert recommendation.outcome is None  # as the page was drawn
        with db.engine.connect() as other:  # the other manager's decision, committed first
            other.execute(
                insert(RecommendationOutcome).values(
                    recommendation_id=recommendation.id,
                    not_pursued_reason="Superseded.",
                    not_pursued_by_id=manager.id,
                    not_pursued_at=utcnow(),
                    version=1,
                )
            )
            other.commit()
        with pytest.raises(ConcurrentEditError):
            outcomes.set_measure(recommendation, details(uk_today()), manager, 0)
        db.session.rollback()
        assert _load(recommendation.id).outcome_status(uk_today()) == OutcomeStatus.NOT_PURSUED


# --- reminders ---------------------------------------------------------------------------------

TODAY = date(2026, 12, 14)  # a Monday, a fortnight before Christmas: bank holidays in the window


def _measured(today: date, due: date, count: int = 1) -> tuple[dict[str, int], list[int]]:
    """Two board managers; an ended review (no local review, its learning kept) with ``count``
    recommendations measured by M1 to be re-measured on ``due``."""
    m1, m2 = make_user(Role.BOARD_MANAGER), make_user(Role.BOARD_MANAGER)
    review = make_review("CSPR", "no_review", by=m1)
    review = db.session.get(Review, review.id)
    assert review is not None and review.is_ended
    made = actions.keep_learning(review, [f"Learning {n}." for n in range(count)], m1)
    for recommendation in made:
        outcomes.set_measure(recommendation, details(today, due), m1, None)
    db.session.commit()
    return {"M1": m1.id, "M2": m2.id}, [r.id for r in made]


def _measures_due(day: date) -> list[Any]:
    window = Window(day, working_calendar(), current_rules())
    return [item for item in everything_due(window, db.session) if item.kind == ReminderKind.MEASURE]


def test_a_re_measure_reminds_its_owner_within_its_notice_and_the_managers_once_long_overdue(
    app: Flask,
) -> None:
    calendar = WorkingCalendar()
    due = calendar.add_working_days(TODAY, 10)  # the default rule: 10 working days' notice
    with app.test_request_context(), on(TODAY):
        people, [recommendation_id] = _measured(TODAY, due)
        item = f"measure:{recommendation_id}"
        assert _measures_due(calendar.add_working_days(TODAY, -1)) == []  # not before its notice
        [found] = _measures_due(TODAY)
        assert (found.item, found.due_on, found.days_left, found.escalate) == (item, due, 10, False)
        assert found.link == f"/reviews/{found.review_id}/recommendations/{recommendation_id}/outcome"
        run_daily_pass(TODAY)
        reminded = db.session.execute(
            select(Reminder.user_id, Reminder.escalated).where(Reminder.item == item)
        )
        assert set(reminded.all()) == {(people["M1"], False)}  # its owner, nobody else
        late = calendar.add_working_days(due, 20)  # 20 working days overdue: escalated
        [found] = _measures_due(late)
        assert (found.days_left, found.escalate) == (-20, True)
        # Achieved, it is chased no more.
        recommendation = _load(recommendation_id)
        manager = db.session.get(User, people["M1"])
        outcomes.record_remeasure(recommendation, result(TODAY), manager, None)
        db.session.commit()
        assert _measures_due(late) == []


def test_the_daily_pass_finds_re_measures_in_one_query_however_many(app: Flask) -> None:
    with app.test_request_context(), on(TODAY):
        _measured(TODAY, TODAY + timedelta(days=3), count=1)

        def statements() -> int:
            seen: list[str] = []
            listener = lambda *args: seen.append(args[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                assert len(_measures_due(TODAY)) >= 1
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            return len(seen)

        few = statements()
        _measured(TODAY, TODAY + timedelta(days=2), count=4)
        assert len(_measures_due(TODAY)) == 5
        assert statements() == few
