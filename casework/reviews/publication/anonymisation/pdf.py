"""The words of a PDF: each page's text and notes, the alternative texts of a tagged PDF, the
bookmarks and the document's properties; and the pages that show images but yield no text."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from casework.reviews.publication.anonymisation.results import (
    MIN_LETTERS,
    PROPERTIES,
    ExtractedText,
    ExtractionError,
    TextPart,
    count_letters,
    text_result,
)


def read_pdf(data: bytes) -> ExtractedText:
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
        letters += count_letters(page_text)
        content.append(TextPart(location, "\n".join(filter(None, [page_text, *_pdf_annotations(page)]))))
        if count_letters(page_text) < MIN_LETTERS and _pdf_page_has_images(page):
            unchecked.append(location)
    extra = [
        *_pdf_alternative_texts(reader),
        TextPart(PROPERTIES, _pdf_properties(reader)),
        TextPart("bookmarks", "\n".join(_pdf_outline_titles(reader.outline))),
    ]
    return text_result(content, extra, unchecked, letters)


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
