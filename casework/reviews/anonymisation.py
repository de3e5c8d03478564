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

import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from casework.core.errors import DomainError

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
        *_pdf_alternative_texts(reader),
        TextPart(PROPERTIES, _pdf_properties(reader)),
        TextPart("bookmarks", "\n".join(_pdf_outline_titles(reader.outline))),
    ]
    return _result(content, extra, unchecked, letters)


MAX_STRUCTURE_ELEMENTS = 50_000  # a tagged PDF's structure tree is walked at most this far


def _pdf_alternative_texts(reader: Any) -> list[TextPart]:
    """Alternative text of figures (/Alt), replacement text (/ActualText) and element titles in a
    tagged PDF's structure tree: screen readers speak them, so they are published words too."""
    root = reader.trailer["/Root"].get_object()
    if "/StructTreeRoot" not in root:
        return []
    pages = {
        getattr(page.indirect_reference, "idnum", None): n for n, page in enumerate(reader.pages, start=1)
    }
    found: dict[str, list[str]] = {}
    seen: set[int] = set()
    stack: list[tuple[Any, str]] = [(root["/StructTreeRoot"], "image descriptions")]
    steps = 0
    while stack and steps < MAX_STRUCTURE_ELEMENTS:
        steps += 1
        reference, location = stack.pop()
        idnum = getattr(reference, "idnum", None)
        if idnum is not None:
            if idnum in seen:
                continue  # a cycle in a hostile file
            seen.add(idnum)
        node = reference.get_object() if hasattr(reference, "get_object") else reference
        if isinstance(node, list):
            stack += [(child, location) for child in reversed(node)]
            continue
        if not hasattr(node, "get"):
            continue
        page = node.get("/Pg")
        if page is not None and getattr(page, "idnum", None) in pages:
            location = f"page {pages[page.idnum]}, image descriptions"
        for key in ("/Alt", "/ActualText", "/T", "/E"):
            value = node.get(key)
            if isinstance(value, str) and value.strip():
                found.setdefault(location, []).append(str(value))
        kids = node.get("/K")
        if kids is not None:
            stack += [(child, location) for child in reversed(kids if isinstance(kids, list) else [kids])]
    return [TextPart(location, "\n".join(texts)) for location, texts in found.items()]


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
    names = _docx_header_names(document)
    counts: dict[str, int] = {}
    for part in document.part.package.iter_parts():
        name = _DOCX_OTHER_PARTS.get(part.content_type)
        if name is None:
            continue
        counts[name] = counts.get(name, 0) + 1
        element = getattr(part, "element", None)
        if element is None:
            element = parse_xml(part.blob)
        location = names.get(str(part.partname)) or (
            name if name in ("footnotes", "endnotes", "comments") else f"{name} {counts[name]}"
        )
        text, descriptions = _docx_text(element)
        content.append(TextPart(location, text))
        content.append(TextPart(f"{location}, image descriptions", "\n".join(descriptions)))
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


_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_HEADER_KINDS = {"default": "", "first": " (first page)", "even": " (even pages)"}


def _docx_header_names(document: Any) -> dict[str, str]:
    """ "header, section 2 (first page)" for each header and footer part a section uses, so a
    finding names the one to open; every section's first-page and even-page ones included."""
    sections = list(document.element.body.iter(f"{_W}sectPr"))
    names: dict[str, str] = {}
    for number, section in enumerate(sections, start=1):
        for reference in section:
            if reference.tag not in (f"{_W}headerReference", f"{_W}footerReference"):
                continue
            related = document.part.rels.get(reference.get(f"{_R}id") or "")
            if related is None or related.is_external:
                continue
            noun = "header" if reference.tag == f"{_W}headerReference" else "footer"
            where = f", section {number}" if len(sections) > 1 else ""
            kind = _HEADER_KINDS.get(reference.get(f"{_W}type") or "default", "")
            names.setdefault(str(related.target_part.partname), f"{noun}{where}{kind}")
    return names


