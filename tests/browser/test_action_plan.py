"""In a real browser: the board manager turns a recommendation into an action, the agency lead
reports progress and completes it with evidence, the board manager verifies it; the RAG and the
counts follow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from casework.core.extensions import db
from casework.core.timeutil import uk_today
from tests.browser.conftest import signed_in_page
from tests.browser.people import police_and_people
from tests.reviews.conftest import make_review

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _summary(page, review_id: int) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"/reviews/{review_id}")
    return page.get_by_test_id("plan-summary").inner_text()


def test_recommendation_to_verified_action(app: Flask, browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        police, manager, _, lead = police_and_people()
        review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[police])
        for user in (manager, lead):
            db.session.refresh(user)  # usable after the context ends
    deadline = uk_today() + timedelta(days=90)

    bm = signed_in_page(browser, live_server, manager, home=False)
    bm.goto(f"/reviews/{review.id}")
    bm.get_by_role("link", name="Findings, recommendations and action plan").click()
    bm.get_by_label("Recommendation", exact=True).fill(
        "Police should refer every incident where a baby is present."
    )
    bm.get_by_label("Addressed to the partnership").uncheck()
    bm.get_by_role("group", name="Addressed to these agencies").get_by_label("Northshire Police").check()
    bm.get_by_role("group", name="Themes").first.get_by_label("Information sharing").check()
    bm.get_by_role("button", name="Add recommendation").click()
    bm.get_by_text("Recommendation 1 added.").wait_for()

    bm.get_by_role("link", name="Add an action to recommendation 1").click()
    bm.get_by_label("What will be done").fill(
        "Brief every response team on referring babies present at incidents."
    )
    bm.get_by_label("Owning agency").select_option(label="Northshire Police")
    bm.get_by_label("Named owner").select_option(label="Priya Shah (Northshire Police)")
    bm.locator("#deadline-day").fill(str(deadline.day))
    bm.locator("#deadline-month").fill(str(deadline.month))
    bm.locator("#deadline-year").fill(str(deadline.year))
    bm.get_by_label("Evidence that will show it made a difference").fill(
        "Audit shows referrals in 95% of cases."
    )
    bm.get_by_role("button", name="Add action").click()
    bm.get_by_text("Action added.").wait_for()
    assert "1 action: Red 0, Amber 0, Green 1" in " ".join(_summary(bm, review.id).split())

    # The agency lead reports a risk, then completes with evidence.
    agency = signed_in_page(browser, live_server, lead, home=False)
    agency.goto("/actions/mine")
    agency.get_by_test_id("my-actions").get_by_role("link", name="Update").click()
    agency.get_by_role("radio", name="At risk").check()
    agency.get_by_label("Progress", exact=True).fill("Two teams briefed; sickness delays the rest.")
    agency.get_by_role("button", name="Add update").click()
    agency.get_by_text("Update added.").wait_for()
    assert "1 action: Red 0, Amber 1, Green 0" in " ".join(_summary(bm, review.id).split())

    agency.get_by_role("radio", name="Completed").check()
    agency.get_by_label("Progress", exact=True).fill("All teams briefed; audit attached.")
    agency.get_by_role("button", name="Add update").click()
    assert "Attach evidence" in agency.locator(".govuk-error-summary").inner_text()
    agency.get_by_role("radio", name="Completed").check()
    agency.get_by_label("Progress", exact=True).fill("All teams briefed; audit attached.")
    agency.locator("input[type=file]").set_input_files(
        {"name": "referral-audit.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    agency.get_by_role("button", name="Add update").click()
    agency.get_by_text("Update added.").wait_for()
    assert "referral-audit.pdf" in agency.get_by_test_id("updates").inner_text()
    # Completed in time: it waits for the board's verification, neither red nor done.
    assert "Red 0, Amber 0, Green 0, Awaiting verification 1" in " ".join(_summary(bm, review.id).split())

    # The board manager verifies: only now does it count as done.
    bm.goto(f"/reviews/{review.id}/action-plan")
    bm.get_by_role("link", name="Brief every response team").click()
    bm.get_by_role("button", name="Verify the action").click()
    bm.get_by_text("Action verified").wait_for()
    assert "Verified" in bm.locator("main").inner_text()
    assert "Red 0, Amber 0, Green 0, Awaiting verification 0, Verified 1" in " ".join(
        _summary(bm, review.id).split()
    )
    for page in (bm, agency):
        page.context.close()
