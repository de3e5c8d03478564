"""Checking a report for confidential identifiers before it is published.

Two halves, both pure (no database, no Flask):

* :func:`extract_text` reads the words out of a PDF, DOCX or ODT file, part by part, each part
  with a location a person can find again ("page 2", "paragraph 14", "table 3").
* :func:`find_identifiers` searches that text for every identifier recorded on the review (names,
  dates of birth, the address), as built by :func:`identifiers_from`.

Extraction reads more than the visible body where a file keeps words elsewhere: headers, footers,
footnotes, comments, text boxes, tracked deletions and the document's properties (title, author,
subject, keywords), because all of those are published with the file.

The check can only see text. A PDF page that is a picture of words (a scan) has nothing to
search: :attr:`ExtractedText.extractable` is False when the whole document yields almost no
letters, and :attr:`ExtractedText.unchecked_pages` names the PDF pages that show images but yield
almost no text. Neither can be passed as clean; a person has to read them.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from casework.errors import DomainError

KINDS = ("pdf", "docx", "odt")
MIN_LETTERS = 20  # fewer letters than this in a whole document: nothing real to check
CONTEXT_CHARS = 40
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
class Finding:
    kind: str
    term: str  # the words as they appear in the document
    label: str
    location: str
    context: str


# --- text extraction ---------------------------------------------------------------------


def extract_text(data: bytes, kind: str) -> ExtractedText:
    """The text of a PDF, DOCX or ODT file; :class:`ExtractionError` when it cannot be read."""
    readers: dict[str, Callable[[bytes], ExtractedText]] = {
        "pdf": _extract_pdf,
        "docx": _extract_docx,
        "odt": _extract_odt,
    }
    if kind not in readers:
        raise ExtractionError(
            "Only PDF, Word (DOCX) and OpenDocument (ODT) files can be checked for identifying details."
        )
    if not data:
        raise ExtractionError(f"The {_KIND_NAMES[kind]} file is empty.")
    try:
        return readers[kind](data)
    except ExtractionError:
        raise
    except Exception as error:  # a damaged file fails in the parsers in many ways
        raise ExtractionError(
            f"The file could not be read as a {_KIND_NAMES[kind]}. It may be damaged, "
            f"or not really a {_KIND_NAMES[kind]}. Save it again and upload the new copy."
        ) from error


_KIND_NAMES = {"pdf": "PDF", "docx": "Word document (DOCX)", "odt": "OpenDocument text file (ODT)"}


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _result(
    content: list[TextPart],
    extra: list[TextPart],
    unchecked: list[str] | None = None,
    letters: int | None = None,
) -> ExtractedText:
    """Parts with text. Extractable is judged on the content (or the letters given), never on
    titles, bookmarks or comments."""
    if letters is None:
        letters = sum(_letters(part.text) for part in content)
    parts = [part for part in [*content, *extra] if part.text.strip()]
    return ExtractedText(parts=parts, extractable=letters >= MIN_LETTERS, unchecked_pages=unchecked or [])


# PDF


def _extract_pdf(data: bytes) -> ExtractedText:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            decrypted = reader.decrypt("")
        except (DependencyError, FileNotDecryptedError, NotImplementedError) as error:
            raise _protected_pdf() from error
        if not decrypted:
            raise _protected_pdf()
    content: list[TextPart] = []
    unchecked: list[str] = []
    letters = 0
    for number, page in enumerate(reader.pages, start=1):
        location = f"page {number}"
        page_text = page.extract_text() or ""
        letters += _letters(page_text)
        content.append(TextPart(location, "\n".join(filter(None, [page_text, *_pdf_annotations(page)]))))
        if _letters(page_text) < MIN_LETTERS and _pdf_page_has_images(page):
            unchecked.append(location)
    extra = [
        TextPart(PROPERTIES, _pdf_properties(reader)),
        TextPart("bookmarks", "\n".join(_pdf_outline_titles(reader.outline))),
    ]
    return _result(content, extra, unchecked, letters)


def _protected_pdf() -> ExtractionError:
    return ExtractionError(
        "The PDF is protected with a password or encryption, so its text cannot be checked. "
        "Save a copy without protection and upload that."
    )


def _pdf_annotations(page: Any) -> list[str]:
    """Comments and notes on the page: they travel with the published file."""
    if "/Annots" not in page:
        return []
    texts = []
    for reference in page["/Annots"] or []:
        annotation = reference.get_object()
        if isinstance(annotation, dict) and "/Contents" in annotation:
            texts.append(str(annotation["/Contents"]))
    return texts


def _pdf_page_has_images(page: Any) -> bool:
    try:
        return len(page.images) > 0
    except Exception:  # cannot tell: a page with no text stays unchecked
        return True


def _pdf_properties(reader: Any) -> str:
    info = reader.metadata
    if info is None:
        return ""
    return "\n".join(str(value) for value in (info.title, info.subject, info.author, info.keywords) if value)


def _pdf_outline_titles(outline: Any) -> Iterator[str]:
    for item in outline or []:
        if isinstance(item, list):
            yield from _pdf_outline_titles(item)
        elif getattr(item, "title", None):
            yield str(item.title)


# DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_DOCX_TEXT = {f"{_W}t", f"{_W}delText", f"{_W}instrText", f"{_W}delInstrText"}
_DOCX_SPACE = {f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
_DOCX_SEPARATED = {f"{_W}p", f"{_W}tc", f"{_W}tr"}  # nested paragraphs (text boxes) and cells
_DOCX_PROPERTIES = {f"{_W}{name}" for name in ("pPr", "rPr", "tblPr", "trPr", "tcPr", "sectPr", "tblGrid")}
_DOCX_OTHER_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml": "header",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml": "footer",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml": "footnotes",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml": "endnotes",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml": "comments",
}


def _extract_docx(data: bytes) -> ExtractedText:
    import docx
    from docx.oxml.parser import parse_xml

    document = docx.Document(io.BytesIO(data))
    content = _docx_body(document.element.body)
    counts: dict[str, int] = {}
    for part in document.part.package.iter_parts():
        name = _DOCX_OTHER_PARTS.get(part.content_type)
        if name is None:
            continue
        counts[name] = counts.get(name, 0) + 1
        element = getattr(part, "element", None)
        if element is None:
            element = parse_xml(part.blob)
        location = name if name in ("footnotes", "endnotes", "comments") else f"{name} {counts[name]}"
        content.append(TextPart(location, _docx_text(element)))
    properties = document.core_properties
    extra = [
        TextPart(
            PROPERTIES,
            "\n".join(
                filter(
                    None,
                    [
                        properties.title,
                        properties.subject,
                        properties.author,
                        properties.keywords,
                        properties.comments,
                        properties.category,
                    ],
                )
            ),
        )
    ]
    return _result(content, extra)


def _docx_body(body: Any) -> list[TextPart]:
    """Paragraphs and tables in reading order, including those inside content controls."""
    parts: list[TextPart] = []
    counts = {"paragraph": 0, "table": 0}

    def blocks(container: Any) -> None:
        for child in container:
            tag = child.tag
            if not isinstance(tag, str) or tag in _DOCX_PROPERTIES:
                continue
            if tag == f"{_W}p":
                counts["paragraph"] += 1
                parts.append(TextPart(f"paragraph {counts['paragraph']}", _docx_text(child)))
            elif tag == f"{_W}tbl":
                counts["table"] += 1
                parts.append(TextPart(f"table {counts['table']}", _docx_text(child)))
            else:  # content controls, custom XML, tracked block changes: look inside
                blocks(child)

    blocks(body)
    return parts


def _docx_text(element: Any) -> str:
    pieces: list[str] = []

    def visit(node: Any) -> None:
        tag = node.tag
        if not isinstance(tag, str) or tag == _MC_FALLBACK or tag in _DOCX_PROPERTIES:
            return  # comments, processing instructions, the duplicate copy of a text box
        if tag in _DOCX_TEXT:
            pieces.append(node.text or "")
            return
        if tag in _DOCX_SPACE:
            pieces.append(_DOCX_SPACE[tag])
            return
        if tag in _DOCX_SEPARATED and node is not element:
            pieces.append("\n")
        for child in node:
            visit(child)

    visit(element)
    return "".join(pieces).strip()


# ODT

_ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"


def _extract_odt(data: bytes) -> ExtractedText:
    from odf import opendocument

    document = opendocument.load(io.BytesIO(data))
    if not str(document.mimetype).startswith(_ODT_MIMETYPE):
        raise ValueError(f"not a text document: {document.mimetype}")
    content = _odt_paragraphs(document.text, "paragraph")
    content += [TextPart("header or footer", part.text) for part in _odt_paragraphs(document.masterstyles)]
    extra = [TextPart(PROPERTIES, _odt_properties(document.meta))]
    return _result(content, extra)


def _odt_paragraphs(root: Any, label: str = "paragraph") -> list[TextPart]:
    """Every paragraph and heading, in order, wherever it sits (tables, frames, notes, lists)."""
    from odf.namespaces import TEXTNS

    parts: list[TextPart] = []

    def walk(node: Any) -> None:
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE:
                continue
            if child.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
                parts.append(TextPart(f"{label} {len(parts) + 1}", _odt_text(child)))
            walk(child)

    if root is not None:
        walk(root)
    return parts


def _odt_properties(meta: Any) -> str:
    from odf.namespaces import DCNS, METANS

    wanted = {(DCNS, "title"), (DCNS, "subject"), (DCNS, "description"), (DCNS, "creator")}
    wanted |= {(METANS, "keyword"), (METANS, "initial-creator")}
    texts = []
    for child in meta.childNodes if meta is not None else []:
        if child.nodeType == child.ELEMENT_NODE and child.qname in wanted:
            texts.append("".join(t.data for t in child.childNodes if t.nodeType == t.TEXT_NODE))
    return "\n".join(texts)


def _odt_text(paragraph: Any) -> str:
    from odf.namespaces import DRAWNS, OFFICENS, TEXTNS

    spaces = {(TEXTNS, "tab"): "\t", (TEXTNS, "line-break"): "\n"}
    # Paragraphs inside these are found separately; their words must not run into this one's.
    separate = {(TEXTNS, "p"), (TEXTNS, "h"), (TEXTNS, "note"), (OFFICENS, "annotation"), (DRAWNS, "frame")}
    pieces: list[str] = []

    def visit(node: Any) -> None:
        for child in node.childNodes:
            if child.nodeType == child.TEXT_NODE:
                pieces.append(child.data)
            elif child.nodeType != child.ELEMENT_NODE:
                continue
            elif child.qname == (TEXTNS, "s"):
                pieces.append(" " * int(child.attributes.get((TEXTNS, "c"), 1)))
            elif child.qname in spaces:
                pieces.append(spaces[child.qname])
            elif child.qname in separate:
                pieces.append(" ")
            else:
                visit(child)

    visit(paragraph)
    return "".join(pieces).strip()


# --- identifiers -------------------------------------------------------------------------

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
    words = _NAME_WORD.findall(_plain_punctuation(full_name))
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
    words = _NAME_WORD.findall(_plain_punctuation(text))
    while words and words[0].casefold() in _LINKING_WORDS:
        words = words[1:]
    if not words or sum(_letters(word) for word in words) < 2:
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
        part for part in candidates if _letters(part) >= MIN_NAME_PART and part.casefold() not in _NOT_NAMES
    ]


def _address_identifiers(address: str) -> list[Identifier]:
    segments = [
        segment.strip() for segment in re.split(r"[\n\r,]+", _plain_punctuation(address)) if segment.strip()
    ]
    if not segments:
        return []
    first_line = segments[0]
    if _FLAT_ONLY.fullmatch(first_line) and len(segments) > 1:  # "Flat 3", "12": not a line alone
        first_line = f"{first_line}, {segments[1]}"
    found = [Identifier("address", first_line, "Address: first line")]
    street = _HOUSE_NUMBER.sub("", first_line).strip(" ,")
    if street and street != first_line and _letters(street) >= MIN_NAME_PART:
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


# --- search --------------------------------------------------------------------------------

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
_ORDINAL = r"(?:\s?(?:st|nd|rd|th))?"
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
_ADDRESS_GAP = r"[\s,./\-]*"  # "12 Acacia Avenue", "12, Acacia Avenue.", "AB12CD"


def find_identifiers(text: ExtractedText, identifiers: Iterable[Identifier]) -> list[Finding]:
    """Every occurrence of every identifier, in the order they appear in the document.

    Names match in any case and only as whole words ("Jo" is not found in "Joanne" or "job",
    but is in "Jo's"); accents, curly apostrophes, ligatures and dashes are treated as their
    plain forms. An occurrence matched by several identifiers (a full name and its first name)
    is one finding, for the longest match.
    """
    patterns = [(identifier, _pattern(identifier)) for identifier in identifiers]
    findings: list[Finding] = []
    for part in text.parts:
        folded, positions = _fold_with_positions(part.text)
        matches: list[tuple[int, int, Identifier]] = []
        for identifier, pattern in patterns:
            if pattern is None:
                continue
            for match in pattern.finditer(folded):
                if match.end() > match.start():
                    matches.append((positions[match.start()], positions[match.end()], identifier))
        matches.sort(key=lambda m: (m[0], m[0] - m[1]))
        reached = -1
        for start, end, identifier in matches:
            if end <= reached:
                continue  # inside a longer match already reported
            reached = end
            findings.append(
                Finding(
                    kind=identifier.kind,
                    term=" ".join(part.text[start:end].split()),
                    label=identifier.label,
                    location=part.location,
                    context=_context(part.text, start, end),
                )
            )
    return findings


def _pattern(identifier: Identifier) -> re.Pattern[str] | None:
    value = _fold(identifier.value).strip()
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
    else:
        words = re.findall(r"[^\s\-]+", value)
        if not words:
            return None
        body = _NAME_GAP.join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


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
        rf"(?<!\w){day}{_ORDINAL}(?:\s+of)?{gap}{month_name},?{gap}{year}(?!\d)",  # 1st September 2025
        rf"(?<!\w){month_name}{gap}{day}{_ORDINAL},?{gap}{year}(?!\d)",  # September 1, 2025
    ]
    return re.compile("|".join(f"(?:{form})" for form in forms), re.IGNORECASE)


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


def _plain_punctuation(text: str) -> str:
    """Curly apostrophes and dashes as plain ones; letters (accents and all) kept as they are."""
    return "".join(
        "'" if char in _APOSTROPHES else "-" if char in _DASHES else "" if char in _INVISIBLE else char
        for char in text
    )


def _fold(text: str) -> str:
    return "".join(_fold_char(char) for char in text)


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
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