def _docx_body(body: Any) -> list[TextPart]:
    """Paragraphs and tables in reading order, including those inside content controls."""
    parts: list[TextPart] = []
    counts = {"paragraph": 0, "table": 0}

    def add(location: str, element: Any) -> None:
        text, descriptions = _docx_text(element)
        parts.append(TextPart(location, text))
        parts.append(TextPart(f"{location}, image descriptions", "\n".join(descriptions)))

    def blocks(container: Any) -> None:
        for child in container:
            tag = child.tag
            if not isinstance(tag, str) or tag in _DOCX_PROPERTIES:
                continue
            if tag == f"{_W}p":
                counts["paragraph"] += 1
                add(f"paragraph {counts['paragraph']}", child)
            elif tag == f"{_W}tbl":
                counts["table"] += 1
                add(f"table {counts['table']}", child)
            else:  # content controls, custom XML, tracked block changes: look inside
                blocks(child)

    blocks(body)
    return parts


# Images and shapes carry alternative text (what a screen reader says) and a title.
_DOCX_DESCRIBED = {
    "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr": ("descr", "title"),
    "{http://schemas.openxmlformats.org/drawingml/2006/picture}cNvPr": ("descr", "title"),
    "{urn:schemas-microsoft-com:vml}shape": ("alt",),
    "{urn:schemas-microsoft-com:vml}imagedata": ("{urn:schemas-microsoft-com:office:office}title",),
}


def _docx_text(element: Any) -> tuple[str, list[str]]:
    """The element's words, and the alternative texts and titles of its images and shapes."""
    pieces: list[str] = []
    descriptions: list[str] = []

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
        for attribute in _DOCX_DESCRIBED.get(tag, ()):
            value = (node.get(attribute) or "").strip()
            if value and value not in descriptions:
                descriptions.append(value)
        if tag in _DOCX_SEPARATED and node is not element:
            pieces.append("\n")
        for child in node:
            visit(child)

    visit(element)
    return "".join(pieces).strip(), descriptions


# ODT

_ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"


def _extract_odt(data: bytes) -> ExtractedText:
    from odf import opendocument

    document = opendocument.load(io.BytesIO(data))
    if not str(document.mimetype).startswith(_ODT_MIMETYPE):
        raise ValueError(f"not a text document: {document.mimetype}")
    content = _odt_paragraphs(document.text, "paragraph")
    content += [
        TextPart(
            "header or footer" + (", image description" if part.location.startswith("image") else ""),
            part.text,
        )
        for part in _odt_paragraphs(document.masterstyles)
    ]
    extra = [TextPart(PROPERTIES, _odt_properties(document.meta))]
    return _result(content, extra)


def _odt_paragraphs(root: Any, label: str = "paragraph") -> list[TextPart]:
    """Every paragraph and heading, in order, wherever it sits (tables, frames, notes, lists,
    comments), and the title and description (alternative text) of every image and shape."""
    from odf.namespaces import SVGNS, TEXTNS

    parts: list[TextPart] = []
    paragraphs = 0

    def walk(node: Any) -> None:
        nonlocal paragraphs
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE:
                continue
            if child.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
                paragraphs += 1
                parts.append(TextPart(f"{label} {paragraphs}", _odt_text(child)))
            elif child.qname in ((SVGNS, "title"), (SVGNS, "desc")):
                where = f"after {label} {paragraphs}" if paragraphs else f"before {label} 1"
                parts.append(TextPart(f"image description ({where})", _odt_text(child)))
                continue
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
_NAME_GAP_OR_NONE = r"(?:\s*-\s*|\s+|)"  # and "MaryAnn"
_WORD_JOIN = r"(?:\s*['\-]\s*|\s+|)"  # "O'Neill", "O Neill", "ONeill"; "Smith-Jones", "SmithJones"
_ADDRESS_GAP = r"[\s,./\-]*"  # "12 Acacia Avenue", "12, Acacia Avenue.", "AB12CD"


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


@dataclass(frozen=True)
class _Match:
    start: int  # in the part's own text
    end: int
    kind: str
    label: str
    matched: str
    folded_term: str


