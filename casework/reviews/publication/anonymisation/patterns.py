"""The pattern that finds each identifier in every way it is written: names in any case and
as whole words, with their parts together or apart; dates of birth in every common format;
addresses with the usual abbreviations of street words."""

from __future__ import annotations

import re
from datetime import date

from casework.reviews.publication.anonymisation.folding import fold
from casework.reviews.publication.anonymisation.results import MIN_NAME_PART, Identifier, count_letters

_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
ORDINAL = r"(?:\s?(?:st|nd|rd|th))?"
_STREET_WORDS = [
    ("road", "rd"),
    ("street", "st"),
    ("avenue", "ave", "av"),
    ("close", "cl"),
    ("drive", "dr"),
    ("lane", "ln"),
    ("crescent", "cres", "cresc"),
    ("gardens", "gdns"),
    ("terrace", "terr", "ter"),
    ("place", "pl"),
    ("court", "ct"),
    ("square", "sq"),
    ("grove", "gr"),
    ("park", "pk"),
]
_STREET_WORD = {word: group for group in _STREET_WORDS for word in group}
_NAME_GAP = r"(?:\s*-\s*|\s+)"  # "Mary-Ann", "Mary Ann", "Smith -\nJones"
_NAME_GAP_OR_NONE = r"(?:\s*-\s*|\s+|)"  # and "MaryAnn"
_WORD_JOIN = r"(?:\s*['\-]\s*|\s+|)"  # "O'Neill", "O Neill", "ONeill"; "Smith-Jones", "SmithJones"
_ADDRESS_GAP = r"[\s,./\-]*"  # "12 Acacia Avenue", "12, Acacia Avenue.", "AB12CD"


def pattern_for(identifier: Identifier) -> re.Pattern[str] | None:
    value = fold(identifier.value).strip()
    if not value:
        return None
    if identifier.kind == "date_of_birth":
        try:
            born = date.fromisoformat(value)
        except ValueError:
            return None
        return _date_pattern(born)
    if identifier.kind == "address":
        words = re.findall(r"\w+(?:'\w+)*", value)
        if not words:
            return None
        body = _ADDRESS_GAP.join(_address_word(word) for word in words)
        return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
    words = [[piece for piece in re.split(r"['\-]+", word) if piece] for word in value.split()]
    words = [pieces for pieces in words if pieces]
    if not words:
        return None
    body = ""
    for index, pieces in enumerate(words):
        if index:
            # "Mary Ann" is also written "MaryAnn"; "Jo Ng" is not "Jong" (too short to be sure).
            close = (
                count_letters(words[index - 1][-1]) >= MIN_NAME_PART
                and count_letters(pieces[0]) >= MIN_NAME_PART
            )
            body += _NAME_GAP_OR_NONE if close else _NAME_GAP
        body += _WORD_JOIN.join(re.escape(piece) for piece in pieces)
    # A possessive: "Smith's" is found by the whole-word rule; "Smiths'" needs its "s".
    return re.compile(rf"(?<!\w){body}(?:s(?='))?(?!\w)", re.IGNORECASE)


def _address_word(word: str) -> str:
    group = _STREET_WORD.get(word.casefold())
    return rf"(?:{'|'.join(group)})\.?" if group else re.escape(word)


def _date_pattern(born: date) -> re.Pattern[str]:
    day = rf"0?{born.day}" if born.day < 10 else str(born.day)
    month = rf"0?{born.month}" if born.month < 10 else str(born.month)
    year = rf"(?:{born.year}|{born.year % 100:02d})"
    name = _MONTHS[born.month - 1]
    month_name = rf"(?:{name}|{name[:3]}{'|sept' if born.month == 9 else ''})\.?"
    gap = r"(?:\s*[-/]\s*|\s+)"
    forms = [
        rf"(?<!\d){day}\s*(?P<a>[/.\-])\s*{month}\s*(?P=a)\s*{year}(?!\d)",  # 01/09/2025, 1.9.25
        rf"(?<!\d){born.year}\s*(?P<b>[/.\-])\s*{month}\s*(?P=b)\s*{day}(?!\d)",  # 2025-09-01
        rf"(?<!\w){day}{ORDINAL}(?:\s+of)?{gap}{month_name},?{gap}{year}(?!\d)",  # 1st September 2025
        rf"(?<!\w){month_name}{gap}{day}{ORDINAL},?{gap}{year}(?!\d)",  # September 1, 2025
    ]
    return re.compile("|".join(f"(?:{form})" for form in forms), re.IGNORECASE)
