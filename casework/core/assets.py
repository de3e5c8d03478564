"""Static files under a path naming their version, so a browser keeps them and asks again only
after a deploy changed them.

Every asset URL carries a digest of the whole static folder: ``/static/<version>/app.js``. A
deploy that changes any file changes every URL, so the browser never uses an old copy, and
until then it keeps each file for a year without asking again, even to revalidate: a page then
costs one request instead of one for itself and one for each of its eight assets. The scripts'
relative imports (``./copy.js``) resolve under the same versioned path. Servers running the
same files compute the same version.

A URL of another version (a page rendered before a deploy, read after it) or of none is still
answered, with the current file, which the browser must revalidate each time. In debug mode
assets are always revalidated, so an edited file shows on the next reload.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

from flask import Flask, Response, current_app, request, send_from_directory

STATIC_FOLDER = Path(__file__).resolve().parent.parent / "static"
PREFIX = "/static"
KEPT = "public, max-age=31536000, immutable"  # a year: a versioned file never changes
REVALIDATED = "no-cache"
_VERSION = re.compile(r"[0-9a-f]{12}")


@functools.cache
def asset_version(folder: Path = STATIC_FOLDER) -> str:
    """A digest of every file's path and bytes under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(path for path in folder.rglob("*") if path.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_url_path() -> str:
    return f"{PREFIX}/{asset_version()}"


def is_asset_request(path: str) -> bool:
    return path.startswith(f"{PREFIX}/")


def any_version(filename: str) -> Response:
    """An asset asked for under another version or none: the current file, revalidated."""
    first, _, rest = filename.partition("/")
    if rest and _VERSION.fullmatch(first):
        filename = rest
    assert current_app.static_folder is not None
    return send_from_directory(current_app.static_folder, filename)


ASSET_ENDPOINTS = frozenset({"static", "static_any_version"})


def asset_cache_control(response: Response) -> str:
    """What the browser may keep of an asset response (the security headers ask, for assets)."""
    if request.endpoint == "static" and response.status_code in (200, 304) and not current_app.debug:
        return KEPT
    return REVALIDATED


def init_assets(app: Flask) -> None:
    """The route for other versions; the caller declares its access."""
    app.add_url_rule(f"{PREFIX}/<path:filename>", "static_any_version", any_version)