def _search(text: ExtractedText, identifiers: list[Identifier], possible: bool) -> list[IdentifierMatch]:
    patterns = [
        (identifier, pattern, f"{identifier.kind}:{folded_key(identifier.value)}")
        for identifier in identifiers
        if (pattern := _pattern(identifier)) is not None
    ]
    findings: list[IdentifierMatch] = []
    for part in text.parts:
        variants = _searchable(part.text)
        recorded: dict[tuple[int, int, str], _Match] = {}
        for identifier, pattern, matched in patterns:
            for folded, positions in variants:
                for match in pattern.finditer(folded):
                    if match.end() > match.start():
                        start, end = positions[match.start()], positions[match.end()]
                        recorded.setdefault(
                            (start, end, matched),
                            _Match(
                                start, end, identifier.kind, identifier.label, matched, _key_text(match[0])
                            ),
                        )
        kept: list[_Match] = []
        reached = -1
        for found in sorted(recorded.values(), key=lambda m: (m.start, m.start - m.end)):
            if found.end <= reached:
                continue  # inside a longer match already reported
            reached = found.end
            kept.append(found)
        if possible:
            taken = [(m.start, m.end) for m in kept]
            for found in _possible_identifiers(variants):
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


def folded_key(value: str) -> str:
    """One spelling of a value for comparing: no accents, no case, single spaces."""
    return " ".join(_fold(value).casefold().split())


def identifiers_fingerprint(identifiers: Iterable[Identifier]) -> str:
    """SHA-256 over the sorted identifiers: a check holds only while this is unchanged. The
    values go into the hash, never into storage."""
    canonical = json.dumps(
        sorted([i.kind, i.value, i.label] for i in identifiers), ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key_text(matched: str) -> str:
    """The matched words in one spelling: "O'Neill", "O Neill" and "ONEILL" all give "oneill"."""
    return re.sub(r"[\s'\-]+", "", matched.casefold())


# "Smi-" at the end of a line and "th" at the start of the next: one word. A soft hyphen too.
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u00ad\u2010\u2011][^\S\n]*\r?\n\s*(?=[^\W\d_])")


def _searchable(text: str) -> list[tuple[str, list[int]]]:
    """The folded text with positions back into ``text``; and, where a word is hyphenated across
    a line end, a second copy with those words joined, so both spellings are searched."""
    variants = [_fold_with_positions(text)]
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
        folded, positions = _fold_with_positions("".join(kept))
        variants.append((folded, [origin[index] for index in positions]))
    return variants


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
        return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
    words = [[piece for piece in re.split(r"['\-]+", word) if piece] for word in value.split()]
    words = [pieces for pieces in words if pieces]
    if not words:
        return None
    body = ""
    for index, pieces in enumerate(words):
        if index:
            # "Mary Ann" is also written "MaryAnn"; "Jo Ng" is not "Jong" (too short to be sure).
            close = _letters(words[index - 1][-1]) >= MIN_NAME_PART and _letters(pieces[0]) >= MIN_NAME_PART
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
        rf"(?<!\w){day}{_ORDINAL}(?:\s+of)?{gap}{month_name},?{gap}{year}(?!\d)",  # 1st September 2025
        rf"(?<!\w){month_name}{gap}{day}{_ORDINAL},?{gap}{year}(?!\d)",  # September 1, 2025
    ]
    return re.compile("|".join(f"(?:{form})" for form in forms), re.IGNORECASE)


# --- possible identifiers nobody recorded -----------------------------------------------------

POSSIBLE_KINDS = {
    "nhs_number": "an NHS number",
    "email": "an email address",
    "phone_number": "a phone number",
    "postcode": "a postcode",
    "birth_date": "a date of birth",
    "school": "the name of a school, college or nursery",
    "gp_surgery": "the name of a GP surgery or health centre",
}
POSSIBLE_LABEL = "Possible identifier, not recorded: {}"

