"""In a real browser, signed out and without JavaScript: the public register reads, passes an
automated accessibility check (axe-core, WCAG 2.2 A and AA), and its report downloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.browser.axe import axe_violations
from tests.browser.conftest import collect_failed_assets, screenshot_if_failed
from tests.public.test_register import HIDDEN, build_register

pytestmark = pytest.mark.browser


@pytest.fixture
def no_script_page(browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A signed-out visitor whose browser runs no JavaScript."""
    context = browser.new_context(base_url=live_server, java_script_enabled=False, accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    failed: list[str] = []
    collect_failed_assets(page, failed)
    yield page
    screenshot_if_failed(page, request)
    context.close()
    assert failed == [], f"assets failed to load: {failed}"


def test_the_register_reads_without_javascript_passes_axe_and_downloads_a_report(
    app: Flask, no_script_page, axe_source: str, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cases = build_register(app, tmp_path, monkeypatch)
    page = no_script_page
    response = page.goto("/published-reviews/")
    assert response is not None and response.status == 200
    assert page.evaluate("document.body.classList.contains('js-enabled')") is False  # no script ran

    assert page.get_by_role("heading", level=1, name="Published reviews").is_visible()
    assert page.get_by_text(app.config["PARTNERSHIP_NAME"]).first.is_visible()
    assert page.get_by_text("Last updated").is_visible()
    for name in ("Reviews we have published", "Reviews we decided not to publish", "Archive"):
        assert page.get_by_role("heading", level=2, name=name).is_visible(), name
    recent = cases["recent"]
    section = page.get_by_role("region", name=f"{recent.pseudonym} ({recent.reference})")
    assert "What happened to Child Alder." in section.inner_text()
    assert section.get_by_role("heading", level=4, name="What we learned").is_visible()
    decided = page.get_by_role("region", name=f"Child Cedar ({cases['not_published'].reference})")
    assert "Health visitors now ask about new partners at every visit." in decided.inner_text()
    text = page.locator("main").inner_text()
    for key in HIDDEN:
        assert cases[key].reference not in text and cases[key].pseudonym not in text, key

    violations = axe_violations(page, axe_source, javascript=False)
    assert violations == [], violations

    link = section.get_by_role("link", name=f"Full report for {recent.reference}, {recent.pseudonym} (PDF")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"{recent.reference}-report.pdf"
    assert Path(download.path()).read_bytes() == recent.report_bytes


def test_the_register_with_javascript_passes_axe(
    app: Flask, page, axe_source: str, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """What most visitors get: GOV.UK Frontend's scripts running, no script or CSP errors."""
    cases = build_register(app, tmp_path, monkeypatch, keys=("recent", "not_published", "archived"))
    page.goto("/published-reviews/")
    page.locator("body.js-enabled").wait_for()
    assert page.get_by_role(
        "heading", level=3, name=f"Child Alder ({cases['recent'].reference})"
    ).is_visible()
    violations = axe_violations(page, axe_source, javascript=True)
    assert violations == [], violations


def test_the_empty_register_reads_without_javascript_and_passes_axe(
    app: Flask, no_script_page, axe_source: str
) -> None:  # type: ignore[no-untyped-def]
    page = no_script_page
    page.goto("/published-reviews/")
    assert page.get_by_text("We have not yet published any reviews.").is_visible()
    assert page.get_by_text("Last updated").count() == 0
    violations = axe_violations(page, axe_source, javascript=False)
    assert violations == [], violations
