"""Rules as the guidance states them: each clock's basis and source on the review types page; a
SAR completed when its final report is signed off, not when it is published; a clock met by a
decision never overdue, in Python or in the SQL lists; a SAR's mandate; the Panel's challenge and
the partners' reconsidered decision, both on record; the Domestic Homicide Review becoming the
Domestic Abuse Related Death Review on a configured commencement, and a review keeping the rules in
force when it started. Real dates through time-machine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import flask_migrate
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from casework import create_app
from casework.auth.models import Role, User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.workdays import working_calendar
from casework.notifications.due import DueItem, Window, everything_due
from casework.notifications.rules import current_rules
from casework.reviews.clock import DeadlineStatus, deadlines_for
from casework.reviews.models import (
    ClockDefinition,
    ClockUnit,
    Decision,
    DecisionOutcome,
    Review,
    ReviewDeadline,
    ReviewMandate,
    ReviewType,
    RuleBasis,
)
from casework.reviews.publication import publishing
from casework.reviews.queries import ReviewFilters, review_list
from casework.reviews.referral.commissioning import commission_review
from casework.reviews.referral.decision import (
    DecisionDetails,
    reconsider_decision,
    record_decision,
    record_panel_challenge,
)
from casework.reviews.stages import ReviewStage
from tests.conftest import make_config
from tests.support.http import client_as, page_text, post_form
from tests.support.people import make_user
from tests.support.reviews import (
    deadline_of,
    decision_details,
    make_review,
    review_aware_on,
    review_dates,
    review_type,
    send_notice,
    terms_details,
)
from tests.support.rows import audit_trail
from tests.test_migrations import scratch_database

__all__ = ["scratch_database"]  # the migration tests' fixture: a new database of the suite's kind

TODAY = date(2027, 3, 1)  # a Monday


@pytest.fixture(autouse=True)
def fixed_day() -> Iterator[None]:
    with time_machine.travel(date(2027, 3, 1).strftime("%Y-%m-%d 10:00 +0000"), tick=True):
        yield


def details(kind: ReviewType, outcome: DecisionOutcome, on: date, **changes: Any) -> DecisionDetails:
    return decision_details(kind, outcome, on, **changes)


def manager_of(app: Flask) -> User:
    with app.app_context():
        return make_user(Role.BOARD_MANAGER)


def refused_with(call: Any, field: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call()
    db.session.rollback()
    if field is not None:
        assert raised.value.field == field, raised.value.message
    return raised.value


def clocks_due(app: Flask, review_id: int) -> list[DueItem]:
    """The reminders' and the dashboard's finder, in SQL: the review's clocks due or overdue."""
    with app.test_request_context():
        window = Window(TODAY, working_calendar(), current_rules())
        return [
            i
            for i in everything_due(window, db.session)
            if i.review_id == review_id and i.item.startswith("clock")
        ]


def decide_on_a_local_review(
    client: FlaskClient, url: str, rationale: str, decided_on: list[str], decided_by: str, **basis: str
) -> None:
    """Send the decision form at ``url`` (a decision, or one reconsidered) for a local review on
    ``basis`` (its mandate, or the criteria met), decided on the day given as the form's three
    fields; the form is accepted."""
    answer = post_form(
        client,
        url,
        {
            "outcome": "local_review",
            **basis,
            "rationale": rationale,
            "decided_on": decided_on,
            "decided_by": decided_by,
        },
    )
    assert answer.status_code == 302, page_text(answer)


def dated_review(
    code: str, stage: ReviewStage, incident_on: date, decided_on: date, by: User | None = None
) -> Review:
    """A review of ``code`` taken to ``stage`` with its incident and decision on the days given,
    read back in the current session."""
    review = make_review(code, stage, by=by, incident_on=incident_on, decided_on=decided_on)
    return db.session.get(Review, review.id)


def overdue_in_lists(manager: User) -> set[int]:
    """The reviews list's "overdue" filter, in SQL."""
    user = db.session.get(User, manager.id)
    return {r.id for r in db.session.scalars(review_list(user, ReviewFilters(due="overdue"))).unique()}


# --- the review types page --------------------------------------------------------------------


