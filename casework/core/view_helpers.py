"""Shapes of view that every domain's pages share: a page of forms whose each form posts to a route
of its own, and one view behind several routes that differ only in what they pass it."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, Generic, TypeVar

from flask import Blueprint
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from casework.core.forms import submit

R = TypeVar("R")

Change = Callable[..., Any]


@dataclass(frozen=True)
class FormsPage(Generic[R]):
    """A page about one record that carries several forms, each posted to a route of its own.

    ``draw(record, **refused)`` draws the page, with a refused form in its place under its name
    (the page then answers 400); ``url(record)`` is the page's address, where a change that is
    made sends the person back."""

    draw: Callable[..., ResponseReturnValue]
    url: Callable[[R], str]

    def posts(
        self,
        name: str,
        form: type[FlaskForm] | Callable[[R], FlaskForm],
        success: str | Callable[[Any], str],
        *,
        anchor: str = "",
        then: Callable[[R], str | Callable[[Any], str]] | None = None,
    ) -> Callable[[Change], Callable[..., ResponseReturnValue]]:
        """Make a route's view from the change it posts: ``change(record, form, **rest)`` calls
        the service with what the form holds (``rest``: the URL's other arguments). The view
        reads the form (``form()``, or ``form(record)`` where its choices come from the record),
        sends it (:func:`casework.core.forms.submit`) and goes back to the page at ``anchor``, or
        to ``then(record)``; refused, it draws the page again with the form as ``name``."""

        def decorator(change: Change) -> Callable[..., ResponseReturnValue]:
            # The record is the change's first argument, under the name the route's loader gives it.
            record_argument = next(iter(inspect.signature(change).parameters))

            @wraps(change)
            def view(**arguments: Any) -> ResponseReturnValue:
                record = arguments.pop(record_argument)
                posted = form() if isinstance(form, type) else form(record)
                target = then(record) if then is not None else self.url(record) + anchor
                done = submit(posted, lambda: change(record, posted, **arguments), success, target)
                return done or self.draw(record, **{name: posted})

            return view

        return decorator


def route_each(
    bp: Blueprint,
    view: Callable[..., ResponseReturnValue],
    key: str,
    rules: Mapping[str, tuple[str, str]],
    **options: Any,
) -> None:
    """One view behind several routes, from a table of ``value: (endpoint, rule)``: each route
    keeps its own endpoint (the name pages build its address by) and passes ``value`` to the view
    as the argument ``key``."""
    for value, (endpoint, rule) in rules.items():
        bp.add_url_rule(rule, endpoint, view, defaults={key: value}, **options)
