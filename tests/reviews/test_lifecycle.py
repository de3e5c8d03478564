"""The review lifecycle through the service functions: every (stage, move) pair of every seeded
review type, refused input, reference numbers and the review's history.

A refused step must raise DomainError and change nothing: each refusal below is checked against
a snapshot of the whole database taken before the call, both before and after the rollback a
view does."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework.actions.services import close_review
from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.appointments import services as appointments
from casework.reviews.drafts import services as drafts
from casework.reviews.lifecycle import TRANSITIONS, Move, allowed_moves, move_is_allowed
from casework.reviews.models import (
    AssignmentRole,
    AssignmentStatus,
    DecisionChallenge,
    DecisionOutcome,
    Involvement,
    PanelResponse,
    Review,
    ReviewerAssignment,
    ReviewSequence,
)
from casework.reviews.publication import publishing
from casework.reviews.referral.commissioning import TermsDetails, commission_review
from casework.reviews.referral.decision import (
    DecisionDetails,
    decision_outcomes,
    reconsider_decision,
    record_decision,
)
from casework.reviews.referral.identifiers import PersonDetails, record_identifier_view, save_identifiers
from casework.reviews.referral.pausing import extend_deadline, pause_review, resume_review
from casework.reviews.referral.rapid_review import (
    begin_rapid_review,
    complete_rapid_review,
    refer_for_decision,
    save_rapid_review,
)
from casework.reviews.referral.referral import ReferralDetails, create_referral, update_referral
from casework.reviews.stages import ReviewStage
from tests.conftest import make_agency, make_user
from tests.reviews.conftest import (
    REACHABLE_STAGES,
    decision_details,
    make_review,
    rapid_review_details,
    review_dates,
    review_type,
    terms_details,
)
from tests.support.readonly import built_once
from tests.support.rows import stored

S = ReviewStage
M = Move
MAIN_PATH = [
    S.COMMISSIONING,
    S.AWAITING_REVIEWER,
    S.CONTRIBUTIONS,
    S.DRAFTING,
    S.PUBLICATION,
    S.ACTION_PLANNING,
    S.CLOSED,
]
STAGES = {
    "CSPR": [S.REFERRAL, S.RAPID_REVIEW, S.DECISION, *MAIN_PATH, S.NO_REVIEW, S.NATIONAL_REVIEW],
    "SAR": [S.REFERRAL, S.DECISION, *MAIN_PATH, S.NO_REVIEW],
    "DHR": [S.REFERRAL, S.DECISION, *MAIN_PATH, S.NO_REVIEW],
}
# The moves each stage allows; every other (stage, move) pair is refused. Every type shares the
# stages after the decision.
AFTER_THE_DECISION = {
    S.COMMISSIONING: {M.COMMISSION},
    S.AWAITING_REVIEWER: {M.START_CONTRIBUTIONS},  # once a lead reviewer has accepted
    S.CONTRIBUTIONS: {M.START_DRAFTING},  # with the first draft
    S.DRAFTING: {M.FINALISE},  # when the partners sign a version off
    S.PUBLICATION: {M.PUBLISH},  # publishing, or recording the decision not to
    S.ACTION_PLANNING: {M.CLOSE},  # once every action is verified
}
ALLOWED = {
    "CSPR": {
        S.REFERRAL: {M.BEGIN_RAPID_REVIEW},  # no skipping the rapid review
        S.RAPID_REVIEW: {M.COMPLETE_RAPID_REVIEW},
        S.DECISION: {M.DECIDE_LOCAL_REVIEW, M.DECIDE_NO_REVIEW, M.DECIDE_NATIONAL_REVIEW},
        **AFTER_THE_DECISION,
        # The partners reconsider after the Panel challenged the decision (CSPR only).
        S.COMMISSIONING: {M.COMMISSION, M.RECONSIDER_NO_REVIEW},
        S.NO_REVIEW: {M.RECONSIDER_LOCAL_REVIEW},
    },
    "SAR": {
        S.REFERRAL: {M.REFER_FOR_DECISION},  # no rapid review for adults
        S.DECISION: {M.DECIDE_LOCAL_REVIEW, M.DECIDE_NO_REVIEW},  # the Panel reviews children only
        **AFTER_THE_DECISION,
    },
    "DHR": {
        S.REFERRAL: {M.REFER_FOR_DECISION},
        S.DECISION: {M.DECIDE_LOCAL_REVIEW, M.DECIDE_NO_REVIEW},
        **AFTER_THE_DECISION,
    },
}
OUTCOMES = {
    M.DECIDE_LOCAL_REVIEW: DecisionOutcome.LOCAL_REVIEW,
    M.DECIDE_NO_REVIEW: DecisionOutcome.NO_REVIEW,
    M.DECIDE_NATIONAL_REVIEW: DecisionOutcome.NATIONAL_REVIEW,
}
RECONSIDERED = {
    M.RECONSIDER_LOCAL_REVIEW: DecisionOutcome.LOCAL_REVIEW,
    M.RECONSIDER_NO_REVIEW: DecisionOutcome.NO_REVIEW,
}
ALL_PAIRS = [(code, stage, move) for code, stages in STAGES.items() for stage in stages for move in Move]
ALLOWED_PAIRS = [
    (code, stage, move) for code, stage, move in ALL_PAIRS if move in ALLOWED[code].get(stage, ())
]


def pair_id(code: str, stage: ReviewStage, move: Move) -> str:
    return f"{code}-{stage.value}-{move.value}"


# --- helpers ----------------------------------------------------------------------------


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the seeded reference tables included), as stored: read on the
    session's connection without the ORM, which would cost more than the rows themselves."""
    connection = db.session.connection()
    return {
        table.name: sorted(
            (tuple(row) for row in connection.exec_driver_sql(f'SELECT * FROM "{table.name}"')), key=repr
        )
        for table in db.metadata.sorted_tables
    }


