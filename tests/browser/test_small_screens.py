"""At 375 px wide (a small phone), no main page of any role scrolls sideways (wide tables scroll
inside their own region, long words wrap), and axe-core finds no accessibility problem on any."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

import pytest
from flask import Flask

from tests.browser.axe import axe_violations, preload_axe
from tests.browser.conftest import sign_in_quickly
from tests.conftest import empty_database
from tests.support.main_pages import MainPage, demo_password, load_demo_pages

pytestmark = pytest.mark.browser

WIDTH = 375
# Where the overflow starts: elements past the window's right edge whose parent is not.
WIDEST = """() => {
  const right = document.documentElement.clientWidth + 1
  const past = (el) => el && el.getBoundingClientRect().right > right
  return [...document.querySelectorAll('body *')]
    .filter((el) => past(el) && !past(el.parentElement))
    .slice(0, 3)
    .map((el) => el.outerHTML.slice(0, 120))
}"""


@pytest.fixture
def pages(app: Flask) -> Iterator[list[MainPage]]:
    yield load_demo_pages(app)
    empty_database(app)


def test_no_main_page_scrolls_sideways_at_375_px_and_axe_finds_nothing(
    browser, live_server: str, pages: list[MainPage], axe_source: str
) -> None:  # type: ignore[no-untyped-def]
    too_wide, violations = [], []
    for who, group in groupby(pages, key=lambda page: page.who):
        context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": 800})
        context.set_default_timeout(10_000)
        preload_axe(context, axe_source)
        tab = context.new_page()
        if who is not None:
            sign_in_quickly(tab, live_server, who, demo_password(who), home=False)
        for main_page in group:
            response = tab.goto(main_page.path)
            assert response is not None and response.status == 200, main_page
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > tab.evaluate("document.documentElement.clientWidth"):
                too_wide.append((who, main_page.path, width, tab.evaluate(WIDEST)))
            found = axe_violations(tab, axe_source, javascript=True)
            if found:
                violations.append((who, main_page.path, found))
        context.close()
    assert too_wide == [], "\n".join(map(str, too_wide))
    assert violations == [], "\n".join(map(str, violations))
