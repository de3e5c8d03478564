"""Reading hostile documents within bounds: real files (zip bombs, looping PDFs, very large
documents) checked by their structure and read in a real child process with real limits."""

from __future__ import annotations

import io
import os
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from fpdf import FPDF
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.documents.checks import DocumentUnreadable, Limits, check_document, open_archive, read_member
from casework.documents.isolation import run_isolated
from casework.documents.models import Document
from casework.documents.storage import init_storage, store_upload
from casework.reviews.publication.anonymisation.extraction import extract_text
from casework.reviews.publication.anonymisation.results import ExtractionError
from config import Config
from tests.conftest import make_user
from tests.documents.isolated_functions import (
    a_fraction,
    allocate,
    child_facts,
    crash,
    fail_with,
    inflate_ignoring_sizes,
    leave,
    parser_wrapping_memory_error,
    raise_unrebuildable,
    sleep,
    spin,
)

MB = 1024 * 1024
BOMB_MB = 300  # what the zip bomb's document.xml expands to

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCUMENT_START = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}" xmlns:r="{R}">'
    "<w:body>"
).encode()
DOCUMENT_END = b"<w:sectPr/></w:body></w:document>"


# --- real files ----------------------------------------------------------------------------


def ooxml_members(main: str = WORD_MAIN, part: str = "word/document.xml", image: bool = False) -> list:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="png" ContentType="image/png"/>'
        f'<Override PartName="/{part}" ContentType="{main}"/></Types>'
    )
    relationships = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{part}"/></Relationships>'
    )
    members = [("[Content_Types].xml", content_types), ("_rels/.rels", relationships)]
    if image:
        members.append(
            (
                "word/_rels/document.xml.rels",
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/image" Target="media/image1.png"/></Relationships>',
            )
        )
    return members


def paragraphs_xml(texts: list[str]) -> bytes:
    return b"".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode() for text in texts)