def write_mark() -> tuple[object, ...] | None:
    """Where the session's SQLite connection stands: the connection itself, the rows it has
    changed since it opened (uncommitted ones included) and the data version another
    connection's commit moves. The same mark after a call proves the call wrote nothing, so the
    snapshots need not be read again; None on PostgreSQL, where they always are."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return None
    return (
        connection.connection.dbapi_connection,
        connection.exec_driver_sql("SELECT total_changes()").scalar_one(),
        connection.exec_driver_sql("PRAGMA data_version").scalar_one(),
    )


def audit_count(review_id: int) -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.review_id == review_id)) or 0


def refused(
    review_id: int | None,
    call: Callable[[], object],
    field: str | type[Any] | None = Any,
    error: type[DomainError] = DomainError,
) -> DomainError:
    """Call a service that must refuse: DomainError (with ``field``, unless Any) and no change,
    neither in the transaction the call ran in nor after the rollback a view does."""
    before = snapshot()
    state = None
    if review_id is not None:
        review = db.session.get(Review, review_id)
        assert review is not None
        state = (review.stage, review.version, audit_count(review_id))
    mark = write_mark()
    with pytest.raises(error) as caught:
        call()
    if field is not Any:
        assert caught.value.field == field, caught.value.message
    wrote = mark is None or write_mark() != mark
    if wrote:
        assert snapshot() == before, "the refused call changed the database before the rollback"
    db.session.rollback()
    if wrote:
        assert snapshot() == before
    if review_id is not None:
        review = db.session.get(Review, review_id)
        assert review is not None
        db.session.refresh(review)
        assert (review.stage, review.version, audit_count(review_id)) == state
    return caught.value


def reload(review_id: int) -> Review:
    db.session.expire_all()
    return stored(Review, review_id)


def user_of(user: User) -> User:
    return stored(User, user.id)


def agency_of(review: Review) -> Agency:
    """An agency the review already involves."""
    return review.involvements[0].agency


def perform(review: Review, move: Move, by: User) -> Review:
    """The service call that makes ``move``, with valid details."""
    today = uk_today()
    if move == M.BEGIN_RAPID_REVIEW:
        return begin_rapid_review(review, review.version)
    if move == M.REFER_FOR_DECISION:
        return refer_for_decision(review, review.version)
    if move == M.COMPLETE_RAPID_REVIEW:
        return complete_rapid_review(review, review.version)
    if move in OUTCOMES:
        return decide(review, decision_details(review.review_type, OUTCOMES[move], today), by)
    if move in RECONSIDERED:
        details = decision_details(review.review_type, RECONSIDERED[move], today)
        return reconsider_decision(review, details, review.version, user_of(by))
    if move == M.START_DRAFTING:
        return drafts.upload_draft(review, None, "", user_of(by), review.version)
    if move == M.FINALISE:
        return drafts.mark_final(review, today, user_of(by), review.version)
    if move == M.PUBLISH:
        return publishing.publish_review(review, today, user_of(by), review.version)
    if move == M.CLOSE:
        return close_review(review, review.version, user_of(by))
    if move == M.START_CONTRIBUTIONS:
        if review.stage == S.AWAITING_REVIEWER and not review.assignments:
            with_accepted_lead(review)
        return appointments.start_contributions(review, review.version)
    return commission(review, terms_details(review_dates(commissioned_on=today), [agency_of(review)]), by)


def with_challenge(review: Review) -> None:
    """The Panel's challenge of the decision, written directly: its own steps are tested elsewhere."""
    assert review.decision is not None
    review.decision_challenges.append(
        DecisionChallenge(
            challenged_on=review.decision.decided_on,
            reasons="The Panel disagrees.",
            recorded_by_id=review.decision.recorded_by_id,
        )
    )
    db.session.flush()


def with_accepted_lead(review: Review) -> None:
    """An accepted lead reviewer, written directly: the appointment's own steps are tested elsewhere."""
    reviewer = make_user(Role.REVIEWER)
    review.assignments.append(
        ReviewerAssignment(
            reviewer_id=reviewer.id,
            role=AssignmentRole.LEAD,
            status=AssignmentStatus.ACCEPTED,
            assigned_by_id=reviewer.id,
        )
    )
    db.session.flush()


def record_rapid_review(review: Review, **changes: Any) -> None:
    """Record a complete rapid review (so it can be completed), then commit."""
    on = review_dates("CSPR")
    details = rapid_review_details(on, agencies=[agency_of(review)])
    for key, value in changes.items():
        setattr(details, key, value)
    save_rapid_review(review, details, review.version)
    db.session.commit()


def decide(review: Review, details: DecisionDetails, by: User) -> Review:
    return record_decision(review, details, review.version, user_of(by))


def commission(review: Review, details: TermsDetails, by: User) -> Review:
    return commission_review(review, details, review.version, user_of(by))


def panel_for(move: Move) -> dict[str, Any]:
    """make_review arguments so that ``move`` can be made at the decision stage."""
    return {"panel_response": PanelResponse.NATIONAL_REVIEW} if move == M.DECIDE_NATIONAL_REVIEW else {}


def made(code: str, stage: ReviewStage, manager: User, **kwargs: Any) -> Review:
    """make_review, returned attached to the current session."""
    return reload(make_review(code, stage, by=manager, **kwargs).id)


@dataclass(frozen=True)
class Shared:
    """A manager and one review per (type, stage), built once for a class of refusals: a refusal
    changes nothing (``refused`` compares the whole database), so each test finds them as built."""

    manager_id: int
    reviews: dict[tuple[str, ReviewStage], int]

    def manager(self) -> User:
        return stored(User, self.manager_id)

    def review(self, code: str, stage: ReviewStage) -> Review:
        return reload(self.reviews[code, stage])


@pytest.fixture(scope="class")
def shared(app: Flask, request: pytest.FixtureRequest) -> Iterator[Shared]:
    """The reviews at the (type, stage) pairs the test class names in ``BUILT``."""

    def build() -> Shared:
        with app.app_context():
            manager = make_user(Role.BOARD_MANAGER, name="Morgan Price")
            reviews = {(code, stage): made(code, stage, manager).id for code, stage in request.cls.BUILT}
            return Shared(manager.id, reviews)

    with built_once(app, build) as world:
        yield world


# --- the seeded types -----------------------------------------------------------------


def test_seeded_types_have_the_stages_these_tables_expect(app: Flask) -> None:
    with app.app_context():
        for code, stages in STAGES.items():
            assert review_type(code).stages == stages


def test_the_factories_return_objects_usable_after_the_app_context(app: Flask, manager: User) -> None:
    with app.app_context():
        review = make_review("CSPR", S.AWAITING_REVIEWER, by=manager, became_aware_on=days(-50))
        kind = review_type("DHR")  # (a later commit in the same context would expire it again)
    clocks = ["decision", "completion", "publication"]
    assert (kind.code, [clock.key for clock in kind.clocks]) == ("DHR", clocks)
    assert review.stage == S.AWAITING_REVIEWER and review.reference.startswith("CSPR-")
    assert review.review_type.code == "CSPR" and len(review.review_type.clocks) == 4
    assert review.referral.became_aware_on == days(-50)
    assert (
        review.rapid_review is not None and review.rapid_review.panel_response == PanelResponse.AGREES_LOCAL
    )
    assert review.decision is not None and review.decision.outcome == DecisionOutcome.LOCAL_REVIEW
    assert review.terms is not None and review.terms.commissioned_on <= uk_today()
    assert {d.clock_key for d in review.deadlines} == {
        "notification",
        "rapid_review",
        "panel_response",
        "publication",
    }
    assert [(i.agency.name, i.in_scope) for i in review.involvements] == [
        (review.involvements[0].agency.name, True)
    ]
    assert review.created_by.id == manager.id and not review.is_paused
    dates = review_dates("CSPR", became_aware_on=days(-50))
    assert dates["decided_on"] == review.decision.decided_on
    assert (
        dates["became_aware_on"] <= dates["panel_notified_on"] <= dates["meeting_on"] <= dates["decided_on"]
    )  # type: ignore[operator]


# --- every (stage, move) pair -----------------------------------------------------------


@pytest.mark.parametrize(("code", "stage", "move"), ALL_PAIRS, ids=[pair_id(*pair) for pair in ALL_PAIRS])
def test_move_is_allowed_matches_the_table(code: str, stage: ReviewStage, move: Move) -> None:
    assert move_is_allowed(STAGES[code], stage, move) == (move in ALLOWED[code].get(stage, ()))


@pytest.mark.parametrize("code", STAGES)
def test_allowed_moves_lists_the_table(code: str) -> None:
    for stage in STAGES[code]:
        assert set(allowed_moves(STAGES[code], stage)) == ALLOWED[code].get(stage, set())


