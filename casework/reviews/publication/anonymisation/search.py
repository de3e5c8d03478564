"""Searching extracted text for the identifiers: every occurrence, where it is and the words
around it; and, for the check before publication, the possible identifiers nobody recorded."""

from __future__ import annotations

import re
from collections.abc import Iterable

from casework.reviews.publication.anonymisation.folding import fold_with_positions, folded_key, key_text
from casework.reviews.publication.anonymisation.patterns import pattern_for
from casework.reviews.publication.anonymisation.possible import possible_identifiers
from casework.reviews.publication.anonymisation.results import (
    ExtractedText,
    Identifier,
    IdentifierMatch,
    Match,
)

CONTEXT_CHARS = 40


def find_identifiers(text: ExtractedText, identifiers: Iterable[Identifier]) -> list[IdentifierMatch]:
    """Every occurrence of every identifier, in the order they appear in the document.

    Names match in any case and only as whole words ("Jo" is not found in "Joanne" or "job",
    but is in "Jo's" and "Jos'"); accents, curly apostrophes, ligatures and dashes are treated as
    their plain forms; the parts of "O'Neill" or "Mary-Ann" may be written together or apart
    ("ONeill", "O Neill", "MaryAnn"); a word hyphenated across a line end ("Smi-" / "th") is read
    whole. An occurrence matched by several identifiers (a full name and its first name) is one
    finding, for the longest match.
    """
    return _search(text, list(identifiers), possible=False)


def check_text(text: ExtractedText, identifiers: Iterable[Identifier]) -> list[IdentifierMatch]:
    """:func:`find_identifiers`, and possible identifiers nobody recorded (postcodes, NHS numbers,
    phone numbers, email addresses, dates of birth, named schools and GP surgeries) where they
    do not overlap a recorded one."""
    return _search(text, list(identifiers), possible=True)


def _search(text: ExtractedText, identifiers: list[Identifier], possible: bool) -> list[IdentifierMatch]:
    patterns = [
        (identifier, pattern, f"{identifier.kind}:{folded_key(identifier.value)}")
        for identifier in identifiers
        if (pattern := pattern_for(identifier)) is not None
    ]
    findings: list[IdentifierMatch] = []
    for part in text.parts:
        variants = _searchable(part.text)
        recorded: dict[tuple[int, int, str], Match] = {}
        for identifier, pattern, matched in patterns:
            for folded, positions in variants:
                for match in pattern.finditer(folded):
                    if match.end() > match.start():
                        start, end = positions[match.start()], positions[match.end()]
                        recorded.setdefault(
                            (start, end, matched),
                            Match(start, end, identifier.kind, identifier.label, matched, key_text(match[0])),
                        )
        kept: list[Match] = []
        reached = -1
        for found in sorted(recorded.values(), key=lambda m: (m.start, m.start - m.end)):
            if found.end <= reached:
                continue  # inside a longer match already reported
            reached = found.end
            kept.append(found)
        if possible:
            taken = [(m.start, m.end) for m in kept]
            for found in possible_identifiers(variants):
                if not any(found.start < end and start < found.end for start, end in taken):
                    taken.append((found.start, found.end))
                    kept.append(found)
            kept.sort(key=lambda m: (m.start, m.start - m.end))
        findings += [
            IdentifierMatch(
                kind=found.kind,
                term=" ".join(part.text[found.start : found.end].split()),
                label=found.label,
                location=part.location,
                context=_context(part.text, found.start, found.end),
                matched=found.matched,
                folded_term=found.folded_term,
            )
            for found in kept
        ]
    return findings


# "Smi-" at the end of a line and "th" at the start of the next: one word. A soft hyphen too.
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u00ad\u2010\u2011][^\S\n]*\r?\n\s*(?=[^\W\d_])")


def _searchable(text: str) -> list[tuple[str, list[int]]]:
    """The folded text with positions back into ``text``; and, where a word is hyphenated across
    a line end, a second copy with those words joined, so both spellings are searched."""
    variants = [fold_with_positions(text)]
    if _LINE_END_HYPHEN.search(text):
        kept: list[str] = []
        origin: list[int] = []
        last = 0
        for match in _LINE_END_HYPHEN.finditer(text):
            kept.append(text[last : match.start()])
            origin += range(last, match.start())
            last = match.end()
        kept.append(text[last:])
        origin += range(last, len(text) + 1)
        folded, positions = fold_with_positions("".join(kept))
        variants.append((folded, [origin[index] for index in positions]))
    return variants


def _context(text: str, start: int, end: int) -> str:
    """About CONTEXT_CHARS either side of the match, cut at whole words, whitespace collapsed."""
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    cut_before = start > CONTEXT_CHARS and bool(before.strip())
    cut_after = end + CONTEXT_CHARS < len(text) and bool(after.strip())
    if cut_before and not text[start - CONTEXT_CHARS - 1].isspace():
        before = re.sub(r"^\S*", "", before, count=1)  # the cut word, unless it would leave nothing
    if cut_after and not text[end + CONTEXT_CHARS].isspace():
        after = re.sub(r"\S*$", "", after, count=1)
    context = " ".join(f"{before}{text[start:end]}{after}".split())
    return f"{'…' if cut_before else ''}{context}{'…' if cut_after else ''}"
