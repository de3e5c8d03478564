"""Reading the text out of a report: a PDF, DOCX or ODT file, each by its own reader."""

from __future__ import annotations

from collections.abc import Callable

from casework.reviews.publication.anonymisation.odt import read_odt
from casework.reviews.publication.anonymisation.pdf import read_pdf
from casework.reviews.publication.anonymisation.results import ExtractedText, ExtractionError
from casework.reviews.publication.anonymisation.word import read_docx

KINDS = ("pdf", "docx", "odt")


def extract_text(data: bytes, kind: str) -> ExtractedText:
    """The text of a PDF, DOCX or ODT file; :class:`ExtractionError` when it cannot be read."""
    readers: dict[str, Callable[[bytes], ExtractedText]] = {
        "pdf": read_pdf,
        "docx": read_docx,
        "odt": read_odt,
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
