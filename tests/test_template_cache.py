"""Compiled templates kept on disk (casework/core/template_cache.py): a new process uses them
instead of compiling again, and a folder that cannot be used never costs a page."""

from __future__ import annotations

import logging
from pathlib import Path

import jinja2
import pytest
from flask import Flask

from tests.conftest import app_beside


def _app(app: Flask, folder: Path | str) -> Flask:
    return app_beside(app, TEMPLATE_CACHE_FOLDER=str(folder))


def _sign_in_page(app: Flask) -> str:
    response = app.test_client().get("/sign-in")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_new_process_uses_the_templates_another_compiled(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _sign_in_page(_app(app, tmp_path))
    kept = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert len(kept) >= 5, kept.keys()  # the page, its layout and the GOV.UK macros it imports

    compiled: list[str | None] = []
    compile_source = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return compile_source(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    second = _sign_in_page(_app(app, tmp_path))
    assert compiled == []
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == kept
    # The same page, token and nonce apart.
    assert len(second.splitlines()) == len(first.splitlines())


def test_a_changed_template_is_compiled_again(app: Flask, tmp_path: Path) -> None:
    cached = _app(app, tmp_path)
    assert cached.test_client().get("/accessibility").status_code == 200
    environment, cache = cached.jinja_env, cached.jinja_env.bytecode_cache
    assert cache is not None
    name = "accessibility.html"
    source, filename, _ = environment.loader.get_source(environment, name)  # type: ignore[union-attr]
    assert cache.get_bucket(environment, name, filename, source).code is not None
    # After a deploy that changed the template, the file kept for the old source is not used.
    assert cache.get_bucket(environment, name, filename, source + "<p>New.</p>").code is None


def test_a_folder_that_cannot_be_written_costs_no_page(
    app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "cache"
    served = _app(app, folder)
    folder.rmdir()  # gone after start-up, as when a volume is unmounted
    with caplog.at_level(logging.WARNING, logger="casework.core.template_cache"):
        assert "Sign in" in _sign_in_page(served)
    assert "Could not keep a compiled template" in caplog.text


def test_a_folder_that_cannot_be_made_leaves_templates_in_memory(
    app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="casework.core.template_cache"):
        served = _app(app, tmp_path / "a-file" / "cache")
    assert served.jinja_env.bytecode_cache is None
    assert "Sign in" in _sign_in_page(served)
    assert "cannot be made" in caplog.text


def test_an_empty_setting_turns_the_cache_off(app: Flask) -> None:
    assert _app(app, "").jinja_env.bytecode_cache is None