def docx_with(body: bytes, *, image: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in ooxml_members(image=bool(image)):
            archive.writestr(name, content)
        archive.writestr("word/document.xml", DOCUMENT_START + body + DOCUMENT_END)
        if image:
            archive.writestr("word/media/image1.png", image, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def zip_bomb(kind: str = "docx", megabytes: int = BOMB_MB) -> bytes:
    """A real document whose main part is ``megabytes`` MB of spaces inside one paragraph,
    compressed to well under 1 MB. Written a megabyte at a time: the test never holds it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
            part, start, end = "content.xml", b'<?xml version="1.0"?><office:document-content>', b"<"
        elif kind == "xlsx":
            for name, content in ooxml_members(EXCEL_MAIN, "xl/workbook.xml"):
                archive.writestr(name, content)
            part, start, end = "xl/workbook.xml", b'<?xml version="1.0"?><workbook>', b"</workbook>"
        else:
            for name, content in ooxml_members():
                archive.writestr(name, content)
            part = "word/document.xml"
            start, end = DOCUMENT_START + b"<w:p><w:r><w:t>", b"</w:t></w:r></w:p>" + DOCUMENT_END
        with archive.open(part, "w") as out:
            out.write(start)
            spaces = b" " * MB
            for _ in range(megabytes):
                out.write(spaces)
            out.write(end)
    return buffer.getvalue()


def central_entries(data: bytes) -> Iterator[int]:
    """Offsets of each central directory entry."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        yield at
        at = data.find(b"PK\x01\x02", at + 4)


def lying_about_sizes(data: bytes, part: str = "word/document.xml", declared: int = 4096) -> bytes:
    """The same archive, its directory and local header claiming ``part`` unpacks to
    ``declared`` bytes: the directory looks harmless, the data is still a bomb."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        member = archive.getinfo(part)
    struct.pack_into("<I", patched, member.header_offset + 22, declared)  # local header
    for at in central_entries(data):
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == part.encode():
            struct.pack_into("<I", patched, at + 24, declared)
    return bytes(patched)


def overlapping(data: bytes) -> bytes:
    """Every directory entry pointing at the first part's data: a few bytes, many expansions."""
    patched = bytearray(data)
    first = None
    for at in central_entries(data):
        offset = struct.unpack_from("<I", data, at + 42)[0]
        first = offset if first is None else first
        struct.pack_into("<I", patched, at + 42, first)
    return bytes(patched)


def pdf(*objects: bytes, root: int = 1, size: int | None = None) -> bytes:
    """A PDF with a correct cross-reference table, whatever its objects say."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    declared = size if size is not None else len(objects) + 1
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (declared, root, xref)
    return bytes(out)


def text_page(parent: int, contents: int) -> bytes:
    return (
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
        % (parent, contents)
    )


def stream(content: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def pdf_with_text_pages(pages: int, padding: int = 0) -> bytes:
    """``pages`` pages of real text, and an image of ``padding`` random bytes on the first."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for number in range(pages):
        lines = b"".join(
            b"(Page %d line %d: the partnership reviewed the practice of every agency involved.) Tj T* "
            % (number + 1, line)
            for line in range(40)
        )
        content = b"BT /F1 9 Tf 11 TL 40 800 Td " + lines + b"ET"
        page_number = len(objects) + 1
        objects.append(text_page(2, page_number + 1))
        objects.append(stream(content))
        kids.append(page_number)
    if padding:
        image = os.urandom(padding)
        objects.append(
            stream(image, b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8")
        )
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    return pdf(*objects)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb()


# --- zip archives: refused by their directory, before anything is decompressed -------------


@pytest.mark.parametrize("kind", ["docx", "xlsx", "odt"])
def test_a_zip_bomb_is_refused_by_its_directory_before_anything_is_read(kind: str) -> None:
    bomb = zip_bomb(kind, megabytes=100)
    assert len(bomb) < MB
    with pytest.raises(DocumentUnreadable, match="compressed more than 100 to 1"):
        check_document(bomb, kind)


def test_the_refusal_needs_no_decompression(bomb: bytes) -> None:
    # The compressed data is destroyed: a check that inflated anything would fail differently.
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        member = archive.getinfo("word/document.xml")
    data = bytearray(bomb)
    start = member.header_offset + 30 + len(member.filename) + 20
    data[start : start + member.compress_size - 40] = bytes(member.compress_size - 40)
    with pytest.raises(DocumentUnreadable, match="compressed more than"):
        check_document(bytes(data), "docx")


def test_the_declared_total_is_limited_even_at_ordinary_ratios() -> None:
    words = [f"Paragraph {number} of an ordinary report, {os.urandom(6).hex()}." for number in range(40_000)]
    document = docx_with(paragraphs_xml(words))
    check_document(document, "docx")  # within the default limits
    with pytest.raises(DocumentUnreadable, match="unpack to more than 1 MB"):
        check_document(document, "docx", limits=Limits(max_unpacked_mb=1))


def test_too_many_parts_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in ooxml_members():
            archive.writestr(name, content)
        for number in range(60):
            archive.writestr(f"word/media/{number}.png", b"x")
    with pytest.raises(DocumentUnreadable, match="more than 50 parts"):
        check_document(buffer.getvalue(), "docx", limits=Limits(max_parts=50))
    check_document(buffer.getvalue(), "docx", limits=Limits(max_parts=100))


def test_parts_are_counted_before_zipfile_lists_them_whatever_the_end_record_declares() -> None:
    # 200,000 directory entries (9 MB) behind an end record that declares 3: zipfile would build
    # an object for every one of them before any check could count them.
    entry = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0)
    directory = (entry + b"a") * 200_000
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 3, 3, len(directory), 0, 0)
    data = directory + end
    tracemalloc.start()
    try:
        with pytest.raises(DocumentUnreadable, match="more than 10,000 parts"):
            check_document(data, "docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(directory) + 4 * MB  # one copy of the directory, no objects
    # A directory larger than the allowed parts could need is refused without reading it.
    tracemalloc.start()
    try:
        with pytest.raises(DocumentUnreadable, match="more than 100 parts"):
            check_document(data, "docx", limits=Limits(max_parts=100))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MB


def test_parts_sharing_compressed_data_are_refused() -> None:
    document = docx_with(paragraphs_xml(["A short report."]))
    check_document(document, "docx")
    with pytest.raises(DocumentUnreadable, match="overlap"):
        check_document(overlapping(document), "docx")


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not really a zip", b"plain text, no archive"])
def test_a_file_that_is_not_an_archive_is_unreadable(data: bytes) -> None:
    with pytest.raises(DocumentUnreadable, match="damaged"):
        check_document(data, "docx")


def test_a_bomb_lying_about_its_sizes_passes_the_directory_but_not_the_reading(bomb: bytes) -> None:
    liar = lying_about_sizes(bomb)
    check_document(liar, "docx")  # the directory alone cannot tell
    # zipfile inflates a whole member before cutting it to the declared size: python-docx runs
    # out of memory in the child, which says so (not "damaged"), and this process is untouched.
    with pytest.raises(DocumentUnreadable, match="more than 256 MB of memory"):
        run_isolated(extract_text, liar, "docx", limits=Limits(memory_mb=256))
    # So does a reader that trusts nothing the directory says.
    with pytest.raises(DocumentUnreadable, match="more than 256 MB of memory"):
        run_isolated(inflate_ignoring_sizes, liar, limits=Limits(memory_mb=256))


def test_a_bomb_that_skipped_the_check_is_stopped_by_the_memory_limit(bomb: bytes) -> None:
    with pytest.raises(DocumentUnreadable, match="more than 512 MB of memory"):
        run_isolated(extract_text, bomb, "docx")


def test_members_are_read_in_bounded_chunks_whatever_they_declare(bomb: bytes) -> None:
    liar = lying_about_sizes(bomb, declared=BOMB_MB * MB)
    with zipfile.ZipFile(io.BytesIO(liar)) as archive:
        member = archive.getinfo("word/document.xml")
        tracemalloc.start()
        try:
            with pytest.raises(DocumentUnreadable, match="larger than 1 MB"):
                read_member(archive, member, MB)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 4 * MB
    with zipfile.ZipFile(io.BytesIO(liar)) as archive:
        assert read_member(archive, archive.getinfo("_rels/.rels"), MB).startswith(b"<?xml")


def test_open_archive_lists_a_good_archive() -> None:
    document = docx_with(paragraphs_xml(["Hello."]))
    with open_archive(io.BytesIO(document)) as archive:
        assert "word/document.xml" in archive.namelist()


# --- PDF: refused by its structure -----------------------------------------------------------


def test_a_real_pdf_passes_the_structure_check() -> None:
    document = FPDF()
    for _ in range(3):
        document.add_page()
        document.set_font("helvetica", size=12)
        document.cell(text="A page of the report.")
    check_document(bytes(document.output()), "pdf")
    check_document(pdf_with_text_pages(5), "pdf")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html>not a pdf</html>", "not a PDF"),
        (b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", "table that locates"),
        (b"%PDF-1.7\n1 0 obj << >> endobj\nstartxref\n999999\n%%EOF\n", "table that locates"),
    ],
    ids=["no header", "no startxref", "startxref outside the file"],
)
def test_an_obviously_malformed_pdf_is_refused_cheaply(data: bytes, message: str) -> None:
    with pytest.raises(DocumentUnreadable, match=message):
        check_document(data, "pdf")


def test_too_many_pages_declared_or_present_are_refused() -> None:
    five = pdf_with_text_pages(5)
    check_document(five, "pdf", limits=Limits(max_pages=5))
    with pytest.raises(DocumentUnreadable, match="more than 4 pages"):
        check_document(five, "pdf", limits=Limits(max_pages=4))
    claims_a_million = pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 1000000 >>"
    )
    with pytest.raises(DocumentUnreadable, match="more than 2,000 pages"):
        check_document(claims_a_million, "pdf")


