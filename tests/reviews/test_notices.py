"""Statutory notices as data: due dates in working days from the local authority's date, the
looked-after child's notice whatever the decision, the notice before not publishing, the Home
Office quality assurance loop before a domestic abuse review is published, the dashboard, access,
bad input and stale edits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask import Flask

from casework.auth.models import Role, User
from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.extensions import db
from casework.core.workdays import WorkingCalendar
from casework.reviews.clock import deadlines_for
from casework.reviews.lifecycle import finish
from casework.reviews.models import (
    NoticeRequirement,
    Publication,
    QualityStep,
    Review,
    ReviewNotice,
)
from casework.reviews.notices import services as notices
from casework.reviews.notices.rules import NoticeStatus, notice_status
from casework.reviews.publication import checks, publishing
from casework.reviews.stages import ReviewStage
from casework.work.queues import Need, attention
from tests.support.http import client_as, page_text, post_form
from tests.support.people import make_user
from tests.support.reviews import deadline_of, make_review, publication_details, review_aware_on, send_notice
from tests.support.rows import audit_trail

CALENDAR = WorkingCalendar()


def at(day: date) -> time_machine.travel:
    """Today is ``day`` (noon in London), for the services and the pages."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False)


def notice_of(review: Review, key: str) -> ReviewNotice:
    return db.session.execute(
        db.select(ReviewNotice)
        .join(NoticeRequirement)
        .where(ReviewNotice.review_id == review.id, NoticeRequirement.key == key)
    ).scalar_one()


def test_each_type_requires_its_notices_as_data(app: Flask) -> None:
    with app.app_context():
        rows = db.session.execute(db.select(NoticeRequirement).order_by(NoticeRequirement.position)).scalars()
        by_type: dict[str, list[str]] = {}
        for row in rows:
            by_type.setdefault(row.review_type.code, []).append(row.key)
            assert row.source and row.recipients and row.sender, row.key
        assert by_type == {
            "CSPR": [
                "serious_incident",
                "partners_report",
                "looked_after_death",
                "final_report",
                "delay_reasons",
                "not_published_reasons",
            ],
            "DHR": ["decision", "report_to_commissioner"],
        }  # a SAR has no national notice
        serious = db.session.execute(
            db.select(NoticeRequirement).where(NoticeRequirement.key == "serious_incident")
        ).scalar_one()
        assert serious.recipients == ["Child Safeguarding Practice Review Panel", "Ofsted"]
        assert serious.rule == "5 working days after the local authority became aware"
        assert serious.applies_from == date(2018, 6, 29)


# --- due dates -----------------------------------------------------------------------------------


def test_notification_counts_working_days_from_the_local_authority_across_christmas(
    app: Flask, manager: User
) -> None:
    # The partnership knew on Monday 21 December 2026; the local authority on Wednesday 23rd.
    # Christmas Day, the Boxing Day substitute (Monday 28th) and New Year's Day are not counted.
    with at(date(2026, 12, 23)), app.app_context():
        review = make_review(
            "CSPR",
            by=manager,
            incident_on=date(2026, 12, 20),
            became_aware_on=date(2026, 12, 21),
            la_became_aware_on=date(2026, 12, 23),
            panel_notified_on=None,
        )
        assert notice_of(review, "serious_incident").due_on == date(2027, 1, 4)
        assert notice_of(review, "partners_report").due_on == date(2027, 1, 4)
        clock = deadline_of(review, "notification")
        assert (clock.starts_on, clock.due_on) == (date(2026, 12, 23), date(2027, 1, 4))
        # Not a looked-after child, and no review decided yet: those notices are not owed.
        assert not notice_of(review, "looked_after_death").applies
        assert not notice_of(review, "final_report").applies

        # An older record without the local authority's date counts from the partnership's.
        older = make_review(
            "CSPR",
            by=manager,
            incident_on=date(2026, 12, 20),
            became_aware_on=date(2026, 12, 21),
            panel_notified_on=None,
        )
        assert notice_of(older, "serious_incident").due_on == date(2026, 12, 30)
        clock = deadline_of(older, "notification")
        assert clock.due_on == date(2026, 12, 30)


