"""In a real browser, the three roles do their part: the board manager appoints a reviewer (a
conflicted one is refused) and asks for contributions, the agency lead uploads a chronology CSV
and a report (the worker imports the chronology while its page follows it), the board manager
accepts, and the reviewer reads the merged chronology."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from casework.auth.models import User
from casework.core.extensions import db
from casework.reviews.appointments import services as appointments
from tests.browser.conftest import signed_in_page
from tests.browser.people import police_and_people
from tests.reviews.conftest import make_review
from tests.support.queue import empty_queue as empty_queue  # a fixture
from tests.support.queue import run_worker

pytestmark = pytest.mark.browser

CSV = (
    "date,time,practitioner_role,event,significance\r\n"
    "14/02/2026,09:30,Response officer,Attended a report of shouting at the flat,Referral not made\r\n"
    '03/01/2026,,Neighbourhood officer,"Visited after a neighbour\'s call, nobody answered",Low\r\n'
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_appointment_requests_submissions_and_the_merged_chronology(
    app: Flask,
    browser,
    live_server: str,  # type: ignore[no-untyped-def]
    empty_queue: None,
) -> None:
    with app.app_context():
        police, manager, [conflicted, independent], lead = police_and_people(
            "Ash Conflicted", "Robin Independent"
        )
        appointments.add_affiliation(
            db.session.get(User, conflicted.id),
            db.session.get(type(police), police.id),
            date(2019, 4, 1),
            None,
            "Employed as a detective sergeant",
        )
        db.session.commit()
        review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[police])
        for user in (manager, conflicted, independent, lead):
            db.session.refresh(user)  # usable after the context ends

    # The board manager appoints: the conflicted reviewer is refused, naming the agency.
    bm = signed_in_page(browser, live_server, manager, home=False)
    bm.goto(f"/reviews/{review.id}")
    bm.get_by_role("link", name="Appoint a reviewer").click()
    bm.get_by_label("Ash Conflicted (possible conflict of interest)").check()
    bm.get_by_label("Lead reviewer").check()
    bm.get_by_role("button", name="Appoint").click()
    assert "Northshire Police" in bm.locator(".govuk-error-summary").inner_text()
    bm.get_by_label("Robin Independent").check()
    bm.get_by_role("button", name="Appoint").click()
    bm.get_by_text("Robin Independent has been appointed").wait_for()

    # The reviewer must declare independence before the review opens to them.
    reviewer = signed_in_page(browser, live_server, independent, home=False)
    assert reviewer.goto(f"/reviews/{review.id}").status == 404
    reviewer.goto("/reviews/")
    reviewer.get_by_role("link", name=f"{review.reference}: lead reviewer").click()
    reviewer.get_by_role("button", name="Accept the appointment").click()
    assert "Confirm the declaration" in reviewer.locator(".govuk-error-summary").inner_text()
    reviewer.get_by_label("I confirm the declaration of independence above").check()
    reviewer.get_by_role("button", name="Accept the appointment").click()
    reviewer.get_by_text("The review is now open to you").wait_for()
    assert "Agency contributions" in reviewer.locator("main").inner_text()

    # The board manager asks the police for a chronology and a report.
    for kind in ("Chronology", "Agency report"):
        bm.goto(f"/reviews/{review.id}/requests/new")
        bm.get_by_label(kind, exact=True).check()
        bm.get_by_label("Instructions").fill(f"{kind} of your contact with the family from 2025.")
        bm.get_by_role("button", name="Send the requests").click()
        bm.get_by_text("1 request sent.").wait_for()

    # The agency lead uploads the chronology CSV and the report, then submits both.
    agency = signed_in_page(browser, live_server, lead, home=False)
    agency.goto("/agencies/mine")  # the agency's requests (the lead lands on what the agency owes)
    agency.get_by_test_id("requests").get_by_role("link", name="Chronology").click()
    agency.get_by_label("Chronology CSV file").set_input_files(
        {"name": "police-chronology.csv", "mimeType": "text/csv", "buffer": CSV.encode()}
    )
    agency.get_by_role("button", name="Import the file").click()
    # The import is the worker's: its page waits, then refreshes itself (no script needed).
    agency.get_by_text("Waiting to start").wait_for()
    assert run_worker() == ["run_background_job"]
    agency.get_by_text("2 entries imported.").wait_for()
    agency.get_by_test_id("job-back").click()
    agency.get_by_role("button", name="Submit to the partnership").click()
    agency.get_by_text("Submitted.").wait_for()
    agency.goto("/agencies/mine")
    agency.get_by_role("link", name="Agency report").click()
    agency.get_by_label("Document").set_input_files(
        {"name": "police-report.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    agency.get_by_role("button", name="Upload").click()
    agency.get_by_text("police-report.pdf uploaded.").wait_for()
    agency.get_by_role("button", name="Submit to the partnership").click()
    agency.get_by_text("Submitted.").wait_for()

    # The board manager accepts both submissions.
    bm.goto(f"/reviews/{review.id}")
    for kind in ("Chronology", "Agency report"):
        bm.get_by_test_id("agencies").get_by_role("link", name=kind).click()
        bm.get_by_role("button", name="Accept the submission").click()
        bm.get_by_text("Submission accepted.").wait_for()
        bm.goto(f"/reviews/{review.id}")
    assert bm.get_by_test_id("agencies").inner_text().count("Accepted") == 2

    # The reviewer reads the merged chronology, in date order.
    reviewer.goto(f"/reviews/{review.id}")
    reviewer.get_by_role("link", name="Read the merged chronology").click()
    reviewer.get_by_role("heading", level=1, name="Merged chronology").wait_for()  # the new page, not the old
    rows = reviewer.get_by_test_id("chronology").locator("tbody tr").all_inner_texts()
    assert len(rows) == 2
    assert "3 January 2026" in rows[0] and "14 February 2026" in rows[1]
    for page in (bm, reviewer, agency):
        page.context.close()
