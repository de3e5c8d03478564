"""What the register tells a visitor around the reviews: who to call when worried about a child
or an adult, what each type of review answers, and which partnership carried out each review."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.public.test_register import build_register


def _section(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start : start + 4000]


def test_the_register_says_who_carried_out_each_review_and_who_to_call(
    app: Flask, client: FlaskClient, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "WORRIED_ABOUT_A_CHILD", "Call the children's team on 01632 960998.")
    monkeypatch.setitem(app.config, "WORRIED_ABOUT_AN_ADULT", "Call the adults' team on 01632 960999.")
    cases = build_register(app, tmp_path, monkeypatch, keys=("recent", "last_year"))
    page = client.get("/published-reviews/").get_data(as_text=True)

    worried = _section(page, "worried")
    assert "Worried about a child or an adult?" in worried
    assert "Call the children&#39;s team on 01632 960998." in worried
    assert "Call the adults&#39; team on 01632 960999." in worried

    adult = _section(page, f"review-{cases['last_year'].reference}")
    assert "Northshire Safeguarding Adults Board" in adult  # an adult review is the Board's
    child = _section(page, f"review-{cases['recent'].reference}")
    assert "Carried out by</dt>" in child and app.config["PARTNERSHIP_NAME"] in child

    types = _section(page, "review-types")
    assert "The adult has needs for care and support" in types  # the SAR's criteria
    assert "recurrent themes" in types  # the CSPR's


def test_without_contacts_configured_the_block_is_not_shown(
    app: Flask, client: FlaskClient, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "WORRIED_ABOUT_A_CHILD", "")
    monkeypatch.setitem(app.config, "WORRIED_ABOUT_AN_ADULT", "")
    assert 'data-testid="worried"' not in client.get("/published-reviews/").get_data(as_text=True)
