"""Every main page of each role, rendered with the demo partnership: each id is used once on its
page (labels, error-summary links and scripts find the right field), and each page's title is its
own and names the record it is about."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import empty_database
from tests.support.http import client_as
from tests.support.main_pages import demo_password, load_demo_pages


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.title = ""
        self.text = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value for name, value in attrs if name == "id" and value]
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        self.text += data
        if self._in_title:
            self.title += data


@pytest.fixture(scope="module")
def rendered(app: Flask) -> Iterator[dict[tuple[str | None, str], _Page]]:
    pages = load_demo_pages(app)
    clients: dict[str | None, FlaskClient] = {}
    found = {}
    for page in pages:
        if page.who not in clients:
            clients[page.who] = client_as(app, page.who, demo_password(page.who) if page.who else "")
        response = clients[page.who].get(page.path)
        assert response.status_code == 200, page
        parsed = _Page()
        parsed.feed(response.get_data(as_text=True))
        found[(page.who, page.path)] = parsed
    yield found
    empty_database(app)


def test_no_page_uses_an_id_twice(rendered: dict[tuple[str | None, str], _Page]) -> None:
    repeated = {
        page: sorted(name for name, count in Counter(parsed.ids).items() if count > 1)
        for page, parsed in rendered.items()
    }
    problems = {page: ids for page, ids in repeated.items() if ids}
    assert problems == {}, "\n".join(f"{page}: {ids}" for page, ids in problems.items())


def test_each_page_has_its_own_title_naming_its_record(rendered: dict[tuple[str | None, str], _Page]) -> None:
    titles: dict[str, set[str]] = {}
    for (_, path), parsed in rendered.items():
        titles.setdefault(" ".join(parsed.title.split()), set()).add(path)
    shared = {title: sorted(paths) for title, paths in titles.items() if len(paths) > 1}
    assert shared == {}
    about_a_record = re.compile(r"^/(reviews|actions|agencies/requests)/\d+")
    unnamed = [
        (path, parsed.title)
        for (_, path), parsed in rendered.items()
        if about_a_record.match(path) and not REFERENCE.search(parsed.title)
    ]
    assert unnamed == []


REFERENCE = re.compile(r"\b(CSPR|SAR|DHR)-\d{4}-\d{3}\b")


def test_the_words_are_said_once_and_in_plain_english(rendered: dict[tuple[str | None, str], _Page]) -> None:
    for page, parsed in rendered.items():
        text = " ".join(parsed.text.split())
        assert not re.search(r"\w\(s\)", text), page  # "request(s)": proper plurals instead
        assert "target) (target)" not in text, page  # "(board's target) (target)"
        if "SAR-" in parsed.title or "DHR-" in parsed.title:
            assert not re.search(r"\bChild \d", text), page  # an adult is never "Child 1"
