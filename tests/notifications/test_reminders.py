"""The daily pass: each kind of reminder found when due soon or overdue, told to the right people
and nobody else, escalated when long overdue; one digest per person per day, whatever reruns."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from flask import Flask

from casework.actions.models import ActionStatus
from casework.agencies.contributions import RequestStatus
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.workdays import add_closure_day
from casework.notifications.models import Notification, ReminderKind, ReminderRule
from casework.notifications.reminders import PassReport, run_daily_pass
from casework.reviews.appointments import services as appointments
from casework.reviews.models import AssignmentRole, Review, ReviewType
from tests.notifications.due_world import (
    ADDRESS,
    CHILD_NAME,
    TODAY,
    World,
    add_action,
    add_answer,
    add_request,
    counts,
    digests,
    on,
    reminded,
    working_days,
)
from tests.support.threads import run_side_by_side


def run(app: Flask, day: date = TODAY, dry_run: bool = False) -> PassReport:
    with app.app_context(), on(day):
        return run_daily_pass(day, dry_run=dry_run)


def ids(w: World, *keys: str) -> set[int]:
    return {w.people[key] for key in keys}


def told(app: Flask, item: str) -> dict[int, bool]:
    """Who was reminded of ``item``, and whether as an escalation."""
    return {user: escalated for user, what, escalated in reminded(app) if what == item}


# --- contribution requests ---------------------------------------------------------------------


def test_a_request_due_within_its_notice_reminds_the_agencys_active_leads_only(
    app: Flask, world: World
) -> None:
    with app.app_context():
        soon = add_request(world, "X", working_days(3))
        later = add_request(world, "Y", working_days(4))  # beyond the 3 working days' notice
    report = run(app)
    assert told(app, f"request:{soon}") == {world.people["LX"]: False, world.people["LX2"]: False}
    assert told(app, f"request:{later}") == {}
    assert set(digests(app)) == ids(world, "LX", "LX2")
    assert report.digests == 2 and report.reminders == 2


def test_an_overdue_request_is_escalated_to_the_active_board_managers_after_its_working_days(
    app: Flask, world: World
) -> None:
    with app.app_context():
        escalated = add_request(world, "X", working_days(-5))
        overdue = add_request(world, "Y", working_days(-4))
    run(app)
    assert told(app, f"request:{escalated}") == {
        world.people["LX"]: False,
        world.people["LX2"]: False,
        world.people["M1"]: True,
        world.people["M2"]: True,
    }
    assert told(app, f"request:{overdue}") == {world.people["LY"]: False}


@pytest.mark.parametrize("status", [RequestStatus.SUBMITTED, RequestStatus.ACCEPTED, RequestStatus.WITHDRAWN])
def test_a_request_the_agency_has_answered_is_not_chased(
    app: Flask, world: World, status: RequestStatus
) -> None:
    with app.app_context():
        add_request(world, "X", working_days(-6), status=status)
    report = run(app)
    assert (report.items, counts(app)) == (0, (0, 0, 0))


def test_a_returned_request_is_chased_again(app: Flask, world: World) -> None:
    with app.app_context():
        returned = add_request(world, "X", working_days(1), status=RequestStatus.RETURNED)
    run(app)
    assert set(told(app, f"request:{returned}")) == ids(world, "LX", "LX2")


def test_nothing_is_chased_on_a_paused_or_ended_review(app: Flask, world: World) -> None:
    from casework.reviews.referral.pausing import pause_review

    with app.app_context(), on(TODAY):
        add_request(world, "X", working_days(-6))
        review = db.session.get(Review, world.reviews["CSPR"])
        pause_review(
            review, TODAY, "Criminal proceedings", "The three partners", review.version, world.user("M1")
        )
        db.session.commit()
    assert run(app).items == 0


# --- factual accuracy answers ------------------------------------------------------------------


def test_an_accuracy_answer_reminds_the_agency_and_escalates_after_its_working_days(
    app: Flask, world: World
) -> None:
    with app.app_context():
        soon = add_answer(world, "Y", working_days(2))
        beyond = add_answer(world, "Y", working_days(3))
        escalated = add_answer(world, "X", working_days(-3))
    run(app)
    assert told(app, f"accuracy:{soon}") == {world.people["LY"]: False}
    assert told(app, f"accuracy:{beyond}") == {}
    assert told(app, f"accuracy:{escalated}") == {
        world.people["LX"]: False,
        world.people["LX2"]: False,
        world.people["M1"]: True,
        world.people["M2"]: True,
    }


# --- statutory clocks --------------------------------------------------------------------------


def test_statutory_clocks_due_soon_or_overdue_go_to_the_board_managers_only(app: Flask, world: World) -> None:
    from tests.support.reviews import make_review

    made = {}
    with app.app_context(), on(TODAY):
        # Notifying the Panel is due 5 working days after the partnership became aware.
        for name, aware, notified in (
            ("soon", working_days(-1), None),
            ("late", working_days(-8), None),
            ("met", working_days(-8), working_days(-6)),  # a clock met is not chased
        ):
            review = make_review(
                "CSPR", by=world.user("M1"), became_aware_on=aware, panel_notified_on=notified
            )
            made[name] = (review.id, review.reference, review.pseudonym)
    (soon, _, _), (late, reference, pseudonym), (met, _, _) = made["soon"], made["late"], made["met"]
    run(app)
    managers = {world.people["M1"]: False, world.people["M2"]: False}
    assert told(app, f"clock:{soon}:notification") == managers
    assert told(app, f"clock:{late}:notification") == managers  # clocks are never escalated by default
    assert told(app, f"clock:{met}:notification") == {}
    text = digests(app)[world.people["M1"]].text_body
    assert f"{reference} ({pseudonym}): Notify the Panel" in text
    assert "3 working days overdue" in text


# --- actions -----------------------------------------------------------------------------------


def test_an_agency_action_reminds_the_agencys_leads_and_escalates_after_ten_working_days(
    app: Flask, world: World
) -> None:
    with app.app_context():
        soon = add_action(world, "X", working_days(5))
        escalated = add_action(world, "Y", working_days(-10), owner="LY")
        not_yet = add_action(world, "Y", working_days(-9), owner="LY", status=ActionStatus.OFF_TRACK)
        done = add_action(world, "X", working_days(-20), status=ActionStatus.COMPLETED)
        verified = add_action(world, "X", working_days(-20), status=ActionStatus.VERIFIED)
    run(app)
    assert told(app, f"action:{soon}") == {world.people["LX"]: False, world.people["LX2"]: False}
    assert told(app, f"action:{escalated}") == {
        world.people["LY"]: False,
        world.people["M1"]: True,
        world.people["M2"]: True,
    }
    assert told(app, f"action:{not_yet}") == {world.people["LY"]: False}
    assert told(app, f"action:{done}") == told(app, f"action:{verified}") == {}


def test_a_partnership_action_reminds_its_named_owner_not_every_board_manager(
    app: Flask, world: World
) -> None:
    with app.app_context():
        action = add_action(world, None, working_days(1), owner="M2")
    run(app)
    assert told(app, f"action:{action}") == {world.people["M2"]: False}


# --- reviewer appointments ---------------------------------------------------------------------


def test_an_appointment_not_accepted_after_five_working_days_goes_to_the_board_managers(
    app: Flask, world: World
) -> None:
    with app.app_context(), on(working_days(-5)):
        review = db.session.get(Review, world.reviews["CSPR"])
        waiting = appointments.assign_reviewer(review, world.user("R"), AssignmentRole.LEAD, world.user("M1"))
        db.session.commit()
        waiting_id = waiting.id
    with app.app_context(), on(working_days(-4)):
        review = db.session.get(Review, world.reviews["SAR"])
        recent = appointments.assign_reviewer(review, world.user("R"), AssignmentRole.LEAD, world.user("M1"))
        db.session.commit()
        recent_id = recent.id
    run(app)
    assert told(app, f"appointment:{waiting_id}") == {world.people["M1"]: False, world.people["M2"]: False}
    assert told(app, f"appointment:{recent_id}") == {}
    assert (
        "appointment offered to Person R on 7 December 2026, not yet accepted"
        in digests(app)[world.people["M1"]].text_body
    )


# --- the digest --------------------------------------------------------------------------------


def test_one_digest_per_person_groups_escalations_then_overdue_then_due_soon(
    app: Flask, world: World
) -> None:
    with app.app_context():
        escalated = add_action(world, None, working_days(-12), owner="M1")
        overdue = add_request(world, "X", working_days(-2))
        soon = add_answer(world, "X", working_days(1))
    run(app)
    mail = digests(app)
    assert set(mail) == ids(world, "LX", "LX2", "M1", "M2")
    text = mail[world.people["M1"]].text_body
    # M1 owns the escalated action: it shows once, as an escalation.
    assert text.count(f"/actions/{escalated}") == 1
    assert text.index("ESCALATED TO YOU") < text.index("Action on recommendation")
    lead = mail[world.people["LX"]]
    assert lead.subject == "2 things are due or overdue: your Casework digest for 14 December 2026"
    body = lead.text_body
    assert body.index("OVERDUE") < body.index("Chronology from Northshire Police") < body.index("DUE SOON")
    assert body.index("DUE SOON") < body.index("Factual accuracy answer on draft version")
    assert "CSPR-" in body and "(Child Alpha)" in body
    assert "Due 10 December 2026 (2 working days overdue)" in body
    assert "Due 15 December 2026 (1 working day left)" in body
    assert f"http://127.0.0.1:5000/agencies/requests/{overdue}" in body
    assert f"/reviews/accuracy/{soon}" in lead.html_body
    for message in mail.values():
        for body in (message.subject, message.text_body, message.html_body):
            assert CHILD_NAME not in body and ADDRESS not in body


def test_each_digest_comes_with_one_notification_linking_home(app: Flask, world: World) -> None:
    with app.app_context():
        add_request(world, "X", working_days(-1))
        add_answer(world, "X", working_days(2))
    run(app)
    with app.app_context():
        notes = db.session.execute(db.select(Notification)).scalars().all()
        assert {(n.user_id, n.text, n.link) for n in notes} == {
            (world.people["LX"], "2 things are due or overdue", "/"),
            (world.people["LX2"], "2 things are due or overdue", "/"),
        }


def test_running_the_pass_again_the_same_day_adds_nothing_and_the_next_day_sends_again(
    app: Flask, world: World
) -> None:
    with app.app_context():
        add_request(world, "X", working_days(-6))
        add_action(world, "Y", working_days(2), owner="LY")
    first = run(app)
    after_first = counts(app)
    again = run(app)
    assert counts(app) == after_first == (first.reminders, first.digests, first.digests)
    assert (again.reminders, again.digests) == (0, 0)
    assert all(not person.digest_queued for person in again.people)
    tomorrow = run(app, working_days(1))
    assert tomorrow.digests == first.digests
    assert counts(app)[1] == 2 * first.digests


def test_two_passes_at_once_queue_one_digest_per_person(app: Flask, world: World) -> None:
    with app.app_context():
        for days in range(-8, 4):
            add_request(world, "X", working_days(days))
            add_action(world, "Y", working_days(days), owner="LY")
    start, reports, errors = threading.Barrier(2), [], []

    def one_pass() -> None:
        try:
            with app.app_context():
                start.wait(timeout=10)
                reports.append(run_daily_pass(TODAY))
        except Exception as error:  # the test fails below, naming it
            errors.append(error)

    run_side_by_side([one_pass, one_pass], timeout=60)
    assert not errors and len(reports) == 2
    reminders, mails, notes = counts(app)
    assert mails == notes == 5 == sum(report.digests for report in reports)  # LX, LX2, LY, M1, M2
    assert reminders == sum(report.reminders for report in reports) == len(reminded(app))


def test_inactive_people_get_nothing(app: Flask, world: World) -> None:
    with app.app_context():
        add_request(world, "X", working_days(-9))
    run(app)
    people = {user for user, _, _ in reminded(app)} | set(digests(app))
    assert people == ids(world, "LX", "LX2", "M1", "M2")


# --- rules per review type ---------------------------------------------------------------------


def test_a_rule_for_a_review_type_overrides_the_default_for_that_types_reviews(
    app: Flask, world: World
) -> None:
    with app.app_context():
        sar = db.session.execute(db.select(ReviewType).where(ReviewType.code == "SAR")).scalar_one()
        db.session.add(
            ReminderRule(kind=ReminderKind.REQUEST, review_type=sar, due_soon_days=10, escalate_after_days=1)
        )
        db.session.commit()
        sar_soon = add_request(world, "X", working_days(8), review="SAR")
        cspr_soon = add_request(world, "X", working_days(8), review="CSPR")
        sar_late = add_request(world, "Y", working_days(-1), review="SAR")
        cspr_late = add_request(world, "Y", working_days(-1), review="CSPR")
    run(app)
    assert set(told(app, f"request:{sar_soon}")) == ids(world, "LX", "LX2")
    assert told(app, f"request:{cspr_soon}") == {}
    assert set(told(app, f"request:{sar_late}")) == ids(world, "LY", "M1", "M2")  # escalated after 1
    assert set(told(app, f"request:{cspr_late}")) == ids(world, "LY")


def test_a_changed_default_rule_is_used_by_the_next_pass(app: Flask, world: World) -> None:
    with app.app_context():
        rule = db.session.execute(
            db.select(ReminderRule).where(
                ReminderRule.kind == ReminderKind.REQUEST, ReminderRule.review_type_id.is_(None)
            )
        ).scalar_one()
        rule.due_soon_days = 0
        db.session.commit()
        today = add_request(world, "X", TODAY)
        tomorrow = add_request(world, "Y", working_days(1))
    run(app)
    assert set(told(app, f"request:{today}")) == ids(world, "LX", "LX2")
    assert told(app, f"request:{tomorrow}") == {}
    assert "due today" in digests(app)[world.people["LX"]].text_body


# --- working days ------------------------------------------------------------------------------


def test_working_days_skip_weekends_bank_holidays_and_closure_days(app: Flask, world: World) -> None:
    wednesday, tuesday = date(2026, 12, 23), date(2026, 12, 29)
    with app.app_context():
        # Thursday 24, then Friday 25 (Christmas), the weekend and Monday 28 (Boxing Day's substitute).
        request = add_request(world, "X", tuesday)
    run(app, wednesday)
    assert "Due 29 December 2026 (2 working days left)" in digests(app)[world.people["LX"]].text_body
    with app.app_context(), on(TODAY):
        add_closure_day(date(2026, 12, 24), "Christmas closure")
        db.session.commit()
    run(app, date(2026, 12, 22))  # Wednesday 23, then Tuesday 29: 2 working days
    assert set(told(app, f"request:{request}")) == ids(world, "LX", "LX2")


def test_no_pass_runs_on_a_weekend_or_bank_holiday(app: Flask, world: World) -> None:
    with app.app_context():
        add_request(world, "X", working_days(-6))
    for day in (date(2026, 12, 19), date(2026, 12, 25), date(2026, 12, 28)):
        report = run(app, day)
        assert not report.working_day and report.people == []
    assert counts(app) == (0, 0, 0)


# --- dry run -----------------------------------------------------------------------------------


def test_a_dry_run_reports_what_would_be_queued_and_writes_nothing(app: Flask, world: World) -> None:
    with app.app_context():
        add_request(world, "X", working_days(-6))
        add_answer(world, "Y", working_days(1))
    dry = run(app, dry_run=True)
    assert counts(app) == (0, 0, 0)
    real = run(app)
    assert [(p.email, p.lines, p.escalations, p.reminders_added, p.digest_queued) for p in dry.people] == [
        (p.email, p.lines, p.escalations, p.reminders_added, p.digest_queued) for p in real.people
    ]
    assert (dry.digests, dry.reminders) == (real.digests, real.reminders) == (5, 5)
    again = run(app, dry_run=True)
    assert (again.digests, again.reminders) == (0, 0)


def test_an_inactive_users_email_never_appears_in_a_report(app: Flask, world: World) -> None:
    with app.app_context():
        add_request(world, "X", working_days(-9))
        inactive = {db.session.get(User, world.people[key]).email for key in ("Moff", "LXoff")}  # type: ignore[union-attr]
    assert not inactive & {person.email for person in run(app, dry_run=True).people}
