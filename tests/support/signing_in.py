"""Signing in without the pages: the app's own steps of a sign-in (the password checked, the
second step begun, a recovery code used, the sign-in recorded, the session started), run in one
request context of the real app, with no page rendered and no request sent. What it leaves is
what signing in through the forms leaves: the same rows written (the session, the used recovery
code, the audit events, the last sign-in time, the throttle's success) and the same cookies set,
which the caller hands to its client or browser. tests/test_sign_in_kit.py compares the two.
"""

from __future__ import annotations

import time
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, request, session

from casework.auth import passkeys, second_factor, services
from casework.auth.device_cookies import DEVICE_COOKIE
from casework.auth.second_factor_views import _start
from casework.core.forms import commit_once
from tests.support.people import one_time_code

# The page whose form finishes a sign-in: the request the cookies are set in answer to.
CODE_PAGE = "/sign-in/code"


def signed_in_cookies(
    app: Flask,
    email: str,
    password: str,
    *,
    environ: dict[str, Any] | None = None,
    base_url: str | None = None,
) -> list[str] | None:
    """The Set-Cookie headers a completed sign-in answers with, in a new browser of this ``environ``
    (its address and user agent); None for someone who must first set up an authenticator app
    (only the pages do that). Fails the test when the password is refused."""
    with app.test_request_context(CODE_PAGE, method="POST", environ_base=environ, base_url=base_url):
        known = services.find_user_by_email(email)
        if known is not None and not (known.has_authenticator or passkeys.has_passkey(known)):
            return None
        source, device = request.remote_addr or "", request.cookies.get(DEVICE_COOKIE)
        # The password step, as the sign-in page takes it (throttled, counted, committed).
        result = commit_once(
            lambda: services.authenticate(email, password, source=source, device_cookie=device)
        )
        user = result.user
        assert user is not None, f"signing in as {email} was refused: {result.refusal}"
        second_factor.begin(user, None)
        # The second step with a recovery code made for it, as the code page takes it.
        code = one_time_code(user.id)
        checked = commit_once(
            lambda: second_factor.check_code(user, code, source=source, device_cookie=device)
        )
        assert checked.accepted, checked.message
        new_device = commit_once(
            lambda: second_factor.finish(user, checked.method, source=source, device_cookie=device)
        )
        # The code page's answer: the session started and the device cookie set. (The page would
        # also say how many recovery codes are left: the kit's clients never read it.)
        response = _start(user, new_device)
        response = app.process_response(response)  # the response's hooks and the session saved
        assert session.get("_user_id"), "no session was started"
        return response.headers.getlist("Set-Cookie")


def browser_cookies(set_cookies: list[str], base_url: str) -> list[dict[str, Any]]:
    """The Set-Cookie headers as Playwright's add_cookies takes them, for the site at ``base_url``
    (by its host and path, as the browser would keep them)."""
    host = urlsplit(base_url).hostname or ""
    cookies = []
    for header in set_cookies:
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            cookie: dict[str, Any] = {
                "name": name,
                "value": morsel.value,
                "domain": host,
                "path": morsel["path"] or "/",
                "httpOnly": bool(morsel["httponly"]),
                "secure": bool(morsel["secure"]),
            }
            if morsel["samesite"]:
                cookie["sameSite"] = morsel["samesite"].capitalize()
            if morsel["max-age"]:
                cookie["expires"] = time.time() + int(morsel["max-age"])
            cookies.append(cookie)
    return cookies
