"""Two browsers signed in as the same person: the first sees both sessions, signs the other out,
and the other is signed out on its next page, told why. The page passes axe."""

from __future__ import annotations

import pytest
from flask import Flask

from casework.auth.models import Role
from tests.browser.axe import axe_violations
from tests.browser.conftest import signed_in_page
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_one_browser_signs_the_other_out(app: Flask, browser, live_server: str, axe_source: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        person = make_user(Role.BOARD_MANAGER)
    first = signed_in_page(browser, live_server, person, through_pages=True)
    second = signed_in_page(browser, live_server, person, through_pages=True)
    try:
        first.goto("/account")
        first.get_by_role("link", name="See where you are signed in").click()
        rows = first.get_by_test_id("sessions").locator("tbody tr")
        rows.first.wait_for()  # the new page, not the account page the click left
        assert rows.count() == 2
        assert rows.filter(has_text="This device").count() == 1
        assert "Chrome on Linux" in rows.nth(0).inner_text()
        assert axe_violations(first, axe_source, javascript=True) == []

        other = rows.filter(has_not_text="This device")
        other.get_by_role("button", name="Sign out").click()
        first.wait_for_load_state()
        assert "has been signed out" in first.locator(".govuk-notification-banner").inner_text()
        assert first.get_by_test_id("sessions").locator("tbody tr").count() == 1

        second.goto("/reviews/")
        assert "/sign-in" in second.url
        assert (
            "You were signed out from another device"
            in second.locator(".govuk-notification-banner").inner_text()
        )
        first.goto("/reviews/")
        assert first.url.endswith("/reviews/")
    finally:
        first.context.close()
        second.context.close()
