"""From the final version to the public record: the anonymisation check on real files, the
type's steps before publication, the notice period, not publishing, withdrawal and delays."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage

from casework.auth.models import Role, User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import WorkingCalendar
from casework.reviews.appointments import services as appointments
from casework.reviews.drafts import services as drafts
from casework.reviews.models import AssignmentRole, Publication, Review
from casework.reviews.publication import checks, publishing
from casework.reviews.referral.identifiers import PersonDetails, save_identifiers
from casework.reviews.stages import ReviewStage
from tests.conftest import client_as, make_agency, make_user, post_form
from tests.reviews.conftest import make_review
from tests.support.copies import replayed
from tests.support.files import docx_with, make_pdf, upload
from tests.support.reviews import publication_details, send_notice
from tests.support.threads import when_thread_sends

# The ``case`` fixture: the review's id and the people and agencies built for it, by name.
Case = dict[str, Any]


def _report(*paragraphs: str) -> FileStorage:
    return upload(docx_with(*paragraphs), "report.docx")


# Signed off on the day make_review commissions the review: every later step may be dated from then.
def _sign_off_day() -> date:
    return uk_today() - timedelta(days=20)


CLEAN = ("Child A was seven months old.", "Agencies did not share what they knew.")
LEAKY = ("Child A, known as Jamie Tester, was seven months old.", "Agencies did not share what they knew.")


@pytest.fixture
def case(app: Flask, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A CSPR with recorded identifiers, at drafting, with a lead reviewer."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path)
    return replayed(app, "publishing case", lambda: _build_case(app))


def _build_case(app: Flask) -> Case:
    with app.app_context():
        police = make_agency("Police")
        manager, lead = make_user(Role.BOARD_MANAGER), make_user(Role.REVIEWER)
        review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[police])
        row = db.session.get(Review, review.id)
        save_identifiers(
            row,
            [PersonDetails("Jamie Tester", date_of_birth=date(2025, 9, 1))],
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


def _final(app: Flask, case: Case, paragraphs: tuple[str, ...]) -> None:
    with app.app_context():
        review = db.session.get(Review, case["review_id"])
        drafts.upload_draft(
            review, _report(*paragraphs), "Final draft", db.session.get(User, case["lead"].id), None
        )
        drafts.mark_final(review, _sign_off_day(), db.session.get(User, case["manager"].id), None)
        db.session.commit()


def test_a_name_in_the_final_version_blocks_publication_until_corrected(app: Flask, case: Case) -> None:
    _final(app, case, LEAKY)
    with app.app_context():
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        check = checks.run_anonymisation_check(review, manager)
        assert check.findings and not check.passed
        assert "paragraph 1" in check.findings[0].location
        assert "Jamie Tester" not in check.findings[0].label  # labels never repeat the identifier
        publication_details(review, manager, sent=uk_today() - timedelta(days=20))
        with pytest.raises(DomainError, match="Resolve the"):
            publishing.publish_review(review, uk_today(), manager, None)
        db.session.rollback()
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        again = publishing.upload_corrected_version(review, _report(*CLEAN), "Name removed", manager)
        assert again.passed
        publication_details(review, manager, sent=uk_today() - timedelta(days=20))
        publishing.publish_review(review, uk_today(), manager, None)
        db.session.commit()
        review = db.session.get(Review, case["review_id"])
        assert review.stage == ReviewStage.ACTION_PLANNING and review.published_on == uk_today()
        publication = db.session.get(Publication, review.id)
        assert publication.published_version.number == 2


def test_a_common_word_can_be_recorded_as_not_identifying(app: Flask, case: Case) -> None:
    _final(app, case, ("The report was tested on 1 September 2025.",))
    with app.app_context():
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        check = checks.run_anonymisation_check(review, manager)
        assert [f.kind for f in check.findings] == ["date_of_birth"]
        with pytest.raises(DomainError):
            checks.resolve_finding(check.findings[0], "", manager)
        checks.resolve_finding(check.findings[0], "The date of a team meeting, not a birthday", manager)
        assert check.passed


def test_the_notice_period_after_the_report_went_to_the_panel(app: Flask, case: Case) -> None:
    _final(app, case, CLEAN)
    with app.app_context():
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        checks.run_anonymisation_check(review, manager)
        sent = WorkingCalendar().add_working_days(uk_today(), -3)
        publication_details(review, manager, sent=sent)
        with pytest.raises(DomainError, match="cannot be published before") as refused:
            publishing.publish_review(review, uk_today(), manager, None)
        assert refused.value.field == "published_on"
        assert publishing.earliest_publication(review) == WorkingCalendar().add_working_days(sent, 7)


def test_the_type_steps_come_from_data(app: Flask, case: Case) -> None:
    _final(app, case, CLEAN)
    with app.app_context():
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        checks.run_anonymisation_check(review, manager)
        publication_details(review, manager, sent=None)
        missing = publishing.missing_for_publication(review)
        assert any("sent to the panel" in item.lower() for item in missing)


def test_not_publishing_needs_a_reason_and_the_improvement_information(app: Flask, case: Case) -> None:
    _final(app, case, CLEAN)
    with app.app_context():
        review, manager = db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)
        with pytest.raises(DomainError):
            publishing.decide_not_to_publish(
                review, "Risk to a surviving sibling", "", manager, None, decided_on=uk_today()
            )
        send_notice(review, "final_report", WorkingCalendar().add_working_days(uk_today(), -7), manager)
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


def test_withdrawal_and_delays_are_recorded(app: Flask, case: Case) -> None:
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
        checks.run_anonymisation_check(review, manager)
        publication_details(review, manager, sent=uk_today() - timedelta(days=20))
        publishing.publish_review(review, uk_today(), manager, None)
        with pytest.raises(DomainError, match="reason"):
            publishing.withdraw_publication(review, "", manager)
        publishing.withdraw_publication(review, "A court ordered it removed", manager)
        db.session.commit()
        assert not db.session.get(Publication, case["review_id"]).is_public


def test_a_scanned_report_needs_a_recorded_check_by_hand(app: Flask, case: Case) -> None:
    scan = upload(make_pdf(["<rectangle>"]), "scan.pdf")  # an image-like page with no text
    with app.app_context():
        review = db.session.get(Review, case["review_id"])
        drafts.upload_draft(review, scan, "Scanned", db.session.get(User, case["lead"].id), None)
        drafts.mark_final(review, _sign_off_day(), db.session.get(User, case["manager"].id), None)
        manager = db.session.get(User, case["manager"].id)
        check = checks.run_anonymisation_check(review, manager)
        assert not check.extractable and not check.passed
        checks.confirm_checked_by_hand(check, "Read page by page by the board manager", manager)
        assert check.passed


def test_the_publication_page_over_http(app: Flask, case: Case) -> None:
    _final(app, case, LEAKY)
    manager = client_as(app, case["manager"])
    page = f"/reviews/{case['review_id']}/publication"
    assert post_form(manager, page + "/check", {}, token_from=page).status_code == 302
    html = manager.get(page).get_data(as_text=True)
    assert "Not identifying" in html and "Resolve the 1 anonymisation finding" in html
    refused = post_form(
        manager, page + "/publish", {"published_on": [str(d) for d in (1, 1, 2026)]}, token_from=page
    )
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.get(Review, case["review_id"]).stage == ReviewStage.PUBLICATION
    reviewer = client_as(app, case["lead"])
    assert "Publish the report" not in reviewer.get(page).get_data(as_text=True)


# --- a check holds only for the file and the identifiers it ran against ----------------------

NAMES_THE_FATHER = ("Child A lived with Alex Brown, her father.", "Agencies did not share what they knew.")


def _rows(app: Flask, case: Case) -> tuple[Review, User]:
    return db.session.get(Review, case["review_id"]), db.session.get(User, case["manager"].id)


def _identifiers(review: Review, *carers: str, child: str = "Jamie Tester", by: User | None = None) -> None:
    save_identifiers(
        review,
        [PersonDetails(child, date_of_birth=date(2025, 9, 1))],
        [PersonDetails(name) for name in carers],
        "1 Example Street",
        None,
        by=by,
    )


def _ready_to_publish(app: Flask, case: Case, paragraphs: tuple[str, ...]) -> None:
    """A final version whose check passes against the identifiers as recorded, all else done."""
    _final(app, case, paragraphs)
    with app.app_context():
        review, manager = _rows(app, case)
        assert checks.run_anonymisation_check(review, manager).passed
        publication_details(review, manager, sent=uk_today() - timedelta(days=20))
        assert publishing.missing_for_publication(review) == []
        db.session.commit()


@contextmanager
def _publishable(app: Flask, case: Case, paragraphs: tuple[str, ...]) -> Iterator[tuple[Review, User]]:
    """A review ready to publish (see _ready_to_publish), read with its manager in an app context."""
    _ready_to_publish(app, case, paragraphs)
    with app.app_context():
        yield _rows(app, case)


def test_a_person_recorded_after_a_passed_check_is_searched_for_at_once_and_blocks_publishing(
    app: Flask, case: Case
) -> None:
    _ready_to_publish(app, case, NAMES_THE_FATHER)  # the father is not recorded yet: it passes
    client = client_as(app, case["manager"])
    edit = f"/reviews/{case['review_id']}/identifying-details/edit"
    with app.app_context():
        version = db.session.get(Review, case["review_id"]).version
    saved = post_form(
        client,
        edit,
        {
            "version": version,
            "children-0-full_name": "Jamie Tester",
            "children-0-date_of_birth": ["1", "9", "2025"],
            "carers-0-full_name": "Alex Brown",
            "carers-0-relationship_to_child": "Father",
            "address": "1 Example Street",
        },
    )
    assert saved.status_code == 302

    page = client.get(f"/reviews/{case['review_id']}/publication").get_data(as_text=True)
    assert "Passed" not in page
    assert "Checked again automatically" in page and "The identifying details changed on" in page
    assert "Parent or carer 1: full name" in page and "Resolve the 1 anonymisation finding" in page
    refused = post_form(
        client,
        f"/reviews/{case['review_id']}/publication/publish",
        {"version": version + 1, "published_on": [str(d) for d in (1, 1, 2026)]},
        token_from=f"/reviews/{case['review_id']}/publication",
    )
    assert refused.status_code == 400
    with app.app_context():
        review, manager = _rows(app, case)
        with pytest.raises(DomainError, match="Resolve the 1 anonymisation finding"):
            publishing.publish_review(review, uk_today(), manager, None)
        db.session.rollback()
        review = db.session.get(Review, case["review_id"])
        assert (
            review.stage == ReviewStage.PUBLICATION
            and db.session.get(Publication, review.id).published_on is None
        )


def test_correcting_a_misspelt_name_after_a_passed_check_blocks_publishing(app: Flask, case: Case) -> None:
    with app.app_context():
        review, manager = _rows(app, case)
        _identifiers(review, "Alec Broun")  # misspelt when recorded
        db.session.commit()
    with _publishable(app, case, NAMES_THE_FATHER) as (review, manager):
        _identifiers(review, "Alex Brown", by=manager)
        check = checks.latest_check(checks.final_version(review))
        assert not check.passed and [f.label for f in check.open_findings] == ["Parent or carer 1: full name"]
        assert check.ran_because.startswith("The identifying details changed on")
        with pytest.raises(DomainError, match="Resolve the 1 anonymisation finding"):
            publishing.publish_review(review, uk_today(), manager, None)


def test_a_change_saved_without_a_check_leaves_the_check_stale_and_publishing_refused(
    app: Flask, case: Case
) -> None:
    with _publishable(app, case, NAMES_THE_FATHER) as (review, manager):
        _identifiers(review, "Alex Brown")  # saved with nobody to run the check as
        db.session.commit()
        review, manager = _rows(app, case)
        check = checks.latest_check(checks.final_version(review))
        assert check.passed  # its own findings are all resolved, but it no longer holds:
        [reason] = checks.stale_reasons(review, check)
        assert reason.startswith("The identifying details changed on") and reason.endswith(
            "after the last check."
        )
        with pytest.raises(DomainError, match="Run the anonymisation check again") as refused:
            publishing.publish_review(review, uk_today(), manager, None)
        assert "Resolve" not in refused.value.message
    client = client_as(app, case["manager"])
    page = client.get(f"/reviews/{case['review_id']}/publication").get_data(as_text=True)
    assert "Passed" not in page and "The last check no longer holds" in page
    assert "Ready to publish" not in page


def test_no_decision_is_taken_on_a_check_that_no_longer_holds(app: Flask, case: Case) -> None:
    _final(app, case, LEAKY)
    with app.app_context():
        review, manager = _rows(app, case)
        [finding] = checks.run_anonymisation_check(review, manager).findings
        _identifiers(review, "Alex Brown")  # saved with nobody to run the check as
        with pytest.raises(DomainError, match="Run the check again, then decide"):
            checks.resolve_finding(finding, "Not a name here", manager)
        assert finding.resolution is None


def test_publishing_fingerprints_the_stored_file_again(app: Flask, case: Case) -> None:
    from casework.documents.storage import stored_path

    with _publishable(app, case, CLEAN) as (review, manager):
        draft = checks.final_version(review)
        stored_path(draft.document).write_bytes(_report(*LEAKY).stream.read())  # replaced behind our back
        assert publishing.missing_for_publication(review) == []  # the page trusts the upload's fingerprint
        with pytest.raises(DomainError, match="not the one that was checked"):
            publishing.publish_review(review, uk_today(), manager, None)
        db.session.rollback()
        assert db.session.get(Review, case["review_id"]).stage == ReviewStage.PUBLICATION


def test_a_check_from_before_fingerprints_or_on_an_earlier_version_is_stale(app: Flask, case: Case) -> None:
    with _publishable(app, case, CLEAN) as (review, manager):
        check = checks.latest_check(checks.final_version(review))
        check.document_sha256 = check.identifiers_sha256 = ""  # as migrated from before
        assert checks.stale_reasons(review, check) == [
            "This check was run before checks recorded what they were run against."
        ]
        with pytest.raises(DomainError, match="Run the anonymisation check again"):
            publishing.publish_review(review, uk_today(), manager, None)
        db.session.rollback()
        review, manager = _rows(app, case)
        first = checks.latest_check(checks.final_version(review))
        again = publishing.upload_corrected_version(review, _report(*CLEAN), "Typo fixed", manager)
        assert again.ran_because == "Corrected version 2 was uploaded." and again.passed
        assert checks.stale_reasons(review, first) == ["A new final version was made after the last check."]
        assert checks.stale_reasons(review, again) == []


def test_the_fingerprints_are_of_the_file_and_the_identifiers_never_the_values(
    app: Flask, case: Case
) -> None:
    import hashlib

    from casework.documents.storage import stored_path
    from casework.reviews.publication.anonymisation.identifiers import identifiers_fingerprint

    with _publishable(app, case, CLEAN) as (review, _):
        draft = checks.final_version(review)
        check = checks.latest_check(draft)
        data = stored_path(draft.document).read_bytes()
        assert check.document_sha256 == hashlib.sha256(data).hexdigest() == draft.document.sha256
        identifiers = checks.identifiers_of(review)
        assert check.identifiers_sha256 == identifiers_fingerprint(identifiers)
        assert identifiers_fingerprint(reversed(identifiers)) == check.identifiers_sha256  # order-free
        assert identifiers_fingerprint(identifiers[1:]) != check.identifiers_sha256
        stored = db.session.execute(
            db.text("SELECT * FROM anonymisation_checks WHERE id = :id"), {"id": check.id}
        ).one()
        assert not any("Tester" in str(value) or "Example" in str(value) for value in stored)


def test_decisions_carry_over_to_a_rerun_and_those_that_lapse_are_shown(app: Flask, case: Case) -> None:
    from casework.reviews.models import Resolution

    _final(app, case, ("The report was tested on 1 September 2025 with Alex Brown.", *CLEAN))
    with app.app_context():
        review, manager = _rows(app, case)
        [date_finding] = checks.run_anonymisation_check(review, manager).findings
        checks.resolve_finding(date_finding, "The date of a team meeting, not a birthday", manager)
        _identifiers(review, "Alex Brown", by=manager)  # a new person: the check runs again
        rerun = checks.latest_check(checks.final_version(review))
        assert [(f.kind, f.resolution) for f in rerun.current_findings] == [
            ("date_of_birth", Resolution.NOT_IDENTIFYING),  # not asked twice
            ("name", None),
        ]
        carried = rerun.current_findings[0]
        assert (
            carried.carried_over and carried.resolution_note == "The date of a team meeting, not a birthday"
        )
        assert rerun.lapsed_findings == []

        # The date of birth corrected: the decision about the old one no longer applies.
        save_identifiers(
            review,
            [PersonDetails("Jamie Tester", date_of_birth=date(2025, 9, 2))],
            [PersonDetails("Alex Brown")],
            "1 Example Street",
            None,
            by=manager,
        )
        third = checks.latest_check(checks.final_version(review))
        assert [f.kind for f in third.current_findings] == ["name"]
        [lapsed] = third.lapsed_findings
        assert lapsed.no_longer_applies == "The identifying detail it matched is no longer recorded"
        assert lapsed.resolution_note == "The date of a team meeting, not a birthday"
        assert not third.passed  # Alex Brown is still open
        with pytest.raises(DomainError, match="earlier check"):
            checks.resolve_finding(
                rerun.current_findings[1], "Decided on a check that no longer holds", manager
            )
        db.session.commit()


def test_a_decision_about_words_no_longer_in_the_report_is_shown_as_no_longer_applying(
    app: Flask, case: Case
) -> None:
    _final(app, case, ("The report was tested on 1 September 2025.", "Jamie Tester was seen.", *CLEAN))
    with app.app_context():
        review, manager = _rows(app, case)
        check = checks.run_anonymisation_check(review, manager)
        checks.resolve_finding(check.findings[0], "A meeting date", manager)
        again = publishing.upload_corrected_version(review, _report(*CLEAN), "Name and date removed", manager)
        assert again.passed and again.current_findings == []
        [lapsed] = again.lapsed_findings
        assert lapsed.no_longer_applies == "The words are no longer found in the final version"
        db.session.commit()
    client = client_as(app, case["manager"])
    page = client.get(f"/reviews/{case['review_id']}/publication").get_data(as_text=True)
    assert "No longer applies" in page and "A meeting date" in page and "Passed" in page


def test_a_decision_is_not_carried_to_the_same_words_in_another_sentence(app: Flask, case: Case) -> None:
    _final(app, case, ("The report was tested on 1 September 2025.", *CLEAN))
    with app.app_context():
        review, manager = _rows(app, case)
        check = checks.run_anonymisation_check(review, manager)
        checks.resolve_finding(check.findings[0], "A meeting date", manager)
        again = publishing.upload_corrected_version(
            review,
            _report("The report was tested on 1 September 2025.", "Jamie was born on 1 September 2025."),
            "A sentence added",
            manager,
        )
        assert [f.resolution is None for f in again.current_findings] == [False, True, True]


def test_a_file_that_cannot_be_read_is_recorded_with_the_reason_and_needs_a_check_by_hand(
    app: Flask, case: Case
) -> None:
    locked = upload(make_pdf([" ".join(CLEAN)], password="secret"), "locked.pdf")
    with app.app_context():
        review, manager = _rows(app, case)
        drafts.upload_draft(review, locked, "Final", db.session.get(User, case["lead"].id), None)
        drafts.mark_final(review, _sign_off_day(), manager, None)
        check = checks.run_anonymisation_check(review, manager)
        assert not check.extractable and "password" in check.unreadable_reason and not check.passed
        publication_details(review, manager, sent=uk_today() - timedelta(days=20))
        assert any("checked by hand" in item for item in publishing.missing_for_publication(review))
        db.session.commit()
    client = client_as(app, case["manager"])
    page = client.get(f"/reviews/{case['review_id']}/publication").get_data(as_text=True)
    assert "The document could not be read automatically: The PDF is protected" in page
    assert "Check it by hand." in page


def test_a_file_beyond_the_reading_limits_is_recorded_as_unreadable(
    app: Flask, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real limit, lowered for the test: a report with more pages than may be read is never
    parsed; its check is recorded as unreadable and needs a check by hand."""
    monkeypatch.setitem(app.config, "EXTRACT_MAX_PAGES", 3)
    report = upload(make_pdf([" ".join(LEAKY)] * 4), "long.pdf")
    with app.app_context():
        review, manager = _rows(app, case)
        drafts.upload_draft(review, report, "Final", db.session.get(User, case["lead"].id), None)
        drafts.mark_final(review, _sign_off_day(), manager, None)
        check = checks.run_anonymisation_check(review, manager)
        assert "pages" in check.unreadable_reason
        assert not check.extractable and check.findings == [] and not check.passed
        checks.confirm_checked_by_hand(check, "Read by the board manager, page by page", manager)
        assert check.passed