def test_a_notice_is_sent_with_the_panels_reference_and_written_on_the_timeline(
    app: Flask, manager: User
) -> None:
    with at(date(2026, 12, 23)), app.app_context():
        review = make_review(
            "CSPR", by=manager, became_aware_on=date(2026, 12, 21), la_became_aware_on=date(2026, 12, 22)
        )
        notice = send_notice(review, "serious_incident", date(2026, 12, 23), manager, reference="CSINS-0042")
        db.session.commit()
        notice = db.session.get(ReviewNotice, notice.id)
        assert (notice.sent_on, notice.reference, notice.sent_by_id) == (
            date(2026, 12, 23),
            "CSINS-0042",
            manager.id,
        )
        assert notice_status(notice, date(2027, 1, 20)) == NoticeStatus.SENT
        review_id = review.id
    [event] = audit_trail(app, "notice_sent")
    assert "CSINS-0042" in event.summary and event.review_id == review_id


# --- the looked-after child, and a decision not to review -----------------------------------------


def test_a_looked_after_childs_death_is_notified_whatever_the_decision(app: Flask, manager: User) -> None:
    aware = date(2026, 11, 2)
    with at(date(2026, 12, 1)), app.test_request_context():
        review = make_review(
            "CSPR",
            ReviewStage.NO_REVIEW,
            by=manager,
            incident_on=aware - timedelta(days=1),
            became_aware_on=aware,
            la_became_aware_on=aware,
            looked_after_child_died=True,
        )
        assert review.is_ended
        notice = notice_of(review, "looked_after_death")
        assert notice.applies and notice.due_on == CALENDAR.add_working_days(aware, 5)
        assert notice.requirement.recipients == ["Secretary of State (Department for Education)", "Ofsted"]
        assert notice_status(notice, date(2026, 12, 1)) == NoticeStatus.OVERDUE
        assert not notice_of(review, "final_report").applies  # no review, no report
        # An ended review still owes it, and the board manager is told.
        owed = [item.what for item in attention(date(2026, 12, 1)).sections[Need.CLOCK]]
        assert any("Death of a looked-after child" in what for what in owed)
        send_notice(review, "looked_after_death", date(2026, 12, 1), manager)
        db.session.commit()
        owed = [item.what for item in attention(date(2026, 12, 1)).sections[Need.CLOCK]]
        assert not any("Death of a looked-after child" in what for what in owed)
        assert (
            notice_status(notice_of(review, "looked_after_death"), date(2026, 12, 1))
            == NoticeStatus.SENT_LATE
        )


def test_a_dhr_decision_not_to_review_is_notified_to_the_home_office(app: Flask, manager: User) -> None:
    with at(date(2026, 12, 1)), app.app_context():
        aware = date(2026, 10, 1)
        review = make_review(
            "DHR", ReviewStage.NO_REVIEW, by=manager, incident_on=aware, became_aware_on=aware
        )
        notice = notice_of(review, "decision")
        assert notice.applies and notice.due_on == date(2026, 11, 1)
        assert notice.requirement.recipients == ["Home Office"]
        send_notice(review, "decision", date(2026, 10, 30), manager, reference="HO-DHR-7")
        db.session.commit()
        assert notice_status(notice_of(review, "decision"), date(2026, 12, 1)) == NoticeStatus.SENT
        # Before a decision, the decision's notice is not owed.
        waiting = make_review(
            "DHR", ReviewStage.REFERRAL, by=manager, incident_on=aware, became_aware_on=aware
        )
        assert not notice_of(waiting, "decision").applies


# --- before publication --------------------------------------------------------------------------

REASONS = ("Publishing could identify a surviving sibling.", "Safe sleep training for every health visitor.")


