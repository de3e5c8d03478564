"""The app's Jinja environment: Flask's, with template globals whose keys compare quickly."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import KeysView, MutableMapping
from typing import Any

from flask.templating import Environment


class TemplateGlobals(ChainMap[str, Any]):
    """A template's globals (its own, then the environment's), as Jinja keeps them.

    Jinja compares the importing page's global names with these keys at every ``import`` (a page
    imports the GOV.UK macros a few dozen times), and a ChainMap answers each name in Python; the
    keys of one dict are compared in C. The keys are read when asked, so later globals count."""

    def keys(self) -> KeysView[str]:  # type: ignore[override]
        merged: dict[str, None] = {}
        for mapping in reversed(self.maps):
            merged.update(dict.fromkeys(mapping))
        return merged.keys()


class CaseworkEnvironment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return TemplateGlobals({} if d is None else d, self.globals)
