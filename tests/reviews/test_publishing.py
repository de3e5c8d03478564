"""From the final version to the public record: the anonymisation check on real files, the
type's steps before publication, the notice period, not publishing, withdrawal and delays."""

from __future__ import annotations

import io
from datetime import date, timedelta

import docx
import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage

from casework.auth.models import Role, User
from casework.errors import DomainError
from casework.extensions import db
from casework.reviews import appointments, drafts, publishing, services
from casework.reviews.models import AssignmentRole, Publication, Review
from casework.reviews.stages import ReviewStage
from casework.timeutil import uk_today
from casework.workdays import WorkingCalendar
from tests.conftest import login_as, make_agency, make_user, post_form
from tests.reviews.conftest import make_review

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _report(*paragraphs: str) -> FileStorage:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return FileStorage(io.BytesIO(buffer.getvalue()), filename="report.docx", content_type=DOCX_TYPE)


# Signed off on the day make_review commissions the review: every later step may be dated from then.
def _sign_off_day() -> date:
    return uk_today() - timedelta(days=20)


CLEAN = ("Child A was seven months old.", "Agencies did not share what they knew.")
LEAKY = ("Child A, known as Jamie Tester, was seven months old.", "Agencies did not share what they knew.")


@pytest.fixture
def case(app: Flask, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A CSPR with recorded identifiers, at drafting, with a lead reviewer."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path)
    with app.app_context():
        police = make_agency("Police")
        manager, lead = make_user(Role.BOARD_MANAGER), make_user(Role.REVIEWER)
        review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[police])
        row = db.session.get(Review, review.id)
        services.save_identifiers(
            row,
            [services.PersonDetails("Jamie Tester", date_of_birth=date(2025, 9, 1))],
            [],
            "1 Example Street",
            None,
        )
        assignment = appointments.assign_reviewer(
            row, db.session.get(User, lead.id), AssignmentRole.LEAD, db.session.get(User, manager.id)
        )
        appointments.accept_appointment(assignment, db.session.get(User, lead.id), declared=True)
        db.session.commit()
        for item in (manager, lead):
            db.session.refresh(item)
        return {"review_id": review.id, "manager": manager, "lead": lead}


def _final(app: Flask, case: dict, paragraphs: tuple[str, ...]) -> None:  # type: ignore[type-arg]
    with app.app_context():
        review = db.session.get(Review, case["review_id"])
        drafts.upload_draft(
            review, _report(*paragraphs), "Final draft", db.session.get(User, case["lead"].id), None
        )
        drafts.mark_final(review, _sign_off_day(), db.session.get(User, case["manager"].id), None)
        db.session.commit()


def _details(review: Review, manager: User, sent: date | None) -> None:
    publishing.save_publication_details(
        review,
        sent_to_panel_on=sent,
        home_office_approved_on=None,
        public_summary="A seven-month-old baby was seriously injured.",
        learning="Share bruising concerns.",
        public_recommendations="1. Refer every bruise in a non-mobile baby.",
        by=manager,
    )


def test_a_name_in_the_final_version_blocks_publication_until_corrected(app: Flask, case: dict) -> None:  # type: ignore[type-arg]
    _final(app, case, LEAKY)
    with app.app_context():
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        check = publishing.run_anonymisation_check(review, manager)
        assert check.findings and not check.passed
        assert "paragraph 1" in check.findings[0].location
        assert "Jamie Tester" not in check.findings[0].label  # labels never repeat the identifier
        _details(review, manager, uk_today() - timedelta(days=20))
        with pytest.raises(DomainError, match="Resolve the"):
            publishing.publish_review(review, uk_today(), manager, None)
        db.session.rollback()
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        again = publishing.upload_corrected_version(review, _report(*CLEAN), "Name removed", manager)
        assert again.passed
        _details(review, manager, uk_today() - timedelta(days=20))
        publishing.publish_review(review, uk_today(), manager, None)
        db.session.commit()
        review = db.session.get(Review, case["review_id"])
        assert review.stage == ReviewStage.ACTION_PLANNING and review.published_on == uk_today()
        publication = db.session.get(Publication, review.id)
        assert publication.published_version.number == 2


def test_a_common_word_can_be_recorded_as_not_identifying(app: Flask, case: dict) -> None:  # type: ignore[type-arg]
    _final(app, case, ("The report was tested on 1 September 2025.",))
    with app.app_context():
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        check = publishing.run_anonymisation_check(review, manager)
        assert [f.kind for f in check.findings] == ["date_of_birth"]
        with pytest.raises(DomainError):
            publishing.resolve_finding(check.findings[0], "", manager)
        publishing.resolve_finding(check.findings[0], "The date of a team meeting, not a birthday", manager)
        assert check.passed