def test_not_publishing_needs_the_improvement_information_sent_seven_working_days_before(
    app: Flask, manager: User
) -> None:
    with at(date(2026, 12, 1)), app.app_context():
        review = make_review("CSPR", ReviewStage.PUBLICATION, by=manager)
        review_id, today = review.id, date(2026, 12, 1)
        with pytest.raises(DomainError, match="Record the notice sent to Child Safeguarding") as refused:
            publishing.decide_not_to_publish(review, *REASONS, manager, None, decided_on=today)
        assert refused.value.field == "decided_on"
        db.session.rollback()
        review = db.session.get(Review, review_id)
        assert review.stage == ReviewStage.PUBLICATION
        assert db.session.get(Publication, review_id) is None or not review.publication.not_published_on

        sent = date(2026, 11, 20)  # Friday: 7 working days later is Tuesday 1 December
        send_notice(review, "final_report", sent, manager)
        db.session.commit()
        review = db.session.get(Review, review_id)
        with pytest.raises(DomainError, match="cannot be published before 01 December 2026"):
            publishing.decide_not_to_publish(review, *REASONS, manager, None, decided_on=date(2026, 11, 30))
        db.session.rollback()
        review = db.session.get(Review, review_id)
        publishing.decide_not_to_publish(review, *REASONS, manager, None, decided_on=today)
        db.session.commit()
        review = db.session.get(Review, review_id)
        assert review.stage == ReviewStage.ACTION_PLANNING
        # The reasons for not publishing are now owed to the Panel and the Secretary of State.
        reasons = notice_of(review, "not_published_reasons")
        assert reasons.applies and reasons.sent_on is None
        with pytest.raises(DomainError, match="Give the reasons"):
            notices.record_sent(reasons, sent_on=today, reference="", reason=" ", version=None, by=manager)


def test_the_not_publish_form_is_refused_without_the_notice(app: Flask, manager: User) -> None:
    with app.app_context():
        review = make_review("CSPR", ReviewStage.PUBLICATION, by=manager)
        review_id, version = review.id, review.version
    client = client_as(app, manager)
    page = f"/reviews/{review_id}/publication"
    today = date.today()
    answer = post_form(
        client,
        page + "/not-published",
        {
            "version": version,
            "reason": REASONS[0],
            "improvements": REASONS[1],
            "decided_on": [today.day, today.month, today.year],
        },
        token_from=page,
    )
    assert answer.status_code == 400
    assert "at least 7 working days before publication" in page_text(answer)
    with app.app_context():
        assert db.session.get(Review, review_id).stage == ReviewStage.PUBLICATION


def test_a_dhr_is_published_only_after_feedback_resubmission_and_approval(app: Flask, manager: User) -> None:
    with at(date(2026, 12, 1)), app.app_context():
        review = make_review("DHR", ReviewStage.PUBLICATION, by=manager)
        review_id = review.id
        signed_off = checks.final_version(review).final_signed_off_on
        checks.run_anonymisation_check(review, manager)
        publication_details(review, manager)
        db.session.commit()
        review = db.session.get(Review, review_id)
        with pytest.raises(DomainError, match="Next comes: report submitted"):
            notices.record_home_office_step(review, QualityStep.APPROVED, signed_off, "", manager)
        submitted = signed_off + timedelta(days=3)
        notices.record_home_office_step(review, QualityStep.SUBMITTED, submitted, "", manager)
        db.session.commit()
        review = db.session.get(Review, review_id)
        clocks = {d.clock.key: d for d in deadlines_for(review)}
        assert clocks["completion"].met_on == submitted  # complete once it goes to the Home Office
        assert clocks["publication"].starts_on is None  # publication counts from the approval

        with pytest.raises(DomainError, match=r"(?i)home office quality assurance panel approved"):
            publishing.publish_review(review, date(2026, 12, 1), manager, None)
        db.session.rollback()
        review = db.session.get(Review, review_id)
        with pytest.raises(DomainError, match="Summarise the Panel's feedback"):
            notices.record_home_office_step(review, QualityStep.FEEDBACK, submitted, " ", manager)
        notices.record_home_office_step(review, QualityStep.FEEDBACK, submitted, "More on advocacy.", manager)
        with pytest.raises(DomainError, match="Next comes: report resubmitted"):
            notices.record_home_office_step(review, QualityStep.APPROVED, submitted, "", manager)
        with pytest.raises(DomainError, match="before the last step"):
            notices.record_home_office_step(
                review, QualityStep.RESUBMITTED, submitted - timedelta(days=1), "", manager
            )
        notices.record_home_office_step(
            review, QualityStep.RESUBMITTED, submitted + timedelta(days=5), "", manager
        )
        approved = submitted + timedelta(days=10)
        notices.record_home_office_step(review, QualityStep.APPROVED, approved, "", manager)
        db.session.commit()
        review = db.session.get(Review, review_id)
        assert review.publication.home_office_approved_on == approved
        publication_clock = deadline_of(review, "publication")
        assert publication_clock.starts_on == approved
        with pytest.raises(DomainError, match="before the Home Office approved it"):
            publishing.publish_review(review, approved - timedelta(days=1), manager, None)
        db.session.rollback()
        review = db.session.get(Review, review_id)
        publishing.publish_review(review, approved, manager, None)
        db.session.commit()
        assert db.session.get(Review, review_id).stage == ReviewStage.ACTION_PLANNING
    assert [e.details["step"] for e in audit_trail(app, "home_office_step_recorded")] == [
        "submitted",
        "feedback",
        "resubmitted",
        "approved",
    ]


