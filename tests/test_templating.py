"""The app's Jinja environment: template globals as Jinja's own, with keys compared in C."""

from __future__ import annotations

from flask import Flask, render_template_string

from casework.core.templating import CaseworkEnvironment, TemplateGlobals


def test_the_app_uses_the_environment_and_its_globals(app: Flask) -> None:
    assert isinstance(app.jinja_env, CaseworkEnvironment)
    template = app.jinja_env.from_string("{{ x }}", globals={"x": 1})
    assert isinstance(template.globals, TemplateGlobals)
    assert template.globals["x"] == 1 and "url_for" in set(template.globals.keys())


def test_keys_are_read_when_asked_and_the_first_map_wins() -> None:
    own, shared = {"a": 1}, {"a": 2, "b": 3}
    chained = TemplateGlobals(own, shared)
    assert list(chained.keys()) == ["a", "b"] and chained["a"] == 1
    shared["c"] = 4
    assert {"a", "b", "c", "d"} - chained.keys() == {"d"}


def test_a_page_imports_the_macros_with_its_context(app: Flask) -> None:
    with app.test_request_context():
        page = render_template_string(
            '{% from "components/macros.html" import tag with context %}{{ tag("Late", "red") }}'
        )
    assert "Late" in page and "govuk-tag--red" in page