def test_every_clock_and_criterion_has_a_basis_and_a_source(app: Flask) -> None:
    with app.app_context():
        for kind in db.session.scalars(select(ReviewType)):
            for clock in kind.clocks:
                assert clock.source, (kind.code, clock.key)
                assert clock.applies_from is not None, (kind.code, clock.key)
            for option in [*kind.decision_criteria, *kind.regard_circumstances]:
                assert option.get("source"), (kind.code, option["key"])
            assert kind.names and all(entry.get("source") for entry in kind.names), kind.code
        cspr, sar = review_type("CSPR"), review_type("SAR")
        clocks = {clock.key: clock for clock in cspr.clocks}
        # the rapid review's 15 working days are the Panel's expectation, not statute
        assert clocks["rapid_review"].basis == RuleBasis.NATIONAL_GUIDANCE
        assert not clocks["rapid_review"].statutory
        assert "Panel" in clocks["rapid_review"].source
        assert clocks["publication"].basis == RuleBasis.STATUTORY_GUIDANCE
        [completion] = sar.clocks
        assert completion.basis == RuleBasis.STATUTORY_GUIDANCE
        assert completion.end_event == "completed"
        assert "ch. 14" in completion.source
        # "discretionary" is the decision's mandate now, not a circumstance
        assert [c["key"] for c in sar.regard_circumstances] == []


def test_the_types_page_shows_each_clock_with_its_basis_and_source(app: Flask) -> None:
    manager = manager_of(app)
    text = page_text(client_as(app, manager).get("/reviews/types"))
    with app.app_context():
        for kind in db.session.scalars(select(ReviewType)):
            for clock in kind.clocks:
                assert clock.label in text
                assert clock.source in text
                assert clock.basis.label in text
            for option in kind.decision_criteria:
                assert option["label"] in text and option["source"] in text
    assert "National guidance" in text and "Statutory guidance" in text
    # the DHR's names over time: the new name is not yet in force
    assert "Domestic Homicide Review (DHR)" in text
    assert "Domestic Abuse Related Death Review" in text and "Not yet in force" in text


@pytest.mark.parametrize(("role", "status"), [(Role.AGENCY_LEAD, 403), (None, 302)])
def test_the_types_page_is_refused_to_agency_leads_and_strangers(
    app: Flask, role: Role | None, status: int
) -> None:
    with app.app_context():
        person = make_user(role) if role else None
    response = client_as(app, person).get("/reviews/types")
    assert response.status_code == status


# --- a SAR is completed when its final report is signed off ---------------------------------


def test_a_sar_clock_is_met_by_the_sign_off_not_by_publication(app: Flask) -> None:
    with app.app_context():
        review = dated_review("SAR", ReviewStage.PUBLICATION, date(2026, 10, 1), date(2026, 11, 2))
        assert review.published_on is None
        signed_off = review.terms.commissioned_on  # make_review signs off on the commissioning day
        assert review.completed_on == signed_off
        [completion] = deadlines_for(review)
        assert completion.status == DeadlineStatus.MET_ON_TIME
        assert completion.met_on == signed_off
        [row] = review.deadlines
        assert (row.running, row.met_on) == (False, signed_off)


def test_a_sar_not_signed_off_after_six_months_is_overdue_whatever_is_published(app: Flask) -> None:
    with app.app_context():
        review = dated_review("SAR", ReviewStage.DRAFTING, date(2026, 7, 1), date(2026, 8, 3))
        [completion] = deadlines_for(review)
        assert (completion.due_on, completion.status) == (date(2027, 2, 3), DeadlineStatus.OVERDUE)


# --- a clock met by a decision is met, never overdue, in Python and in SQL --------------------


def test_publication_met_by_a_decision_not_to_publish_is_never_overdue(app: Flask) -> None:
    manager = manager_of(app)
    with app.app_context():
        # decided 1 August 2026: the report was due by 1 February 2027
        review = dated_review("CSPR", ReviewStage.PUBLICATION, date(2026, 7, 1), date(2026, 8, 3), by=manager)
        publication = deadline_of(review, "publication")
        assert publication.status == DeadlineStatus.OVERDUE
        assert [item.what for item in clocks_due(app, review.id)] == ["Publish the final report"]
        assert review.id in overdue_in_lists(manager)
        # the improvement information went to the Panel, the Secretary of State and Ofsted first
        send_notice(review, "final_report", date(2027, 2, 15), db.session.get(User, manager.id))
        publishing.decide_not_to_publish(
            review,
            "Publishing would identify the surviving sibling.",
            "Agencies now share bruising concerns.",
            db.session.get(User, manager.id),
            review.version,
            decided_on=TODAY,
        )
        db.session.commit()
        review = db.session.get(Review, review.id)
        publication = deadline_of(review, "publication")
        assert publication.status == DeadlineStatus.MET_LATE  # met, late: never "overdue"
        row = db.session.scalar(
            select(ReviewDeadline).where(
                ReviewDeadline.review_id == review.id, ReviewDeadline.clock_key == "publication"
            )
        )
        assert row is not None and not row.running and row.met_on == TODAY
        # the SQL finders agree: nothing of this review's is due or overdue
        assert clocks_due(app, review.id) == []
        assert review.id not in overdue_in_lists(manager)


