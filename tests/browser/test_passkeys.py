"""Passkeys in Chromium with its virtual authenticator (DevTools protocol): the page's script asks
for the options, the browser asks the device, and the answer is posted. Passkeys are bound to a
host name, not an address, so these pages are opened at localhost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from casework.auth.models import Role, User
from tests.browser.axe import axe_violations
from tests.browser.conftest import sign_in_as
from tests.conftest import PASSWORD
from tests.support.people import person_fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def tab(browser, live_server: str) -> Iterator[tuple[object, object]]:  # type: ignore[no-untyped-def]
    """A page at localhost with a virtual passkey device that checks the person (a built-in
    authenticator with a PIN or fingerprint), and the DevTools session that drives it."""
    context = browser.new_context(base_url=live_server.replace("127.0.0.1", "localhost"))
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    added = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield page, (devtools, added["authenticatorId"])
    context.close()
    assert errors == [], f"the browser reported errors: {errors}"


person = person_fixture(Role.BOARD_MANAGER, email="morgan@example.org")


def add_passkey(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/account/sign-in")
    page.get_by_label("Name this passkey").fill(name)
    page.locator("#passkey-password").fill(PASSWORD)
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_url("**/account/sign-in")
    page.get_by_text(f"Passkey '{name}' added.").wait_for()


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url("**/sign-in")


def test_a_passkey_added_on_the_account_page_signs_in_without_a_password(
    tab, person: User, axe_source: str
) -> None:  # type: ignore[no-untyped-def]
    page, (devtools, authenticator) = tab
    sign_in_as(page, person.email, PASSWORD)
    add_passkey(page, "Work laptop")
    assert "Work laptop" in page.get_by_test_id("passkeys").inner_text()
    assert axe_violations(page, axe_source, javascript=True) == []
    stored = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(stored) == 1 and stored[0]["isResidentCredential"]  # it can name its owner

    sign_out(page)
    assert axe_violations(page, axe_source, javascript=True) == []  # the sign-in page, passkey shown
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url("**/reviews/dashboard")
    page.goto("/account/sign-in")
    assert "Last used" in page.get_by_test_id("passkeys").inner_text()


def test_a_passkey_is_the_second_step_after_the_password(tab, person: User) -> None:  # type: ignore[no-untyped-def]
    page, _device = tab
    sign_in_as(page, person.email, PASSWORD)
    add_passkey(page, "Phone")
    sign_out(page)
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/sign-in/code")
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url("**/reviews/dashboard")


def test_a_device_that_cannot_check_the_person_is_refused_and_codes_still_work(tab, person: User) -> None:  # type: ignore[no-untyped-def]
    page, (devtools, authenticator) = tab
    sign_in_as(page, person.email, PASSWORD)
    add_passkey(page, "Work laptop")
    sign_out(page)
    devtools.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False})
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.get_by_text("The passkey was not used.").wait_for()
    sign_in_as(page, person.email, PASSWORD)
    assert page.url.endswith("/reviews/dashboard")


def test_without_javascript_the_passkey_buttons_are_hidden(browser, live_server: str, person: User) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/sign-in")
    assert not page.get_by_role("button", name="Sign in with a passkey").is_visible()
    assert page.get_by_role("button", name="Sign in", exact=True).is_visible()
    context.close()