# --- the dashboard and the review page -------------------------------------------------------------


@pytest.fixture
def aware() -> date:
    """Eight working days ago: a partnership that became aware then is late with its notification."""
    return CALENDAR.add_working_days(date.today(), -8)


def test_an_overdue_notice_is_on_the_board_managers_dashboard_and_the_review_page(
    app: Flask, manager: User, aware: date
) -> None:
    with app.app_context():
        review = make_review(
            "CSPR",
            by=manager,
            incident_on=aware - timedelta(days=1),
            became_aware_on=aware,
            la_became_aware_on=aware,
            panel_notified_on=None,
        )
        review_id, reference = review.id, review.reference
    client = client_as(app, manager)
    dashboard = page_text(client.get("/reviews/dashboard"))
    assert "Notice: Serious incident notification" in dashboard and reference in dashboard
    detail = page_text(client.get(f"/reviews/{review_id}"))
    assert 'data-notice="serious_incident"' in detail and "Overdue" in detail
    listed = page_text(client.get(f"/reviews/{review_id}/notices"))
    assert 'data-notice="serious_incident" data-status="overdue"' in listed


# --- through the pages: access, bad input, stale edits ---------------------------------------------


@pytest.fixture
def world(app: Flask, manager: User) -> dict[str, int]:
    with app.app_context():
        lead = make_user(Role.REVIEWER)
        review = make_review("CSPR", ReviewStage.CONTRIBUTIONS, by=manager, reviewer=lead)
        notice = notice_of(review, "final_report")
        other = make_user(Role.REVIEWER)
        agency_lead = make_user(Role.AGENCY_LEAD)
        db.session.commit()
        return {
            "review": review.id,
            "notice": notice.id,
            "version": notice.version,
            "lead": lead.id,
            "other": other.id,
            "agency_lead": agency_lead.id,
        }


def test_only_those_who_see_the_clocks_see_the_notices_and_only_managers_change_them(
    app: Flask, manager: User, world: dict[str, int]
) -> None:
    page = f"/reviews/{world['review']}/notices"
    notice_page = f"{page}/{world['notice']}"
    for person, status in (
        (manager.id, 200),
        (world["lead"], 200),
        (world["other"], 404),
        (world["agency_lead"], 404),
    ):
        client = client_as(app, person)
        assert client.get(page).status_code == status, person
        assert client.get(notice_page).status_code == status, person
    lead = client_as(app, world["lead"])
    assert "Record as sent" not in page_text(lead.get(notice_page))
    today = date.today()
    refused = post_form(
        lead,
        notice_page + "/sent",
        {"version": world["version"], "sent_on": [today.day, today.month, today.year]},
        token_from=page,
    )
    assert refused.status_code == 403
    stranger = client_as(app, world["agency_lead"])
    assert stranger.post(notice_page + "/sent").status_code in (400, 404)
    with app.app_context():
        assert db.session.get(ReviewNotice, world["notice"]).sent_on is None