def test_too_many_objects_declared_or_present_are_refused() -> None:
    declares = pdf(b"<< /Type /Catalog >>", size=10_000_000)
    with pytest.raises(DocumentUnreadable, match="more than 500,000 objects"):
        check_document(declares, "pdf")
    present = pdf(*[b"<< >>"] * 300)
    check_document(present, "pdf", limits=Limits(max_objects=301))
    with pytest.raises(DocumentUnreadable, match="more than 299 objects"):
        check_document(pdf(*[b"<< >>"] * 300, size=1), "pdf", limits=Limits(max_objects=299))


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        (b"1" * (5 * MB) + b" " * (5 * MB), None),  # where careless patterns backtrack
        (b"1 0 " * (2 * MB), None),
        (b"/Type /Pages /Count 1 " * 200_000, "more than 2,000 pages"),  # each looked at closely
        (b"/Type /ObjStm /N 1 " * 200_000, "more than 10,000 object streams"),
    ],
    ids=["runs of digits and spaces", "almost object headers", "page trees", "object streams"],
)
def test_the_pdf_check_stays_cheap_on_input_built_to_slow_it_down(body: bytes, refusal: str | None) -> None:
    hostile = b"%PDF-1.7\n" + body + b"\nstartxref\n9\n%%EOF\n"
    started = time.process_time()
    if refusal is None:
        check_document(hostile, "pdf")
    else:
        with pytest.raises(DocumentUnreadable, match=refusal):
            check_document(hostile, "pdf")
    assert time.process_time() - started < 10  # a quadratic check would take hours


