"""The words of a Word (DOCX) file: the body in reading order, headers, footers, notes,
comments, text boxes, tracked deletions, images' alternative texts and the properties."""

from __future__ import annotations

import io
from typing import Any

from casework.reviews.publication.anonymisation.results import (
    PROPERTIES,
    ExtractedText,
    TextPart,
    text_result,
)

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


def read_docx(data: bytes) -> ExtractedText:
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
        content += _docx_parts(location, element)
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
    return text_result(content, extra)


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

    def blocks(container: Any) -> None:
        for child in container:
            tag = child.tag
            if not isinstance(tag, str) or tag in _DOCX_PROPERTIES:
                continue
            if tag == f"{_W}p":
                counts["paragraph"] += 1
                parts.extend(_docx_parts(f"paragraph {counts['paragraph']}", child))
            elif tag == f"{_W}tbl":
                counts["table"] += 1
                parts.extend(_docx_parts(f"table {counts['table']}", child))
            else:  # content controls, custom XML, tracked block changes: look inside
                blocks(child)

    blocks(body)
    return parts


def _docx_parts(location: str, element: Any) -> list[TextPart]:
    """The element's words, and apart from them the alternative texts of its images."""
    text, descriptions = _docx_text(element)
    return [TextPart(location, text), TextPart(f"{location}, image descriptions", "\n".join(descriptions))]


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
