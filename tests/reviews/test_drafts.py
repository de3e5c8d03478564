"""Draft versions, factual accuracy checks, family sharing and the final version."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage

from casework.auth.models import Role, User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.appointments import services as appointments
from casework.reviews.drafts import services as drafts
from casework.reviews.models import AssignmentRole, CommentResponse, DraftVersion, Review
from casework.reviews.stages import ReviewStage
from tests.conftest import client_as, csrf_token, make_agency, make_user, post_form
from tests.reviews.conftest import make_review
from tests.support.copies import replayed

# The ``case`` fixture: the review's id and the people and agencies built for it, by name.
Case = dict[str, Any]


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _pdf(name: str = "draft.pdf") -> FileStorage:
    return FileStorage(io.BytesIO(PDF), filename=name, content_type="application/pdf")


@pytest.fixture
def case(app: Flask, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A review at agency contributions with an accepted lead reviewer and two agencies in scope."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path)
    return replayed(app, "drafts case", lambda: _build_case(app))


def _build_case(app: Flask) -> Case:
    with app.app_context():
        police, health = make_agency("Police"), make_agency("Health")
        manager = make_user(Role.BOARD_MANAGER)
        lead = make_user(Role.REVIEWER)
        police_lead = make_user(Role.AGENCY_LEAD, agency=police)
        health_lead = make_user(Role.AGENCY_LEAD, agency=health)
        review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[police, health])
        row = db.session.get(Review, review.id)
        assignment = appointments.assign_reviewer(
            row, db.session.get(User, lead.id), AssignmentRole.LEAD, db.session.get(User, manager.id)
        )
        appointments.accept_appointment(assignment, db.session.get(User, lead.id), declared=True)
        db.session.commit()
        for item in (manager, lead, police_lead, health_lead, police, health):
            db.session.refresh(item)
        return {
            "review_id": review.id,
            "manager": manager,
            "lead": lead,
            "police_lead": police_lead,
            "health_lead": health_lead,
            "police": police,
            "health": health,
        }


def _review(case: Case) -> Review:
    review = db.session.get(Review, case["review_id"])
    assert review is not None
    return review


def _user(case: Case, key: str) -> User:
    user = db.session.get(User, case[key].id)
    assert user is not None
    return user


def test_the_first_draft_starts_drafting_and_versions_are_numbered(app: Flask, case: Case) -> None:
    with app.app_context():
        review = _review(case)
        first = drafts.upload_draft(review, _pdf(), "First full draft", _user(case, "lead"), review.version)
        second = drafts.upload_draft(
            review, _pdf("v2.pdf"), "Agency comments addressed", _user(case, "lead"), None
        )
        db.session.commit()
        assert (first.number, second.number) == (1, 2)
        assert _review(case).stage == ReviewStage.DRAFTING
        assert [v.number for v in drafts.versions_of(_review(case))] == [1, 2]


@pytest.mark.parametrize("who", ["manager", "police_lead"])
def test_only_the_lead_reviewer_uploads_drafts(app: Flask, case: Case, who: str) -> None:
    with app.app_context():
        review = _review(case)
        with pytest.raises(DomainError, match="lead reviewer"):
            drafts.upload_draft(review, _pdf(), "Draft", _user(case, who), None)
        db.session.rollback()
        assert db.session.execute(db.select(DraftVersion)).first() is None


def test_a_draft_that_is_not_a_document_is_refused(app: Flask, case: Case) -> None:
    with app.app_context():
        review = _review(case)
        fake = FileStorage(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), filename="report.pdf")
        with pytest.raises(DomainError) as refused:
            drafts.upload_draft(review, fake, "Draft", _user(case, "lead"), None)
        assert refused.value.field == "file"
        db.session.rollback()
        assert _review(case).stage == ReviewStage.CONTRIBUTIONS


def test_factual_accuracy_answers_comments_and_responses(app: Flask, case: Case) -> None:
    with app.app_context():
        review = _review(case)
        draft = drafts.upload_draft(review, _pdf(), "First draft", _user(case, "lead"), None)
        with pytest.raises(DomainError, match="in scope"):
            drafts.share_for_accuracy(
                draft, [make_agency("Outsider")], uk_today() + timedelta(days=10), _user(case, "manager")
            )
        db.session.rollback()
        draft = drafts.versions_of(_review(case))[0]
        check = drafts.share_for_accuracy(
            draft,
            [
                db.session.get(type(case["police"]), case["police"].id),
                db.session.get(type(case["health"]), case["health"].id),
            ],
            uk_today() + timedelta(days=10),
            _user(case, "manager"),
        )
        db.session.commit()
        police_answer = next(a for a in check.answers if a.agency_id == case["police"].id)
        health_answer = next(a for a in check.answers if a.agency_id == case["health"].id)
        with pytest.raises(DomainError, match="Only the agency asked"):
            drafts.add_accuracy_comment(police_answer, "p. 4", "Wrong date", _user(case, "health_lead"))
        with pytest.raises(DomainError, match="Add your comments, or confirm"):
            drafts.sign_off_answer(police_answer, False, _user(case, "police_lead"))
        comment = drafts.add_accuracy_comment(
            police_answer, "Paragraph 12", "The visit was on 3 May", _user(case, "police_lead")
        )
        with pytest.raises(DomainError, match="has made comments"):
            drafts.sign_off_answer(police_answer, True, _user(case, "police_lead"))
        drafts.sign_off_answer(police_answer, False, _user(case, "police_lead"))
        drafts.sign_off_answer(health_answer, True, _user(case, "health_lead"))
        with pytest.raises(DomainError, match="already signed off"):
            drafts.add_accuracy_comment(police_answer, "p. 5", "Another", _user(case, "police_lead"))
        with pytest.raises(DomainError, match="reason"):
            drafts.respond_to_comment(comment, CommentResponse.NOT_ACCEPTED, "", _user(case, "lead"))
        drafts.respond_to_comment(comment, CommentResponse.ACCEPTED, "", _user(case, "lead"))
        db.session.commit()
        assert comment.response == CommentResponse.ACCEPTED
        assert health_answer.no_inaccuracies and police_answer.signed_off


def test_agency_leads_answer_only_for_their_agency_and_read_only_the_drafts_they_check(
    app: Flask, case: Case
) -> None:
    with app.app_context():
        review = _review(case)
        draft = drafts.upload_draft(review, _pdf(), "First draft", _user(case, "lead"), None)
        check = drafts.share_for_accuracy(
            draft,
            [db.session.get(type(case["police"]), case["police"].id)],
            uk_today() + timedelta(days=10),
            _user(case, "manager"),
        )
        db.session.commit()
        answer_id, document_id = check.answers[0].id, draft.document_id
    police = client_as(app, case["police_lead"])
    health = client_as(app, case["health_lead"])
    assert police.get(f"/reviews/accuracy/{answer_id}").status_code == 200
    assert police.get(f"/documents/{document_id}").status_code == 200
    assert health.get(f"/reviews/accuracy/{answer_id}").status_code == 404
    assert health.get(f"/documents/{document_id}").status_code == 404
    token = csrf_token(health, "/account")
    refused = health.post(
        f"/reviews/accuracy/{answer_id}", data={"csrf_token": token, "reference": "p1", "comment": "Not ours"}
    )
    assert refused.status_code == 404
    page = f"/reviews/accuracy/{answer_id}"
    early = post_form(police, page + "/sign-off", {}, token_from=page)  # no comments, nothing confirmed
    assert early.status_code == 400 and "Add your comments" in early.get_data(as_text=True)
    response = post_form(police, page, {"reference": "Page 3", "comment": "Date wrong"})
    assert response.status_code == 302
    assert "Page 3" in police.get(page).get_data(as_text=True)
    signed = post_form(police, page + "/sign-off", {}, token_from=page)
    assert signed.status_code == 302
    assert "signed off" in police.get(page).get_data(as_text=True).lower()
    assert police.get(f"/reviews/{case['review_id']}/drafts").status_code == 404  # not the review itself


def test_marking_final_moves_the_review_to_publication(app: Flask, case: Case) -> None:
    with app.app_context():
        review = _review(case)
        drafts.upload_draft(review, _pdf(), "First draft", _user(case, "lead"), None)
        drafts.record_family_sharing(
            drafts.versions_of(review)[0],
            uk_today(),
            "Meeting with the reviewer",
            "Mother asked for changes to the timeline",
            _user(case, "manager"),
        )
        with pytest.raises(DomainError, match="board manager"):
            drafts.mark_final(review, uk_today(), _user(case, "lead"), None)
        final = drafts.mark_final(review, uk_today(), _user(case, "manager"), None)
        db.session.commit()
        assert final.is_final and _review(case).stage == ReviewStage.PUBLICATION
        with pytest.raises(DomainError):
            drafts.upload_draft(_review(case), _pdf(), "Too late", _user(case, "lead"), None)


def test_the_drafts_page_over_http(app: Flask, case: Case) -> None:
    lead = client_as(app, case["lead"])
    token = csrf_token(lead, f"/reviews/{case['review_id']}/drafts")
    response = lead.post(
        f"/reviews/{case['review_id']}/drafts",
        data={"csrf_token": token, "summary": "First draft", "file": (io.BytesIO(PDF), "draft-1.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = lead.get(f"/reviews/{case['review_id']}/drafts").get_data(as_text=True)
    assert "Version 1" in page and "draft-1.pdf" in page
    manager = client_as(app, case["manager"])
    assert "Share this version for a factual accuracy check" in manager.get(
        f"/reviews/{case['review_id']}/drafts"
    ).get_data(as_text=True)


def test_each_versions_forms_keep_their_own_ids_and_the_page_offers_marking_one_final(
    app: Flask, case: Case
) -> None:
    with app.app_context():
        review = _review(case)
        drafts.upload_draft(review, _pdf(), "First draft", _user(case, "lead"), review.version)
        drafts.upload_draft(review, _pdf("v2.pdf"), "Second draft", _user(case, "lead"), None)
        db.session.commit()
    manager = client_as(app, case["manager"])
    page = manager.get(f"/reviews/{case['review_id']}/drafts").get_data(as_text=True)
    assert page.count("Record sharing this version with the family") == 2
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert sorted(name for name, count in Counter(ids).items() if count > 1) == []
    # The review page's next step leads here, where a version is marked final.
    review_page = manager.get(f"/reviews/{case['review_id']}").get_data(as_text=True)
    assert f'href="/reviews/{case["review_id"]}/drafts">Mark a version final</a>' in review_page