# --- a SAR's mandate ------------------------------------------------------------------------


def test_a_discretionary_sar_needs_no_criterion_and_a_mandatory_one_needs_every_condition(app: Flask) -> None:
    manager = manager_of(app)
    with app.app_context():
        kind = review_type("SAR")
        review = make_review("SAR", ReviewStage.DECISION, by=manager)
        review = db.session.get(Review, review.id)
        by = db.session.get(User, manager.id)
        on = review.referral.became_aware_on
        local = DecisionOutcome.LOCAL_REVIEW
        cases = [
            (details(kind, local, on, mandate=None, criteria_met=[]), "mandate"),
            (details(kind, local, on, mandate=ReviewMandate.MANDATORY, criteria_met=[]), "criteria_met"),
            (
                details(kind, local, on, mandate=ReviewMandate.MANDATORY, criteria_met=["care_needs"]),
                "criteria_met",
            ),
            (
                details(kind, local, on, mandate=ReviewMandate.DISCRETIONARY, criteria_met=["nonsense"]),
                "criteria_met",
            ),
            (
                details(
                    kind, local, on, mandate=ReviewMandate.DISCRETIONARY, regard_had_to=["discretionary"]
                ),
                "regard_had_to",
            ),
        ]
        for bad, field in cases:
            version = review.version
            call = lambda bad=bad, review=review: record_decision(review, bad, review.version, by)  # noqa: E731
            refused_with(call, field)
            review = db.session.get(Review, review.id)
            assert (review.stage, review.version, review.decision) == (ReviewStage.DECISION, version, None)
        record_decision(
            review,
            details(kind, local, on, mandate=ReviewMandate.DISCRETIONARY, criteria_met=[]),
            review.version,
            by,
        )
        db.session.commit()
        decision = db.session.get(Decision, review.id)
        assert (decision.mandate, decision.criteria_met) == (ReviewMandate.DISCRETIONARY, [])
        assert db.session.get(Review, review.id).stage == ReviewStage.COMMISSIONING
        [moved] = [
            e
            for e in audit_trail(app, "stage_changed")
            if e.review_id == review.id and e.details["to"] == "commissioning"
        ]
        assert moved.details["mandate"] == "discretionary"


def test_a_mandatory_sar_with_every_condition_is_recorded_and_shown(app: Flask) -> None:
    manager = manager_of(app)
    with app.app_context():
        review = make_review("SAR", ReviewStage.COMMISSIONING, by=manager)
        assert review.decision.mandate == ReviewMandate.MANDATORY
        review_id = review.id
    text = page_text(client_as(app, manager).get(f"/reviews/{review_id}"))
    assert "Mandatory: the conditions of section 44(1) to (3) of the Care Act 2014 are met" in text


def test_the_sar_decision_form_asks_for_the_mandate(app: Flask) -> None:
    manager = manager_of(app)
    with app.app_context():
        review_id = make_review("SAR", ReviewStage.DECISION, by=manager).id
        cspr_id = make_review("CSPR", ReviewStage.DECISION, by=manager).id
    client = client_as(app, manager)
    page = client.get(f"/reviews/{review_id}/decision")
    assert 'name="mandate"' in page.get_data(as_text=True)
    assert 'name="mandate"' not in client.get(f"/reviews/{cspr_id}/decision").get_data(as_text=True)
    decide_on_a_local_review(
        client,
        f"/reviews/{review_id}/decision",
        rationale="Learning about self-neglect.",
        decided_on=["1", "3", "2027"],
        decided_by="The Board",
        mandate="discretionary",
    )
    with app.app_context():
        assert db.session.get(Decision, review_id).mandate == ReviewMandate.DISCRETIONARY


# --- the Panel's challenge and the partners' reconsideration (CSPR) --------------------------