def test_bad_input_is_refused_with_a_message_and_saves_nothing(
    app: Flask, manager: User, world: dict[str, int]
) -> None:
    client = client_as(app, manager)
    notice_page = f"/reviews/{world['review']}/notices/{world['notice']}"
    tomorrow = date.today() + timedelta(days=1)
    cases = [
        ({}, "Enter the date the notice was sent"),
        ({"sent_on": ["31", "2", "2026"]}, "must be a real date"),
        ({"sent_on": [tomorrow.day, tomorrow.month, tomorrow.year]}, "must be today or in the past"),
        ({"sent_on": ["1", "1", "2000"]}, "cannot be before the case became known"),
        ({"sent_on": ["1", "1", "2026"], "reference": "x" * 201}, "200 characters or fewer"),
    ]
    for fields, message in cases:
        answer = post_form(
            client, notice_page + "/sent", {"version": world["version"], **fields}, token_from=notice_page
        )
        assert answer.status_code == 400, fields
        assert message in page_text(answer), (fields, message)
    # Comments before the notice was sent, and an unknown quality assurance step.
    answer = post_form(
        client,
        notice_page + "/comments",
        {"version": world["version"], "received_on": ["1", "1", "2026"], "comments": "Noted."},
        token_from=notice_page,
    )
    assert answer.status_code == 400 and "Record the notice as sent before its comments" in page_text(answer)
    page = f"/reviews/{world['review']}/notices"
    answer = post_form(
        client, page + "/home-office", {"step": "approved", "taken_on": ["1", "1", "2026"]}, token_from=page
    )
    assert answer.status_code == 400 and "is not quality assured by the Home Office" in page_text(answer)
    with app.app_context():
        notice = db.session.get(ReviewNotice, world["notice"])
        assert (notice.sent_on, notice.comments, notice.version) == (None, "", world["version"])
    assert audit_trail(app, "notice_sent") == []


def test_a_stale_edit_is_refused_and_the_current_one_saved(
    app: Flask, manager: User, world: dict[str, int]
) -> None:
    client = client_as(app, manager)
    notice_page = f"/reviews/{world['review']}/notices/{world['notice']}"
    with app.app_context():
        review = db.session.get(Review, world["review"])
        aware = review.referral.became_aware_on
    sent = [aware.day, aware.month, aware.year]
    first = post_form(
        client,
        notice_page + "/sent",
        {"version": world["version"], "sent_on": sent, "reference": "A-1"},
        token_from=notice_page,
    )
    assert first.status_code == 302
    stale = post_form(
        client,
        notice_page + "/sent",
        {"version": world["version"], "sent_on": sent, "reference": "B-2"},
        token_from=notice_page,
    )
    assert stale.status_code == 400 and "Someone else changed this notice" in page_text(stale)
    with app.app_context():
        notice = db.session.get(ReviewNotice, world["notice"])
        assert notice.reference == "A-1"
        with pytest.raises(ConcurrentEditError):
            notices.record_comments(
                notice, comments="Noted.", received_on=aware, version=world["version"], by=manager
            )
        # Comments, then the partners' response, each after the one before.
        notices.record_comments(
            notice,
            comments="Please send the chronology.",
            received_on=aware,
            version=notice.version,
            by=manager,
        )
        with pytest.raises(DomainError, match="cannot be before the comments"):
            notices.record_response(
                notice, response="Sent.", responded_on=aware - timedelta(days=1), version=None, by=manager
            )
        notices.record_response(
            notice, response="Sent on request.", responded_on=aware, version=None, by=manager
        )
        db.session.commit()
        notice = db.session.get(ReviewNotice, world["notice"])
        assert (notice.comments_on, notice.response_on) == (aware, aware)


def test_the_panel_notified_date_stands_for_the_notification_until_it_is_recorded(
    app: Flask, manager: User, aware: date
) -> None:
    with app.app_context():
        notified = make_review("CSPR", by=manager, incident_on=aware, became_aware_on=aware)
        notice = notice_of(notified, "serious_incident")
        assert notice.sent_on == notified.referral.panel_notified_on and notice.sent_by_id is None
        assert notice_status(notice, date.today()) in (NoticeStatus.SENT, NoticeStatus.SENT_LATE)

        # Recorded as sent on a review whose referral has no Panel date: the clock is met too.
        waiting = make_review(
            "CSPR", by=manager, incident_on=aware, became_aware_on=aware, panel_notified_on=None
        )
        assert notice_of(waiting, "serious_incident").sent_on is None
        send_notice(
            waiting, "serious_incident", CALENDAR.add_working_days(aware, 3), manager, reference="P-1"
        )
        db.session.commit()
        waiting = db.session.get(Review, waiting.id)
        assert waiting.referral.panel_notified_on == CALENDAR.add_working_days(aware, 3)
        clock = deadline_of(waiting, "notification")
        assert clock.met_on == waiting.referral.panel_notified_on


