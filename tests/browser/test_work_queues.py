"""In a real browser, each role signs in, lands on its queue, sees an item there and follows it:
the board manager a late contribution, the agency lead what the agency owes, the reviewer a
contribution to read."""

from __future__ import annotations

import pytest
from flask import Flask

from casework.agencies.contributions import RequestStatus
from casework.agencies.models import AgencyType
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import working_calendar
from tests.browser.conftest import signed_in_page
from tests.browser.people import police_and_people
from tests.conftest import make_agency, make_user
from tests.notifications.due_world import World, add_request
from tests.reviews.conftest import make_review

pytestmark = pytest.mark.browser


def test_each_role_follows_an_item_of_its_queue(app: Flask, browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        police, manager, [reviewer], lead = police_and_people("Robin Independent")
        review = make_review("CSPR", "contributions", by=manager, agencies=[police], reviewer=reviewer)
        world = World({"M1": manager.id}, {"X": police.id}, {"CSPR": review.id})
        late = add_request(world, "X", working_calendar().add_working_days(uk_today(), -2))
        sent = add_request(world, "X", uk_today(), status=RequestStatus.SUBMITTED)
        for user in (manager, reviewer, lead):
            db.session.refresh(user)
        reference = review.reference

    bm = signed_in_page(browser, live_server, manager)
    bm.get_by_role("heading", level=2, name="Needs your attention").wait_for()
    bm.get_by_role("link", name="Late contributions: 1").click()
    section = bm.get_by_test_id("attention-late-contributions")
    assert "2 working days overdue" in section.inner_text()
    section.get_by_role("link", name="Chronology from Northshire Police").click()
    bm.wait_for_url(f"**/agencies/requests/{late}")

    agency = signed_in_page(browser, live_server, lead)
    agency.get_by_role("heading", level=1, name="What your agency owes").wait_for()
    owed = agency.get_by_test_id("owed")
    assert reference in owed.inner_text() and "2 working days overdue" in owed.inner_text()
    owed.get_by_role("link", name="Chronology from Northshire Police").click()
    agency.wait_for_url(f"**/agencies/requests/{late}")

    tasks = signed_in_page(browser, live_server, reviewer)
    tasks.get_by_role("heading", level=1, name="Your tasks").wait_for()
    own = tasks.get_by_test_id(f"tasks-{reference}")
    assert "Contribution to read" in own.inner_text()
    own.get_by_role("link", name="Chronology from Northshire Police, submitted").click()
    tasks.wait_for_url(f"**/agencies/requests/{sent}")


def test_the_board_manager_filters_the_contributions_tracker_and_chases_a_late_agency(  # type: ignore[no-untyped-def]
    app: Flask, browser, live_server: str
) -> None:
    with app.app_context():
        police = make_agency("Northshire Police", AgencyType.POLICE)
        health = make_agency("Riverside NHS Trust", AgencyType.NHS_TRUST)
        manager = make_user(Role.BOARD_MANAGER, name="Morgan Price")
        lead = make_user(Role.AGENCY_LEAD, name="Priya Shah", agency=police)
        review = make_review("CSPR", "contributions", by=manager, agencies=[police, health])
        world = World({"M1": manager.id}, {"X": police.id, "Y": health.id}, {"CSPR": review.id})
        late = add_request(world, "X", working_calendar().add_working_days(uk_today(), -3))
        add_request(world, "Y", working_calendar().add_working_days(uk_today(), 10))
        for user in (manager, lead):
            db.session.refresh(user)
        reference = review.reference

    bm = signed_in_page(browser, live_server, manager)
    bm.get_by_role("link", name="Contributions", exact=True).click()
    bm.get_by_role("heading", level=1).wait_for()
    assert "Riverside NHS Trust" in bm.locator("main table").inner_text()
    bm.get_by_label("Overdue only").check()
    bm.get_by_role("button", name="Filter").click()
    table = bm.locator("main table")
    table.wait_for()
    assert "Northshire Police" in table.inner_text() and "Riverside NHS Trust" not in table.inner_text()
    assert "3" in table.inner_text()  # working days overdue
    bm.get_by_label(f"Chase Northshire Police for the chronology of {reference}").check()
    bm.get_by_role("button", name="Send a reminder now").click()
    bm.get_by_text("Reminder sent for 1 request to 1 agency lead.").wait_for()
    assert "overdue=1" in bm.url  # back to the same filtered list

    # The lead is told in the app and follows the reminder to the request.
    agency = signed_in_page(browser, live_server, lead)
    agency.get_by_role("link", name="Notifications").click()
    agency.get_by_role("button", name=reference).first.click()
    agency.wait_for_url(f"**/agencies/requests/{late}")
    assert "Reminder sent" in agency.locator("main").inner_text()
