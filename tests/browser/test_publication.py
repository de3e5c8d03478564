"""In a real browser: first draft, factual accuracy, a failed anonymisation check, a corrected
version, the notice period and publication; then the public page, signed out, and the report."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import WorkingCalendar
from casework.reviews.appointments import services as appointments
from casework.reviews.models import AssignmentRole, Review
from casework.reviews.referral.identifiers import PersonDetails, save_identifiers
from tests.browser.conftest import signed_in_page
from tests.browser.people import police_and_people
from tests.reviews.conftest import make_review
from tests.support.files import docx_with

pytestmark = pytest.mark.browser


def _file(name: str, data: bytes) -> dict[str, object]:
    return {
        "name": name,
        "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "buffer": data,
    }


def _date(page, name: str, value: date) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"#{name}-day").fill(str(value.day))
    page.locator(f"#{name}-month").fill(str(value.month))
    page.locator(f"#{name}-year").fill(str(value.year))


def test_from_first_draft_to_the_public_register(app: Flask, browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        police, manager, [lead], police_lead = police_and_people("Robin Reviewer")
        review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[police])
        row = db.session.get(Review, review.id)
        save_identifiers(row, [PersonDetails("Jamie Tester")], [], "", None)
        assignment = appointments.assign_reviewer(
            row, db.session.get(User, lead.id), AssignmentRole.LEAD, db.session.get(User, manager.id)
        )
        appointments.accept_appointment(assignment, db.session.get(User, lead.id), declared=True)
        db.session.commit()
        reference = review.reference
        for user in (manager, lead, police_lead):
            db.session.refresh(user)

    # The lead reviewer uploads the first draft (it still names the child).
    reviewer = signed_in_page(browser, live_server, lead, home=False)
    reviewer.goto(f"/reviews/{review.id}/drafts")
    reviewer.get_by_label("Draft report").set_input_files(
        _file(
            "draft-1.docx",
            docx_with("Child A, Jamie Tester, was seven months old.", "Agencies did not share."),
        )
    )
    reviewer.get_by_label("What changed in this version").fill("First full draft")
    reviewer.get_by_role("button", name="Upload the draft").click()
    reviewer.get_by_text("Version 1 uploaded.").wait_for()

    # The board manager shares it for a factual accuracy check; the police answer.
    bm = signed_in_page(browser, live_server, manager, home=False)
    bm.goto(f"/reviews/{review.id}/drafts")
    bm.get_by_text("Share this version for a factual accuracy check").click()
    bm.get_by_role("button", name="Share for a factual accuracy check").click()
    bm.get_by_text("Shared with the agencies").wait_for()
    agency = signed_in_page(browser, live_server, police_lead, home=False)
    agency.goto("/agencies/mine")
    agency.get_by_test_id("accuracy-checks").get_by_role("link").click()
    agency.get_by_label("Page or section").fill("Paragraph 2")
    agency.get_by_label("Comment").fill("Officers attended twice.")
    agency.get_by_role("button", name="Add comment").click()
    agency.get_by_text("Comment added.").wait_for()
    agency.get_by_role("button", name="Sign off our answer").click()
    agency.get_by_text("signed off").first.wait_for()

    reviewer.goto(f"/reviews/{review.id}/drafts")
    reviewer.get_by_label("Accepted", exact=True).check()
    reviewer.get_by_role("button", name="Record response").click()
    reviewer.get_by_text("Response recorded.").wait_for()

    # Final version, then the anonymisation check finds the name and blocks publication.
    bm.goto(f"/reviews/{review.id}/drafts")
    # Signed off at a meeting before the sign-off was recorded here: the report went to the Panel after.
    _date(bm, "final-signed_off_on", WorkingCalendar().add_working_days(uk_today(), -10))
    bm.get_by_role("button", name="Mark the latest version final").click()
    bm.locator(".govuk-notification-banner").get_by_text("is the final report").wait_for()
    bm.goto(f"/reviews/{review.id}/publication")
    bm.get_by_role("button", name="Run the anonymisation check").click()
    findings = bm.get_by_test_id("findings").inner_text()
    assert "paragraph 1" in findings and "Child 1" in findings
    _date(bm, "sent_to_panel_on", WorkingCalendar().add_working_days(uk_today(), -8))
    bm.get_by_label("Public summary").fill("A seven-month-old baby was seriously injured at home.")
    bm.get_by_label("Learning").fill("Share what you know about bruising.")
    bm.get_by_label("Recommendations to show").fill("1. Follow the bruising protocol.")
    bm.get_by_role("button", name="Save publication details").click()
    bm.get_by_text("Publication details saved.").wait_for()
    bm.get_by_role("button", name="Publish the report").click()
    assert "Resolve the 1 anonymisation finding" in bm.locator(".govuk-error-summary").inner_text()

    # A corrected version passes; the notice period has run; publish.
    bm.get_by_label("Corrected report").set_input_files(
        _file("final-corrected.docx", docx_with("Child A was seven months old.", "Agencies did not share."))
    )
    bm.get_by_label("What was corrected").fill("Name removed")
    bm.get_by_role("button", name="Upload and check again").click()
    bm.get_by_text("Corrected version uploaded and checked again.").wait_for()
    assert "Ready to publish" in bm.locator("main").inner_text()
    bm.get_by_role("button", name="Publish the report").click()
    bm.get_by_text("The report is published.").wait_for()

    # Signed out: the public register lists it and the report downloads.
    public = browser.new_context(base_url=live_server)
    visitor = public.new_page()
    visitor.goto("/published-reviews/")
    assert reference in visitor.locator("main").inner_text()
    assert "Jamie" not in visitor.content()
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="report", exact=False).first.click()
    assert download.value.suggested_filename.endswith(".docx")
    for page in (reviewer, bm, agency, visitor):
        page.context.close()
