"""In a real browser: a first sign-in sets up the authenticator app from the key the page shows,
keeps the recovery codes it shows once, and later sign-ins take a code from the app or one of
those codes; the pages pass axe."""

from __future__ import annotations

import time

import pyotp
import pytest
from flask import Flask

from casework.auth.models import Role
from tests.browser.axe import axe_violations
from tests.browser.conftest import password_step
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def sign_out(tab) -> None:  # type: ignore[no-untyped-def]
    tab.get_by_role("button", name="Sign out").click()
    tab.wait_for_url("**/sign-in")


def test_set_up_the_app_then_sign_in_with_a_code_and_with_a_recovery_code(
    app: Flask, page, axe_source: str
) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        person = make_user(Role.BOARD_MANAGER, authenticator=False)

    # First sign-in: the set-up page with its QR code and the key as text.
    password_step(page, person.email, PASSWORD)
    assert page.url.endswith("/sign-in/set-up")
    page.get_by_role("heading", name="Set up your authenticator app").wait_for()
    assert page.get_by_test_id("qr-code").locator("svg").count() == 1
    assert axe_violations(page, axe_source, javascript=True) == []
    key = page.get_by_test_id("authenticator-key").inner_text().replace(" ", "")
    app_on_phone = pyotp.TOTP(key)
    page.get_by_label("Code from your app").fill("000000" if app_on_phone.now() != "000000" else "111111")
    page.get_by_role("button", name="Confirm and continue").click()
    assert "Enter the 6-digit code" in page.locator(".govuk-error-summary").inner_text()
    step = int(time.time()) // 30  # the app's codes follow 30-second steps; each works once
    page.get_by_label("Code from your app").fill(app_on_phone.generate_otp(step))
    page.get_by_role("button", name="Confirm and continue").click()
    page.get_by_test_id("recovery-codes").wait_for()  # the next page, not the set-up page the click left
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("button", name="I have saved my codes: continue").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    sign_out(page)

    # A recovery code instead of the app.
    password_step(page, person.email, PASSWORD)
    assert page.url.endswith("/sign-in/code")
    assert axe_violations(page, axe_source, javascript=True) == []
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    assert "You have 9 left" in page.locator(".govuk-notification-banner").inner_text()
    sign_out(page)

    # The same recovery code again: refused, and a code from the app then works.
    password_step(page, person.email, PASSWORD)
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    assert "not used before" in page.locator(".govuk-error-summary").inner_text()
    code = app_on_phone.generate_otp(step + 1)  # the next step's: one step of drift is allowed
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    sign_out(page)

    # The app's code is used up: the same one again is refused.
    password_step(page, person.email, PASSWORD)
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Continue").click()
    assert "already been used" in page.locator(".govuk-error-summary").inner_text()