DB_STAGES = [
    (code, stage) for code, stages in STAGES.items() for stage in stages if stage in REACHABLE_STAGES
]
DB_ALLOWED = [(code, stage, move) for code, stage, move in ALLOWED_PAIRS if stage in REACHABLE_STAGES]


def built(code: str, stage: ReviewStage, manager: User, move: Move | None = None) -> Review:
    """A review at ``stage`` with what its moves need (the Panel's response, a recorded rapid review)."""
    review = made(code, stage, manager, **(panel_for(move) if move else {}))
    if stage == S.RAPID_REVIEW:
        record_rapid_review(review)  # what completing the rapid review needs
    if move is not None and TRANSITIONS[move].reconsiders:
        with_challenge(review)  # what reconsidering needs
        db.session.commit()
    return reload(review.id)


@pytest.mark.parametrize(("code", "stage"), DB_STAGES, ids=[f"{c}-{s.value}" for c, s in DB_STAGES])
def test_every_move_the_table_refuses_is_refused_and_changes_nothing(
    app: Flask, manager: User, code: str, stage: ReviewStage
) -> None:
    """One review at the stage takes every refused move in turn: each refusal leaves it as it was."""
    refused_moves = [move for move in Move if not move_is_allowed(STAGES[code], stage, move)]
    assert refused_moves == [move for move in Move if move not in ALLOWED[code].get(stage, ())]
    with app.app_context():
        review_id = built(code, stage, manager).id
        for move in refused_moves:
            review = reload(review_id)
            error = refused(review_id, lambda review=review, move=move: perform(review, move, manager))
            assert not isinstance(error, ConcurrentEditError), move


@pytest.mark.parametrize(("code", "stage", "move"), DB_ALLOWED, ids=[pair_id(*pair) for pair in DB_ALLOWED])
def test_every_move_the_table_allows_is_made_and_recorded(
    app: Flask, manager: User, code: str, stage: ReviewStage, move: Move
) -> None:
    assert move_is_allowed(STAGES[code], stage, move)
    with app.app_context():
        review = built(code, stage, manager, move)
        version, events = review.version, audit_count(review.id)
        perform(review, move, manager)
        db.session.commit()
        review = reload(review.id)
        assert review.stage == TRANSITIONS[move].destination
        assert review.version > version
        changes = timeline(review.id)
        assert len(changes) == events + 1
        assert changes[-1].action == "stage_changed"
        assert changes[-1].details is not None
        assert changes[-1].details["from"] == stage.value
        assert changes[-1].details["to"] == TRANSITIONS[move].destination.value
        assert changes[-1].details["move"] == move.value


# --- explicit expectations --------------------------------------------------------------


