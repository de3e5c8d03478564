"""In a real browser, an agency lead sees how many notifications are unread, opens the one about
a new request (a button that looks like a link, posting the list's form) and lands on the request;
the count goes down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from casework.agencies import services as contributions
from casework.agencies.contributions import ContributionKind
from casework.agencies.models import Agency
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from tests.browser.conftest import signed_in_page
from tests.notifications.world import copied_world

pytestmark = pytest.mark.browser


def test_an_agency_lead_opens_a_notification_and_lands_on_the_request(
    app: Flask,
    browser,
    live_server: str,
    folder: object,  # type: ignore[no-untyped-def]
) -> None:
    world = copied_world(app)
    with app.app_context():
        police = db.session.get(Agency, world.agencies["X"])
        for kind in (ContributionKind.CHRONOLOGY, ContributionKind.AGENCY_REPORT):
            contributions.request_contributions(
                world.review(),
                [police],
                kind,
                "Your contact.",
                uk_today() + timedelta(days=20),
                world.user("board_manager"),
            )
        db.session.commit()
        lead = world.user("LX")
        db.session.refresh(lead)

    page = signed_in_page(browser, live_server, lead)
    count = page.get_by_test_id("unread-count")
    assert count.inner_text() == "2"
    page.get_by_test_id("notifications-link").click()
    page.get_by_role("button", name="asked for its chronology").click()
    page.wait_for_url("**/agencies/requests/*")
    assert page.locator("h1").inner_text() == "Chronology from Northshire Police"
    assert page.get_by_test_id("unread-count").inner_text() == "1"
    page.get_by_test_id("notifications-link").click()
    # The click posts a form: wait for the page it leads to before reading it.
    with page.expect_navigation():
        page.get_by_test_id("mark-all-read").click()
    assert "Every notification is marked as read." in page.content()
    assert page.get_by_test_id("unread-count").count() == 0
    page.context.close()
