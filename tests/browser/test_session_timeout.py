"""In a real browser, with a timeout of seconds: the warning comes before the idle timeout as an
accessible modal dialog, "Stay signed in" keeps the session, and when time runs out the sign-in
page says why and that unsaved work was lost."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import Flask

from casework.auth.models import Role
from tests.browser.axe import axe_violations
from tests.browser.conftest import sign_in_as
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

IDLE_SECONDS = 8  # the warning comes after 4 seconds (never more than half the timeout)


def _focused(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")


def test_the_timeout_warning_keeps_the_session_or_signs_out_saying_why(
    app: Flask, page, axe_source: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "SESSION_IDLE_TIMEOUT", timedelta(seconds=IDLE_SECONDS))
    monkeypatch.setitem(app.config, "SESSION_TIMEOUT_WARNING", timedelta(minutes=2))
    with app.app_context():
        user = make_user(Role.BOARD_MANAGER)
    sign_in_as(page, user.email, PASSWORD)
    page.goto("/account")
    last_active = time.monotonic()  # no earlier than the last activity the session records
    dialog = page.get_by_role("dialog", name="You're about to be signed out")
    assert not dialog.is_visible()  # hidden until the warning is due

    dialog.wait_for(timeout=IDLE_SECONDS * 1000)
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
    past_first_timeout = last_active + IDLE_SECONDS + 0.5 - time.monotonic()
    page.wait_for_timeout(max(past_first_timeout, 0) * 1000)
    page.goto("/account")
    assert page.url.endswith("/account")

    # This time nobody answers: the page goes to sign-in, which says what happened.
    dialog.wait_for(timeout=IDLE_SECONDS * 1000)
    page.wait_for_url("**/sign-in**", timeout=IDLE_SECONDS * 1000)
    message = page.locator(".govuk-notification-banner").inner_text()
    assert f"You were signed out after {IDLE_SECONDS} seconds without activity" in message
    assert "Anything you had not saved was not saved" in message
    page.goto("/account")
    assert "/sign-in" in page.url


def test_signed_out_pages_have_no_timeout_warning(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/sign-in")
    assert page.locator("#session-timeout").count() == 0
