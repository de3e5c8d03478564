"""Long lists and long histories come a page at a time, with links to the next and back, and
every row on exactly one page: the agency lead's actions and requests, an action's history, a
request's chronology and the public register. The world (the demo with years of history on a
few records, tests/support/histories.py) is built once; the tests only read it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import html

from casework.actions.models import Action, ActionStatus
from casework.agencies.contributions import ContributionKind, ContributionRequest
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.demo import DEMO_USERS
from casework.reviews.models import Review
from tests.support import histories
from tests.support.demo import load_demo
from tests.support.http import client_as
from tests.support.readonly import built_once

MANAGER, POLICE_LEAD = "manager@northshire.example", "police.lead@northshire.example"


@dataclass(frozen=True)
class World:
    action: int  # with hundreds of updates
    request: int  # a chronology with hundreds of entries
    police_actions: int
    police_requests: int
    entries: int


def _user(email: str) -> User:
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one()


def _review(pseudonym: str) -> Review:
    return db.session.execute(db.select(Review).where(Review.pseudonym == pseudonym)).scalar_one()


pytestmark = pytest.mark.read_only


def _build(app: Flask) -> World:
    with app.app_context():
        load_demo(app)
        manager, lead = _user(MANAGER), _user(POLICE_LEAD)
        police = db.session.execute(db.select(Agency).where(Agency.name == "Northshire Police")).scalar_one()
        child_d, adult_g = _review("Child D"), _review("Adult G")
        action = db.session.execute(
            db.select(Action)
            .where(Action.review_id == child_d.id, Action.status == ActionStatus.ON_TRACK)
            .order_by(Action.id)
            .limit(1)
        ).scalar_one()
        request = db.session.execute(
            db.select(ContributionRequest)
            .where(
                ContributionRequest.review_id == child_d.id,
                ContributionRequest.kind == ContributionKind.CHRONOLOGY,
            )
            .order_by(ContributionRequest.id)
            .limit(1)
        ).scalar_one()
        histories.long_action_history(action, [lead, manager])
        histories.long_plan(child_d, police, lead, manager)
        histories.many_requests([child_d, adult_g], police, manager)
        histories.long_chronology(request, lead)
        db.session.commit()
        return World(
            action=action.id,
            request=request.id,
            police_actions=db.session.execute(
                db.select(db.func.count()).select_from(Action).where(Action.agency_id == police.id)
            ).scalar_one(),
            police_requests=db.session.execute(
                db.select(db.func.count())
                .select_from(ContributionRequest)
                .where(ContributionRequest.agency_id == police.id)
            ).scalar_one(),
            entries=len(request.entries),
        )


@pytest.fixture(scope="module")
def world(app: Flask) -> Iterator[World]:
    with built_once(app, lambda: _build(app), may_add_to={"audit_events"}) as built:
        yield built


def _client(app: Flask, email: str) -> FlaskClient:
    with app.app_context():
        user = _user(email)
    password = next(demo.password for demo in DEMO_USERS if demo.email == email)
    return client_as(app, user, password)


def _page(client: FlaskClient, path: str) -> html.HtmlElement:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return html.fromstring(response.get_data(as_text=True))


def _next(page: html.HtmlElement) -> str | None:
    links = page.xpath('//nav[@class="govuk-pagination"]//a[@rel="next"]/@href')
    return links[0] if links else None


def _walk(client: FlaskClient, path: str, rows: str) -> list[list[str]]:
    """Every page of a list, following its "next" links: the text of each page's rows."""
    pages: list[list[str]] = []
    next_path: str | None = path
    while next_path is not None:
        page = _page(client, next_path)
        pages.append([" ".join(row.text_content().split()) for row in page.xpath(rows)])
        next_path = _next(page)
        assert len(pages) < 100, "the pages never end"
    return pages


def _every_row_once(pages: list[list[str]], size: int, total: int) -> None:
    assert [len(rows) for rows in pages[:-1]] == [size] * (len(pages) - 1)
    assert 0 < len(pages[-1]) <= size
    assert sum(len(rows) for rows in pages) == total


def test_the_agency_leads_actions_come_a_page_at_a_time(app: Flask, world: World) -> None:
    client = _client(app, POLICE_LEAD)
    pages = _walk(client, "/actions/mine", '//table[@data-testid="my-actions"]/tbody/tr')
    _every_row_once(pages, 25, world.police_actions)
    links = _page(client, "/actions/mine").xpath('//table[@data-testid="my-actions"]//a/@href')
    later = _page(client, "/actions/mine?page=2").xpath('//table[@data-testid="my-actions"]//a/@href')
    assert not set(links) & set(later)
    # Past the end: a page that says so, not an error.
    past = _page(client, "/actions/mine?page=900")
    assert "No more actions" in past.text_content()


def test_the_agency_leads_requests_come_a_page_at_a_time(app: Flask, world: World) -> None:
    client = _client(app, POLICE_LEAD)
    pages = _walk(client, "/agencies/mine", '//table[@data-testid="requests"]/tbody/tr')
    _every_row_once(pages, 25, world.police_requests)
    assert "No more requests" in _page(client, "/agencies/mine?page=900").text_content()


def test_an_actions_history_shows_the_latest_updates_then_older_pages(app: Flask, world: World) -> None:
    client = _client(app, MANAGER)
    path = f"/actions/{world.action}"
    pages = _walk(client, path, '//ol[@data-testid="updates"]/li')
    assert [len(rows) for rows in pages[:8]] == [25] * 8
    assert "Update 199 of a long year." in pages[0][0]  # the newest first
    assert "Update 175 of a long year." in pages[0][-1]
    assert "Update 174 of a long year." in pages[1][0]
    assert any("Evidence: evidence-" in row for row in pages[0])
    first = _page(client, path)
    assert first.xpath('//a[@rel="next"]/@href') == [f"{path}?page=2"]
    assert "No earlier updates" in _page(client, f"{path}?page=900").text_content()


def test_a_requests_chronology_is_numbered_in_pages_of_fifty(app: Flask, world: World) -> None:
    client = _client(app, MANAGER)
    path = f"/agencies/requests/{world.request}"
    pages = _walk(client, path, '//table[@data-testid="entries"]/tbody/tr')
    _every_row_once(pages, 50, world.entries)
    first = _page(client, path)
    caption = " ".join(first.xpath('//table[@data-testid="entries"]/caption')[0].text_content().split())
    assert caption == f"{world.entries} entries, page 1 of {len(pages)}"
    assert _next(first) == f"{path}?page=2#entries"


def test_the_public_register_comes_a_page_at_a_time_in_the_order_of_its_sections(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_as(app, None)
    everything = _page(client, "/published-reviews/").xpath("//section/section/@data-testid")
    assert len(everything) >= 2
    monkeypatch.setattr("casework.public.views.PAGE_SIZE", 1)
    pages = _walk(client, "/published-reviews/", "//section/section")
    assert [len(rows) for rows in pages] == [1] * len(everything)
    one_by_one = [
        _page(client, f"/published-reviews/?page={number}").xpath("//section/section/@data-testid")[0]
        for number in range(1, len(everything) + 1)
    ]
    assert one_by_one == everything
