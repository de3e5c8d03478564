"""Security headers on every response, and the per-request nonce for the page's one inline script."""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

from casework.core.assets import ASSET_ENDPOINTS, asset_cache_control

CSP = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if current_app.config["HSTS"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    # Pages hold case data: no browser or proxy may keep a copy. Only the assets cache (core.assets),
    # and a public page that asked for it (g.public_max_age) when it is the same for everyone.
    if request.endpoint in ASSET_ENDPOINTS:
        headers["Cache-Control"] = asset_cache_control(response)
    elif _shared_page(response):
        headers["Cache-Control"] = f"public, max-age={int(g.public_max_age)}"
        response.vary.add("Cookie")
    else:
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def _shared_page(response: Response) -> bool:
    """A successful page for a visitor who is not signed in and carries no session (no flash
    message, no form token): what anyone else would be shown."""
    return (
        bool(g.get("public_max_age"))
        and response.status_code == 200
        and not current_user.is_authenticated
        and not session
        and not session.modified
        and "Set-Cookie" not in response.headers
    )


def init_security(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
