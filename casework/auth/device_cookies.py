"""The device cookie (OWASP "Slow Down Online Guessing Attacks with Device Cookies").

A successful sign-in gives the browser a cookie, signed with the app's secret key, naming the
account (by its keyed hash, never the email) and a random nonce. Later attempts at that account
from that browser are counted on their own (auth.throttling), so failures elsewhere never lock
the real user out of the browser they use. It grants nothing else: it is no "remember me".
"""

from __future__ import annotations

import secrets

from flask import Response, current_app, url_for
from itsdangerous import BadData, URLSafeTimedSerializer

DEVICE_COOKIE = "casework_device"
# A shared office computer may be used by a few people; each keeps their own recognised entry.
DEVICE_COOKIE_ACCOUNTS = 5


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt="casework-sign-in-device")


def _device_entries(cookie: str | None) -> list[list[str]]:
    """The (account key, device nonce) pairs of a genuine, unexpired cookie; none otherwise."""
    if not cookie:
        return []
    max_age = int(current_app.config["SIGN_IN_DEVICE_COOKIE_LIFETIME"].total_seconds())
    try:
        entries = _serializer().loads(cookie, max_age=max_age)
    except BadData:
        return []
    if not isinstance(entries, list):
        return []
    return [entry for entry in entries if isinstance(entry, list) and len(entry) == 2][
        :DEVICE_COOKIE_ACCOUNTS
    ]


def device_for(cookie: str | None, account: str) -> str | None:
    """This browser's nonce for this account if the browser is recognised for it."""
    return next((nonce for key, nonce in _device_entries(cookie) if key == account), None)


def device_cookie_after_sign_in(cookie: str | None, account: str) -> str:
    """The cookie value that recognises this browser for this account from now on."""
    others = [entry for entry in _device_entries(cookie) if entry[0] != account]
    entries = [[account, secrets.token_urlsafe(16)], *others][:DEVICE_COOKIE_ACCOUNTS]
    return _serializer().dumps(entries)


def set_device_cookie(response: Response, value: str) -> None:
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=int(config["SIGN_IN_DEVICE_COOKIE_LIFETIME"].total_seconds()),
        path=url_for("auth.sign_in"),  # sent with sign-in attempts only
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
