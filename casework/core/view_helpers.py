"""Shapes of view that every domain's pages share: a page whose forms each post to a route of their
own, and one view behind several routes that differ only in what they pass it."""

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
View = Callable[..., ResponseReturnValue]


@dataclass(frozen=True)
class FormsPage(Generic[R]):
    """A page about one record that carries several forms, each posted to a route of its own.

    ``draw(record, **refused)`` draws the page, with a refused form in its place under its name
    (the page then answers 400); ``url(record)`` is the page's address, where a change that is
    made sends the person back."""

    draw: View
    url: Callable[[R], str]

    def answer(
        self,
        record: R,
        name: str,
        form: FlaskForm,
        change: Callable[[], Any],
        success: str | Callable[[Any], str],
        then: str | Callable[[Any], str] | None = None,
    ) -> ResponseReturnValue:
        """One of the page's forms, posted (:func:`casework.core.forms.submit`): on to ``then`` (by
        default back to the page), or the page again with the form in its place as ``name``."""
        target = self.url(record) if then is None else then
        return submit(form, change, success, target) or self.draw(record, **{name: form})

    def route(self, bp: Blueprint, rule: str, endpoint: str, access: Callable[[View], View]) -> None:
        """The page's own address: the page as first drawn, to whom ``access`` (the route's
        declaration, e.g. ``loads(Review)``, which gives the record) lets see it."""
        bp.add_url_rule(rule, endpoint, access(self.draw))

    def posts(
        self,
        name: str,
        form: type[FlaskForm] | Callable[[R], FlaskForm],
        success: str | Callable[[Any], str],
        *,
        anchor: str = "",
        then: Callable[[R], str | Callable[[Any], str]] | None = None,
    ) -> Callable[[Change], View]:
        """Make a route's view from the change it posts: ``change(record, form, **rest)`` calls
        the service with what the form holds (``rest``: the URL's other arguments). The view
        reads the form (``form()``, or ``form(record)`` where its choices come from the record),
        sends it (:func:`casework.core.forms.submit`) and goes back to the page at ``anchor``, or
        to ``then(record)``; refused, it draws the page again with the form as ``name``."""

        def decorator(change: Change) -> View:
            # The record is the change's first argument, under the name the route's loader gives it.
            record_argument = next(iter(inspect.signature(change).parameters))

            @wraps(change)
            def view(**arguments: Any) -> ResponseReturnValue:
                record = arguments.pop(record_argument)
                posted = form() if isinstance(form, type) else form(record)
                target = then(record) if then is not None else self.url(record) + anchor
                return self.answer(
                    record, name, posted, lambda: change(record, posted, **arguments), success, target
                )

            return view

        return decorator


def route_each(
    bp: Blueprint,
    view: View,
    key: str,
    rules: Mapping[str, tuple[str, str]],
    **options: Any,
) -> None:
    """One view behind several routes, from a table of ``value: (endpoint, rule)``: each route
    keeps its own endpoint (the name pages build its address by) and passes ``value`` to the view
    as the argument ``key``."""
    for value, (endpoint, rule) in rules.items():
        bp.add_url_rule(rule, endpoint, view, defaults={key: value}, **options)
