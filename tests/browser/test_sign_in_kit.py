"""The browser tests' quick sign-in gives the browser what signing in through the pages gives it:
cookies of the same names, paths and guards, and a session row of the same shape (the same
address, user agent and data), so the app cannot tell the two browsers apart."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from sqlalchemy import select

from casework.auth.models import Role, WebSession
from casework.core.extensions import db
from tests.browser.conftest import signed_in_page
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def _cookies(tab) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    return sorted(
        (c["name"], c["domain"], c["path"], c["httpOnly"], c["secure"], c["sameSite"], c["expires"] > 0)
        for c in tab.context.cookies()
    )


def _live_session(user_id: int) -> list[tuple[object, ...]]:
    rows = db.session.scalars(
        select(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
    ).all()
    shapes = []
    for row in rows:
        data = json.loads(row.data)
        data["csrf_token"] = bool(data.get("csrf_token"))
        shapes.append((row.address, row.user_agent, sorted(data.items()), row.signed_in_at is not None))
    return shapes


def _person(app: Flask):  # type: ignore[no-untyped-def]
    with app.app_context():
        return make_user(Role.REVIEWER)


def test_the_quick_sign_in_gives_the_browser_what_the_pages_give_it(
    app: Flask, browser, live_server: str
) -> None:  # type: ignore[no-untyped-def]
    first, second = [_person(app) for _ in range(2)]
    through_pages = signed_in_page(browser, live_server, first, through_pages=True)
    quick = signed_in_page(browser, live_server, second)
    try:
        assert _cookies(quick) == _cookies(through_pages)
        assert {c["name"] for c in quick.context.cookies()} == {"casework_session", "casework_device"}
        with app.app_context():
            by_pages, by_kit = _live_session(first.id), _live_session(second.id)
        # The user's own token differs; everything else, the browser's user agent included, agrees.
        for shapes in (by_pages, by_kit):
            for _address, _agent, data, _signed_in in shapes:
                data[:] = [(key, "<token>" if key == "_user_id" else value) for key, value in data]
        assert by_kit == by_pages and len(by_kit) == 1
        assert quick.url == through_pages.url  # both on the page signing in leads to
    finally:
        through_pages.context.close()
        quick.context.close()