_ENOUGH_DIGITS = re.compile(r"\d(?:[^\S\n]?[\-().]?[^\S\n]?\d){6}")  # the shortest phone number
_NHS_NUMBER = re.compile(r"(?<![\d.,/])(?<!\d[ -])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d.,/]?\d)")
_EMAIL = re.compile(r"(?<![\w.+%-])[\w.+%-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?<!\.)(?![\w@])")
# The Royal Mail's formats: A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA.
_ANY_POSTCODE = re.compile(
    r"(?<![^\W_])((?:[A-PR-UWYZ]\d[A-HJKPSTUW\d]?|[A-PR-UWYZ][A-HK-Y]\d[ABEHMNPRV-Y\d]?)"
    r"[^\S\n]{0,2}(\d[ABD-HJLNP-UW-Z]{2}))(?![^\W_])",
    re.IGNORECASE,
)
_ORDINALS = {"st", "nd", "rd", "th"}  # "A1 2nd" is a road and an ordinal, not a postcode
_D = r"(?:[12]\d|3[01]|0?[1-9])"
_M = r"(?:1[0-2]|0?[1-9])"
_MONTH_NAMES = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ANY_DATE = (
    rf"(?:(?<!\d){_D}\s*(?P<s>[/.\-])\s*{_M}\s*(?P=s)\s*(?:19|20)?\d\d(?!\d)"
    rf"|(?<!\d)(?:19|20)\d\d-{_M}-{_D}(?!\d)"
    rf"|(?<!\w){_D}{_ORDINAL}(?:\s+of)?[\s\-/]+{_MONTH_NAMES},?[\s\-/]+(?:19|20)\d\d(?!\d)"
    rf"|(?<!\w){_MONTH_NAMES}\s+{_D}{_ORDINAL},?\s+(?:19|20)\d\d(?!\d))"
)
_BIRTH = r"(?:born|d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date)"
# "born on 1 September 2025", "DOB: 01/09/2025", "1.9.25 (DOB)": a date next to the words.
_BIRTH_DATE = re.compile(
    rf"(?<!\w){_BIRTH}(?!\w)[^.;\n\d]{{0,30}}?(?P<date>{_ANY_DATE})"
    rf"|(?P<before>{_ANY_DATE.replace('(?P<s>', '(?P<t>').replace('(?P=s)', '(?P=t)')})"
    rf"\s*\(\s*(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth)\s*\)",
    re.IGNORECASE,
)
# A proper name before one of these words names a place someone can be found.
_PLACES = re.compile(
    r"(?<![\w-])(?:(?P<school>School|Academy|College|Nursery|Pre-?[Ss]chool)"
    r"|(?P<gp_surgery>Surgery|Medical Cent(?:re|er)|Health Cent(?:re|er)|Medical Practice))(?![\w-])"
)
_PLACE_WORD = re.compile(r"(?:St\.|[A-Z][\w'&.\-]*|&|of|and|the|upon|on|in|de|la|le)$")
_PLACE_LINKS = {"&", "of", "and", "the", "upon", "on", "in", "de", "la", "le"}
# Capitalised words that say what kind of place, not which one: "The Primary School", "GP Surgery".
_GENERIC_PLACE_TEXT = """
    the a an this that these those his her their its our your my local nearby new same primary secondary
    infant infants junior senior high grammar special independent private free boarding virtual
    community village day nursery school schools pre gp nhs general medical health family child children
    mother father each every another one which what whose at to from by with for when while after before
    both all any some no state church catholic ce rc c e sunday forest further education sixth form
    dental walk urgent care out hours and of in on upon de la le st royal national
"""
_GENERIC_PLACE_WORDS = set(_GENERIC_PLACE_TEXT.split())
# Words before a name that are never its first word ("Our Lady's", "St Mary's" and "Church of
# England" start names, so those stay).
_NOT_IN_A_NAME_TEXT = """
    the a an this that these those his her their its your my each every another which what whose
    at to from by with for when while after before both all any some no local nearby new same
"""
_NOT_IN_A_NAME = set(_NOT_IN_A_NAME_TEXT.split())
MAX_PLACE_WORDS = 6


