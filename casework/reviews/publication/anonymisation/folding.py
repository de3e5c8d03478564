"""One spelling for comparing text: accents, curly apostrophes, dashes, ligatures and invisible
characters as their plain forms, with the way back to the original positions."""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that can sit inside a word in extracted text: soft hyphen, zero widths.
_INVISIBLE = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_APOSTROPHES = {"\u2018", "\u2019", "\u201b", "\u02bc", "\u0060", "\u00b4", "\u2032"}
_DASHES = {"\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63", "\uff0d"}


def _fold_char(char: str) -> str:
    if char in _INVISIBLE:
        return ""
    if char in _APOSTROPHES:
        return "'"
    if char in _DASHES:
        return "-"
    if char.isascii():
        return char
    decomposed = unicodedata.normalize("NFKD", char)  # é -> e, ﬁ -> fi, no-break space -> space
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def plain_punctuation(text: str) -> str:
    """Curly apostrophes and dashes as plain ones; letters (accents and all) kept as they are."""
    return "".join(
        "'" if char in _APOSTROPHES else "-" if char in _DASHES else "" if char in _INVISIBLE else char
        for char in text
    )


def fold(text: str) -> str:
    return "".join(_fold_char(char) for char in text)


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters (and its end) the index in ``text``."""
    if text.isascii():
        return text, list(range(len(text) + 1))
    pieces: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        pieces.append(folded)
        positions += [index] * len(folded)
    positions.append(len(text))
    return "".join(pieces), positions


def folded_key(value: str) -> str:
    """One spelling of a value for comparing: no accents, no case, single spaces."""
    return " ".join(fold(value).casefold().split())


def key_text(matched: str) -> str:
    """The matched words in one spelling: "O'Neill", "O Neill" and "ONEILL" all give "oneill"."""
    return re.sub(r"[\s'\-]+", "", matched.casefold())