def test_the_panel_challenges_a_no_review_decision_and_the_partners_hold_a_review(app: Flask) -> None:
    manager = manager_of(app)
    with app.app_context():
        review = dated_review("CSPR", ReviewStage.NO_REVIEW, date(2026, 12, 1), date(2027, 1, 11), by=manager)
        by = db.session.get(User, manager.id)
        kind = review.review_type
        first_rationale = review.decision.rationale
        # nothing to reconsider before the Panel's challenge: the review has ended
        error = refused_with(
            lambda: reconsider_decision(
                review, details(kind, DecisionOutcome.LOCAL_REVIEW, TODAY), review.version, by
            )
        )
        assert "has ended" in error.message
        # bad challenges: no date, before the decision, in the future, no reasons
        for on, reasons, field in [
            (None, "Reasons", "challenged_on"),
            (date(2027, 1, 4), "Reasons", "challenged_on"),
            (date(2027, 3, 2), "Reasons", "challenged_on"),
            (date(2027, 2, 1), "  ", "reasons"),
        ]:
            refused_with(
                lambda on=on, reasons=reasons: record_panel_challenge(
                    review, on, reasons, review.version, by
                ),
                field,
            )
        review = db.session.get(Review, review.id)
        assert review.decision_challenges == []
        record_panel_challenge(
            review, date(2027, 2, 1), "Agencies in two areas were involved.", review.version, by
        )
        db.session.commit()
        # once is enough: a second challenge waits for the reconsideration
        refused_with(lambda: record_panel_challenge(review, date(2027, 2, 2), "Again", review.version, by))
        # the reconsidered decision cannot predate the challenge
        refused_with(
            lambda: reconsider_decision(
                review, details(kind, DecisionOutcome.LOCAL_REVIEW, date(2027, 1, 25)), review.version, by
            ),
            "decided_on",
        )
        refused_with(
            lambda: reconsider_decision(
                review, details(kind, DecisionOutcome.NATIONAL_REVIEW, TODAY), review.version, by
            ),
            "outcome",
        )
        stale = review.version - 1
        refused_with(
            lambda: reconsider_decision(review, details(kind, DecisionOutcome.LOCAL_REVIEW, TODAY), stale, by)
        )
        review = db.session.get(Review, review.id)
        assert review.stage == ReviewStage.NO_REVIEW and review.earlier_decisions == []
        reconsider_decision(review, details(kind, DecisionOutcome.LOCAL_REVIEW, TODAY), review.version, by)
        db.session.commit()
        review = db.session.get(Review, review.id)
        assert review.stage == ReviewStage.COMMISSIONING
        assert (review.decision.outcome, review.decision.decided_on) == (DecisionOutcome.LOCAL_REVIEW, TODAY)
        [earlier] = review.earlier_decisions
        assert (earlier.outcome, earlier.decided_on, earlier.superseded_on) == (
            DecisionOutcome.NO_REVIEW,
            date(2027, 1, 11),
            TODAY,
        )
        assert earlier.rationale == first_rationale
        [challenge] = review.decision_challenges
        assert earlier.challenge_id == challenge.id and challenge.answered_on == TODAY
        # the publication clock starts from the reconsidered decision
        publication = deadline_of(review, "publication")
        assert (publication.starts_on, publication.due_on) == (TODAY, date(2027, 9, 1))
        review_id = review.id
    assert [e.details["to"] for e in audit_trail(app, "stage_changed") if e.review_id == review_id][
        -1
    ] == "commissioning"
    assert [e for e in audit_trail(app, "decision_challenged") if e.review_id == review_id]
    text = page_text(client_as(app, manager).get(f"/reviews/{review_id}"))
    assert "The Panel's challenge, 1 February 2027" in text and "Agencies in two areas were involved." in text
    assert "Earlier decision, 11 January 2027 (reconsidered on 1 March 2027)" in text
    assert "the partners reconsidered after the Panel's challenge of 1 February 2027" in text


