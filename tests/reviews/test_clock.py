"""The clocks of a review against real dates: working days without weekends and England and
Wales bank holidays (25 and 28 December 2026, 1 January 2027, Good Friday 26 March and Easter
Monday 29 March 2027), calendar months, pauses and extensions.

The reviews here are written straight to the database with the dates each case needs (some
of them after today, which the services would refuse), and deadline_for is given its "today".
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import ClosureDay, WorkingCalendar
from casework.reviews.clock import EVENTS, DeadlineStatus, deadline_for, deadlines_for, refresh_deadlines
from casework.reviews.models import (
    ClockUnit,
    DeadlineExtension,
    Decision,
    DecisionOutcome,
    PanelResponse,
    RapidReview,
    RapidReviewRecommendation,
    Referral,
    Review,
    ReviewDeadline,
    ReviewPause,
    ReviewType,
    TermsOfReference,
)
from casework.reviews.stages import ReviewStage
from tests.conftest import make_user
from tests.reviews.conftest import make_review, review_type

CALENDAR = WorkingCalendar()
_numbers = itertools.count(1)
Status = DeadlineStatus


def build(
    code: str = "CSPR",
    *,
    became_aware_on: date,
    incident_on: date | None = None,
    panel_notified_on: date | None = None,
    meeting_on: date | None = None,
    sent_to_panel_on: date | None = None,
    panel_responded_on: date | None = None,
    outcome: DecisionOutcome | None = None,
    decided_on: date | None = None,
    commissioned_on: date | None = None,
    published_on: date | None = None,
    stage: ReviewStage | None = None,
    pauses: tuple[tuple[date, date | None], ...] = (),
    extensions: tuple[tuple[str, date, date, date], ...] = (),  # clock, previous due, new due, agreed on
) -> Review:
    """A review with exactly these dates, written to the database (not through the services)."""
    user = make_user()
    kind = review_type(code)
    number = next(_numbers)
    review = Review(
        review_type=kind,
        reference=f"{code}-1900-{number:03d}",
        year=1900,
        number=number,
        pseudonym=f"Child {number}",
        stage=stage or _stage_for(kind, meeting_on or sent_to_panel_on, outcome, commissioned_on),
        published_on=published_on,
        created_by=user,
    )
    review.referral = Referral(
        incident_on=incident_on or became_aware_on,
        incident_description="Injuries to a baby",
        became_aware_on=became_aware_on,
        panel_notified_on=panel_notified_on,
    )
    if meeting_on or sent_to_panel_on:
        review.rapid_review = RapidReview(
            meeting_on=meeting_on,
            recommendation=RapidReviewRecommendation.LOCAL_REVIEW,
            sent_to_panel_on=sent_to_panel_on,
            panel_response=PanelResponse.AGREES_LOCAL if panel_responded_on else None,
            panel_responded_on=panel_responded_on,
        )
    if outcome:
        assert decided_on is not None
        review.decision = Decision(
            outcome=outcome,
            criteria_met=[],
            rationale="Reasons",
            decided_on=decided_on,
            decided_by="Partners",
            recorded_by=user,
        )
    if commissioned_on:
        review.terms = TermsOfReference(
            scope_from=became_aware_on - timedelta(days=365),
            scope_to=became_aware_on,
            key_lines_of_enquiry="Risk",
            method="Systems",
            family_involvement="Invited",
            target_completion_on=commissioned_on + timedelta(days=150),
            commissioned_on=commissioned_on,
            commissioned_by=user,
        )
    for started_on, ended_on in pauses:
        review.pauses.append(
            ReviewPause(
                started_on=started_on,
                ended_on=ended_on,
                reason="Trial",
                agreed_by="Partners",
                recorded_by=user,
            )
        )
    for clock_key, previous, new, agreed_on in extensions:
        review.extensions.append(
            DeadlineExtension(
                clock_key=clock_key,
                previous_due_on=previous,
                new_due_on=new,
                reason="More time",
                agreed_by="Partners",
                agreed_on=agreed_on,
                recorded_by=user,
            )
        )
    db.session.add(review)
    db.session.commit()
    return review


def _stage_for(
    kind: ReviewType, rapid: date | None, outcome: DecisionOutcome | None, commissioned: date | None
) -> ReviewStage:
    if commissioned:
        return ReviewStage.AWAITING_REVIEWER
    if outcome:
        return {
            DecisionOutcome.LOCAL_REVIEW: ReviewStage.COMMISSIONING,
            DecisionOutcome.NO_REVIEW: ReviewStage.NO_REVIEW,
            DecisionOutcome.NATIONAL_REVIEW: ReviewStage.NATIONAL_REVIEW,
        }[outcome]
    return ReviewStage.RAPID_REVIEW if rapid else ReviewStage.REFERRAL


def deadline(review: Review, key: str, today: date, calendar: WorkingCalendar = CALENDAR) -> Any:
    clock = next(clock for clock in review.review_type.clocks if clock.key == key)
    return deadline_for(review, clock, calendar, today)


MON_21_DEC_2026 = date(2026, 12, 21)
WED_30_DEC_2026 = date(2026, 12, 30)


# --- the seeded clocks -------------------------------------------------------------------

EXPECTED_CLOCKS = {
    "CSPR": [
        ("notification", "la_became_aware", "panel_notified", 5, ClockUnit.WORKING_DAYS, True),
        # the Panel's expectation, not statute
        ("rapid_review", "panel_notified", "rapid_review_sent", 15, ClockUnit.WORKING_DAYS, False),
        ("panel_response", "rapid_review_sent", "panel_responded", 10, ClockUnit.WORKING_DAYS, False),
        ("publication", "decision_to_review", "published", 6, ClockUnit.CALENDAR_MONTHS, True),
    ],
    # statutory guidance (Care and Support Statutory Guidance ch. 14), met by the signed-off report
    "SAR": [("completion", "decision_to_review", "completed", 6, ClockUnit.CALENDAR_MONTHS, True)],
    "DHR": [
        ("decision", "became_aware", "decision", 1, ClockUnit.CALENDAR_MONTHS, True),
        ("completion", "decision_to_review", "home_office_submitted", 6, ClockUnit.CALENDAR_MONTHS, True),
        ("publication", "home_office_approved", "published", 1, ClockUnit.CALENDAR_MONTHS, False),
    ],
}


def test_every_seeded_clock_names_known_events_and_every_stage_is_a_review_stage(app: Flask) -> None:
    with app.app_context():
        kinds = db.session.scalars(db.select(ReviewType).order_by(ReviewType.id)).all()
        assert [kind.code for kind in kinds] == ["CSPR", "SAR", "DHR"]
        for kind in kinds:
            assert kind.stage_keys, kind.code
            assert all(key in set(ReviewStage) for key in kind.stage_keys), kind.code
            assert len(set(kind.stage_keys)) == len(kind.stage_keys)
            assert kind.stage_keys[0] == ReviewStage.REFERRAL
            assert ReviewStage.CLOSED in kind.stage_keys and ReviewStage.NO_REVIEW in kind.stage_keys
            for clock in kind.clocks:
                assert clock.start_event in EVENTS, (kind.code, clock.key, clock.start_event)
                assert clock.end_event in EVENTS, (kind.code, clock.key, clock.end_event)
                assert clock.amount > 0
                assert clock.rule  # "5 working days after the partnership became aware"
            assert [
                (c.key, c.start_event, c.end_event, c.amount, c.unit, c.statutory) for c in kind.clocks
            ] == EXPECTED_CLOCKS[kind.code]
            assert [c.position for c in kind.clocks] == sorted(c.position for c in kind.clocks)


def test_clock_rules_read_as_sentences(app: Flask) -> None:
    with app.app_context():
        assert [c.rule for c in review_type("CSPR").clocks] == [
            "5 working days after the local authority became aware",
            "15 working days after the panel was notified",
            "10 working days after the rapid review was sent to the panel",
            "6 months after the decision to hold a review",
        ]
        assert review_type("DHR").clocks[0].rule == "1 month after the partnership became aware"


# --- notification: 5 working days after awareness ---------------------------------------------


@pytest.mark.parametrize(
    ("today", "status", "left"),
    [
        (MON_21_DEC_2026, Status.DUE, 5),
        (date(2026, 12, 22), Status.DUE, 4),
        (date(2026, 12, 24), Status.DUE, 2),  # 25 and 28 December are bank holidays
        (date(2026, 12, 26), Status.DUE, 2),  # a Saturday
        (WED_30_DEC_2026, Status.DUE, 0),
        (date(2026, 12, 31), Status.OVERDUE, -1),
        (date(2027, 1, 4), Status.OVERDUE, -2),  # 1 January and the weekend do not count
    ],
)
def test_notification_is_due_five_working_days_after_awareness(
    app: Flask, today: date, status: DeadlineStatus, left: int
) -> None:
    with app.app_context():
        review = build(became_aware_on=MON_21_DEC_2026)
        result = deadline(review, "notification", today)
        assert result.starts_on == MON_21_DEC_2026
        assert result.original_due_on == result.due_on == WED_30_DEC_2026
        assert (result.status, result.working_days_left) == (status, left)
        assert result.running and not result.moved and result.met_on is None


@pytest.mark.parametrize(
    ("notified", "status"),
    [
        (MON_21_DEC_2026, Status.MET_ON_TIME),
        (WED_30_DEC_2026, Status.MET_ON_TIME),
        (date(2026, 12, 31), Status.MET_LATE),
    ],
)
def test_notification_met_on_time_or_late(app: Flask, notified: date, status: DeadlineStatus) -> None:
    with app.app_context():
        review = build(became_aware_on=MON_21_DEC_2026, panel_notified_on=notified)
        for today in (notified, date(2027, 6, 1)):  # a met clock stays met whatever the day
            result = deadline(review, "notification", today)
            assert (result.status, result.met_on, result.due_on) == (status, notified, WED_30_DEC_2026)
            assert result.working_days_left is None and not result.running


def test_closure_days_move_working_day_deadlines(app: Flask) -> None:
    closed = WorkingCalendar(frozenset({date(2026, 12, 29), WED_30_DEC_2026, date(2026, 12, 31)}))
    with app.app_context():
        review = build(became_aware_on=MON_21_DEC_2026)
        result = deadline(review, "notification", date(2027, 1, 4), closed)
        assert result.due_on == date(2027, 1, 5)
        assert (result.status, result.working_days_left) == (Status.DUE, 1)


def test_the_partnerships_closure_days_are_read_from_the_database(app: Flask) -> None:
    with app.app_context():
        review_id = build(became_aware_on=MON_21_DEC_2026).id
        for day in (29, 30, 31):
            db.session.add(ClosureDay(day=date(2026, 12, day), description="Christmas closure"))
        db.session.commit()
    with app.app_context():  # a fresh context: the calendar is read once per context
        review = db.session.get(Review, review_id)
        assert review is not None
        notification = deadlines_for(review, date(2026, 12, 22))[0]
        assert (notification.clock.key, notification.due_on) == ("notification", date(2027, 1, 5))


# --- rapid review: 15 working days after notification ------------------------------------------


@pytest.mark.parametrize(
    ("notified", "due"),
    [
        (date(2027, 3, 15), date(2027, 4, 7)),  # Good Friday and Easter Monday skipped
        (date(2027, 3, 25), date(2027, 4, 19)),  # notified the day before Good Friday
        (date(2027, 2, 1), date(2027, 2, 22)),  # no bank holiday: three weeks
    ],
)
def test_rapid_review_is_due_fifteen_working_days_after_notification(
    app: Flask, notified: date, due: date
) -> None:
    with app.app_context():
        review = build(became_aware_on=notified - timedelta(days=2), panel_notified_on=notified)
        result = deadline(review, "rapid_review", notified)
        assert (result.starts_on, result.due_on, result.status) == (notified, due, Status.DUE)
        assert result.working_days_left == 15
        on_time = build(
            became_aware_on=notified, panel_notified_on=notified, meeting_on=due, sent_to_panel_on=due
        )
        assert deadline(on_time, "rapid_review", due).status == Status.MET_ON_TIME
        late = due + timedelta(days=1)
        met_late = build(
            became_aware_on=notified, panel_notified_on=notified, meeting_on=due, sent_to_panel_on=late
        )
        assert deadline(met_late, "rapid_review", late).status == Status.MET_LATE


def test_clocks_that_have_not_started(app: Flask) -> None:
    with app.app_context():
        review = build(became_aware_on=MON_21_DEC_2026)  # a referral: the Panel not yet notified
        statuses = {d.clock.key: d for d in deadlines_for(review, date(2026, 12, 22))}
        assert statuses["notification"].status == Status.DUE
        for key in ("rapid_review", "panel_response", "publication"):
            assert statuses[key].status == Status.NOT_STARTED
            assert statuses[key].due_on is None and statuses[key].working_days_left is None
            assert not statuses[key].running


# --- publication: 6 calendar months after a decision to review ----------------------------------


@pytest.mark.parametrize(
    ("decided", "due"),
    [
        (date(2027, 1, 15), date(2027, 7, 15)),
        (date(2026, 8, 31), date(2027, 2, 28)),  # no 31 February: the last day of the month
        (date(2027, 3, 27), date(2027, 9, 27)),  # months are calendar months: bank holidays play no part
    ],
)
def test_publication_is_due_six_months_after_a_local_review_decision(
    app: Flask, decided: date, due: date
) -> None:
    with app.app_context():
        review = build(
            became_aware_on=decided - timedelta(days=40),
            panel_notified_on=decided - timedelta(days=38),
            meeting_on=decided - timedelta(days=30),
            sent_to_panel_on=decided - timedelta(days=29),
            outcome=DecisionOutcome.LOCAL_REVIEW,
            decided_on=decided,
        )
        result = deadline(review, "publication", decided)
        assert (result.starts_on, result.due_on, result.status) == (decided, due, Status.DUE)
        assert result.working_days_left == CALENDAR.working_days_between(decided, due)
        after = deadline(review, "publication", due + timedelta(days=1))
        assert (after.status, after.working_days_left) == (
            Status.OVERDUE,
            -CALENDAR.working_days_between(due, due + timedelta(days=1)),
        )


def test_publication_met_on_time_or_late(app: Flask) -> None:
    with app.app_context():
        common = {
            "became_aware_on": date(2026, 12, 1),
            "outcome": DecisionOutcome.LOCAL_REVIEW,
            "decided_on": date(2027, 1, 15),
            "commissioned_on": date(2027, 2, 1),
        }
        on_time = build(**common, published_on=date(2027, 7, 15))
        assert deadline(on_time, "publication", date(2027, 8, 1)).status == Status.MET_ON_TIME
        late = build(**common, published_on=date(2027, 7, 16))
        assert deadline(late, "publication", date(2027, 8, 1)).status == Status.MET_LATE


@pytest.mark.parametrize("outcome", [DecisionOutcome.NO_REVIEW, DecisionOutcome.NATIONAL_REVIEW])
def test_publication_does_not_apply_when_there_is_no_local_review(
    app: Flask, outcome: DecisionOutcome
) -> None:
    with app.app_context():
        review = build(
            became_aware_on=date(2026, 12, 1),
            panel_notified_on=date(2026, 12, 2),
            meeting_on=date(2026, 12, 10),
            sent_to_panel_on=date(2026, 12, 11),
            outcome=outcome,
            decided_on=date(2027, 1, 15),
        )
        assert review.is_ended
        statuses = {d.clock.key: d for d in deadlines_for(review, date(2027, 9, 1))}
        assert statuses["publication"].status == Status.NOT_APPLICABLE
        assert statuses["publication"].due_on is None
        # the Panel never answered and the case has ended: its clock no longer applies either
        assert statuses["panel_response"].status == Status.NOT_APPLICABLE
        assert statuses["panel_response"].due_on is not None
        assert statuses["notification"].status == Status.MET_ON_TIME
        assert not any(d.running for d in statuses.values())


def test_publication_has_not_started_before_the_decision(app: Flask) -> None:
    with app.app_context():
        review = build(became_aware_on=date(2026, 12, 1), panel_notified_on=date(2026, 12, 2))
        assert deadline(review, "publication", date(2027, 9, 1)).status == Status.NOT_STARTED


# --- DHR and SAR -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aware", "due"),
    [
        (date(2026, 12, 15), date(2027, 1, 15)),
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2027, 3, 26), date(2027, 4, 26)),  # from Good Friday: months, not working days
    ],
)
def test_dhr_decision_is_due_one_month_after_awareness(app: Flask, aware: date, due: date) -> None:
    with app.app_context():
        review = build("DHR", became_aware_on=aware)
        result = deadline(review, "decision", aware + timedelta(days=1))
        assert (result.starts_on, result.due_on, result.status) == (aware, due, Status.DUE)
        assert deadline(review, "decision", due + timedelta(days=1)).status == Status.OVERDUE
        assert deadline(review, "completion", due).status == Status.NOT_STARTED


def test_any_dhr_decision_meets_the_decision_clock(app: Flask) -> None:
    with app.app_context():
        aware = date(2026, 12, 15)
        no_review = build(
            "DHR", became_aware_on=aware, outcome=DecisionOutcome.NO_REVIEW, decided_on=date(2027, 1, 15)
        )
        statuses = {d.clock.key: d.status for d in deadlines_for(no_review, date(2027, 3, 1))}
        assert statuses == {
            "decision": Status.MET_ON_TIME,
            "completion": Status.NOT_APPLICABLE,
            "publication": Status.NOT_APPLICABLE,
        }
        local = build(
            "DHR", became_aware_on=aware, outcome=DecisionOutcome.LOCAL_REVIEW, decided_on=date(2027, 1, 18)
        )
        decided = {d.clock.key: d for d in deadlines_for(local, date(2027, 3, 1))}
        assert decided["decision"].status == Status.MET_LATE
        assert (decided["completion"].status, decided["completion"].due_on) == (Status.DUE, date(2027, 7, 18))


def test_sar_completion_is_statutory_guidance_six_months_after_the_decision(app: Flask) -> None:
    with app.app_context():
        review = build(
            "SAR",
            became_aware_on=date(2026, 11, 2),
            outcome=DecisionOutcome.LOCAL_REVIEW,
            decided_on=date(2026, 12, 31),
        )
        [completion] = deadlines_for(review, date(2027, 1, 4))
        assert completion.clock.statutory and completion.clock.basis == "statutory_guidance"
        assert (completion.due_on, completion.status, completion.working_days_left) == (
            date(2027, 6, 30),
            Status.DUE,
            CALENDAR.working_days_between(date(2027, 1, 4), date(2027, 6, 30)),
        )


# --- pauses ----------------------------------------------------------------------------------


def test_a_finished_pause_moves_an_open_deadline_by_the_working_days_paused(app: Flask) -> None:
    with app.app_context():
        # paused Tuesday 22 to Tuesday 29 December: 23, 24 and 29 December are the working days
        review = build(became_aware_on=MON_21_DEC_2026, pauses=((date(2026, 12, 22), date(2026, 12, 29)),))
        result = deadline(review, "notification", date(2027, 1, 4))
        assert result.original_due_on == WED_30_DEC_2026
        assert result.due_on == date(2027, 1, 5)  # three working days later: 31 Dec, 4 and 5 Jan
        assert result.moved
        assert (result.status, result.working_days_left) == (Status.DUE, 1)


def test_an_open_pause_holds_the_clock_and_moves_it_by_the_days_so_far(app: Flask) -> None:
    with app.app_context():
        review = build(became_aware_on=MON_21_DEC_2026, pauses=((date(2026, 12, 22), None),))
        assert review.is_paused
        result = deadline(review, "notification", date(2026, 12, 29))
        assert (result.status, result.working_days_left, result.running) == (Status.PAUSED, None, False)
        assert result.due_on == date(2027, 1, 5)
        later = deadline(review, "notification", date(2027, 1, 8))  # 30, 31 Dec, 4-8 Jan: 7 more
        assert later.due_on == CALENDAR.add_working_days(WED_30_DEC_2026, 10)
        assert later.status == Status.PAUSED


def test_a_pause_does_not_move_a_met_deadline_but_moves_the_next_one(app: Flask) -> None:
    with app.app_context():
        review = build(
            became_aware_on=MON_21_DEC_2026,
            panel_notified_on=date(2026, 12, 22),
            pauses=((date(2026, 12, 23), date(2026, 12, 29)),),
        )
        notification = deadline(review, "notification", date(2027, 1, 4))
        assert (notification.due_on, notification.status) == (WED_30_DEC_2026, Status.MET_ON_TIME)
        rapid = deadline(review, "rapid_review", date(2027, 1, 4))
        assert rapid.original_due_on == date(2027, 1, 15)
        assert rapid.due_on == date(2027, 1, 19)  # paused on 24 and 29 December
        assert rapid.status == Status.DUE


@pytest.mark.parametrize(
    ("notified", "pause", "today", "due", "status"),
    [
        pytest.param(
            date(2027, 1, 4),
            (date(2026, 12, 22), date(2026, 12, 29)),
            date(2027, 1, 4),
            date(2027, 1, 5),
            Status.MET_ON_TIME,
            id="a pause lets a late step be on time",
        ),
        pytest.param(
            None,
            (date(2027, 1, 4), None),
            date(2027, 1, 6),
            WED_30_DEC_2026,
            Status.PAUSED,
            id="a pause after the deadline passed does not move it",
        ),
    ],
)
def test_a_pause_and_the_notification_deadline(
    app: Flask, notified: date | None, pause: tuple[date, date | None], today: date, due: date, status: Status
) -> None:
    """Aware on Monday 21 December 2026: the notification is due on Wednesday 30 December."""
    with app.app_context():
        review = build(became_aware_on=MON_21_DEC_2026, panel_notified_on=notified, pauses=(pause,))
        result = deadline(review, "notification", today)
        assert (result.due_on, result.status) == (due, status)


def test_a_pause_moves_a_calendar_month_deadline_by_calendar_days(app: Flask) -> None:
    with app.app_context():
        review = build(
            became_aware_on=date(2026, 12, 1),
            outcome=DecisionOutcome.LOCAL_REVIEW,
            decided_on=date(2027, 1, 15),
            pauses=((date(2027, 3, 1), date(2027, 3, 11)),),
        )
        result = deadline(review, "publication", date(2027, 4, 1))
        assert (result.original_due_on, result.due_on) == (date(2027, 7, 15), date(2027, 7, 25))


@pytest.mark.parametrize(
    ("key", "dates", "due"),
    [
        (
            "publication",  # paused February, resumed 1 March, decided 15 March
            {"outcome": DecisionOutcome.LOCAL_REVIEW, "decided_on": date(2027, 3, 15)},
            date(2027, 9, 15),
        ),
        (
            "rapid_review",  # paused 5 to 6 January, the Panel notified on Friday 8 January
            {"panel_notified_on": date(2027, 1, 8)},
            date(2027, 1, 29),
        ),
    ],
)
def test_a_pause_that_ended_before_a_clock_started_does_not_move_it(
    app: Flask, key: str, dates: dict[str, Any], due: date
) -> None:
    with app.app_context():
        pause = (
            (date(2027, 1, 5), date(2027, 1, 6))
            if key == "rapid_review"
            else (date(2027, 2, 1), date(2027, 3, 1))
        )
        review = build(became_aware_on=date(2027, 1, 4), pauses=(pause,), **dates)
        result = deadline(review, key, date(2027, 1, 11))
        assert result.original_due_on == due
        assert result.due_on == due


# --- extensions ----------------------------------------------------------------------------


def test_an_extension_replaces_the_due_date_and_keeps_the_original(app: Flask) -> None:
    with app.app_context():
        review = build(
            became_aware_on=MON_21_DEC_2026,
            extensions=(("notification", WED_30_DEC_2026, date(2027, 1, 8), date(2026, 12, 29)),),
        )
        result = deadline(review, "notification", date(2027, 1, 4))
        assert (result.original_due_on, result.due_on) == (WED_30_DEC_2026, date(2027, 1, 8))
        assert result.moved and result.extension is review.extensions[0]
        assert (result.status, result.working_days_left) == (Status.DUE, 4)
        # the other clocks keep their own dates
        assert deadline(review, "rapid_review", date(2027, 1, 4)).extension is None


def test_the_latest_extension_counts_and_a_step_within_it_is_on_time(app: Flask) -> None:
    with app.app_context():
        review = build(
            became_aware_on=MON_21_DEC_2026,
            panel_notified_on=date(2027, 1, 11),
            extensions=(
                ("notification", WED_30_DEC_2026, date(2027, 1, 8), date(2026, 12, 29)),
                ("notification", date(2027, 1, 8), date(2027, 1, 12), date(2027, 1, 7)),
            ),
        )
        result = deadline(review, "notification", date(2027, 1, 11))
        assert (result.original_due_on, result.due_on) == (WED_30_DEC_2026, date(2027, 1, 12))
        assert result.extension is review.extensions[1]
        assert result.status == Status.MET_ON_TIME


def test_pauses_after_an_extension_move_it_and_earlier_ones_do_not(app: Flask) -> None:
    with app.app_context():
        review = build(
            became_aware_on=MON_21_DEC_2026,
            # the first pause was already weighed when the extension to 8 January was agreed
            pauses=((date(2026, 12, 22), date(2026, 12, 24)), (date(2027, 1, 4), date(2027, 1, 6))),
            extensions=(("notification", date(2027, 1, 4), date(2027, 1, 8), date(2026, 12, 29)),),
        )
        result = deadline(review, "notification", date(2027, 1, 6))
        assert result.original_due_on == WED_30_DEC_2026
        assert result.due_on == date(2027, 1, 12)  # 5 and 6 January paused: two working days


# --- the stored deadlines ---------------------------------------------------------------------


def stored(review: Review) -> dict[str, tuple[Any, ...]]:
    rows = db.session.scalars(db.select(ReviewDeadline).where(ReviewDeadline.review_id == review.id)).all()
    return {
        row.clock_key: (row.starts_on, row.original_due_on, row.due_on, row.met_on, row.running)
        for row in rows
    }


def test_refresh_deadlines_stores_each_clock_and_marks_only_due_or_overdue_ones_running(app: Flask) -> None:
    today = uk_today()
    with app.app_context():
        review = build(
            became_aware_on=date(2025, 3, 3),
            panel_notified_on=date(2025, 3, 5),
            meeting_on=date(2025, 3, 20),
            sent_to_panel_on=date(2025, 3, 21),
        )
        refresh_deadlines(review)
        db.session.commit()
        assert stored(review) == {
            "notification": (date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 10), date(2025, 3, 5), False),
            "rapid_review": (
                date(2025, 3, 5),
                date(2025, 3, 26),
                date(2025, 3, 26),
                date(2025, 3, 21),
                False,
            ),
            # started, not met, long past: overdue, so running
            "panel_response": (date(2025, 3, 21), date(2025, 4, 4), date(2025, 4, 4), None, True),
            "publication": (None, None, None, None, False),
        }
        row = db.session.scalars(
            db.select(ReviewDeadline).where(ReviewDeadline.clock_key == "notification")
        ).one()
        assert (row.label, row.statutory, row.position) == ("Notify the Panel and Ofsted", True, 0)

        # decided yesterday to hold a review: publication is due, so running; refreshed in place
        decided = today - timedelta(days=1)
        review.rapid_review.panel_response = PanelResponse.AGREES_LOCAL  # type: ignore[union-attr]
        review.rapid_review.panel_responded_on = date(2025, 4, 1)  # type: ignore[union-attr]
        review.decision = Decision(
            outcome=DecisionOutcome.LOCAL_REVIEW,
            criteria_met=["improvements"],
            rationale="Reasons",
            decided_on=decided,
            decided_by="Partners",
            recorded_by=review.created_by,
        )
        review.stage = ReviewStage.COMMISSIONING
        review.deadlines.append(
            ReviewDeadline(clock_key="retired", label="Gone", statutory=False, position=9, running=True)
        )
        db.session.flush()
        refresh_deadlines(review)
        db.session.commit()
        rows = stored(review)
        assert set(rows) == {"notification", "rapid_review", "panel_response", "publication"}
        assert rows["panel_response"][3:] == (date(2025, 4, 1), False)
        assert rows["publication"][:2] == (decided, deadline(review, "publication", today).due_on)
        assert rows["publication"][4] is True
        assert [key for key, row in rows.items() if row[4]] == ["publication"]
        assert db.session.scalar(db.select(db.func.count()).select_from(ReviewDeadline)) == 4

        # paused: nothing is running
        review.pauses.append(
            ReviewPause(started_on=today, reason="Trial", agreed_by="Partners", recorded_by=review.created_by)
        )
        db.session.flush()
        refresh_deadlines(review)
        db.session.commit()
        assert not any(row[4] for row in stored(review).values())


def test_refresh_deadlines_runs_nothing_on_an_ended_review(app: Flask) -> None:
    with app.app_context():
        review = build(
            "DHR",
            became_aware_on=date(2025, 3, 3),
            outcome=DecisionOutcome.NO_REVIEW,
            decided_on=date(2025, 5, 1),
        )
        refresh_deadlines(review)
        db.session.commit()
        assert stored(review) == {
            "decision": (date(2025, 3, 3), date(2025, 4, 3), date(2025, 4, 3), date(2025, 5, 1), False),
            "completion": (None, None, None, None, False),
            "publication": (None, None, None, None, False),
        }


def test_stored_deadlines_follow_the_services(app: Flask, manager: User) -> None:
    with app.app_context():
        review = make_review("DHR", ReviewStage.REFERRAL, by=manager, became_aware_on=uk_today())
        assert {row.clock_key: row.running for row in review.deadlines} == {
            "decision": True,
            "completion": False,
            "publication": False,
        }
        due = next(row.due_on for row in review.deadlines if row.clock_key == "decision")
        assert due == deadline(review, "decision", uk_today()).due_on
