"""What to search a report for: the names, dates of birth and address recorded on a review,
each with the variants people write, labelled without their values."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from casework.reviews.publication.anonymisation.folding import plain_punctuation
from casework.reviews.publication.anonymisation.results import (
    MAX_LABEL,
    MIN_NAME_PART,
    Identifier,
    count_letters,
)

_PERSON_KINDS = {"child": "Child", "parent_carer": "Parent or carer"}
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
# Words that join other names ("known as JJ, formerly Jamie Brown"), never names themselves.
_LINKING_WORDS = {"known", "also", "aka", "as", "previously", "formerly", "nee", "née", "and", "or", "called"}
# Recorded in a name field but not a name: an unnamed baby is often recorded as "Baby Smith".
_NOT_NAMES = _LINKING_WORDS | {"baby", "unborn", "infant", "child", "mr", "mrs", "miss", "ms", "mx", "dr"}
_POSTCODE = re.compile(r"(?<![^\W_])([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})(?![^\W_])", re.IGNORECASE)
_HOUSE_NUMBER = re.compile(
    r"^(?:(?:flat|apartment|apt|unit|room|suite)\.?\s*\d+[a-z]?\s*,?\s*)?"
    r"(?:no\.?\s*)?\d+[a-z]?(?:\s*-\s*\d+[a-z]?)?\s*,?\s*",
    re.IGNORECASE,
)
_FLAT_ONLY = re.compile(r"(?:(?:flat|apartment|apt|unit|room|suite|no)\.?\s*)?\d+[a-z]?", re.IGNORECASE)


def identifiers_from(people: Iterable[Any], address: str) -> list[Identifier]:
    """What to search for, from people with ``full_name``, ``other_names`` and ``date_of_birth``
    (and, when they have them, ``kind`` and ``position`` for the labels) and the address.

    Each full name; each part of it of three letters or more (first name, middle names,
    surname, and each half of a double-barrelled name); each other name and its parts; each date
    of birth; the address's first line, its street, its postcode and the whole address. An
    identifier shared by several people (siblings' surname) appears once, labelled for all.
    """
    found: list[Identifier] = []
    counts: dict[str, int] = {}
    for person in people:
        kind = str(getattr(person, "kind", "") or "")
        noun = _PERSON_KINDS.get(kind, "Person")
        counts[noun] = counts.get(noun, 0) + 1
        position = getattr(person, "position", None)
        who = f"{noun} {position if isinstance(position, int) else counts[noun]}"
        found += _name_identifiers(getattr(person, "full_name", "") or "", who)
        for other in re.split(r"[,;/\n()]+|\s+(?:and|or)\s+", getattr(person, "other_names", "") or ""):
            found += _other_name_identifiers(other, who)
        born = getattr(person, "date_of_birth", None)
        if isinstance(born, datetime):
            born = born.date()
        if isinstance(born, date):
            found.append(Identifier("date_of_birth", born.isoformat(), f"{who}: date of birth"))
    found += _address_identifiers(address or "")
    return _merged(found)


def _name_identifiers(full_name: str, who: str) -> list[Identifier]:
    words = _NAME_WORD.findall(plain_punctuation(full_name))
    if not words:
        return []
    found = [Identifier("name", " ".join(words), f"{who}: full name")]
    for index, word in enumerate(words):
        if len(words) == 1:
            role = "name"
        elif index == 0:
            role = "first name"
        elif index == len(words) - 1:
            role = "surname"
        else:
            role = "middle name"
        found += [Identifier("name", part, f"{who}: {role}") for part in _name_parts(word)]
    return found


def _other_name_identifiers(text: str, who: str) -> list[Identifier]:
    words = _NAME_WORD.findall(plain_punctuation(text))
    while words and words[0].casefold() in _LINKING_WORDS:
        words = words[1:]
    if not words or sum(count_letters(word) for word in words) < 2:
        return []
    found = [Identifier("name", " ".join(words), f"{who}: other name")]
    if len(words) > 1:
        for word in words:
            found += [Identifier("name", part, f"{who}: other name") for part in _name_parts(word)]
    return found


def _name_parts(word: str) -> list[str]:
    """The word, and each half of a hyphenated one, when three letters or more."""
    candidates = [word, *word.split("-")] if "-" in word else [word]
    return [
        part
        for part in candidates
        if count_letters(part) >= MIN_NAME_PART and part.casefold() not in _NOT_NAMES
    ]


def _address_identifiers(address: str) -> list[Identifier]:
    segments = [
        segment.strip() for segment in re.split(r"[\n\r,]+", plain_punctuation(address)) if segment.strip()
    ]
    if not segments:
        return []
    first_line = segments[0]
    if _FLAT_ONLY.fullmatch(first_line) and len(segments) > 1:  # "Flat 3", "12": not a line alone
        first_line = f"{first_line}, {segments[1]}"
    found = [Identifier("address", first_line, "Address: first line")]
    street = _HOUSE_NUMBER.sub("", first_line).strip(" ,")
    if street and street != first_line and count_letters(street) >= MIN_NAME_PART:
        found.append(Identifier("address", street, "Address: street"))
    whole = ", ".join(segments)
    postcode = _POSTCODE.search(whole)
    if postcode:
        normalised = f"{postcode[1]} {postcode[2]}".upper()
        found.append(Identifier("address", normalised, "Address: postcode"))
        whole = f"{whole[: postcode.start()]}{normalised}{whole[postcode.end() :]}"
    if whole.casefold() != first_line.casefold():
        found.append(Identifier("address", whole, "Address"))
    return found


def _merged(identifiers: list[Identifier]) -> list[Identifier]:
    """One identifier per value, labelled for everyone who shares it:
    "Child 1, Child 2, Parent or carer 1: surname"."""
    labels: dict[tuple[str, str], list[str]] = {}
    first: dict[tuple[str, str], Identifier] = {}
    for identifier in identifiers:
        key = (identifier.kind, " ".join(identifier.value.casefold().split()))
        first.setdefault(key, identifier)
        if identifier.label not in labels.setdefault(key, []):
            labels[key].append(identifier.label)
    return [Identifier(kept.kind, kept.value, _joined_label(labels[key])) for key, kept in first.items()]


def _joined_label(labels: list[str]) -> str:
    by_role: dict[str, list[str]] = {}
    for label in labels:
        who, _, role = label.rpartition(": ")
        by_role.setdefault(role, []).append(who)
    label = "; ".join(
        f"{', '.join(filter(None, whos))}: {role}" if any(whos) else role for role, whos in by_role.items()
    )
    return label if len(label) <= MAX_LABEL else f"{label[: MAX_LABEL - 1]}…"


def identifiers_fingerprint(identifiers: Iterable[Identifier]) -> str:
    """SHA-256 over the sorted identifiers: a check holds only while this is unchanged. The
    values go into the hash, never into storage."""
    canonical = json.dumps(
        sorted([i.kind, i.value, i.label] for i in identifiers), ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