def test_a_cspr_starts_with_the_rapid_review_and_cannot_skip_it(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("CSPR", S.REFERRAL, manager)
        error = refused(review.id, lambda: refer_for_decision(review, review.version), field=None)
        assert "rapid review" in error.message.lower()
        begin_rapid_review(review, review.version)
        db.session.commit()
        assert reload(review.id).stage == S.RAPID_REVIEW


@pytest.mark.parametrize("code", ["SAR", "DHR"])
def test_a_sar_or_dhr_goes_from_referral_to_decision_without_a_rapid_review(
    app: Flask, manager: User, code: str
) -> None:
    with app.app_context():
        review = made(code, S.REFERRAL, manager)
        refused(review.id, lambda: begin_rapid_review(review, review.version), field=None)
        refer_for_decision(review, review.version)
        db.session.commit()
        assert reload(review.id).stage == S.DECISION


@pytest.mark.parametrize("code", ["SAR", "DHR"])
def test_only_a_cspr_can_end_in_a_national_review(app: Flask, manager: User, code: str) -> None:
    assert not move_is_allowed(STAGES[code], S.DECISION, M.DECIDE_NATIONAL_REVIEW)
    assert move_is_allowed(STAGES["CSPR"], S.DECISION, M.DECIDE_NATIONAL_REVIEW)
    with app.app_context():
        review = made(code, S.DECISION, manager)
        assert decision_outcomes(review.review_type) == [
            DecisionOutcome.LOCAL_REVIEW,
            DecisionOutcome.NO_REVIEW,
        ]
        details = decision_details(review.review_type, DecisionOutcome.NATIONAL_REVIEW, uk_today())
        refused(
            review.id,
            lambda: record_decision(review, details, review.version, user_of(manager)),
            "outcome",
        )


ENDED_PAIRS = [
    (code, stage, move)
    for code, stage, move in ALL_PAIRS
    if stage in (S.NO_REVIEW, S.NATIONAL_REVIEW) and move not in ALLOWED[code].get(stage, ())
]


@pytest.mark.read_only
class TestEndedReviews:
    """Every move tried on one review per ending stage, built once: each refusal changes nothing
    (``refused`` compares the whole database), so the next move starts from the same review."""

    BUILT = sorted({(code, stage) for code, stage, _ in ENDED_PAIRS})

    @pytest.mark.parametrize(
        ("code", "stage", "move"), ENDED_PAIRS, ids=[pair_id(*pair) for pair in ENDED_PAIRS]
    )
    def test_every_move_is_refused_once_the_review_has_ended(
        self, app: Flask, shared: Shared, code: str, stage: ReviewStage, move: Move
    ) -> None:
        with app.app_context():
            manager, review = shared.manager(), shared.review(code, stage)
            # only a reconsidered decision after the Panel's challenge reopens an ended review
            assert review.is_ended
            assert set(allowed_moves(STAGES[code], stage)) == ALLOWED[code].get(stage, set())
            error = refused(review.id, lambda: perform(review, move, manager))
            if move not in OUTCOMES or OUTCOMES[move] in decision_outcomes(review.review_type):
                assert "has ended" in error.message


# An ended review cannot be paused (a "no review" reopened by reconsidering is not paused first).
PAUSABLE_PAIRS = [pair for pair in ALLOWED_PAIRS if pair[1] in REACHABLE_STAGES and not pair[1].is_ending]


@pytest.mark.parametrize(
    ("code", "stage", "move"), PAUSABLE_PAIRS, ids=[pair_id(*pair) for pair in PAUSABLE_PAIRS]
)
def test_moves_are_refused_while_the_review_is_paused(
    app: Flask, manager: User, code: str, stage: ReviewStage, move: Move
) -> None:
    with app.app_context():
        review = made(code, stage, manager, **panel_for(move))
        if stage == S.RAPID_REVIEW:
            record_rapid_review(review)
        pause_review(
            review, uk_today(), "Criminal proceedings", "Police and CPS", review.version, user_of(manager)
        )
        if move == M.START_CONTRIBUTIONS:
            with_accepted_lead(review)  # what the move needs, so only the pause refuses it
        if TRANSITIONS[move].reconsiders:
            with_challenge(review)
        db.session.commit()
        error = refused(review.id, lambda: perform(review, move, manager), field=None)
        assert "paused" in error.message
        resume_review(review, uk_today(), review.version)
        if move != M.START_CONTRIBUTIONS:  # resuming starts them itself once the lead has accepted
            perform(review, move, manager)
        db.session.commit()
        assert reload(review.id).stage == TRANSITIONS[move].destination


# --- refused input, per service -----------------------------------------------------------


def named_cases(table: list[tuple[Any, ...]]) -> list[Any]:
    """The rows of a problem table as test cases, each named by its first item."""
    return [pytest.param(*row[1:], id=row[0]) for row in table]


def days(offset: int) -> date:
    return uk_today() + timedelta(days=offset)


@dataclass(frozen=True)
class Before:
    """In a table of problems: a date ``days`` before one the test knows (e.g. the meeting)."""

    anchor: str
    days: int = 1


def resolve(changes: dict[str, Any], anchors: dict[str, date | None] | None = None) -> dict[str, Any]:
    """Table values to real ones: Before(...) and whole numbers (days from today) become dates."""
    resolved = {}
    for key, value in changes.items():
        if isinstance(value, Before):
            anchor = (anchors or {})[value.anchor]
            assert anchor is not None
            value = anchor - timedelta(days=value.days)
        elif isinstance(value, int) and not isinstance(value, bool):
            value = days(value)
        resolved[key] = value
    return resolved


def set_problem(details: Any, changes: dict[str, Any], anchors: dict[str, date | None]) -> None:
    """Put a problem table's ``changes`` on the step's ``details``, its dates resolved on ``anchors``."""
    for key, value in resolve(changes, anchors).items():
        setattr(details, key, value)


def referral_details(code: str = "CSPR", **changes: Any) -> ReferralDetails:
    values: dict[str, Any] = {
        "pseudonym": "Child A",
        "incident_on": days(-30),
        "incident_description": "Serious injuries to a baby",
        "became_aware_on": days(-28),
        "panel_notified_on": days(-26) if code == "CSPR" else None,
    }
    return ReferralDetails(**(values | changes))


REFERRAL_PROBLEMS = [
    (
        "awareness before incident",
        "CSPR",
        {"became_aware_on": -31, "panel_notified_on": -26},
        "became_aware_on",
    ),
    ("notified before awareness", "CSPR", {"panel_notified_on": -29}, "panel_notified_on"),
    (
        "incident in the future",
        "CSPR",
        {"incident_on": 1, "became_aware_on": 2, "panel_notified_on": 2},
        "incident_on",
    ),
    ("awareness in the future", "CSPR", {"became_aware_on": 1, "panel_notified_on": None}, "became_aware_on"),
    ("notified in the future", "CSPR", {"panel_notified_on": 1}, "panel_notified_on"),
    ("no pseudonym", "CSPR", {"pseudonym": "  "}, "pseudonym"),
    ("no description", "CSPR", {"incident_description": ""}, "incident_description"),
    ("a SAR is not notified to the Panel", "SAR", {"panel_notified_on": -26}, "panel_notified_on"),
    ("a DHR is not notified to the Panel", "DHR", {"panel_notified_on": -26}, "panel_notified_on"),
    ("unknown linked review", "CSPR", {"linked_references": ["CSPR-1999-001"]}, "linked_references"),
]


@pytest.mark.parametrize(("code", "changes", "field"), named_cases(REFERRAL_PROBLEMS))
def test_create_referral_refuses(
    app: Flask, manager: User, code: str, changes: dict[str, Any], field: str
) -> None:
    with app.app_context():
        details = referral_details(code, **resolve(changes))
        refused(None, lambda: create_referral(review_type(code), details, user_of(manager)), field)
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0
        assert db.session.scalar(select(func.count()).select_from(ReviewSequence)) == 0


@pytest.mark.read_only
class TestUpdateReferralRefuses:
    BUILT = [("CSPR", S.REFERRAL), ("SAR", S.REFERRAL), ("DHR", S.REFERRAL)]

    @pytest.mark.parametrize(
        ("code", "changes", "field"),
        named_cases(REFERRAL_PROBLEMS),
    )
    def test_update_referral_refuses(
        self, app: Flask, shared: Shared, code: str, changes: dict[str, Any], field: str
    ) -> None:
        with app.app_context():
            review = shared.review(code, S.REFERRAL)
            details = referral_details(code, **resolve(changes))
            refused(review.id, lambda: update_referral(review, details, review.version), field)


def test_a_review_cannot_be_linked_to_itself(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("CSPR", S.REFERRAL, manager)
        details = referral_details(linked_references=[review.reference.lower()])
        refused(review.id, lambda: update_referral(review, details, review.version), "linked_references")


LATER_STEP_PROBLEMS = [
    ("aware after the meeting", "CSPR", S.DECISION, {"became_aware_on": -15, "panel_notified_on": -15}),
    ("notified after sending", "CSPR", S.DECISION, {"panel_notified_on": -5}),
    ("aware after the decision", "SAR", S.COMMISSIONING, {"became_aware_on": -10}),
    ("aware after commissioning", "DHR", S.AWAITING_REVIEWER, {"became_aware_on": -1}),
    ("aware after a pause began", "SAR", S.REFERRAL, {"became_aware_on": -10}),
]


@pytest.mark.parametrize(("code", "stage", "changes"), named_cases(LATER_STEP_PROBLEMS))
def test_a_referral_edit_cannot_put_its_dates_after_later_steps(
    app: Flask, manager: User, code: str, stage: ReviewStage, changes: dict[str, Any]
) -> None:
    # aware 40 days ago; meeting 30, sent 29, decision 20, commissioning 5 days ago
    dates = {
        "incident_on": days(-40),
        "became_aware_on": days(-40),
        "panel_notified_on": days(-40) if code == "CSPR" else None,
        "meeting_on": days(-30),
        "sent_to_panel_on": days(-29),
        "panel_responded_on": days(-25),
        "decided_on": days(-20),
        "commissioned_on": days(-5),
    }
    with app.app_context():
        review = made(code, stage, manager, **dates)
        if stage == S.REFERRAL:
            pause(review, manager, days(-12))
            db.session.commit()
        unchanged = {key: dates[key] for key in ("incident_on", "became_aware_on", "panel_notified_on")}
        details = referral_details(code, **(unchanged | resolve(changes)))
        field = "became_aware_on" if "became_aware_on" in changes else "panel_notified_on"
        refused(review.id, lambda: update_referral(review, details, review.version), field)


@pytest.mark.parametrize("stage", [S.RAPID_REVIEW, S.COMMISSIONING])
def test_a_referral_edit_cannot_remove_the_notification_a_later_step_needed(
    app: Flask, manager: User, stage: ReviewStage
) -> None:
    with app.app_context():
        review = made("CSPR", stage, manager)
        referral = review.referral
        details = referral_details(
            incident_on=referral.incident_on, became_aware_on=referral.became_aware_on, panel_notified_on=None
        )
        refused(review.id, lambda: update_referral(review, details, review.version), "panel_notified_on")


@pytest.mark.parametrize("missing", ["meeting_on", "recommendation", "sent_to_panel_on"])
def test_a_completed_rapid_review_keeps_what_completing_it_needed(
    app: Flask, manager: User, missing: str
) -> None:
    with app.app_context():
        review = made("CSPR", S.DECISION, manager, panel_response=None)
        details = rapid_review_details(review_dates(), panel_response=None, agencies=[agency_of(review)])
        setattr(details, missing, None)
        if missing == "meeting_on":
            details.sent_to_panel_on = None  # sent needs a meeting: remove both
        refused(review.id, lambda: save_rapid_review(review, details, review.version))


def test_a_referral_cannot_be_made_for_a_type_no_longer_in_use(app: Flask, manager: User) -> None:
    with app.app_context():
        kind = review_type("SAR")
        kind.active = False
        db.session.flush()
        with pytest.raises(DomainError) as caught:
            create_referral(kind, referral_details("SAR"), user_of(manager))
        assert caught.value.field == "review_type"
        db.session.rollback()  # the seeded type is active again
        assert review_type("SAR").active
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_a_cspr_rapid_review_needs_the_panel_notification(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("CSPR", S.REFERRAL, manager, panel_notified_on=None)
        error = refused(review.id, lambda: begin_rapid_review(review, review.version))
        assert "Panel was notified" in error.message


RAPID_REVIEW_PROBLEMS = [
    ("meeting before awareness", {"meeting_on": Before("aware")}, "meeting_on"),
    (
        "meeting in the future",
        {"meeting_on": 1, "sent_to_panel_on": None, "panel_response": None},
        "meeting_on",
    ),
    ("sent before the meeting", {"sent_to_panel_on": Before("meeting")}, "sent_to_panel_on"),
    ("sent in the future", {"sent_to_panel_on": 1}, "sent_to_panel_on"),
    ("sent without a meeting", {"meeting_on": None}, "meeting_on"),
    ("response without its date", {"panel_responded_on": None}, "panel_responded_on"),
    ("response date without the response", {"panel_response": None}, "panel_response"),
    ("response but never sent", {"sent_to_panel_on": None}, "sent_to_panel_on"),
    ("responded before it was sent", {"panel_responded_on": Before("sent")}, "panel_responded_on"),
    ("responded in the future", {"panel_responded_on": 1}, "panel_responded_on"),
]


@pytest.mark.read_only
class TestSaveRapidReviewRefuses:
    BUILT = [("CSPR", S.RAPID_REVIEW)]

    @pytest.mark.parametrize(
        ("changes", "field"),
        named_cases(RAPID_REVIEW_PROBLEMS),
    )
    def test_save_rapid_review_refuses(
        self, app: Flask, shared: Shared, changes: dict[str, Any], field: str
    ) -> None:
        with app.app_context():
            review = shared.review("CSPR", S.RAPID_REVIEW)
            details = rapid_review_details(review_dates("CSPR"), agencies=[agency_of(review)])
            anchors = {
                "aware": review.referral.became_aware_on,
                "meeting": details.meeting_on,
                "sent": details.sent_to_panel_on,
            }
            set_problem(details, changes, anchors)
            refused(review.id, lambda: save_rapid_review(review, details, review.version), field)


@pytest.mark.parametrize(
    ("code", "stage"), [("CSPR", S.REFERRAL), ("CSPR", S.COMMISSIONING), ("SAR", S.DECISION)]
)
def test_the_rapid_review_is_recorded_only_at_its_stages(
    app: Flask, manager: User, code: str, stage: ReviewStage
) -> None:
    with app.app_context():
        review = made(code, stage, manager)
        details = rapid_review_details(review_dates(code))
        refused(review.id, lambda: save_rapid_review(review, details, review.version), None)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("meeting_on", "meeting date"),
        ("recommendation", "recommendation"),
        ("sent_to_panel_on", "sent to the Panel"),
    ],
)
def test_completing_the_rapid_review_needs_its_record(
    app: Flask, manager: User, missing: str, message: str
) -> None:
    with app.app_context():
        review = made("CSPR", S.RAPID_REVIEW, manager)
        changes: dict[str, Any] = {missing: None}
        if missing == "meeting_on":
            changes["sent_to_panel_on"] = changes["panel_response"] = changes["panel_responded_on"] = None
        if missing == "sent_to_panel_on":
            changes["panel_response"] = changes["panel_responded_on"] = None
        record_rapid_review(review, **changes)
        error = refused(review.id, lambda: complete_rapid_review(review, review.version), None)
        assert message in error.message


DECISION_PROBLEMS = [
    ("missing rationale", "SAR", {"rationale": " "}, "rationale"),
    ("local review without criteria", "DHR", {"criteria_met": []}, "criteria_met"),
    ("unknown criterion", "CSPR", {"criteria_met": ["improvements", "made_up"]}, "criteria_met"),
    ("no outcome", "CSPR", {"outcome": None}, "outcome"),
    ("no decision maker", "SAR", {"decided_by": ""}, "decided_by"),
    ("no date", "SAR", {"decided_on": None}, "decided_on"),
    ("date in the future", "DHR", {"decided_on": 1}, "decided_on"),
    ("before awareness", "SAR", {"decided_on": Before("aware")}, "decided_on"),
    ("before the rapid review meeting", "CSPR", {"decided_on": Before("meeting")}, "decided_on"),
    (
        "national review without the Panel's response",
        "CSPR",
        {"outcome": DecisionOutcome.NATIONAL_REVIEW, "criteria_met": []},
        "outcome",
    ),
]


@pytest.mark.read_only
class TestRecordDecisionRefuses:
    BUILT = [("CSPR", S.DECISION), ("SAR", S.DECISION), ("DHR", S.DECISION)]

    @pytest.mark.parametrize(
        ("code", "changes", "field"),
        named_cases(DECISION_PROBLEMS),
    )
    def test_record_decision_refuses(
        self, app: Flask, shared: Shared, code: str, changes: dict[str, Any], field: str
    ) -> None:
        with app.app_context():
            manager, review = shared.manager(), shared.review(code, S.DECISION)
            anchors = {"aware": review.referral.became_aware_on}
            if review.rapid_review:
                anchors["meeting"] = review.rapid_review.meeting_on
            details = decision_details(review.review_type, DecisionOutcome.LOCAL_REVIEW, uk_today())
            set_problem(details, changes, anchors)
            refused(
                review.id,
                lambda: record_decision(review, details, review.version, user_of(manager)),
                field,
            )


def test_the_national_review_decision_needs_the_panels_national_review_response(
    app: Flask, manager: User
) -> None:
    with app.app_context():
        for panel in (None, PanelResponse.AGREES_LOCAL):
            review = made("CSPR", S.DECISION, manager, panel_response=panel)
            details = decision_details(review.review_type, DecisionOutcome.NATIONAL_REVIEW, uk_today())
            error = refused(review.id, lambda: decide(review, details, manager), "outcome")  # noqa: B023
            assert "national review" in error.message
        # once the Panel's answer is recorded at the decision stage, the decision can be made
        record_rapid_review(
            review,
            panel_response=PanelResponse.NATIONAL_REVIEW,
            panel_responded_on=review_dates()["panel_responded_on"],
        )
        record_decision(review, details, review.version, user_of(manager))
        db.session.commit()
        assert reload(review.id).stage == S.NATIONAL_REVIEW


def test_commissioning_is_refused_before_the_decision(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("SAR", S.DECISION, manager)
        details = terms_details(review_dates("SAR", commissioned_on=uk_today()), [agency_of(review)])
        error = refused(review.id, lambda: commission(review, details, manager), None)
        assert "decision stage" in error.message


COMMISSION_PROBLEMS = [
    ("commissioned before the decision", {"commissioned_on": Before("decided")}, "commissioned_on"),
    ("scope ends before it starts", {"scope_to": Before("scope_from")}, "scope_to"),
    ("no scope start", {"scope_from": None}, "scope_from"),
    ("no scope end", {"scope_to": None}, "scope_to"),
    ("no lines of enquiry", {"key_lines_of_enquiry": ""}, "key_lines_of_enquiry"),
    ("no method", {"method": " "}, "method"),
    ("no family involvement", {"family_involvement": ""}, "family_involvement"),
    ("no agencies", {"agencies_in_scope": []}, "agencies_in_scope"),
    ("no commissioning date", {"commissioned_on": None}, "commissioned_on"),
    ("commissioned in the future", {"commissioned_on": 1}, "commissioned_on"),
    ("target before commissioning", {"target_completion_on": Before("commissioned")}, "target_completion_on"),
]


@pytest.mark.read_only
class TestCommissionReviewRefuses:
    BUILT = [("CSPR", S.COMMISSIONING), ("DHR", S.COMMISSIONING)]

    @pytest.mark.parametrize(("changes", "field"), named_cases(COMMISSION_PROBLEMS))
    @pytest.mark.parametrize("code", ["CSPR", "DHR"])
    def test_commission_review_refuses(
        self, app: Flask, shared: Shared, code: str, changes: dict[str, Any], field: str
    ) -> None:
        with app.app_context():
            manager, review = shared.manager(), shared.review(code, S.COMMISSIONING)
            assert review.decision is not None
            details = terms_details(review_dates(code, commissioned_on=uk_today()), [agency_of(review)])
            anchors = {
                "decided": review.decision.decided_on,
                "scope_from": details.scope_from,
                "commissioned": details.commissioned_on,
            }
            set_problem(details, changes, anchors)
            refused(review.id, lambda: commission(review, details, manager), field)


def pause(review: Review, manager: User, started_on: date | None = None, **changes: Any) -> Review:
    values = {"reason": "Criminal proceedings", "agreed_by": "The three safeguarding partners"} | changes
    return pause_review(
        review,
        started_on if started_on is not None else uk_today(),
        values["reason"],
        values["agreed_by"],
        review.version,
        user_of(manager),
    )


@pytest.mark.read_only
class TestPauseReviewRefuses:
    BUILT = [("DHR", S.DECISION)]

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"reason": " "}, "reason"),
            ({"agreed_by": ""}, "agreed_by"),
            ({"started_on": 1}, "started_on"),
            ({"started_on": Before("aware")}, "started_on"),
        ],
        ids=["no reason", "no one agreed", "starts in the future", "starts before awareness"],
    )
    def test_pause_review_refuses(
        self, app: Flask, shared: Shared, changes: dict[str, Any], field: str
    ) -> None:
        with app.app_context():
            manager, review = shared.manager(), shared.review("DHR", S.DECISION)
            values = resolve({"started_on": 0} | changes, {"aware": review.referral.became_aware_on})
            started_on = values.pop("started_on")
            refused(review.id, lambda: pause(review, manager, started_on, **values), field)