def test_refresh_clocks_gives_older_reviews_their_notices(app: Flask, manager: User) -> None:
    with app.app_context():
        review = make_review("CSPR", ReviewStage.AWAITING_REVIEWER, by=manager)
        review_id = review.id
        db.session.execute(db.delete(ReviewNotice))  # as recorded before notices existed
        db.session.commit()
        review = db.session.get(Review, review_id)
        # Not publishing is still refused without the notice, counted from the type's rules.
        assert notices.missing_notice_before(review, date.today())
    result = app.test_cli_runner().invoke(args=["refresh-clocks"])
    assert result.exit_code == 0 and "refreshed on 1 review(s)" in result.output
    with app.app_context():
        keys = db.session.execute(
            db.select(NoticeRequirement.key)
            .join(ReviewNotice)
            .where(ReviewNotice.review_id == review_id, ReviewNotice.applies.is_(True))
        ).scalars()
        assert set(keys) == {"serious_incident", "partners_report", "final_report"}


def test_a_delay_makes_its_reasons_owed_to_the_panel_and_the_secretary_of_state(
    app: Flask, manager: User
) -> None:
    with app.app_context():
        review = make_review("CSPR", ReviewStage.PUBLICATION, by=manager)
        assert not notice_of(review, "delay_reasons").applies
        publishing.record_delay(review, "Awaiting the criminal trial.", None, manager)
        notice = notice_of(review, "delay_reasons")
        assert notice.applies and notice.due_on is None  # no set time: shown as due, never overdue
        assert notice.requirement.recipients == [
            "Child Safeguarding Practice Review Panel",
            "Secretary of State (Department for Education)",
        ]
        notices.record_sent(
            notice,
            sent_on=date.today(),
            reference="",
            reason="The trial is listed for March.",
            version=None,
            by=manager,
        )
        db.session.commit()
        assert notice_of(review, "delay_reasons").reason == "The trial is listed for March."


def test_the_review_types_page_lists_each_types_notices(app: Flask, manager: User) -> None:
    text = page_text(client_as(app, manager).get("/reviews/types"))
    assert 'data-testid="notices-CSPR"' in text and "Serious incident notification" in text
    assert "Children Act 2004 s16C(1)" in text
    assert 'data-testid="notices-DHR"' in text and "including a decision not to" in text
    assert "No national notice." in text  # a SAR


