"""axe-core on the accessibility statement, with and without JavaScript, and on a signed-in page."""

from __future__ import annotations

import pytest
from flask import Flask

from casework.auth.models import Role
from tests.browser.axe import axe_violations
from tests.browser.conftest import signed_in_page
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_the_statement_passes_axe_and_is_reached_from_the_footer(page, axe_source: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/sign-in")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    page.get_by_role("heading", level=1, name="Accessibility statement for Casework").wait_for()
    assert axe_violations(page, axe_source, javascript=True) == []


def test_a_signed_in_page_passes_axe(app: Flask, browser, live_server: str, axe_source: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        user = make_user(Role.ADMIN)
    tab = signed_in_page(browser, live_server, user, home=False)
    tab.goto(f"/admin/users/{user.id}")
    assert axe_violations(tab, axe_source, javascript=True) == []
    tab.context.close()