LOOPS = {
    "page tree whose kids are itself": [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
    ],
    "page tree loop through a child": [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 2 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
    ],
    "object that is a reference to itself": [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"3 0 R",
        b"3 0 R",
    ],
}


@pytest.mark.parametrize("objects", LOOPS.values(), ids=LOOPS.keys())
def test_a_pdf_with_an_object_loop_fails_its_own_reading_only(objects: list[bytes]) -> None:
    looping = pdf(*objects)
    check_document(looping, "pdf")
    with pytest.raises((ExtractionError, DocumentUnreadable)):
        run_isolated(extract_text, looping, "pdf")


def test_a_small_pdf_that_makes_the_parser_work_for_minutes_is_stopped() -> None:
    # 50 pages share one content stream that inflates to ~1 MB of text operators: 13 KB of file,
    # minutes of parsing in one process. Only the CPU limit of the child stops it.
    content = (
        b"BT /F1 9 Tf 11 TL 40 800 Td " + b"(the partnership reviewed the practice) Tj T* " * 20_000 + b"ET"
    )
    pages = 50
    kids = b" ".join(b"%d 0 R" % (4 + number) for number in range(pages))
    amplifier = pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        stream(zlib.compress(content, 9), b"/Filter /FlateDecode"),
        *[text_page(2, 3)] * pages,
    )
    assert len(amplifier) < 20_000
    check_document(amplifier, "pdf")  # nothing wrong with its structure
    with pytest.raises(DocumentUnreadable, match="took more than 1 seconds"):
        run_isolated(extract_text, amplifier, "pdf", limits=Limits(cpu_seconds=1, timeout_seconds=30))


# --- very large but valid documents are read -------------------------------------------------


def test_a_docx_near_the_upload_limit_is_read_within_the_limits() -> None:
    words = [f"Paragraph {number}: the agencies met and shared what they knew." for number in range(60_000)]
    words[-1] = "The last paragraph names Jamie Example."
    document = docx_with(paragraphs_xml(words), image=os.urandom(20 * MB))
    assert 20 * MB < len(document) < Config.MAX_UPLOAD_BYTES
    check_document(document, "docx")
    result = run_isolated(extract_text, document, "docx")
    assert len([part for part in result.parts if part.location.startswith("paragraph")]) == 60_000
    assert result.parts[59_999].text == "The last paragraph names Jamie Example."


def test_a_pdf_of_many_pages_near_the_upload_limit_is_read_within_the_limits() -> None:
    document = pdf_with_text_pages(400, padding=20 * MB)
    assert 20 * MB < len(document) < Config.MAX_UPLOAD_BYTES
    check_document(document, "pdf")
    result = run_isolated(extract_text, document, "pdf")
    assert [part.location for part in result.parts][:400] == [f"page {n}" for n in range(1, 401)]
    assert "Page 400 line 39" in result.parts[399].text


# --- the isolated process ------------------------------------------------------------------


def test_a_result_comes_back() -> None:
    assert run_isolated(allocate, 10) == 10 * MB
    text = run_isolated(extract_text, docx_with(paragraphs_xml(["Hello from the child."])), "docx")
    assert text.parts[0].text == "Hello from the child."


def test_memory_beyond_the_limit_is_unreadable_not_a_crash() -> None:
    with pytest.raises(DocumentUnreadable, match="more than 256 MB of memory"):
        run_isolated(allocate, 400, limits=Limits(memory_mb=256))
    assert run_isolated(allocate, 100, limits=Limits(memory_mb=256)) == 100 * MB


def test_a_memory_error_wrapped_by_a_parser_is_still_about_memory() -> None:
    with pytest.raises(DocumentUnreadable, match="memory"):
        run_isolated(parser_wrapping_memory_error, limits=Limits(memory_mb=256))


def test_a_cpu_bound_loop_is_stopped_by_the_cpu_limit() -> None:
    with pytest.raises(DocumentUnreadable, match="took more than 1 seconds"):
        run_isolated(spin, limits=Limits(cpu_seconds=1, timeout_seconds=60))