def test_a_dardr_owes_its_report_to_the_commissioner_only_once_the_2024_act_is_in_force(
    app: Flask, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Victims and Prisoners Act 2024 s19: enacted, not yet in force. A review started before the
    configured commencement (or with none configured) owes nothing new."""
    with app.app_context():
        before = review_aware_on("DHR", date(2026, 5, 1), date(2026, 5, 4), ReviewStage.DECISION, by=manager)
        assert not notice_of(before, "report_to_commissioner").applies  # no commencement configured
        before_id = before.id
    monkeypatch.setitem(app.config, "COMMENCEMENTS", {"dardr": date(2026, 6, 1)})
    with app.app_context():
        after = review_aware_on("DHR", date(2026, 6, 6), date(2026, 6, 8), ReviewStage.DECISION, by=manager)
        notice = notice_of(after, "report_to_commissioner")
        assert notice.applies and notice.due_on is None
        assert notice.requirement.recipients == [
            "Secretary of State (Home Office)",
            "Domestic Abuse Commissioner",
        ]
        assert "Victims and Prisoners Act 2024 s19" in notice.requirement.source
        earlier = db.session.get(Review, before_id)
        assert earlier is not None
        finish(earlier)  # recomputed under the setting: the rule came after the case
        db.session.commit()
        assert not notice_of(earlier, "report_to_commissioner").applies


# --- the publication page's date and the notices register ------------------------------------------


def _details(sent: date | None) -> dict[str, object]:
    """The publication page's details form, the full report sent on ``sent``."""
    return {
        "sent_to_panel_on": [sent.day, sent.month, sent.year] if sent else ["", "", ""],
        "public_summary": "A baby was seriously injured.",
        "learning": "Share bruising concerns.",
        "public_recommendations": "1. Refer every bruise.",
    }


def _signed_off_cspr(manager: User) -> tuple[Review, date]:
    """A CSPR at publication, and the day the partners signed its final report off."""
    review = make_review("CSPR", ReviewStage.PUBLICATION, by=manager)
    return review, checks.final_version(review).final_signed_off_on


def _owed(review_id: int) -> list[str]:
    """The review's notices still owed, as the reminders select them."""
    return list(
        db.session.execute(
            db.select(NoticeRequirement.key)
            .join(ReviewNotice)
            .where(ReviewNotice.review_id == review_id, ReviewNotice.open_and_owed())
        ).scalars()
    )


def test_the_date_sent_to_the_panel_on_the_publication_page_records_the_final_report_notice(
    app: Flask, manager: User
) -> None:
    with app.app_context():
        review, sent = _signed_off_cspr(manager)
        review_id = review.id
        db.session.commit()
        assert _owed(review_id) == ["final_report"]  # what the reminders and the dashboard read
    client = client_as(app, manager)
    page = f"/reviews/{review_id}/publication"
    assert "Saving it records the final report notice as sent" in page_text(client.get(page))
    answer = post_form(client, page + "/details", _details(sent), token_from=page)
    assert answer.status_code == 302
    with app.app_context():
        review = db.session.get(Review, review_id)
        notice = notice_of(review, "final_report")
        assert (notice.sent_on, notice.sent_by_id) == (sent, manager.id)
        assert review.publication.sent_to_panel_on == sent
        assert _owed(review_id) == []
    listed = page_text(client.get(f"/reviews/{review_id}/notices"))
    assert 'data-notice="final_report" data-status="sent' in listed
    # Written on the timeline as the notices page writes it.
    [event] = audit_trail(app, "notice_sent")
    assert event.review_id == review_id and event.details["notice"] == "final_report"
    assert event.details["sent_on"] == sent.isoformat()

    # Saved again with the same date (the summary edited): the notice is left as it is.
    again = post_form(client, page + "/details", _details(sent), token_from=page)
    assert again.status_code == 302
    assert len(audit_trail(app, "notice_sent")) == 1 and audit_trail(app, "notice_corrected") == []


def test_a_date_that_differs_from_the_recorded_notice_is_refused_on_the_publication_page(
    app: Flask, manager: User
) -> None:
    with app.app_context():
        review, signed_off = _signed_off_cspr(manager)
        recorded = signed_off + timedelta(days=1)
        send_notice(review, "final_report", recorded, manager, reference="CSPRP-9")
        db.session.commit()
        review_id = review.id
    client = client_as(app, manager)
    page = f"/reviews/{review_id}/publication"
    for other in (signed_off, None):  # another day, or the date cleared
        answer = post_form(client, page + "/details", _details(other), token_from=page)
        assert answer.status_code == 400, other
        text = page_text(answer)
        assert f"The notices record the final report as sent on {recorded:%d %B %Y}" in text
        assert "correct the notice on the review's notices page" in text
    with app.app_context():
        review = db.session.get(Review, review_id)
        notice = notice_of(review, "final_report")
        assert (notice.sent_on, notice.reference) == (recorded, "CSPRP-9")
        assert review.publication.sent_to_panel_on == recorded
        assert review.publication.public_summary == ""
    assert len(audit_trail(app, "notice_sent")) == 1
    assert audit_trail(app, "publication_details_saved") == []


def test_a_review_owing_no_notice_before_publication_saves_its_details_as_before(
    app: Flask, manager: User
) -> None:
    with app.app_context():
        for code in ("SAR", "DHR"):
            review = make_review(code, ReviewStage.PUBLICATION, by=manager)
            assert notices.notice_before_publication(review) is None
            publishing.save_publication_details(
                review,
                sent_to_panel_on=None,
                public_summary="Summary.",
                learning="Learning.",
                public_recommendations="1. Act.",
                by=manager,
            )
        db.session.commit()
    assert audit_trail(app, "notice_sent") == []