def _possible_identifiers(variants: list[tuple[str, list[int]]]) -> list[_Match]:
    """Possible identifiers in one part, most certain kinds first (an NHS number before a phone
    number that looks the same)."""
    import phonenumbers

    found: list[_Match] = []

    def add(kind: str, start: int, end: int, positions: list[int], term: str) -> None:
        found.append(
            _Match(
                positions[start],
                positions[end],
                kind,
                POSSIBLE_LABEL.format(POSSIBLE_KINDS[kind]),
                kind,
                _key_text(term),
            )
        )

    for folded, positions in variants[:1]:  # numbers and addresses are not hyphenated across lines
        for match in _NHS_NUMBER.finditer(folded):
            if _nhs_checksum_ok(match[1] + match[3] + match[4]):
                add("nhs_number", match.start(), match.end(), positions, match[0])
        for match in _EMAIL.finditer(folded):
            add("email", match.start(), match.end(), positions, match[0])
        if _ENOUGH_DIGITS.search(folded):  # the matcher is slow: only where a number could be
            for number in phonenumbers.PhoneNumberMatcher(folded, "GB", leniency=phonenumbers.Leniency.VALID):
                add("phone_number", number.start, number.end, positions, number.raw_string)
        for match in _ANY_POSTCODE.finditer(folded):
            inward = match[2]
            if inward[1:].casefold() in _ORDINALS and not inward[1:].isupper():
                continue
            add("postcode", match.start(), match.end(), positions, match[0])
        for match in _BIRTH_DATE.finditer(folded):
            group = "date" if match["date"] else "before"
            add("birth_date", match.start(group), match.end(group), positions, match[group])
    for folded, positions in variants:
        for match in _PLACES.finditer(folded):
            start = _place_name_start(folded, match.start())
            if start is not None:
                kind = "school" if match["school"] else "gp_surgery"
                add(kind, start, match.end(), positions, folded[start : match.end()])
    return found


def _nhs_checksum_ok(digits: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _place_name_start(text: str, keyword_start: int) -> int | None:
    """Where the proper name before a word like "Academy" begins: capitalised words (and "of",
    "and", "&" between them), at most MAX_PLACE_WORDS; None if none of them names anything."""
    words = list(re.finditer(r"\S+", text[max(0, keyword_start - 200) : keyword_start]))
    offset = max(0, keyword_start - 200)
    name: list[re.Match[str]] = []
    for word in reversed(words):
        token = word[0]
        if len(name) >= MAX_PLACE_WORDS or not _PLACE_WORD.match(token):
            break
        if token.endswith((",", ";", ":")) or (token.endswith(".") and token not in ("St.", "Dr.")):
            break  # the end of a clause or a sentence, not part of the name
        if _PLACES.fullmatch(token) or token in ("Centre", "Center", "Practice"):
            break  # the end of the name of another place: "Oakfield School and Riverside Surgery"
        name.insert(0, word)
    while name and (name[0][0].casefold() in _NOT_IN_A_NAME or name[0][0] in _PLACE_LINKS):
        name.pop(0)  # "the Oakfield Academy": the name starts at "Oakfield"

    def naming(words: list[re.Match[str]]) -> bool:
        return any(
            _letters(word[0]) >= MIN_NAME_PART
            and re.sub(r"['\u2019]s$", "", word[0].casefold()).strip(".") not in _GENERIC_PLACE_WORDS
            for word in words
        )

    links = [index for index, word in enumerate(name) if word[0] in _PLACE_LINKS]
    # The words next to the place must name it: "Church of England School" does, but "Guidance of
    # the Royal College" does not ("Guidance" is only capitalised as a sentence's first word).
    last = name[links[-1] + 1 :] if links else name
    if all(_letters(word[0]) < MIN_NAME_PART for word in last):
        last = name  # "St Mary's C of E Academy": an abbreviation ends it
    return offset + name[0].start() if name and naming(last) else None


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


fold = _fold  # accents, curly apostrophes, dashes and invisible characters as their plain forms


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
