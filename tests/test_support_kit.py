"""The shared test kit builds what it says it builds, through the app's own services and
readers: later-stage reviews, signed-in clients, valid small files, and read-only worlds."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from casework.agencies.chronology_import import parse_chronology_csv
from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.documents.storage import current_store, store_upload
from casework.notifications.models import ReminderRule
from casework.reviews.models import AssignmentRole, AssignmentStatus, DraftVersion, Publication, Review
from casework.reviews.publication.anonymisation.extraction import extract_text
from casework.reviews.stages import ReviewStage
from tests.conftest import empty_database
from tests.notifications.conftest import restore_default_rules
from tests.support import copies, readonly
from tests.support.files import (
    CSV,
    PDF,
    csv_with,
    docx_with,
    odt_with,
    pdf_labelled,
    pdf_with,
    upload,
)
from tests.support.http import _csrf_serializer, client_as, form_token, post_form
from tests.support.people import PASSWORD, make_agency, make_user
from tests.support.records import make_action, make_document, make_recommendation, make_request
from tests.support.reviews import LATER_STAGES, make_review

PLANTED = "Marigold Quenby lived at 17 Wistelow Crescent."


@pytest.fixture
def uploads(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path)
    return tmp_path


@pytest.mark.parametrize("code", ["CSPR", "SAR", "DHR"])
@pytest.mark.parametrize("stage", LATER_STAGES, ids=[stage.value for stage in LATER_STAGES])
def test_make_review_reaches_every_later_stage_through_the_services(
    app: Flask, uploads: Path, code: str, stage: ReviewStage
) -> None:
    with app.app_context():
        lead = make_user(Role.REVIEWER)
        review = make_review(code, stage, reviewer=lead)
        assert review.stage == stage
        assert [(a.reviewer_id, a.role, a.status) for a in review.assignments] == [
            (lead.id, AssignmentRole.LEAD, AssignmentStatus.ACCEPTED)
        ]
        versions = db.session.scalars(
            db.select(DraftVersion).where(DraftVersion.review_id == review.id)
        ).all()
        assert len(versions) == (0 if stage == ReviewStage.CONTRIBUTIONS else 1)
        final = [version.final_signed_off_on for version in versions if version.final_signed_off_on]
        reached = LATER_STAGES.index(stage)
        assert final == ([review.terms.commissioned_on] if reached >= 2 else [])
        publication = db.session.get(Publication, review.id)
        published = publication.published_on if publication else None
        assert published == (uk_today() if stage == ReviewStage.ACTION_PLANNING else None)
    assert len([path for path in uploads.rglob("*") if path.is_file()]) == len(versions)


def test_make_review_takes_the_report_given_and_refuses_a_stage_it_cannot_reach(
    app: Flask, uploads: Path
) -> None:
    with app.app_context():
        review = make_review("SAR", ReviewStage.PUBLICATION, report=docx_with("Child A."))
        assert review.stage == ReviewStage.PUBLICATION
        with pytest.raises(ValueError, match="cannot reach closed"):
            make_review("SAR", ReviewStage.CLOSED)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (pdf_with(PLANTED), "pdf"),
        (docx_with("Intro.", PLANTED), "docx"),
        (odt_with("Intro.", PLANTED), "odt"),
    ],
    ids=["pdf", "docx", "odt"],
)
def test_files_with_planted_text_are_read_by_the_app_as_that_text(content: bytes, kind: str) -> None:
    extracted = extract_text(content, kind)
    assert extracted.extractable
    assert PLANTED in " ".join(part.text for part in extracted.parts)


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (PDF, "plain.pdf", "pdf"),
        (pdf_labelled("one"), "one.pdf", "pdf"),
        (pdf_with(PLANTED), "text.pdf", "pdf"),
        (docx_with(PLANTED), "report.docx", "docx"),
        (odt_with(PLANTED), "report.odt", "odt"),
    ],
)
def test_the_small_files_are_accepted_by_the_upload_checks_as_their_type(
    app: Flask, uploads: Path, content: bytes, name: str, kind: str
) -> None:
    with app.app_context():
        document = store_upload(upload(content, name), uploaded_by=make_user())
        assert document.detected_type == kind
    assert pdf_labelled("one") != pdf_labelled("two")


def test_the_csv_files_are_read_by_the_chronology_import() -> None:
    assert [row.event for row in parse_chronology_csv(CSV, today=uk_today())] == ["Visited the flat"]
    rows = csv_with(
        ("03/02/2025", "", "GP", "Saw the baby", "High"), ("04/02/2025", "11:00", "HV", "Visit", "")
    )
    assert [row.practitioner_role for row in parse_chronology_csv(rows, today=uk_today())] == ["GP", "HV"]


def test_client_as_signs_in_the_person_and_none_stays_signed_out(app: Flask) -> None:
    with app.app_context():
        lead = make_user(Role.AGENCY_LEAD, agency=make_agency("Harbour Police"), name="Ines Lead")
    by_user, by_id, nobody = client_as(app, lead), client_as(app, lead.id), client_as(app, None)
    for client in (by_user, by_id):
        page = client.get("/account")
        assert page.status_code == 200 and "Ines Lead" in page.get_data(as_text=True)
    refused = nobody.get("/account")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/sign-in")


def test_a_read_only_world_that_was_written_to_fails_and_is_emptied(app: Flask) -> None:
    def build() -> int:
        with app.app_context():
            return make_agency("Built once").id

    world = readonly.built_once(app, build)
    agency_id = world.__enter__()
    assert readonly.world_is_open()
    with app.app_context():
        make_agency("Written by a test that should only read")
    with pytest.raises(AssertionError, match="agencies"):
        world.__exit__(None, None, None)
    assert not readonly.world_is_open()
    assert readonly.row_counts(app)["agencies"] == 0 and agency_id


def test_a_read_only_world_left_as_built_passes_and_ignores_the_tables_named(app: Flask) -> None:
    def build() -> None:
        with app.app_context():
            make_agency()

    with readonly.built_once(app, build, may_add_to={"users"}), app.app_context():
        make_user()  # users may grow: left out of the comparison
    assert readonly.row_counts(app)["agencies"] == 0


def test_the_record_builders_make_requests_actions_and_documents_through_the_services(
    app: Flask, uploads: Path
) -> None:
    with app.app_context():
        police = make_agency("Harbour Police")
        lead = make_user(Role.AGENCY_LEAD, agency=police)
        manager = make_user(Role.BOARD_MANAGER)
        review = db.session.get(
            Review, make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[police]).id
        )
        manager = db.session.get(User, manager.id)
        police = db.session.get(Agency, police.id)
        request = make_request(
            review, police, manager, entries=("Seen at home", "Missed visit"), document="a.pdf"
        )
        assert [entry.event for entry in request.entries] == ["Seen at home", "Missed visit"]
        assert [(d.original_name, d.uploaded_by_id) for d in request.documents] == [("a.pdf", lead.id)]
        to_police = make_recommendation(review, manager, agencies=[police])
        action = make_action(to_police, manager, agency=police, owner=db.session.get(User, lead.id))
        partnership = make_action(make_recommendation(review, manager), manager)
        assert (to_police.to_partnership, action.agency_id, action.owner_id) == (False, police.id, lead.id)
        assert partnership.agency_id is None and partnership.recommendation.to_partnership
        document = make_document(manager, review=review, name="minutes.docx", content=docx_with("Minutes"))
        assert (document.detected_type, document.review_id) == ("docx", review.id)
    assert len([path for path in uploads.rglob("*") if path.is_file()]) == 2


def _copied_world(app: Flask) -> dict[str, object]:
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER, name="Copy Manager")
        review = make_review("CSPR", ReviewStage.AWAITING_REVIEWER, by=manager, reviewer=None)
        document = make_document(manager, name="evidence.pdf")
        db.session.refresh(manager)  # loaded again after the commits: usable after the context
        return {"manager": manager, "review_id": review.id, "document": document.stored_name}


def _everything(app: Flask) -> dict[str, list[tuple[object, ...]]]:
    """Every row as the app reads it (sealed columns opened: sealing again gives other bytes)."""
    with app.app_context():
        tables = [table for table in db.metadata.sorted_tables if table.name != "tracker_versions"]
        return {
            table.name: sorted(map(tuple, db.session.execute(select(table))), key=repr) for table in tables
        }


def test_a_copied_world_comes_back_with_the_same_rows_ids_files_and_result(app: Flask, folder: Path) -> None:
    key = ("kit", secrets.token_hex(4))
    built = copies.replayed(app, key, lambda: _copied_world(app))
    assert key in copies.copied_keys()
    rows = _everything(app)
    empty_database(app)
    again = copies.replayed(app, key, lambda: pytest.fail("a copied world is not built again"))
    assert _everything(app) == rows
    assert again["review_id"] == built["review_id"] and again["manager"].name == "Copy Manager"  # type: ignore[attr-defined]
    assert again["manager"] is not built["manager"]  # each test gets its own objects
    with app.app_context():
        assert current_store().exists(again["document"])  # type: ignore[arg-type]


def test_a_world_is_copied_only_from_and_into_an_emptied_database(app: Flask, manager: User) -> None:
    with pytest.raises(AssertionError, match="users has rows"):
        copies.replayed(app, ("kit", secrets.token_hex(4)), lambda: None)


def test_a_build_that_changes_a_seeded_row_is_built_again_each_time(app: Flask) -> None:
    def build() -> int:
        with app.app_context():
            rule = db.session.execute(db.select(ReminderRule).order_by(ReminderRule.id)).scalars().first()
            assert rule is not None
            rule.due_soon_days += 1
            db.session.commit()
            return rule.id

    key = ("kit", secrets.token_hex(4))
    try:
        copies.replayed(app, key, build)
        assert key not in copies.copied_keys()
    finally:
        restore_default_rules(app)


def test_form_token_signs_the_sessions_secret_until_the_session_changes(app: Flask) -> None:
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
    client = client_as(app, manager)
    # Signed in, the session has its secret already: no page is read (this one has no form).
    secret = _csrf_serializer(app).loads(form_token(client, "/healthz"))
    with client.session_transaction() as session:
        assert session["csrf_token"] == secret
    # Signed again each time, accepted by a form.
    assert _csrf_serializer(app).loads(form_token(client, "/healthz")) == secret
    kept = post_form(client, "/session/keep-alive", {}, token_from="/healthz")
    assert kept.status_code == 204, kept.get_data(as_text=True)[:500]
    # Signed out, the browser has no session: its token comes from the page, for a new session.
    assert post_form(client, "/sign-out", {}).status_code == 302
    fresh = form_token(client, "/sign-in")
    assert _csrf_serializer(app).loads(fresh) != secret
    password = {"csrf_token": fresh, "email": manager.email, "password": PASSWORD}
    assert client.post("/sign-in", data=password).headers["Location"] == "/sign-in/code"
