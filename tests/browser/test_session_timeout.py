"""In a real browser, with the product's timings: the warning comes before the idle timeout as
an accessible modal dialog, "Stay signed in" keeps the session, and when time runs out the sign-in
page says why and that unsaved work was lost. The page's clock and the server's are moved forward
together, so half an hour passes in a moment and a busy machine cannot make the test miss a step."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask

from casework.auth.models import Role
from tests.browser.axe import axe_violations
from tests.browser.conftest import sign_in_as
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

IDLE = timedelta(minutes=30)
WARNING = timedelta(minutes=2)


def _focused(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")


@pytest.fixture
def clocks(page) -> Iterator[Callable[[timedelta], None]]:  # type: ignore[no-untyped-def]
    """Move the browser's clock (its timers fire on the way) and the server's by the same time."""
    with time_machine.travel(datetime.now(UTC), tick=True) as server:
        page.clock.install()

        def advance(by: timedelta) -> None:
            server.shift(by)
            page.clock.fast_forward(int(by.total_seconds() * 1000))

        yield advance


def test_the_timeout_warning_keeps_the_session_or_signs_out_saying_why(
    app: Flask, page, axe_source: str, monkeypatch: pytest.MonkeyPatch, clocks: Callable[[timedelta], None]
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "SESSION_IDLE_TIMEOUT", IDLE)
    monkeypatch.setitem(app.config, "SESSION_TIMEOUT_WARNING", WARNING)
    with app.app_context():
        user = make_user(Role.BOARD_MANAGER)
    sign_in_as(page, user.email, PASSWORD)
    page.goto("/account")
    dialog = page.get_by_role("dialog", name="You're about to be signed out")
    clocks(IDLE - WARNING - timedelta(seconds=5))
    assert not dialog.is_visible()  # hidden until the warning is due

    clocks(timedelta(seconds=5))
    dialog.wait_for()
    assert "We will sign you out in 2 minutes" in dialog.inner_text()
    assert "Anything you have not saved will be lost" in dialog.inner_text()
    assert _focused(page) == "session-timeout-heading"  # focus moved into the dialog
    # The rest of the page is out of reach while the dialog is open.
    assert page.evaluate("document.querySelector('main').closest('[inert]') !== null")
    page.keyboard.press("Tab")
    assert _focused(page) == "Stay signed in"
    page.keyboard.press("Tab")
    assert _focused(page) == "Sign out"
    page.keyboard.press("Tab")
    assert _focused(page) == "Stay signed in"  # focus is trapped
    assert axe_violations(page, axe_source, javascript=True) == []

    with page.expect_response("**/session/keep-alive") as answer:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204
    dialog.wait_for(state="hidden")
    # Past the first timeout, the session kept alive still opens a signed-in page.
    clocks(WARNING + timedelta(seconds=30))
    page.goto("/account")
    assert page.url.endswith("/account")

    # This time nobody answers: the page goes to sign-in, which says what happened.
    clocks(IDLE - WARNING)
    dialog.wait_for()
    clocks(WARNING + timedelta(seconds=2))  # the deadline, and the second's margin after it
    page.wait_for_url("**/sign-in**")
    message = page.locator(".govuk-notification-banner").inner_text()
    assert "You were signed out after 30 minutes without activity" in message
    assert "Anything you had not saved was not saved" in message
    page.goto("/account")
    assert "/sign-in" in page.url


def test_signed_out_pages_have_no_timeout_warning(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/sign-in")
    assert page.locator("#session-timeout").count() == 0
