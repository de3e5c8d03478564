"""Small valid files for uploads and checks, with or without planted text.

``PDF`` is the smallest PDF the storage accepts (it has no text); ``pdf_with`` and ``make_pdf``
write a real text layer, so the anonymisation check finds the planted words (``make_pdf`` also
makes pages with no text, a title, or a password). DOCX and ODT are built with the same libraries
the app reads them with, so what is planted is what the app sees; ``saved`` gives the bytes of a
document a test builds itself. ``upload`` wraps bytes as a posted file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import docx
from fpdf import FPDF
from odf.opendocument import OpenDocument, OpenDocumentText
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, P
from PIL import Image
from werkzeug.datastructures import FileStorage

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT_TYPE = "application/vnd.oasis.opendocument.text"
CSV_TYPE = "text/csv"

PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
    b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)
# A chronology import: the header the importer expects and one row.
CSV = b"date,time,practitioner_role,event,significance\r\n01/02/2025,09:30,PC,Visited the flat,Low\r\n"


def pdf_labelled(label: str) -> bytes:
    """A minimal PDF whose bytes carry ``label`` in a comment: distinct files, no text layer."""
    return (
        b"%PDF-1.4\n% " + label.encode() + b"\n1 0 obj << /Type /Catalog >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def saved(document: Any) -> bytes:
    """The bytes of a python-docx or odfpy document, as its file would hold them."""
    buffer = io.BytesIO()
    if isinstance(document, OpenDocument):
        document.write(buffer)
    else:
        document.save(buffer)
    return buffer.getvalue()


def make_pdf(pages: Sequence[str], title: str = "", password: str | None = None) -> bytes:
    """A PDF with a page for each text; "<image>" or "<rectangle>" makes a page with no text.
    ``password``: encrypted, so it cannot be read without it."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    if title:
        pdf.set_title(title)
    for page in pages:
        pdf.add_page()
        if page == "<image>":
            pdf.image(Image.new("RGB", (40, 30), "grey"), x=20, y=20, w=120)
        elif page == "<rectangle>":
            pdf.rect(20, 20, 120, 80, style="F")
        else:
            pdf.multi_cell(0, 6, page)
    if password is not None:
        pdf.set_encryption("owner", user_password=password)
    return bytes(pdf.output())


def pdf_with(*paragraphs: str) -> bytes:
    """A one-page PDF with these paragraphs as its text layer."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph)
    return bytes(pdf.output())


def make_docx(
    paragraphs: Sequence[str], rows: Sequence[Sequence[str]] = (), header: str = "", title: str = ""
) -> bytes:
    """A DOCX of paragraphs, then a table of ``rows``, with a header and a title if given."""
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if rows:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for row, values in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    if header:
        document.sections[0].header.paragraphs[0].text = header
    document.core_properties.title = title
    return saved(document)


def docx_with(*paragraphs: str) -> bytes:
    return make_docx(paragraphs)


def make_odt(heading: str, paragraphs: Sequence[str], cells: Sequence[str] = ()) -> bytes:
    """An ODT of a heading (none if empty), paragraphs, then a one-row table of ``cells``."""
    document = OpenDocumentText()
    if heading:
        document.text.addElement(H(outlinelevel=1, text=heading))
    for paragraph in paragraphs:
        document.text.addElement(P(text=paragraph))
    if cells:
        table = Table(name="Chronology")
        table.addElement(TableColumn(numbercolumnsrepeated=len(cells)))
        row = TableRow()
        for value in cells:
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
        document.text.addElement(table)
    return saved(document)


def odt_with(*paragraphs: str) -> bytes:
    return make_odt("", paragraphs)


def csv_with(*rows: tuple[str, str, str, str, str]) -> bytes:
    """A chronology CSV with these (date, time, role, event, significance) rows."""
    lines = ["date,time,practitioner_role,event,significance", *(",".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def upload(content: bytes, filename: str, content_type: str | None = None) -> FileStorage:
    """``content`` as a file a form posted, its type named from the file's extension by default."""
    types = {"pdf": PDF_TYPE, "docx": DOCX_TYPE, "odt": ODT_TYPE, "csv": CSV_TYPE}
    kind = content_type or types.get(filename.rpartition(".")[2].lower(), "application/octet-stream")
    return FileStorage(io.BytesIO(content), filename=filename, content_type=kind)
