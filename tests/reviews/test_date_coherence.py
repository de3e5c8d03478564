"""The dates of one review tell a true story: events may be recorded after the fact, never in
the future, and each follows the ones it depends on (commissioning, sign-off, the report sent to
the Panel or approved by the Home Office, publication or the decision not to publish)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage

from casework.auth.models import Role, User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import WorkingCalendar
from casework.reviews.appointments import services as appointments
from casework.reviews.clock import DeadlineStatus, deadlines_for
from casework.reviews.drafts import services as drafts
from casework.reviews.models import AssignmentRole, Publication, Review, ReviewDeadline
from casework.reviews.publication import checks, publishing
from casework.reviews.queries import ReviewFilters, review_list, upcoming_deadlines
from casework.reviews.stages import ReviewStage
from tests.conftest import client_as, make_agency, make_user, post_form
from tests.reviews.conftest import make_review
from tests.support.files import docx_with, upload
from tests.support.reviews import publication_details, send_notice

TODAY = uk_today()
COMMISSIONED = TODAY - timedelta(days=200)


@pytest.fixture(autouse=True)
def _today() -> None:
    """Today as each test starts, not as the module was imported (a run may pass midnight)."""
    global TODAY, COMMISSIONED
    TODAY = uk_today()
    COMMISSIONED = TODAY - timedelta(days=200)


def _report() -> FileStorage:
    return upload(
        docx_with("Child A was seven months old. Agencies did not share what they knew."), "report.docx"
    )


def _review_with_draft(code: str, **dates: date) -> tuple[int, User]:
    """A review of this type commissioned 200 days ago, with one draft by its accepted lead."""
    manager, lead = make_user(Role.BOARD_MANAGER), make_user(Role.REVIEWER)
    incident = dates.pop("incident_on", COMMISSIONED - timedelta(days=40))
    review = make_review(
        code, "awaiting_reviewer", by=manager, agencies=[make_agency()], incident_on=incident, **dates
    )
    row = db.session.get(Review, review.id)
    assignment = appointments.assign_reviewer(
        row, db.session.get(User, lead.id), AssignmentRole.LEAD, db.session.get(User, manager.id)
    )
    appointments.accept_appointment(assignment, db.session.get(User, lead.id), declared=True)
    drafts.upload_draft(row, _report(), "Final draft", db.session.get(User, lead.id), None)
    db.session.commit()
    return review.id, db.session.get(User, manager.id)


def _ready(code: str, signed_off: date, **dates: date) -> tuple[Review, User]:
    review_id, manager = _review_with_draft(code, **dates)
    review = db.session.get(Review, review_id)
    drafts.mark_final(review, signed_off, manager, None)
    checks.run_anonymisation_check(review, manager)
    db.session.commit()
    return review, manager


def _signed_off_ago(code: str, days: int) -> tuple[date, Review, User]:
    """A review of type ``code`` signed off ``days`` days ago, with the day it was signed off."""
    signed_off = TODAY - timedelta(days=days)
    return (signed_off, *_ready(code, signed_off))


@contextmanager
def _refused(field: str, *, match: str) -> Iterator[None]:
    """The block is refused with a message matching ``match``, shown next to ``field``."""
    with pytest.raises(DomainError, match=match) as refused:
        yield
    assert refused.value.field == field, refused.value.message


def _published_from(review: Review, by: User, earliest: date, *, refused: str) -> None:
    """Publishing the day before ``earliest`` is refused with a message matching ``refused``;
    publishing on ``earliest`` goes through."""
    with pytest.raises(DomainError, match=refused):
        publishing.publish_review(review, earliest - timedelta(days=1), by, None)
    publishing.publish_review(review, earliest, by, None)


def test_sign_off_may_be_recorded_after_the_upload_but_not_before_commissioning(app: Flask) -> None:
    with app.app_context():
        review_id, manager = _review_with_draft("CSPR")
        review = db.session.get(Review, review_id)
        commissioned = review.terms.commissioned_on
        with _refused("signed_off_on", match="before the review was commissioned"):
            drafts.mark_final(review, commissioned - timedelta(days=1), manager, None)
        db.session.rollback()
        review = db.session.get(Review, review_id)
        assert review.stage == ReviewStage.DRAFTING
        assert all(not version.is_final for version in drafts.versions_of(review))
        with pytest.raises(DomainError, match="today or in the past"):
            drafts.mark_final(review, TODAY + timedelta(days=1), manager, None)
        # Signed off at a meeting weeks before anyone uploaded the file: accepted.
        draft = drafts.mark_final(review, commissioned + timedelta(days=3), manager, None)
        assert draft.final_signed_off_on < draft.uploaded_at.date()


def test_the_report_goes_to_the_panel_on_or_after_the_sign_off(app: Flask) -> None:
    with app.app_context():
        signed_off, review, manager = _signed_off_ago("CSPR", 60)
        with _refused("sent_to_panel_on", match="signed the report off"):
            publication_details(review, manager, sent=signed_off - timedelta(days=1))
        assert db.session.get(Publication, review.id) is None or not review.publication.sent_to_panel_on
        publication_details(review, manager, sent=signed_off)
        assert review.publication.sent_to_panel_on == signed_off


def test_a_report_cannot_be_published_before_its_sign_off(app: Flask) -> None:
    """A SAR has no notice period: only the sign-off stands between it and an impossible date."""
    with app.app_context():
        signed_off, review, manager = _signed_off_ago("SAR", 30)
        publication_details(review, manager)
        db.session.commit()
        months_before = signed_off - timedelta(days=120)
        with _refused("published_on", match="signed the report off"):
            publishing.publish_review(review, months_before, manager, None)
        db.session.rollback()
        review = db.session.get(Review, review.id)
        assert review.stage == ReviewStage.PUBLICATION and review.published_on is None
        publishing.publish_review(review, signed_off, manager, None)
        assert review.published_on == signed_off


def test_a_domestic_abuse_review_is_published_only_after_the_home_office_approved_it(app: Flask) -> None:
    with app.app_context():
        signed_off, review, manager = _signed_off_ago("DHR", 30)
        with _refused("taken_on", match="signed the report off"):
            publication_details(review, manager, approved=signed_off - timedelta(days=2))
        approved = signed_off + timedelta(days=10)
        publication_details(review, manager, approved=approved)
        _published_from(review, manager, approved, refused="before the Home Office approved it")
        assert review.stage == ReviewStage.ACTION_PLANNING


def test_the_notice_period_counts_from_the_date_sent(app: Flask) -> None:
    with app.app_context():
        signed_off, review, manager = _signed_off_ago("CSPR", 60)
        sent = signed_off + timedelta(days=5)
        publication_details(review, manager, sent=sent)
        earliest = WorkingCalendar().add_working_days(sent, 7)
        _published_from(review, manager, earliest, refused="cannot be published before")
        assert review.published_on == earliest


def test_the_decision_not_to_publish_is_dated_and_follows_the_sign_off(app: Flask) -> None:
    with app.app_context():
        signed_off, review, manager = _signed_off_ago("CSPR", 30)
        reasons = ("Publishing could identify a surviving sibling.", "Training on safe sleep for staff.")
        for decided_on, words in (
            (None, "Enter the date"),
            (TODAY + timedelta(days=1), "today or in the past"),
            (signed_off - timedelta(days=1), "signed the report off"),
        ):
            with _refused("decided_on", match=words):
                publishing.decide_not_to_publish(review, *reasons, manager, None, decided_on=decided_on)
        assert review.stage == ReviewStage.PUBLICATION
        send_notice(review, "final_report", signed_off, manager)
        decided = WorkingCalendar().add_working_days(signed_off, 7)
        publishing.decide_not_to_publish(review, *reasons, manager, None, decided_on=decided)
        assert review.publication.not_published_on == decided


def test_not_publishing_meets_the_publication_clock_so_the_dashboard_raises_no_false_alarm(
    app: Flask,
) -> None:
    with app.app_context():
        # Decided about 14 months ago: the six-month publication clock is long overdue.
        review, manager = _ready("CSPR", TODAY - timedelta(days=30), incident_on=TODAY - timedelta(days=460))
        publication_clock = next(d for d in deadlines_for(review) if d.clock.end_event == "published")
        assert publication_clock.status == DeadlineStatus.OVERDUE
        overdue = review_list(manager, ReviewFilters(due="overdue"))
        assert review.id in db.session.execute(overdue.with_only_columns(Review.id)).scalars().all()

        decided = TODAY - timedelta(days=2)
        send_notice(review, "final_report", TODAY - timedelta(days=25), manager)
        publishing.decide_not_to_publish(
            review, "Could identify a sibling.", "Safe sleep training.", manager, None, decided_on=decided
        )
        db.session.commit()
        review = db.session.get(Review, review.id)
        clock = next(d for d in deadlines_for(review) if d.clock.end_event == "published")
        assert (clock.status, clock.met_on) == (DeadlineStatus.MET_LATE, decided)
        stored = db.session.execute(
            db.select(ReviewDeadline).where(
                ReviewDeadline.review_id == review.id, ReviewDeadline.clock_key == clock.clock.key
            )
        ).scalar_one()
        assert not stored.running and stored.met_on == decided
        assert review.id not in db.session.execute(overdue.with_only_columns(Review.id)).scalars().all()
        assert all(row.review_id != review.id for row in upcoming_deadlines(manager))


def test_the_not_publish_form_asks_for_the_date(app: Flask) -> None:
    with app.app_context():
        review, manager = _ready("CSPR", TODAY - timedelta(days=30))
        send_notice(review, "final_report", TODAY - timedelta(days=25), manager)
        db.session.commit()
        review_id, version = review.id, review.version
        db.session.refresh(manager)
    client = client_as(app, manager)
    page = f"/reviews/{review_id}/publication"
    path = page + "/not-published"
    fields = {"version": version, "reason": "Sibling", "improvements": "Training"}
    refused = post_form(client, path, fields, token_from=page)
    assert refused.status_code == 400
    assert "Enter the date the partners decided" in refused.get_data(as_text=True)
    later = TODAY - timedelta(days=1)
    done = post_form(
        client, path, {**fields, "decided_on": [later.day, later.month, later.year]}, token_from=page
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Publication, review_id).not_published_on == later