def test_a_process_that_waits_is_killed_at_the_timeout() -> None:
    with pytest.raises(DocumentUnreadable, match=r"did not finish within 0\.3 seconds"):
        run_isolated(sleep, 60, limits=Limits(timeout_seconds=0.3))


def test_readings_from_many_threads_at_once_each_get_their_own_answer() -> None:
    # As in a threaded web server: each request's reading is its own process.
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda megabytes: run_isolated(allocate, megabytes), range(1, 13)))
    assert answers == [megabytes * MB for megabytes in range(1, 13)]


def test_exceptions_come_back_as_themselves() -> None:
    with pytest.raises(ExtractionError, match="damaged") as raised:
        run_isolated(fail_with, ExtractionError("The PDF is damaged."))
    assert raised.value.message == "The PDF is damaged."
    assert "fail_with" in str(raised.value.__cause__)  # where it happened, for the log
    with pytest.raises(DomainError) as raised:
        run_isolated(fail_with, DomainError("Not that one.", field="file"))
    assert (raised.value.message, raised.value.field) == ("Not that one.", "file")
    with pytest.raises(ExtractionError, match="could not be read as a PDF"):
        run_isolated(extract_text, b"%PDF-1.7\nnot really a document", "pdf")


@pytest.mark.parametrize(
    "function",
    [raise_unrebuildable, leave, crash, a_fraction],
    ids=["unpicklable exception", "sys.exit", "segfault", "unexpected class"],
)
def test_whatever_else_happens_in_the_child_is_unreadable(function) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DocumentUnreadable):
        run_isolated(function)


def test_an_answer_beyond_its_limit_is_refused() -> None:
    with pytest.raises(DocumentUnreadable, match="more text than can be checked"):
        run_isolated(os.urandom, 2 * MB, limits=Limits(max_result_mb=1))


def test_the_child_is_a_fresh_process_with_the_limits_applied() -> None:
    facts = run_isolated(child_facts, limits=Limits(memory_mb=300, cpu_seconds=7))
    assert facts["pid"] != os.getpid()
    assert facts["parent"] != os.getpid()  # forked by the forkserver, not by this process
    assert facts["memory"] == (300 * MB, 300 * MB)
    assert facts["cpu"] == (7, 8)
    assert facts["core"] == (0, 0)
    assert facts["threads"] == 1
    # Only a few harmless variables reach it (never credentials the server was given).
    kept = {"PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ"}
    assert set(os.environ) - kept  # there was something to drop
    assert set(facts["environment"]) <= kept


def test_limits_come_from_the_flask_config_in_an_app_context(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert Limits.current() == Limits()
    with app.app_context():
        assert Limits.current() == Limits()  # the config's defaults are the same
        monkeypatch.setitem(app.config, "EXTRACT_MEMORY_MB", 300)
        monkeypatch.setitem(app.config, "EXTRACT_CPU_SECONDS", 9)
        assert (Limits.current().memory_mb, Limits.current().cpu_seconds) == (300, 9)
        facts = run_isolated(child_facts)
    assert facts["memory"] == (300 * MB, 300 * MB)
    assert facts["cpu"] == (9, 10)


# --- the upload: type detection uses the same archive checks ---------------------------------


@pytest.fixture
def uploads(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", folder)
    init_storage(app)
    with app.app_context():
        yield folder


def test_a_zip_bomb_uploaded_as_a_docx_is_refused_without_being_unpacked(bomb: bytes, uploads: Path) -> None:
    upload = FileStorage(io.BytesIO(bomb), filename="report.docx")
    tracemalloc.start()
    try:
        with pytest.raises(
            DomainError, match=r"cannot be accepted\. A part of the file is compressed more"
        ) as raised:
            store_upload(upload, uploaded_by=make_user())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert raised.value.field == "file"
    assert peak < 8 * MB  # nothing like the 300 MB it unpacks to
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert not [path for path in uploads.rglob("*") if path.is_file()]


def test_an_ordinary_docx_upload_still_passes(uploads: Path) -> None:
    upload = FileStorage(io.BytesIO(docx_with(paragraphs_xml(["Hello."]))), filename="report.docx")
    assert store_upload(upload, uploaded_by=make_user()).detected_type == "docx"
