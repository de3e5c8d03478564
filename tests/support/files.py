"""Small valid files for uploads and checks, with or without planted text.

``PDF`` is the smallest PDF the storage accepts (it has no text); ``pdf_with`` writes a real text
layer, so the anonymisation check finds the planted words. DOCX and ODT are built with the same
libraries the app reads them with, so what is planted is what the app sees.
"""

from __future__ import annotations

import io

import docx
from fpdf import FPDF
from odf.opendocument import OpenDocumentText
from odf.text import P
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


def pdf_with(*paragraphs: str) -> bytes:
    """A one-page PDF with these paragraphs as its text layer."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph)
    return bytes(pdf.output())


def docx_with(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_with(*paragraphs: str) -> bytes:
    document = OpenDocumentText()
    for paragraph in paragraphs:
        document.text.addElement(P(text=paragraph))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def csv_with(*rows: tuple[str, str, str, str, str]) -> bytes:
    """A chronology CSV with these (date, time, role, event, significance) rows."""
    lines = ["date,time,practitioner_role,event,significance", *(",".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def upload(content: bytes, filename: str, content_type: str | None = None) -> FileStorage:
    """``content`` as a file a form posted, its type named from the file's extension by default."""
    types = {"pdf": PDF_TYPE, "docx": DOCX_TYPE, "odt": ODT_TYPE, "csv": CSV_TYPE}
    kind = content_type or types.get(filename.rpartition(".")[2].lower(), "application/octet-stream")
    return FileStorage(io.BytesIO(content), filename=filename, content_type=kind)