def test_identifiers_saved_while_publishing_is_under_way_stop_the_publishing(app: Flask, case: Case) -> None:
    """The verification reads the identifiers as committed; a save that commits before the
    publishing does bumps the review's version, so the publishing fails instead of both landing."""
    import threading

    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm.exc import StaleDataError

    _ready_to_publish(app, case, NAMES_THE_FATHER)
    outcome: list[BaseException | None] = []

    def publish() -> None:
        with app.app_context():
            review, manager = _rows(app, case)
            try:
                publishing.publish_review(review, uk_today(), manager, None)
                db.session.commit()
                outcome.append(None)
            except (StaleDataError, OperationalError, DomainError) as error:
                db.session.rollback()
                outcome.append(error)

    publisher = threading.Thread(target=publish)
    with app.app_context():
        review, _ = _rows(app, case)
        _identifiers(review, "Alex Brown")  # flushed, holding the review's row, not yet committed
        with when_thread_sends(db.engine, publisher, "INSERT", "UPDATE", "DELETE") as writing:
            publisher.start()
            # Its checks have read the old identifiers once it writes; the write waits on the row.
            assert writing.wait(timeout=30), "the publishing never wrote"
            db.session.commit()
    publisher.join(timeout=30)
    assert not publisher.is_alive()
    [error] = outcome
    # Refused when it writes: the save it raced committed a newer version of the review.
    assert isinstance(error, (StaleDataError, OperationalError)), error
    with app.app_context():
        assert db.session.get(Review, case["review_id"]).stage == ReviewStage.PUBLICATION
        assert db.session.get(Publication, case["review_id"]).published_on is None


def test_identifiers_are_saved_even_when_the_final_version_cannot_be_read_back(
    app: Flask, case: Case
) -> None:
    from casework.documents.storage import stored_path

    with _publishable(app, case, NAMES_THE_FATHER) as (review, manager):
        stored_path(checks.final_version(review).document).unlink()
        _identifiers(review, "Alex Brown", by=manager)
        db.session.commit()
        review, manager = _rows(app, case)
        assert [p.full_name for p in review.confidential.people] == ["Jamie Tester", "Alex Brown"]
        [missing] = publishing.missing_for_publication(review)
        assert "The identifying details changed" in missing
        with pytest.raises(DomainError, match="cannot be read from storage"):
            publishing.publish_review(review, uk_today(), manager, None)
