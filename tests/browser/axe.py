"""axe-core, the automated accessibility check the browser tests run on pages (WCAG 2.0, 2.1 and
2.2 A and AA rules; serious and critical findings fail)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ASSETS = Path(__file__).resolve().parents[2] / "assets"
AXE = ASSETS / "node_modules" / "axe-core" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def load_axe_source() -> str:
    """axe-core from the assets' locked devDependencies, installed with npm ci when missing."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            message = "npm is not installed; the accessibility check needs axe-core from assets/ (npm ci)"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(message)
            pytest.skip(message)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ASSETS, check=True, timeout=600)
    assert AXE.exists(), f"npm ci did not install {AXE}"
    return AXE.read_text(encoding="utf-8")


# With the page's JavaScript off the browser fires no timers, and axe waits on them between its
# checks: run them as soon as the current one ends instead. The page's own scripts stay off.
TIMERS_WITHOUT_JAVASCRIPT = """() => {
  window.setTimeout = (callback, delay, ...args) => {
    Promise.resolve().then(() => callback(...args));
    return 0;
  };
  window.clearTimeout = () => {};
}"""


def preload_axe(context, axe_source: str) -> None:  # type: ignore[no-untyped-def]
    """Have the browser load axe-core into every page the context opens (with JavaScript on), as it
    loads the page, rather than each check sending it again."""
    context.add_init_script(script=axe_source)


def axe_violations(page, axe_source: str, *, javascript: bool) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    # Evaluated by the test driver, not by the page: the page's CSP does not apply to it.
    if not javascript:
        page.evaluate(TIMERS_WITHOUT_JAVASCRIPT)
    if not page.evaluate("() => typeof window.axe === 'object'"):  # not loaded by preload_axe
        page.evaluate(axe_source + "\n;undefined")
    result = page.evaluate(
        # Only violations are read: axe then keeps one node of each passing rule, not all of them.
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_A_AA,
    )
    assert result["passes"], "axe ran no checks"
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