def test_the_partners_can_confirm_their_decision_and_nothing_moves(app: Flask) -> None:
    manager = manager_of(app)
    with app.app_context():
        review_id = dated_review(
            "CSPR", ReviewStage.COMMISSIONING, date(2026, 12, 1), date(2027, 1, 11), by=manager
        ).id
    client = client_as(app, manager)
    assert "Record the Panel's challenge" in page_text(client.get(f"/reviews/{review_id}"))
    bad = post_form(client, f"/reviews/{review_id}/decision/challenge", {"reasons": ""})
    assert bad.status_code == 400 and "Enter the date the Panel challenged the decision" in page_text(bad)
    answer = post_form(
        client,
        f"/reviews/{review_id}/decision/challenge",
        {
            "challenged_on": ["8", "2", "2027"],
            "reasons": "Too early to tell.",
        },
    )
    assert answer.status_code == 302, page_text(answer)
    waiting = page_text(client.get(f"/reviews/{review_id}"))
    assert "Record the reconsidered decision" in waiting
    # no commissioning while the challenge is unanswered: the next step says what is missing
    assert "Record the partners' reconsidered decision after the Panel's challenge" in waiting
    with app.app_context():
        review = db.session.get(Review, review_id)
        error = refused_with(
            lambda: commission_review(
                review, terms_details(review_dates(), []), review.version, db.session.get(User, manager.id)
            )
        )
        assert "record the partners' reconsidered decision before commissioning" in error.message
    decide_on_a_local_review(
        client,
        f"/reviews/{review_id}/decision/reconsider",
        rationale="We stand by it.",
        decided_on=["15", "2", "2027"],
        decided_by="The partners",
        criteria_met="working_together",
    )
    with app.app_context():
        review = db.session.get(Review, review_id)
        assert review.stage == ReviewStage.COMMISSIONING and len(review.earlier_decisions) == 1
        assert review.decision.rationale == "We stand by it."
    [event] = [e for e in audit_trail(app, "decision_reconsidered") if e.review_id == review_id]
    assert event.details["outcome"] == "local_review"


def test_only_a_cspr_decision_can_be_challenged_and_only_managers_may(app: Flask) -> None:
    manager = manager_of(app)
    with app.app_context():
        sar = make_review("SAR", ReviewStage.COMMISSIONING, by=manager)
        refused_with(
            lambda: record_panel_challenge(
                db.session.get(Review, sar.id), TODAY, "Reasons", None, db.session.get(User, manager.id)
            )
        )
        cspr_id = make_review("CSPR", ReviewStage.COMMISSIONING, by=manager).id
        lead = make_user(Role.AGENCY_LEAD).id
        reviewer = make_user(Role.REVIEWER).id
    for person, status in [(lead, 404), (reviewer, 404), (None, 302)]:
        for path in ("challenge", "reconsider"):
            response = client_as(app, person).get(f"/reviews/{cspr_id}/decision/{path}")
            assert response.status_code == status, (person, path)


# --- names and rules over time ----------------------------------------------------------------


