"""What the anonymisation check reads and finds: the text of a document, part by part, the
identifiers searched for and the matches found."""

from __future__ import annotations

from dataclasses import dataclass, field

from casework.core.errors import DomainError

MIN_LETTERS = 20  # fewer letters than this in a whole document: nothing real to check
MAX_LABEL = 200
MIN_NAME_PART = 3  # shorter name parts ("Jo", "Al") are searched only as part of a full name

PROPERTIES = "document properties"


class ExtractionError(DomainError):
    """The file cannot be read as the kind of document it claims to be."""


@dataclass(frozen=True)
class TextPart:
    location: str
    text: str


@dataclass(frozen=True)
class ExtractedText:
    parts: list[TextPart]
    extractable: bool
    # PDF pages that show images but yield (almost) no text, e.g. scanned pages: not checked.
    unchecked_pages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Identifier:
    kind: str  # "name" | "date_of_birth" | "address"
    value: str  # a date of birth is an ISO date: "2025-09-01"
    label: str  # what it is, never the value itself: "Child 1: surname"; at most MAX_LABEL characters


@dataclass(frozen=True)
class IdentifierMatch:
    kind: str
    term: str  # the words as they appear in the document
    label: str
    location: str
    context: str
    # What was searched for, folded ("name:jamie smith", or the kind of a possible identifier):
    # hashed before it is stored, so a finding can be recognised again in a later check.
    matched: str = ""
    folded_term: str = ""


def count_letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def text_result(
    content: list[TextPart],
    extra: list[TextPart],
    unchecked: list[str] | None = None,
    letters: int | None = None,
) -> ExtractedText:
    """Parts with text. Extractable is judged on the content (or the letters given), never on
    titles, bookmarks or comments."""
    if letters is None:
        letters = sum(count_letters(part.text) for part in content)
    parts = [part for part in [*content, *extra] if part.text.strip()]
    return ExtractedText(parts=parts, extractable=letters >= MIN_LETTERS, unchecked_pages=unchecked or [])


@dataclass(frozen=True)
class Match:
    """A match inside one part, before it becomes an :class:`IdentifierMatch`."""

    start: int  # in the part's own text
    end: int
    kind: str
    label: str
    matched: str
    folded_term: str
