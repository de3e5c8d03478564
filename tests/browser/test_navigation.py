"""In a real browser: each role signs in, sees its own navigation, and signs out."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from casework.agencies.models import AgencyType
from casework.auth.models import Role
from tests.browser.conftest import sign_in_as
from tests.conftest import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.browser

EXPECTED = {
    Role.ADMIN: (["Users", "Audit log", "Sent mail"], "Users"),
    Role.BOARD_MANAGER: (
        ["Dashboard", "Reviews", "Agencies", "Contributions", "Action tracker", "Insight"],
        "Dashboard",
    ),
    Role.REVIEWER: (["Your tasks", "My reviews", "My profile"], "Your tasks"),
    Role.AGENCY_LEAD: (
        ["What your agency owes", "My agency's requests", "My agency's actions", "Learning briefings"],
        "What your agency owes",
    ),
}
EVERYONE = ["Notifications", "Your account"]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_sees_its_navigation_and_signs_out(app: Flask, page, role: Role) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        agency = make_agency("Northshire Police", AgencyType.POLICE) if role == Role.AGENCY_LEAD else None
        user = make_user(role, name="Jordan Example", agency=agency)

    page.goto("/")
    assert page.url.endswith("/sign-in")
    sign_in_as(page, user.email, PASSWORD)

    heading = EXPECTED[role][1]
    page.get_by_role("heading", level=1, name=heading).wait_for()
    navigation = page.get_by_role("navigation", name="Main navigation")
    links = [text.strip() for text in navigation.get_by_role("link").all_inner_texts()]
    assert links == EXPECTED[role][0] + EVERYONE
    assert page.get_by_text(f"Signed in as Jordan Example ({role.label}").is_visible()
    assert page.get_by_text(app.config["PARTNERSHIP_NAME"]).first.is_visible()
    # GOV.UK Frontend's JavaScript ran under the Content-Security-Policy.
    assert "govuk-frontend-supported" in (page.locator("body").get_attribute("class") or "")

    navigation.get_by_role("button", name="Sign out").click()
    page.get_by_text("You have signed out.").wait_for()
    assert page.url.endswith("/sign-in")
    page.goto("/account")
    assert "/sign-in" in page.url  # the session is gone


def test_wrong_password_shows_the_error_summary(app: Flask, page) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        user = make_user(Role.BOARD_MANAGER)
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill("not the password at all")
    page.get_by_role("button", name="Sign in", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Enter a correct email address and password" in summary.inner_text()
    assert page.title().startswith("Error: ")


def test_a_second_page_takes_its_assets_from_the_browser_cache(page, caplog) -> None:  # type: ignore[no-untyped-def]
    """Assets are fetched with the first page only: the next page asks the server for itself
    alone, not even to revalidate them (the live server logs each request it answers)."""
    caplog.set_level(logging.INFO, logger="werkzeug")
    page.goto("/sign-in")
    first = _asked(caplog)
    assert any("/app.js" in line for line in first) and any("/copy.js" in line for line in first)
    caplog.clear()
    page.goto("/accessibility")
    page.get_by_role("heading", level=1).wait_for()
    assert "govuk-frontend-supported" in (page.locator("body").get_attribute("class") or "")
    asked = _asked(caplog)
    assert any("GET /accessibility " in line for line in asked), asked
    assert [line for line in asked if "/static/" in line] == []


def _asked(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
