"""The insight page in a real browser, with JavaScript and without: every chart is drawn, its data
table opens, and the page passes the automated accessibility check (axe-core)."""

from __future__ import annotations

import pytest
from flask import Flask

from casework.auth.models import User
from casework.core.extensions import db
from casework.insight.charts import CHART_KEYS
from tests.browser.axe import axe_violations
from tests.browser.conftest import sign_in_quickly
from tests.conftest import PASSWORD
from tests.insight.world import build_world

pytestmark = pytest.mark.browser


def test_the_charts_read_with_and_without_javascript_and_pass_axe(
    app: Flask, browser, live_server: str, axe_source: str
) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app)
    with app.app_context():
        manager = db.session.get(User, world.manager_id)
        assert manager is not None
        email = manager.email
    for javascript in (True, False):
        context = browser.new_context(base_url=live_server, java_script_enabled=javascript)
        context.set_default_timeout(10_000)
        page = context.new_page()
        sign_in_quickly(page, live_server, email, PASSWORD)
        page.get_by_role("link", name="Insight").click()
        page.get_by_role("heading", level=1, name="Insight").wait_for()
        assert page.evaluate("document.body.classList.contains('js-enabled')") is javascript

        for key in CHART_KEYS:
            section = page.locator(f'[data-chart-section="{key}"]')
            chart = section.get_by_role("img")
            assert chart.is_visible(), (key, javascript)
            assert chart.bounding_box()["height"] > 50, key  # type: ignore[index]
            table = section.locator("table")
            assert not table.is_visible()
            section.get_by_text("Show the data").click()
            assert table.is_visible(), (key, javascript)
            assert table.locator("tbody tr").count() >= 1
            assert section.get_by_role("link", name="Download CSV").is_visible()
        assert axe_violations(page, axe_source, javascript=javascript) == [], javascript
        context.close()