def test_pause_needs_a_start_date(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("DHR", S.DECISION, manager)
        by = user_of(manager)
        refused(
            review.id,
            lambda: pause_review(review, None, "Inquest", "CSP", review.version, by),
            "started_on",
        )


def test_an_already_paused_review_cannot_be_paused_again(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("CSPR", S.COMMISSIONING, manager)
        pause(review, manager, days(-5))
        db.session.commit()
        error = refused(review.id, lambda: pause(review, manager), None)
        assert "already paused" in error.message


def test_a_pause_cannot_start_before_the_previous_one_ended(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("CSPR", S.COMMISSIONING, manager)
        pause(review, manager, days(-10))
        resume_review(review, days(-5), review.version)
        db.session.commit()
        refused(review.id, lambda: pause(review, manager, days(-6)), "started_on")


def test_a_review_that_is_not_paused_cannot_resume(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("SAR", S.COMMISSIONING, manager)
        error = refused(review.id, lambda: resume_review(review, uk_today(), review.version), None)
        assert "not paused" in error.message


@pytest.mark.parametrize(
    ("ended_on", "field"),
    [(None, "ended_on"), (1, "ended_on"), (-4, "ended_on")],
    ids=["none", "future", "early"],
)
def test_resume_review_refuses(app: Flask, manager: User, ended_on: int | None, field: str) -> None:
    with app.app_context():
        review = made("SAR", S.COMMISSIONING, manager)
        pause(review, manager, days(-3))
        db.session.commit()
        ended = None if ended_on is None else days(ended_on)
        refused(review.id, lambda: resume_review(review, ended, review.version), field)


def extend(review: Review, manager: User, clock_key: str, new_due_on: date | None, **changes: Any) -> Review:
    values = {"reason": "Agencies need more time", "agreed_by": "The partners"} | changes
    return extend_deadline(
        review, clock_key, new_due_on, values["reason"], values["agreed_by"], review.version, user_of(manager)
    )


@pytest.mark.read_only
class TestExtendDeadlineRefuses:
    BUILT = [("CSPR", S.COMMISSIONING)]

    @pytest.mark.parametrize(
        ("clock_key", "due_offset", "changes", "field"),
        [
            ("publication", -1, {}, "new_due_on"),
            ("publication", 0, {}, "new_due_on"),
            ("publication", None, {}, "new_due_on"),
            ("publication", 30, {"reason": ""}, "reason"),
            ("publication", 30, {"agreed_by": " "}, "agreed_by"),
            ("notification", 30, {}, "clock_key"),  # met: the Panel was notified
            ("no_such_clock", 30, {}, "clock_key"),
        ],
        ids=["earlier", "same day", "no date", "no reason", "no one agreed", "already met", "unknown clock"],
    )
    def test_extend_deadline_refuses(
        self,
        app: Flask,
        shared: Shared,
        clock_key: str,
        due_offset: int | None,
        changes: dict[str, Any],
        field: str,
    ) -> None:
        with app.app_context():
            manager, review = shared.manager(), shared.review("CSPR", S.COMMISSIONING)
            due = next(d.due_on for d in review.deadlines if d.clock_key == "publication")
            assert due is not None
            new_due = None if due_offset is None else due + timedelta(days=due_offset)
            refused(review.id, lambda: extend(review, manager, clock_key, new_due, **changes), field)


def test_a_deadline_that_has_not_started_cannot_be_extended(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("CSPR", S.RAPID_REVIEW, manager)  # no decision yet: publication has not started
        error = refused(review.id, lambda: extend(review, manager, "publication", days(200)), "clock_key")
        assert "not running" in error.message


def person(name: str, born: date | None = None) -> PersonDetails:
    return PersonDetails(full_name=name, date_of_birth=born)


@pytest.mark.read_only
class TestSaveIdentifiersRefuses:
    BUILT = [("CSPR", S.REFERRAL)]

    # The people are made when the test runs: "tomorrow" is the day after the test's today.
    @pytest.mark.parametrize(
        ("people", "field"),
        [
            (lambda: ([], []), "children"),
            (lambda: ([person(" ")], []), "children"),
            (lambda: ([person(f"Child {n}") for n in range(5)], []), "children"),
            (lambda: ([person("Amy Example")], [person(f"Carer {n}") for n in range(5)]), "carers"),
            (lambda: ([person("Amy Example", days(1))], []), "children"),
            (lambda: ([person("Amy Example")], [person("Beth Example", days(1))]), "carers"),
        ],
        ids=[
            "none",
            "blank name",
            "five children",
            "five carers",
            "child born tomorrow",
            "carer born tomorrow",
        ],
    )
    def test_save_identifiers_refuses(
        self, app: Flask, shared: Shared, people: Callable[[], tuple[list[Any], list[Any]]], field: str
    ) -> None:
        children, carers = people()
        with app.app_context():
            review = shared.review("CSPR", S.REFERRAL)
            refused(
                review.id,
                lambda: save_identifiers(review, children, carers, "1 High St", review.version),
                field,
            )


def stale_calls(review: Review, manager: User) -> dict[str, Callable[[int], object]]:
    """Each service, called with valid details for the stage its review is at and a given version."""
    on = review_dates(review.review_type.code, commissioned_on=uk_today())
    kind = review.review_type
    return {
        "update_referral": lambda v: update_referral(review, referral_details(kind.code), v),
        "save_identifiers": lambda v: save_identifiers(review, [person("Amy Example")], [], "", v),
        "begin_rapid_review": lambda v: begin_rapid_review(review, v),
        "refer_for_decision": lambda v: refer_for_decision(review, v),
        "save_rapid_review": lambda v: save_rapid_review(review, rapid_review_details(on), v),
        "complete_rapid_review": lambda v: complete_rapid_review(review, v),
        "record_decision": lambda v: record_decision(
            review, decision_details(kind, DecisionOutcome.LOCAL_REVIEW, uk_today()), v, user_of(manager)
        ),
        "commission_review": lambda v: commission_review(
            review, terms_details(on, [agency_of(review)]), v, user_of(manager)
        ),
        "pause_review": lambda v: pause_review(review, uk_today(), "Trial", "Partners", v, user_of(manager)),
        "resume_review": lambda v: resume_review(review, uk_today(), v),
        "extend_deadline": lambda v: extend_deadline(
            review, kind.clocks[0].key, days(400), "Trial", "Partners", v, user_of(manager)
        ),
        "extend_rapid_review": lambda v: extend_deadline(
            review, "rapid_review", days(400), "Trial", "Partners", v, user_of(manager)
        ),
    }


STALE_CASES = [
    ("update_referral", "SAR", S.REFERRAL),
    ("save_identifiers", "CSPR", S.REFERRAL),
    ("begin_rapid_review", "CSPR", S.REFERRAL),
    ("refer_for_decision", "SAR", S.REFERRAL),
    ("save_rapid_review", "CSPR", S.RAPID_REVIEW),
    ("complete_rapid_review", "CSPR", S.RAPID_REVIEW),
    ("record_decision", "DHR", S.DECISION),
    ("commission_review", "DHR", S.COMMISSIONING),
    ("pause_review", "SAR", S.DECISION),
    ("resume_review", "SAR", S.DECISION),
    ("extend_deadline", "DHR", S.REFERRAL),
]


@pytest.mark.parametrize(("service", "code", "stage"), STALE_CASES, ids=[c[0] for c in STALE_CASES])
def test_a_stale_version_is_refused_and_the_current_one_accepted(
    app: Flask, manager: User, service: str, code: str, stage: ReviewStage
) -> None:
    with app.app_context():
        review = made(code, stage, manager)
        if service == "complete_rapid_review":
            record_rapid_review(review)
        if service == "resume_review":
            pause(review, manager, days(-2))
            db.session.commit()
        call = stale_calls(review, manager)[service]
        for stale in (review.version - 1, review.version + 1):
            error = refused(review.id, lambda: call(stale), None, ConcurrentEditError)  # noqa: B023
            assert "Someone else changed this review" in error.message
        version = review.version
        call(review.version)  # the same change with the current version goes through
        db.session.commit()
        assert reload(review.id).version > version


ENDED_SERVICES = [
    "update_referral",
    "save_identifiers",
    "save_rapid_review",
    "pause_review",
    "extend_deadline",
]


@pytest.mark.read_only
class TestNothingCanBeChangedOnAnEndedReview:
    BUILT = [("CSPR", S.NO_REVIEW), ("CSPR", S.NATIONAL_REVIEW)]

    @pytest.mark.parametrize("service", [*ENDED_SERVICES, "resume_review"])
    @pytest.mark.parametrize("stage", [S.NO_REVIEW, S.NATIONAL_REVIEW])
    def test_nothing_can_be_changed_on_an_ended_review(
        self, app: Flask, shared: Shared, stage: ReviewStage, service: str
    ) -> None:
        with app.app_context():
            manager, review = shared.manager(), shared.review("CSPR", stage)
            call = stale_calls(review, manager)[service]
            if service == "extend_deadline":
                call = stale_calls(review, manager)["extend_rapid_review"]
            error = refused(review.id, lambda: call(review.version), None)
            assert "has ended" in error.message


# --- agencies involved -------------------------------------------------------------------


def _involvement_flags(review_id: int) -> list[tuple[str, bool, bool, bool]]:
    rows = db.session.scalars(select(Involvement).where(Involvement.review_id == review_id)).all()
    return [(i.agency.name, i.known_at_referral, i.contributed_to_rapid_review, i.in_scope) for i in rows]


@pytest.mark.parametrize("step", ["referral", "rapid_review", "commissioning"])
def test_agency_involvements_are_saved(app: Flask, manager: User, step: str) -> None:
    with app.app_context():
        police, school = make_agency("Northshire Police"), make_agency("Hill Primary School")
        user = user_of(manager)
        if step == "referral":
            review = create_referral(
                review_type("CSPR"), referral_details(known_agencies=[police, school]), user
            )
            expected = [
                ("Northshire Police", True, False, False),
                ("Hill Primary School", True, False, False),
            ]
        elif step == "rapid_review":
            review = made("CSPR", S.RAPID_REVIEW, manager, agencies=[])
            save_rapid_review(
                review, rapid_review_details(review_dates(), agencies=[police, school]), review.version
            )
            expected = [
                ("Northshire Police", False, True, False),
                ("Hill Primary School", False, True, False),
            ]
        else:
            review = made("SAR", S.COMMISSIONING, manager, agencies=[])
            on = review_dates("SAR", commissioned_on=uk_today())
            commission_review(review, terms_details(on, [police, school]), review.version, user)
            expected = [
                ("Northshire Police", False, False, True),
                ("Hill Primary School", False, False, True),
            ]
        db.session.commit()
        assert sorted(_involvement_flags(review.id)) == sorted(expected)


def test_flags_of_agencies_already_involved_are_updated(app: Flask, manager: User) -> None:
    with app.app_context():
        police, school = make_agency("Northshire Police"), make_agency("Hill Primary School")
        review = made("CSPR", S.COMMISSIONING, manager, agencies=[police, school])
        assert sorted(_involvement_flags(review.id)) == [
            ("Hill Primary School", True, True, False),
            ("Northshire Police", True, True, False),
        ]
        on = review_dates(commissioned_on=uk_today())
        commission_review(review, terms_details(on, [police]), review.version, user_of(manager))
        db.session.commit()
        assert sorted(_involvement_flags(review.id)) == [
            ("Hill Primary School", True, True, False),
            ("Northshire Police", True, True, True),
        ]


# --- reference numbers ----------------------------------------------------------------------


def test_reference_numbers_count_per_type_and_year_of_awareness(app: Flask, manager: User) -> None:
    with app.app_context():
        user = user_of(manager)

        def create(code: str, incident: date, aware: date) -> str:
            notified = aware if code == "CSPR" else None
            details = referral_details(
                code, incident_on=incident, became_aware_on=aware, panel_notified_on=notified
            )
            reference = create_referral(review_type(code), details, user).reference
            db.session.commit()
            return reference

        assert create("CSPR", date(2025, 3, 1), date(2025, 3, 3)) == "CSPR-2025-001"
        assert create("CSPR", date(2025, 5, 1), date(2025, 5, 2)) == "CSPR-2025-002"
        assert create("SAR", date(2025, 5, 1), date(2025, 5, 2)) == "SAR-2025-001"
        assert create("DHR", date(2025, 5, 1), date(2025, 5, 2)) == "DHR-2025-001"
        # the year is the year the partnership became aware, not the year of the incident
        assert create("CSPR", date(2024, 12, 30), date(2025, 1, 2)) == "CSPR-2025-003"
        assert create("CSPR", date(2024, 12, 30), date(2024, 12, 31)) == "CSPR-2024-001"
        assert create("SAR", date(2025, 6, 1), date(2025, 6, 1)) == "SAR-2025-002"
        # a refused referral does not use up a number
        bad = referral_details("CSPR", incident_on=date(2025, 7, 1), became_aware_on=date(2025, 6, 1))
        refused(None, lambda: create_referral(review_type("CSPR"), bad, user), "became_aware_on")
        assert create("CSPR", date(2025, 7, 1), date(2025, 7, 1)) == "CSPR-2025-004"
        review = db.session.scalar(select(Review).where(Review.reference == "CSPR-2025-004"))
        assert review is not None
        assert (review.year, review.number) == (2025, 4)


# --- history --------------------------------------------------------------------------------


def timeline(review_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.review_id == review_id).order_by(AuditEvent.id)
        )
    )


# (from, to, move) of each stage change, in order
CSPR_TO_DECISION = [
    ("referral", "rapid_review", "begin_rapid_review"),
    ("rapid_review", "decision", "complete_rapid_review"),
]
HISTORIES = {
    "CSPR": (
        S.AWAITING_REVIEWER,
        [
            *CSPR_TO_DECISION,
            ("decision", "commissioning", "decide_local_review"),
            ("commissioning", "awaiting_reviewer", "commission"),
        ],
    ),
    "CSPR national": (
        S.NATIONAL_REVIEW,
        [*CSPR_TO_DECISION, ("decision", "national_review", "decide_national_review")],
    ),
    "DHR": (
        S.NO_REVIEW,
        [("referral", "decision", "refer_for_decision"), ("decision", "no_review", "decide_no_review")],
    ),
}


@pytest.mark.parametrize(
    ("code", "final", "path"),
    [(name.split()[0], final, path) for name, (final, path) in HISTORIES.items()],
    ids=list(HISTORIES),
)
def test_each_stage_change_is_in_the_reviews_history(
    app: Flask, manager: User, code: str, final: ReviewStage, path: list[tuple[str, str, str]]
) -> None:
    with app.app_context():
        review = made(code, final, manager)
        events = timeline(review.id)
        assert events[0].action == "review_created"
        assert review.reference in events[0].summary
        changes = [e for e in events if e.action == "stage_changed"]
        assert [(e.details or {}).get("from") for e in changes] == [step[0] for step in path]
        assert [((e.details or {})["to"], (e.details or {})["move"]) for e in changes] == [
            step[1:] for step in path
        ]
        assert all(e.subject_type == "Review" and e.subject_id == review.id for e in changes)
        decided = next(e for e in changes if (e.details or {})["move"].startswith("decide_"))
        assert decided.details is not None
        assert decided.details["decided_on"] == review.decision.decided_on.isoformat()  # type: ignore[union-attr]


def test_pause_resume_and_extension_are_in_the_history(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("CSPR", S.COMMISSIONING, manager)
        before = len(timeline(review.id))
        pause(review, manager, days(-20), reason="Criminal trial", agreed_by="Police and CPS")
        resume_review(review, days(-10), review.version)
        due = next(d.due_on for d in review.deadlines if d.clock_key == "publication")
        assert due is not None
        extend(
            review, manager, "publication", due + timedelta(days=60), reason="Inquest", agreed_by="Partners"
        )
        db.session.commit()
        events = timeline(review.id)[before:]
        assert [e.action for e in events] == ["review_paused", "review_resumed", "deadline_extended"]
        assert events[0].details == {"started_on": days(-20).isoformat(), "agreed_by": "Police and CPS"}
        assert "Criminal trial" in events[0].summary
        assert events[1].details == {"started_on": days(-20).isoformat(), "ended_on": days(-10).isoformat()}
        assert events[2].details == {
            "clock": "publication",
            "from": due.isoformat(),
            "to": (due + timedelta(days=60)).isoformat(),
        }
        assert "Inquest" in events[2].summary


def test_a_referral_edit_records_what_changed(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("SAR", S.REFERRAL, manager, incident_on=days(-30), became_aware_on=days(-28))
        before = len(timeline(review.id))
        old_pseudonym = review.pseudonym
        details = referral_details("SAR", pseudonym="Adult B", became_aware_on=days(-27))
        details.incident_description = review.referral.incident_description
        details.notifying_organisation = review.referral.notifying_organisation
        details.notifying_person = review.referral.notifying_person
        details.known_agencies = [agency_of(review)]
        update_referral(review, details, review.version)
        db.session.commit()
        events = timeline(review.id)[before:]
        assert [e.action for e in events] == ["referral_updated"]
        assert events[0].details == {
            "pseudonym": [old_pseudonym, "Adult B"],
            "became_aware_on": [days(-28).isoformat(), days(-27).isoformat()],
        }
        # saving the same details again records nothing
        update_referral(review, details, review.version)
        db.session.commit()
        assert len(timeline(review.id)) == before + 1


def test_identifier_saves_never_put_names_or_dates_of_birth_in_the_history(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("CSPR", S.RAPID_REVIEW, manager)
        children = [
            PersonDetails("Amelia Zebedee-Quill", "Millie Quill", date(2024, 2, 29)),
            PersonDetails("Oscar Zebedee-Quill", "", date(2021, 7, 13)),
        ]
        carers = [PersonDetails("Rosalind Quill", "", date(1995, 11, 3), "mother")]
        save_identifiers(review, children, carers, "14 Larkspur Gardens, Northtown", review.version)
        db.session.commit()
        save_identifiers(review, children[:1], [], "", review.version)
        db.session.commit()
        saves = [e for e in timeline(review.id) if e.action == "identifiers_updated"]
        assert [e.details for e in saves] == [
            {"children": 2, "parents_or_carers": 1, "address": True},
            {"children": 1, "parents_or_carers": 0, "address": False},
        ]
        secrets = [
            "Zebedee",
            "Quill",
            "Millie",
            "Rosalind",
            "Larkspur",
            "2024-02-29",
            "2021-07-13",
            "1995-11-03",
        ]
        secrets += ["29 February 2024", "13 July 2021", "3 November 1995"]
        for event in timeline(review.id):
            written = json.dumps(event.details) + event.summary
            assert not [secret for secret in secrets if secret.lower() in written.lower()], event.action


def test_viewing_identifiers_is_recorded_against_the_review(app: Flask, manager: User) -> None:
    with app.app_context():
        review = made("CSPR", S.REFERRAL, manager)
        record_identifier_view(review, user_of(manager))
        db.session.commit()
        viewed = [e for e in timeline(review.id) if e.action == "identifiers_viewed"]
        assert len(viewed) == 1
        assert viewed[0].actor_id == manager.id
