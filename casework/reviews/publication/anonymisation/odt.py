"""The words of an OpenDocument text (ODT) file: every paragraph and heading wherever it sits,
the headers and footers, images' titles and descriptions, and the properties."""

from __future__ import annotations

import io
from typing import Any

from casework.reviews.publication.anonymisation.results import (
    PROPERTIES,
    ExtractedText,
    TextPart,
    text_result,
)

_ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"


def read_odt(data: bytes) -> ExtractedText:
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
    return text_result(content, extra)


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