def test_the_notice_period_after_the_report_went_to_the_panel(app: Flask, case: dict) -> None:  # type: ignore[type-arg]
    _final(app, case, CLEAN)
    with app.app_context():
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        publishing.run_anonymisation_check(review, manager)
        sent = WorkingCalendar().add_working_days(uk_today(), -3)
        _details(review, manager, sent)
        with pytest.raises(DomainError, match="cannot be published before") as refused:
            publishing.publish_review(review, uk_today(), manager, None)
        assert refused.value.field == "published_on"
        assert publishing.earliest_publication(review) == WorkingCalendar().add_working_days(sent, 7)


def test_the_type_steps_come_from_data(app: Flask, case: dict) -> None:  # type: ignore[type-arg]
    _final(app, case, CLEAN)
    with app.app_context():
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        publishing.run_anonymisation_check(review, manager)
        _details(review, manager, None)
        missing = publishing.missing_for_publication(review)
        assert any("sent to the panel" in item.lower() for item in missing)


def test_not_publishing_needs_a_reason_and_the_improvement_information(app: Flask, case: dict) -> None:  # type: ignore[type-arg]
    _final(app, case, CLEAN)
    with app.app_context():
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        with pytest.raises(DomainError):
            publishing.decide_not_to_publish(
                review, "Risk to a surviving sibling", "", manager, None, decided_on=uk_today()
            )
        publishing.decide_not_to_publish(
            review,
            "Risk to a surviving sibling",
            "Training on bruising for all staff",
            manager,
            None,
            decided_on=uk_today(),
        )
        db.session.commit()
        publication = db.session.get(Publication, case["review_id"])
        assert publication.is_public and publication.improvement_information
        assert db.session.get(Review, case["review_id"]).stage == ReviewStage.ACTION_PLANNING


def test_withdrawal_and_delays_are_recorded(app: Flask, case: dict) -> None:  # type: ignore[type-arg]
    with app.app_context():
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        with pytest.raises(DomainError):
            publishing.record_delay(review, "", None, manager)
        publishing.record_delay(
            review, "Awaiting the criminal trial", uk_today() + timedelta(days=90), manager
        )
        with pytest.raises(DomainError, match="not published"):
            publishing.withdraw_publication(review, "Mistake", manager)
        db.session.commit()
    _final(app, case, CLEAN)
    with app.app_context():
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        publishing.run_anonymisation_check(review, manager)
        _details(review, manager, uk_today() - timedelta(days=20))
        publishing.publish_review(review, uk_today(), manager, None)
        with pytest.raises(DomainError, match="reason"):
            publishing.withdraw_publication(review, "", manager)
        publishing.withdraw_publication(review, "A court ordered it removed", manager)
        db.session.commit()
        assert not db.session.get(Publication, case["review_id"]).is_public


def test_a_scanned_report_needs_a_recorded_check_by_hand(app: Flask, case: dict) -> None:  # type: ignore[type-arg]
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100, style="F")  # an image-like page with no text
    scan = FileStorage(io.BytesIO(bytes(pdf.output())), filename="scan.pdf", content_type="application/pdf")
    with app.app_context():
        review = db.session.get(Review, case["review_id"])
        drafts.upload_draft(review, scan, "Scanned", db.session.get(User, case["lead"].id), None)
        drafts.mark_final(review, _sign_off_day(), db.session.get(User, case["manager"].id), None)
        manager = db.session.get(User, case["manager"].id)
        check = publishing.run_anonymisation_check(review, manager)
        assert not check.extractable and not check.passed
        publishing.confirm_checked_by_hand(check, "Read page by page by the board manager", manager)
        assert check.passed


def test_the_publication_page_over_http(app: Flask, case: dict) -> None:  # type: ignore[type-arg]
    _final(app, case, LEAKY)
    manager = login_as(app.test_client(), case["manager"])
    page = f"/reviews/{case['review_id']}/publication"
    assert post_form(manager, page + "/check", {}, token_from=page).status_code == 302
    html = manager.get(page).get_data(as_text=True)
    assert "Not identifying" in html and "Resolve the 1 anonymisation finding" in html
    refused = post_form(manager, page, {"publish": "1", "published_on": [str(d) for d in (1, 1, 2026)]})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.get(Review, case["review_id"]).stage == ReviewStage.PUBLICATION
    reviewer = login_as(app.test_client(), case["lead"])
    assert "Publish the report" not in reviewer.get(page).get_data(as_text=True)
