"""The names of stored documents: as recorded, as offered for download, and in headers.

A name comes from the person uploading, so it is cleaned before anyone sees it: no path, no
control or bidirectional-override characters, none of the characters Windows forbids, and never
longer than MAX_NAME_BYTES.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from casework.documents.file_types import EXTENSIONS

MAX_NAME_BYTES = 200  # UTF-8 bytes of a display or download name: fits the column and every file system

_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,10})$")
_WINDOWS_RESERVED = str.maketrans(dict.fromkeys('<>:"|?*', "_"))
_KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}  # zero-width (non-)joiners: part of some scripts and emoji


def safe_download_name(original: str, *, detected_type: str | None = None) -> str:
    """A file name safe to show and to offer for download.

    Drops any path (``/`` and ``\\``), control and bidirectional-override characters and the
    characters Windows forbids; keeps non-Latin letters; limits the length to MAX_NAME_BYTES
    bytes of UTF-8, keeping the extension; never empty ("document", or "document.<ext>").
    With ``detected_type`` the name also ends in that type's extension, added when the name
    claims another ("notes.bat" sent as text becomes "notes.bat.txt").
    """
    stem, extension = clean_name(original)
    if detected_type is not None:
        wanted = EXTENSIONS[detected_type]
        if extension.lower() not in wanted:
            if extension:
                stem = f"{stem or 'document'}.{extension}"
            extension = wanted[0]
    return _join_name(stem, extension)


def display_name(declared_name: str, kind: str) -> str:
    """The uploaded name as recorded: cleaned, but keeping the extension the person gave it."""
    stem, extension = clean_name(declared_name)
    if not stem:
        return _join_name("document", extension or EXTENSIONS[kind][0])
    return _join_name(stem, extension)


def disposition_names(name: str) -> dict[str, str]:
    """Content-Disposition parameters: a plain ASCII filename, and RFC 5987 filename* when the
    real name is not ASCII."""
    if name.isascii():
        return {"filename": name}
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem, extension = clean_name(plain)
    quoted = quote(name, safe="!#$&+-.^_`|~")  # RFC 5987 attr-char
    return {"filename": _join_name(stem, extension), "filename*": f"UTF-8''{quoted}"}


def clean_name(original: str) -> tuple[str, str]:
    """The display-safe stem and extension of an uploaded name (either may be empty)."""
    name = unicodedata.normalize("NFC", original or "")
    kept = []
    for character in name:
        category = unicodedata.category(character)
        if character.isspace():
            kept.append(" ")
        elif category in ("Cc", "Cs") or (category == "Cf" and character not in _KEPT_FORMAT_CHARACTERS):
            continue  # control, lone surrogate, invisible format (e.g. right-to-left override)
        else:
            kept.append(character)
    name = re.split(r"[/\\]", "".join(kept))[-1]
    name = re.sub(r" {2,}", " ", name.translate(_WINDOWS_RESERVED))
    match = _EXTENSION.search(name)
    stem, extension = (name[: match.start()], match.group(1)) if match else (name, "")
    return stem.strip(" ."), extension


def _join_name(stem: str, extension: str) -> str:
    suffix = f".{extension}" if extension else ""
    budget = MAX_NAME_BYTES - len(suffix.encode())
    stem = stem.encode()[:budget].decode("utf-8", errors="ignore").rstrip(" .") or "document"
    return stem + suffix