def test_the_dhr_keeps_its_name_until_the_dardr_commences(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = manager_of(app)
    with app.app_context():
        before = review_aware_on("DHR", date(2027, 1, 1), date(2027, 1, 4), ReviewStage.DECISION, by=manager)
        kind = review_type("DHR")
        assert before.type_name == "Domestic Homicide Review"  # not in force: no date configured
        assert [c["key"] for c in before.criteria()] == ["death", "domestic_abuse"]
        before_id = before.id
    monkeypatch.setitem(app.config, "COMMENCEMENTS", {"dardr": date(2027, 2, 1)})
    with app.app_context():
        kind = review_type("DHR")
        assert kind.current_name == "Domestic Abuse Related Death Review"
        assert kind.name_on(date(2027, 1, 31)) == "Domestic Homicide Review"
        after = review_aware_on("DHR", date(2027, 2, 6), date(2027, 2, 8), ReviewStage.DECISION, by=manager)
        before = db.session.get(Review, before_id)
        # a review started before commencement keeps the old name and test everywhere
        assert before.type_name == "Domestic Homicide Review"
        assert [c["key"] for c in before.criteria()] == ["death", "domestic_abuse"]
        assert after.type_name == "Domestic Abuse Related Death Review"
        assert [c["key"] for c in after.criteria()] == ["death", "domestic_abuse_2021"]
        assert "Domestic Abuse Act 2021" in after.type_description
        after_id = after.id
        by = db.session.get(User, manager.id)
        # the old test is no criterion for a review started after commencement
        refused_with(
            lambda: record_decision(
                db.session.get(Review, after_id),
                details(kind, DecisionOutcome.LOCAL_REVIEW, TODAY, criteria_met=["domestic_abuse"]),
                None,
                by,
            ),
            "criteria_met",
        )
    client = client_as(app, manager)
    assert "Domestic Homicide Review" in page_text(client.get(f"/reviews/{before_id}"))
    assert "Domestic Abuse Related Death Review" in page_text(client.get(f"/reviews/{after_id}"))
    decision_page = page_text(client.get(f"/reviews/{after_id}/decision"))
    assert "domestic abuse as defined by section 1 of the Domestic Abuse Act 2021" in decision_page


def test_a_review_keeps_the_clock_in_force_when_it_started(app: Flask) -> None:
    manager = manager_of(app)
    with app.app_context():
        review = review_aware_on(
            "CSPR", date(2027, 1, 30), date(2027, 2, 1), by=manager, panel_notified_on=None
        )
        kind = db.session.get(ReviewType, review.review_type_id)
        old = next(c for c in kind.clocks if c.key == "notification")
        # a later rule: 3 working days from 15 February 2027
        old.applies_until = date(2027, 2, 15)
        kind.clocks.append(
            ClockDefinition(
                key="notification",
                label="Notify the Panel",
                start_event=old.start_event,
                end_event=old.end_event,
                amount=3,
                unit=ClockUnit.WORKING_DAYS,
                basis=RuleBasis.STATUTE,
                source="A later rule",
                applies_from=date(2027, 2, 15),
                position=0,
            )
        )
        db.session.commit()
        earlier = db.session.get(Review, review.id)
        later = review_aware_on(
            "CSPR", date(2027, 2, 20), date(2027, 2, 22), by=manager, panel_notified_on=None
        )
        first = deadline_of(earlier, "notification")
        second = deadline_of(later, "notification")
        assert (first.clock.amount, first.due_on) == (5, date(2027, 2, 8))
        assert (second.clock.amount, second.due_on) == (3, date(2027, 2, 25))


# --- the migration keeps what was recorded ----------------------------------------------------


def _stored(sql: str, **params: Any) -> Any:
    value = db.session.execute(text(sql), params).scalar_one()
    return json.loads(value) if isinstance(value, str) and value.startswith("[") else value


def test_the_migration_moves_discretionary_to_the_mandate_and_back(scratch_database: str) -> None:
    app = create_app(make_config(scratch_database))
    with app.app_context():
        flask_migrate.upgrade()
        manager = make_user(Role.BOARD_MANAGER)
        review = make_review("SAR", ReviewStage.DECISION, by=manager)
        kind = review_type("SAR")
        record_decision(
            review,
            details(
                kind,
                DecisionOutcome.LOCAL_REVIEW,
                review.referral.became_aware_on,
                mandate=ReviewMandate.DISCRETIONARY,
                criteria_met=[],
            ),
            review.version,
            db.session.get(User, manager.id),
        )
        signed = make_review("SAR", ReviewStage.PUBLICATION, by=manager)
        db.session.commit()
        discretionary, signed_id, signed_off = review.id, signed.id, signed.completed_on
        db.session.remove()

        flask_migrate.downgrade(revision="3a7d5c1e9b20")
        query = "SELECT regard_had_to FROM decisions WHERE review_id = :id"
        assert _stored(query, id=discretionary) == ["discretionary"]
        # the stored deadline as the old rule left it: met only on publication
        db.session.execute(
            text("UPDATE review_deadlines SET running = true, met_on = NULL WHERE review_id = :id"),
            {"id": signed_id},
        )
        db.session.commit()
        db.session.remove()

        flask_migrate.upgrade()
        assert _stored(query, id=discretionary) == []
        assert (
            _stored("SELECT mandate FROM decisions WHERE review_id = :id", id=discretionary)
            == "discretionary"
        )
        assert _stored("SELECT mandate FROM decisions WHERE review_id = :id", id=signed_id) == "mandatory"
        row = db.session.execute(
            text("SELECT running, met_on, label FROM review_deadlines WHERE review_id = :id"),
            {"id": signed_id},
        ).one()
        assert not row[0] and str(row[1]) == str(signed_off)
        assert row[2] == "Complete the review (final report signed off)"
        db.session.remove()
        db.engine.dispose()


def test_the_commencement_setting_is_a_date_or_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    import config

    monkeypatch.setenv("CASEWORK_DARDR_COMMENCEMENT", " 2027-10-01 ")
    assert config._optional_date("CASEWORK_DARDR_COMMENCEMENT") == date(2027, 10, 1)
    monkeypatch.setenv("CASEWORK_DARDR_COMMENCEMENT", "")
    assert config._optional_date("CASEWORK_DARDR_COMMENCEMENT") is None
    monkeypatch.setenv("CASEWORK_DARDR_COMMENCEMENT", "1 October 2027")
    with pytest.raises(ValueError, match="CASEWORK_DARDR_COMMENCEMENT must be a date written YYYY-MM-DD"):
        config._optional_date("CASEWORK_DARDR_COMMENCEMENT")
