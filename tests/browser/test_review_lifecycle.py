"""In a real browser: a board manager takes a CSPR from notification to commissioned, and the
review page shows the working-day deadlines, bank holidays included."""

from __future__ import annotations

import pytest
from flask import Flask

from casework.agencies.models import AgencyType
from casework.auth.models import Role
from tests.browser.conftest import sign_in_quickly
from tests.conftest import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.browser


def _date(page, name: str, day: int, month: int, year: int) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"#{name}-day").fill(str(day))
    page.locator(f"#{name}-month").fill(str(month))
    page.locator(f"#{name}-year").fill(str(year))


def _clock(page, key: str):  # type: ignore[no-untyped-def]
    return page.locator(f"tr[data-clock='{key}']")


def test_board_manager_takes_a_cspr_from_referral_to_commissioned(app: Flask, page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        make_agency("Northshire Police", AgencyType.POLICE)
        make_agency("Riverside Medical Practice", AgencyType.GP_PRACTICE)
        manager = make_user(Role.BOARD_MANAGER)

    sign_in_quickly(page, live_server, manager.email, PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()

    # 1. Referral: the partnership became aware on Monday 23 March 2026.
    page.get_by_role("link", name="Start a review").first.click()
    page.get_by_role("link", name="Start a CSPR").click()
    page.get_by_label("Pseudonym").fill("Child A")
    _date(page, "incident_on", 20, 3, 2026)
    page.get_by_label("What happened").fill("A seven-month-old baby was admitted with unexplained injuries.")
    _date(page, "became_aware_on", 23, 3, 2026)
    _date(page, "panel_notified_on", 27, 3, 2026)
    page.get_by_label("Northshire Police").check()
    page.get_by_role("button", name="Save referral").click()

    page.get_by_role("heading", name="CSPR-2026-001 · Child A").wait_for()
    notification = _clock(page, "notification")
    assert "30 March 2026" in notification.inner_text()  # 5 working days after 23 March
    assert "Met on time" in notification.inner_text()

    # 2. Rapid review: 15 working days from Friday 27 March skips Good Friday and Easter Monday.
    page.get_by_role("button", name="Start the rapid review").click()
    page.get_by_text("Rapid review started.").wait_for()
    assert "21 April 2026" in _clock(page, "rapid_review").inner_text()

    page.get_by_role("link", name="Record the rapid review").click()
    _date(page, "meeting_on", 14, 4, 2026)
    page.get_by_label("Northshire Police").check()
    page.get_by_label("Facts established").fill("Two agencies had contact in the month before.")
    page.get_by_label("The case meets the criteria for a local review").check()
    _date(page, "sent_to_panel_on", 17, 4, 2026)
    page.get_by_role("button", name="Save rapid review").click()
    page.get_by_text("Rapid review saved.").wait_for()
    assert "Met on time" in _clock(page, "rapid_review").inner_text()

    # Skipping a stage is not offered: there is no commissioning button yet.
    assert page.get_by_role("link", name="Set terms of reference and commission").count() == 0
    page.get_by_role("button", name="Complete the rapid review").click()
    page.get_by_text("Rapid review completed.").wait_for()

    # 3. Decision: a rationale is required; the decision date starts the publication clock.
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Hold a local review").check()
    _date(page, "decided_on", 5, 5, 2026)
    page.get_by_label("Decided by").fill("The three safeguarding partners")
    page.get_by_role("button", name="Record the decision").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Explain the reasons for the decision" in summary.inner_text()
    page.get_by_label("Rationale").fill("Agencies did not share information about the baby's bruising.")
    page.get_by_role("button", name="Record the decision").click()
    assert "Select the criteria the case meets" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("(c) It highlights or may highlight concerns about two or more organisations").check()
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Decision recorded.").wait_for()
    publication = _clock(page, "publication")
    assert "5 November 2026" in publication.inner_text()

    # 4. Commissioning: the target completion date defaults from the publication clock.
    page.get_by_role("link", name="Set terms of reference and commission").click()
    assert page.locator("#target_completion_on-day").input_value() == "05"
    _date(page, "scope_from", 1, 9, 2025)
    _date(page, "scope_to", 20, 3, 2026)
    page.get_by_label("Key lines of enquiry").fill("How was information about bruising shared?")
    page.get_by_label("Method", exact=True).fill("Systems approach with a practitioner learning event.")
    page.get_by_label("Family involvement plan").fill("The reviewer will offer to meet both parents.")
    page.get_by_label("Riverside Medical Practice").check()
    _date(page, "commissioned_on", 20, 5, 2026)
    page.get_by_role("button", name="Commission the review").click()
    page.get_by_text("The review has been commissioned").wait_for()
    assert "Awaiting reviewer" in page.locator("main").inner_text()

    timeline = page.get_by_test_id("timeline").inner_text()
    for entry in [
        "moved the review from Referral to Rapid review",
        "moved the review from Decision to Commissioning",
        "created CSPR-2026-001",
    ]:
        assert entry in timeline
