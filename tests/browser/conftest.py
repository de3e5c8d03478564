"""A live server on loopback and Debian's Chromium driven by Playwright.

The browser is never downloaded by a test tool: Debian's Chromium found on the PATH is used,
its headless shell (``chromium-headless-shell``) where installed, else the full ``chromium``.
The shell renders the same pages with the same engine, without the full browser's window
machinery: the browser tests spend about a third less processor time in it. Without either the
browser tests are skipped with a message, except under CI, where that fails.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # One renderer process for every page: the tests open one origin in many short-lived
    # contexts, and starting a process for each costs more than the pages.
    "--disable-site-isolation-trials",
    "--renderer-process-limit=1",
    "--disable-features=Translate,OptimizationHints,MediaRouter,BackForwardCache",
    "--disable-extensions",
    "--mute-audio",
]


LIVE_APP: list[Flask] = []  # the app the live server serves, for signing in through the pages


HEADLESS_SHELL = "chromium-headless-shell"


def chromium_path() -> str | None:
    return (
        os.environ.get("CASEWORK_CHROMIUM")
        or shutil.which(HEADLESS_SHELL)
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


def chromium_flags(path: str) -> list[str]:
    """The full browser is told to run without a window in its own headless mode; the shell has
    no other."""
    if Path(path).name == HEADLESS_SHELL:
        return CHROMIUM_FLAGS
    return ["--headless=new", *CHROMIUM_FLAGS]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        message = (
            "Chromium is not installed (Debian: apt-get install chromium-headless-shell);"
            " browser tests need it"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=chromium_flags(path))
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    from tests.browser.axe import load_axe_source

    return load_axe_source()


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    LIVE_APP[:] = [app]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def signed_in_page(browser, live_server: str, user, *, home: bool = True, through_pages: bool = False):  # type: ignore[no-untyped-def]
    """A new browser context signed in as ``user`` (password: tests.conftest.PASSWORD), on the
    page a sign-in leads to (``home``) or on none yet. The session is the one the app's own sign-in
    steps start (tests.support.signing_in), given to the browser as its cookies; ``through_pages``
    signs in through the sign-in pages instead, for tests of signing in itself."""
    from tests.conftest import PASSWORD

    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(10_000)
    signed_in = context.new_page()
    if through_pages:
        sign_in_as(signed_in, user.email, PASSWORD)
    else:
        sign_in_quickly(signed_in, live_server, user.email, PASSWORD, home=home)
    return signed_in


_AGENT: list[str] = []  # the browser's User-Agent, the same in every context


def user_agent(browser) -> str:  # type: ignore[no-untyped-def]
    if not _AGENT:
        context = browser.new_context()
        _AGENT.append(context.new_page().evaluate("navigator.userAgent"))
        context.close()
    return _AGENT[0]


def sign_in_quickly(tab, live_server: str, email: str, password: str, *, home: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Give the tab's browser the cookies a completed sign-in from it sets (the app's own steps, run
    without the pages), then open the page a sign-in leads to (``home``). Someone who must first
    set up an authenticator app signs in through the pages."""
    from tests.support.signing_in import browser_cookies, signed_in_cookies

    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": user_agent(tab.context.browser)}
    cookies = signed_in_cookies(LIVE_APP[0], email, password, environ=environ, base_url=live_server)
    if cookies is None:
        sign_in_as(tab, email, password)
        return
    tab.context.add_cookies(browser_cookies(cookies, live_server))
    if home:
        tab.goto("/")  # sends a signed-in person to their home page, where signing in leads


def password_step(tab, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """The first step of signing in; returns once the second step's page has loaded."""
    tab.goto("/sign-in")
    tab.get_by_label("Email address").fill(email)
    tab.get_by_label("Password", exact=True).fill(password)
    tab.get_by_role("button", name="Sign in", exact=True).click()
    tab.wait_for_url(re.compile(r"/sign-in/(set-up|code)$"))


def sign_in_as(tab, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the pages as a person does: the password, then the second step (a recovery
    code made for the purpose, or, for someone without an app, setting one up from the key shown)."""
    import pyotp

    from casework.auth.services import find_user_by_email
    from tests.support.people import one_time_code

    password_step(tab, email, password)
    if tab.url.endswith("/sign-in/set-up"):
        key = tab.get_by_test_id("authenticator-key").inner_text().replace(" ", "")
        tab.get_by_label("Code from your app").fill(pyotp.TOTP(key).now())
        tab.get_by_role("button", name="Confirm and continue").click()
        tab.get_by_role("button", name="I have saved my codes: continue").click()
    else:
        assert tab.url.endswith("/sign-in/code"), tab.url
        with LIVE_APP[0].app_context():
            user = find_user_by_email(email)
            assert user is not None, email
            code = one_time_code(user.id)
        tab.get_by_label("Code", exact=True).fill(code)
        tab.get_by_role("button", name="Continue").click()
    tab.wait_for_load_state()


@pytest.fixture
def page(browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    # Script errors, CSP refusals and failed assets count; a form page answered 400 does not.
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    collect_failed_assets(page, errors)
    yield page
    screenshot_if_failed(page, request)
    context.close()
    assert errors == [], f"the browser reported errors: {errors}"


def collect_failed_assets(page, failed: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Add to ``failed`` each asset the page loads that is answered 400 or worse (a form page
    answered 400 is the app's answer, not a fault)."""
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )


def screenshot_if_failed(page, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    """Keep what the browser showed when the test failed, for the person debugging."""
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = Path(__file__).resolve().parents[2] / "test-artifacts"
        folder.mkdir(exist_ok=True)
        page.screenshot(path=str(folder / f"{request.node.name}.png"), full_page=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:  # type: ignore[type-arg]
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
