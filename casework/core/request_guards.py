"""Requests no page can use are refused before any view runs: ids the database cannot hold, and
text no database column can store."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

# The largest id an INTEGER column holds on PostgreSQL (SQLite's hold more). A larger number in a
# query is an error there ("integer out of range"), not a miss.
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000

NUL = "\x00"


class IdConverter(IntegerConverter):
    """``<int:...>`` in a URL: a larger number names no record, so the URL matches no route (404)
    rather than reaching the database, which would fail on it."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def as_id(value: object) -> int | None:
    """A record id sent in a form or a query, or None: only plain digits, and no larger than an id
    column holds (the database would fail on a larger one rather than find nothing)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def page_number(value: str | None) -> int:
    """``?page=``: anything but a sensible page number means the first page."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 6:
        return 1
    return min(max(int(value), 1), MAX_PAGE)


class UnstorableText(BadRequest):
    """What was sent holds a character no record can store (shown as its own 400 page)."""


def _has_nul(pairs: Any) -> bool:
    return any(NUL in key or NUL in (getattr(value, "filename", value) or "") for key, value in pairs)


def refuse_unstorable_text() -> None:
    """before_request hook: a NUL character anywhere in what was sent gets a 400 page.

    PostgreSQL cannot store NUL in text, and no one types it: it comes from a tool or from text
    pasted out of another program, so the page says so and nothing is saved. One check here
    covers every form, URL and search, including those of visitors who are not signed in."""
    if NUL in request.path or _has_nul(request.args.items(multi=True)):
        raise UnstorableText()
    if request.method in {"POST", "PUT", "PATCH"} and (
        _has_nul(request.form.items(multi=True)) or _has_nul(request.files.items(multi=True))
    ):
        raise UnstorableText()


def init_request_guards(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    # Runs before every other hook (sessions, the user loader, CSRF), so nothing reaches the database.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unstorable_text)
