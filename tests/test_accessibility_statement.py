"""The accessibility statement exists, is linked from every footer, and what it says about how
the service is tested stays true: it names checks the suite really makes."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from casework.auth.models import User
from tests.browser import axe, test_small_screens
from tests.conftest import client_as

LINK = 'href="/accessibility">Accessibility statement</a>'
TESTS = Path(__file__).resolve().parent


def test_the_statement_is_public_and_in_the_published_form(client: FlaskClient) -> None:
    response = client.get("/accessibility")
    assert response.status_code == 200
    page = " ".join(response.get_data(as_text=True).split())
    for part in (
        "Accessibility statement for Casework",
        "How accessible this service is",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Equality Advisory and Support Service",
        "partially compliant with the",
        "Web Content Accessibility Guidelines version 2.2</a> AA standard",
        "This statement was prepared on",
    ):
        assert part in page, part


def test_every_footer_links_to_it(app: Flask, client: FlaskClient, manager: User) -> None:
    for path in ("/sign-in", "/published-reviews/", "/accessibility"):
        assert LINK in client.get(path).get_data(as_text=True), path
    signed_in = client_as(app, manager)
    for path in ("/account", "/reviews/", "/notifications/"):
        assert LINK in signed_in.get(path).get_data(as_text=True), path


def test_the_checks_it_describes_are_the_ones_the_suite_makes(client: FlaskClient) -> None:
    page = " ".join(client.get("/accessibility").get_data(as_text=True).split())
    # "axe-core against WCAG 2.2 A and AA rules": the browser tests' rule set says so too...
    assert "axe-core</a> against WCAG 2.2 A and AA rules" in page
    assert {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"} <= set(axe.WCAG_A_AA)
    # ...on this statement and the timeout warning, which the browser tests check with it.
    for module in ("test_accessibility.py", "test_session_timeout.py", "test_public_register.py"):
        assert "axe_violations(" in (TESTS / "browser" / module).read_text(encoding="utf-8"), module
    # "375 pixels wide": the small-screen test's width.
    assert "375 pixels wide" in page and test_small_screens.WIDTH == 375
    # "an id is used twice on any main page": the test that reads every main page.
    assert "test_no_page_uses_an_id_twice" in (TESTS / "test_main_pages.py").read_text(encoding="utf-8")
