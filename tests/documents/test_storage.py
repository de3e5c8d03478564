"""Uploads and downloads through the storage module: real files, real rows. The tests that use
``app_store`` run on the upload folder and on the object store (tests/documents/conftest.py); the
others (types, names, limits, the folder itself) on the folder only."""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import secrets
import stat
import struct
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, abort, request
from flask.testing import FlaskClient
from sqlalchemy import event, func, select, text
from werkzeug.datastructures import FileStorage

from casework.auth.access import public
from casework.auth.models import User
from casework.core.audit import AuditEvent
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.documents.file_names import MAX_NAME_BYTES, safe_download_name
from casework.documents.file_store import FileStore
from casework.documents.file_types import ALLOWED_TYPES, accept_attribute, describe_allowed
from casework.documents.models import Document
from casework.documents.receiving import CHUNK_BYTES
from casework.documents.s3_store import S3Store
from casework.documents.storage import init_storage, read_document, send_document, store_upload, stored_path
from tests.conftest import app_beside, make_user
from tests.documents.stores import STORAGE_SETTINGS, configure_store, kept, provisional, store_contents
from tests.reviews.conftest import make_review
from tests.support.files import PDF

ALL_TYPES = "PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), CSV, plain text, PNG or JPEG"
WRONG_TYPE = f"The selected file must be a {ALL_TYPES}"

# --- real, minimal files -------------------------------------------------------------------

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
MZ_EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(50) + b"This program cannot be run"
)
ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + bytes(40)
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00;"
SCRIPT = b"#!/bin/sh\necho 'hello'\nrm -rf \"$HOME/tmp\"\n"

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # one grey pixel
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def zipped(*members: tuple[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            member = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # the same bytes every time
            member.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(member, data)
    return buffer.getvalue()


def content_types(part: str, main: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{part}" ContentType="{main}"/></Types>'
    )


def relationships(part: str) -> str:
    return (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="{part}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ).replace("{part}", part)


def docx(main: str = WORD_MAIN, *extra: tuple[str, bytes | str]) -> bytes:
    return zipped(
        ("[Content_Types].xml", content_types("/word/document.xml", main)),
        ("_rels/.rels", relationships("word/document.xml")),
        ("word/document.xml", '<w:document xmlns:w="urn:w"><w:body><w:p/></w:body></w:document>'),
        *extra,
    )


def xlsx() -> bytes:
    return zipped(
        ("[Content_Types].xml", content_types("/xl/workbook.xml", EXCEL_MAIN)),
        ("_rels/.rels", relationships("xl/workbook.xml")),
        ("xl/workbook.xml", '<workbook xmlns="urn:x"><sheets/></workbook>'),
    )


def odt(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    return zipped(
        ("mimetype", mimetype),
        ("content.xml", '<office:document-content xmlns:office="urn:o"/>'),
        ("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:m"/>'),
    )


def upload(data: bytes, name: str = "file.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def context(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    configure_store(request)
    with app.app_context():
        yield


@pytest.fixture
def uploader(context: None) -> User:
    return make_user()


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def document_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Document))


def committed_document_count(app: Flask) -> int:
    """Counted on a connection of its own: what another request would see."""
    with app.app_context(), db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Document))


def assert_kept_only(app: Flask, *stored_names: str) -> None:
    """The store holds the kept files of ``stored_names`` and nothing else, and the database
    their rows and no other, as another request would see them."""
    assert store_contents() == sorted(kept(name) for name in stored_names)
    assert committed_document_count(app) == len(stored_names)


# --- accepted files ------------------------------------------------------------------------


def test_an_upload_is_stored_under_a_random_name_with_its_details_recorded(
    app_store: FileStore, uploader: User
) -> None:
    document = store_upload(upload(PDF, "Agency report.pdf"), uploaded_by=uploader)
    db.session.commit()

    saved = db.session.get(Document, document.id)
    assert saved.original_name == "Agency report.pdf"
    assert saved.size == len(PDF)
    assert saved.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (saved.detected_type, saved.media_type) == ("pdf", "application/pdf")
    assert saved.uploaded_by_id == uploader.id
    assert saved.review_id is None and saved.contribution_request_id is None

    assert len(saved.stored_name) == 32 and int(saved.stored_name, 16) >= 0
    assert store_contents() == [kept(saved.stored_name)]
    assert read_document(saved) == PDF


# About the folder: where the file is on disk, and who may read it there.
def test_in_the_folder_a_file_is_private_and_outside_the_web_root(
    app: Flask, folder: Path, uploader: User
) -> None:
    document = store_upload(upload(PDF, "Agency report.pdf"), uploaded_by=uploader)
    db.session.commit()
    path = stored_path(document)
    assert path == folder / document.stored_name[:2] / document.stored_name
    assert path.read_bytes() == PDF
    static = Path(app.static_folder).resolve()
    assert static not in path.resolve().parents
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_two_uploads_of_the_same_file_get_different_names(app_store: FileStore, uploader: User) -> None:
    first = store_upload(upload(PDF), uploaded_by=uploader)
    second = store_upload(upload(PDF), uploaded_by=uploader)
    db.session.commit()
    assert first.stored_name != second.stored_name
    assert first.sha256 == second.sha256
    assert store_contents() == sorted([kept(first.stored_name), kept(second.stored_name)])


@pytest.mark.parametrize(
    ("data", "name", "kind", "media_type"),
    [
        (PDF, "report.pdf", "pdf", "application/pdf"),
        (docx(), "statement.docx", "docx", ALLOWED_TYPES["docx"].media_type),
        (xlsx(), "chronology.xlsx", "xlsx", ALLOWED_TYPES["xlsx"].media_type),
        (odt(), "minutes.odt", "odt", "application/vnd.oasis.opendocument.text"),
        ("name,town\nZoë Brontë,Llanelli\n".encode(), "people.csv", "csv", "text/csv"),
        (codecs.BOM_UTF8 + "name,town\r\nŁucja,Ystrad\r\n".encode(), "excel-export.CSV", "csv", "text/csv"),
        ("Notes\tfrom the meeting — 报告\n".encode(), "notes.txt", "txt", "text/plain"),
        (SCRIPT, "script.txt", "txt", "text/plain"),  # a script is text, and is kept as text
        (b"BMI,weight\n21,60\n", "measures.csv", "csv", "text/csv"),  # "BM" also starts a bitmap
        (b"MZ Smith,teacher\n", "staff.csv", "csv", "text/csv"),  # "MZ" also starts a Windows program
        (png(), "photo.png", "png", "image/png"),
        (JPEG, "photo.jpeg", "jpg", "image/jpeg"),
    ],
)
def test_allowed_types_are_recognised_by_their_content(
    app_store: FileStore, uploader: User, data: bytes, name: str, kind: str, media_type: str
) -> None:
    """On both stores: an office file is opened again from the store to look inside it."""
    document = store_upload(upload(data, name), uploaded_by=uploader)
    assert (document.detected_type, document.media_type) == (kind, media_type)
    assert read_document(document) == data


def test_a_file_posted_in_a_form(app: Flask, folder: Path, uploader: User) -> None:
    """As a browser sends it: multipart form data, parsed by Werkzeug."""
    form = {"file": (io.BytesIO(docx()), "Statement of Sam (final).docx")}
    with app.test_request_context("/", method="POST", data=form, content_type="multipart/form-data"):
        document = store_upload(request.files["file"], uploaded_by=uploader)
    assert (document.original_name, document.detected_type) == ("Statement of Sam (final).docx", "docx")
    assert read_document(document) == docx()


def test_the_content_decides_the_type_not_the_extension(uploader: User) -> None:
    assert store_upload(upload(png(), "scan.pdf"), uploaded_by=uploader).detected_type == "png"
    assert store_upload(upload(PDF, "letter.docx"), uploaded_by=uploader).detected_type == "pdf"


# --- refused files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (zipped(("notes.txt", "hello")), "archive.docx"),  # a plain zip
        (zipped(("word/document.xml", "<w:document/>")), "fake.docx"),  # looks like Word to filetype
        (docx(WORD_MACRO_MAIN, ("word/vbaProject.bin", b"\x00macro")), "macros.docx"),  # .docm renamed
        (docx(WORD_MAIN, ("word/vbaProject.bin", b"\x00macro")), "hidden-macros.docx"),
        (odt("application/vnd.oasis.opendocument.spreadsheet"), "sheet.odt"),  # ODS is not allowed
        (MZ_EXECUTABLE, "report.pdf"),
        (ELF_EXECUTABLE, "report.pdf"),
        (ELF_EXECUTABLE, "notes.txt"),
        (GIF, "picture.png"),
        (SCRIPT, "report.pdf"),  # text pretending to be a PDF
        (SCRIPT, "run.sh"),  # text is only taken as .txt or .csv
        (b"\x00\x01\x02\x03 some binary", "file.txt"),
        ("name,town\nZoë,Llanelli\n".encode("latin-1"), "people.csv"),
        ("name,town\nZoë,Llanelli\n".encode("utf-16"), "people.csv"),
        (b"plain words\x00with a NUL byte\n", "notes.txt"),
        (b"an escape \x1b[31m sequence\n", "notes.txt"),
        (b"\x80\x81 not utf-8", "notes.txt"),
    ],
)
def test_other_content_is_refused_whatever_its_name(
    app_store: FileStore, uploader: User, data: bytes, name: str
) -> None:
    """On both stores: what is refused, some of it after a second look, is removed again."""
    with pytest.raises(DomainError) as refused:
        store_upload(upload(data, name), uploaded_by=uploader)
    assert refused.value.message.startswith(WRONG_TYPE)
    assert refused.value.field == "file"
    assert store_contents() == []
    assert document_count() == 0


def test_text_that_is_not_utf8_is_refused_with_a_hint(uploader: User) -> None:
    with pytest.raises(DomainError) as refused:
        store_upload(upload("Zoë".encode("cp1252"), "people.csv"), uploaded_by=uploader)
    assert refused.value.message == f"{WRONG_TYPE}. CSV and text files must be saved as UTF-8"


def test_callers_can_narrow_the_allowed_types(uploader: User) -> None:
    narrow = {"pdf", "docx", "odt"}
    assert store_upload(upload(odt(), "a.odt"), uploaded_by=uploader, allowed=narrow).detected_type == "odt"
    with pytest.raises(DomainError) as refused:
        store_upload(upload(png(), "a.png"), uploaded_by=uploader, allowed=narrow)
    assert refused.value.message == "The selected file must be a PDF, Word (DOCX) or OpenDocument text (ODT)"
    with pytest.raises(DomainError) as refused:
        store_upload(upload(b"a,b\n", "a.csv"), uploaded_by=uploader, allowed={"xlsx"})
    assert refused.value.message == "The selected file must be an Excel (XLSX)"
    assert len(store_contents()) == 1


def test_an_unknown_allowed_type_is_a_programming_error(uploader: User) -> None:
    with pytest.raises(ValueError, match="allowed"):
        store_upload(upload(PDF), uploaded_by=uploader, allowed={"pdf", "exe"})
    with pytest.raises(ValueError, match="allowed"):
        store_upload(upload(PDF), uploaded_by=uploader, allowed=set())


def test_descriptions_for_messages_and_forms() -> None:
    assert describe_allowed() == ALL_TYPES
    assert describe_allowed({"png"}) == "PNG"
    assert accept_attribute({"jpg", "pdf"}) == ".pdf,.jpg,.jpeg"


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8])
def test_an_empty_file_is_refused(uploader: User, data: bytes) -> None:
    with pytest.raises(DomainError, match=r"^The selected file is empty$"):
        store_upload(upload(data, "empty.txt"), uploaded_by=uploader)
    assert store_contents() == []


def test_no_file_chosen(uploader: User) -> None:
    with pytest.raises(DomainError, match=r"^Select a file$"):
        store_upload(upload(b"", ""), uploaded_by=uploader)


def test_a_file_over_the_limit_is_refused(
    app: Flask, app_store: FileStore, uploader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On both stores: the refusal comes from inside the store's write, which must clean up."""
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 2048)
    assert store_upload(upload(b"x" * 2048, "fits.txt"), uploaded_by=uploader).size == 2048
    with pytest.raises(DomainError) as refused:
        store_upload(upload(b"x" * 2049, "big.txt"), uploaded_by=uploader)
    assert refused.value.message == "The selected file must be smaller than 2 KB"
    assert len(store_contents()) == 1


def test_the_default_limit_is_25_mb(app: Flask) -> None:
    assert app.config["MAX_UPLOAD_BYTES"] == 25 * 1024 * 1024 < app.config["MAX_CONTENT_LENGTH"]


class EndlessStream(io.RawIOBase):
    """An upload that never ends, counting what was taken from it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        buffer[:] = b"a" * len(buffer)
        self.served += len(buffer)
        return len(buffer)


def test_the_size_is_counted_while_streaming_never_read_whole(
    app: Flask, app_store: FileStore, uploader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 100_000)
    stream = EndlessStream()
    with pytest.raises(DomainError, match="smaller than"):
        store_upload(FileStorage(stream=stream, filename="endless.txt"), uploaded_by=uploader)
    assert stream.served <= 100_000 + CHUNK_BYTES
    assert store_contents() == []


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "recorded"),
    [
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\x.pdf", "x.pdf"),
        ("C:\\Users\\sam\\Desktop\\report.pdf", "report.pdf"),
        ("/etc/passwd", "passwd"),
        ("re\x00port.pdf", "report.pdf"),
        ("line\nbreak\r\n.pdf", "line break.pdf"),
        ("报告.pdf", "报告.pdf"),
        ("Адрес отчёт.pdf", "Адрес отчёт.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override
        ('what?<is>"this"|*.pdf', "what__is__this___.pdf"),
        ("...", "document.pdf"),
        ("..", "document.pdf"),
        (".pdf", "document.pdf"),
        ("", "document.pdf"),
        (" .hidden.pdf ", "hidden.pdf"),
    ],
)
def test_hostile_names_are_recorded_safely(uploader: User, given: str, recorded: str) -> None:
    document = store_upload(upload(PDF, given), uploaded_by=uploader)
    db.session.commit()
    assert db.session.get(Document, document.id).original_name == recorded
    # the only file is the randomly named one, inside the store
    assert store_contents() == [kept(document.stored_name)]


@pytest.mark.parametrize("given", ["a" * 1000 + ".pdf", "报" * 1000 + ".pdf", "x" * 300])
def test_long_names_are_cut_to_fit_keeping_the_extension(uploader: User, given: str) -> None:
    document = store_upload(upload(PDF, given), uploaded_by=uploader)
    db.session.commit()  # PostgreSQL enforces the 255-character column
    name = db.session.get(Document, document.id).original_name
    assert len(name.encode()) <= MAX_NAME_BYTES <= 255
    assert name.endswith(".pdf") == given.endswith(".pdf")
    assert name[0] == given[0]


@pytest.mark.parametrize(
    ("original", "detected_type", "expected"),
    [
        ("report.pdf", None, "report.pdf"),
        ("../../x", None, "x"),
        ("..\\..\\x", None, "x"),
        ("a\x00b\x07c.txt", None, "abc.txt"),
        ("报告.pdf", None, "报告.pdf"),
        ("....", None, "document"),
        ("", None, "document"),
        ("", "pdf", "document.pdf"),
        ("....", "jpg", "document.jpg"),
        ("photo.JPEG", "jpg", "photo.JPEG"),
        ("photo.pdf", "png", "photo.pdf.png"),
        ("run.bat", "txt", "run.bat.txt"),
        ("report", "docx", "report.docx"),
    ],
)
def test_safe_download_name(original: str, detected_type: str | None, expected: str) -> None:
    assert safe_download_name(original, detected_type=detected_type) == expected


def test_safe_download_name_limits_the_length() -> None:
    name = safe_download_name("é" * 500 + ".xlsx")
    assert name.endswith(".xlsx") and len(name.encode()) <= MAX_NAME_BYTES
    assert name.encode().decode() == name


# About the folder: paths on this machine (the stores' own tests refuse such names on both).
def test_a_stored_name_that_storage_did_not_make_is_never_a_path(context: None) -> None:
    for bad in ("../../etc/passwd", "ab/../../x", "", "A" * 32):
        with pytest.raises(ValueError, match="not a stored file name"):
            stored_path(Document(stored_name=bad))


# About the folder.
def test_the_upload_folder_must_be_outside_the_web_root(
    app: Flask, uploader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", Path(app.static_folder) / "uploads")
    with pytest.raises(RuntimeError, match="outside the web root"):
        init_storage(app)
    with pytest.raises(RuntimeError, match="outside the web root"):
        store_upload(upload(PDF), uploaded_by=uploader)
    assert not (Path(app.static_folder) / "uploads").exists()


# --- the file follows its transaction (on both stores) ------------------------------------


def test_a_rollback_removes_the_file(app: Flask, app_store: FileStore, uploader: User) -> None:
    store_upload(upload(PDF), uploaded_by=uploader)
    assert len(store_contents()) == 1
    db.session.rollback()
    assert store_contents() == []
    assert document_count() == 0


def test_a_committed_file_stays(app: Flask, app_store: FileStore, uploader: User) -> None:
    document = store_upload(upload(PDF), uploaded_by=uploader)
    db.session.commit()
    stored_name = document.stored_name
    db.session.rollback()
    db.session.close()
    assert_kept_only(app, stored_name)


def test_a_failed_commit_removes_the_file_and_leaves_no_row(
    app: Flask, app_store: FileStore, uploader: User
) -> None:
    first = store_upload(upload(PDF, "kept.pdf"), uploaded_by=uploader)
    db.session.commit()
    doomed = store_upload(upload(PDF, "doomed.pdf"), uploaded_by=uploader)
    # a second row that breaks a rule: the commit's flush fails
    db.session.add(
        Document(
            stored_name=doomed.stored_name,
            original_name="clash.pdf",
            size=1,
            sha256="0" * 64,
            detected_type="pdf",
            media_type="application/pdf",
            uploaded_by_id=uploader.id,
        )
    )
    assert provisional(doomed.stored_name) in store_contents()  # until it commits
    with pytest.raises(Exception, match=r"(?i)unique"):
        db.session.commit()
    db.session.rollback()
    assert_kept_only(app, first.stored_name)


def test_a_commit_refused_by_the_database_itself_removes_the_file(
    app: Flask, app_store: FileStore, uploader: User
) -> None:
    """The database accepts the row, then refuses the COMMIT (a deferred check fails)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA defer_foreign_keys = ON"))
        store_upload(upload(PDF), uploaded_by=uploader, contribution_request_id=2_000_000_000)
    else:
        # A constraint trigger that fails at COMMIT; it lives in the same transaction, so the
        # failed commit takes it away again.
        db.session.execute(
            text(
                "CREATE FUNCTION pg_temp.refuse_commit() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$"
            )
        )
        db.session.execute(
            text(
                "CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT ON documents "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_commit()"
            )
        )
        store_upload(upload(PDF), uploaded_by=uploader)
    db.session.flush()
    assert len(store_contents()) == 1
    with pytest.raises(Exception, match=r"(?i)foreign key|refused at commit"):
        db.session.commit()
    db.session.rollback()
    assert_kept_only(app)


def test_a_before_commit_failure_removes_the_file(app: Flask, app_store: FileStore, uploader: User) -> None:
    def refuse(session: object) -> None:
        raise RuntimeError("refused before commit")

    store_upload(upload(PDF), uploaded_by=uploader)
    event.listen(db.session, "before_commit", refuse)
    try:
        with pytest.raises(RuntimeError, match="refused before commit"):
            db.session.commit()
    finally:
        event.remove(db.session, "before_commit", refuse)
    db.session.rollback()
    assert_kept_only(app)


def test_a_session_closed_without_committing_removes_the_file(app: Flask, app_store: FileStore) -> None:
    """A request that ends without committing (an error, a forgotten commit)."""
    with app.app_context():
        user = make_user()
        store_upload(upload(PDF), uploaded_by=user)
        assert len(store_contents()) == 1
    assert store_contents(app_store) == []
    assert committed_document_count(app) == 0


def test_a_row_that_cannot_be_written_leaves_no_file(
    app: Flask, app_store: FileStore, uploader: User
) -> None:
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        store_upload(upload(PDF), uploaded_by=uploader, contribution_request_id=2_000_000_000)
    assert store_contents() == []
    db.session.rollback()
    assert document_count() == 0


def test_a_rolled_back_savepoint_removes_only_its_own_files(
    app: Flask, app_store: FileStore, uploader: User
) -> None:
    before = store_upload(upload(PDF, "before.pdf"), uploaded_by=uploader)
    savepoint = db.session.begin_nested()
    store_upload(upload(PDF, "inside.pdf"), uploaded_by=uploader)
    savepoint.rollback()
    assert store_contents() == [provisional(before.stored_name)]
    db.session.commit()
    assert_kept_only(app, before.stored_name)


def test_a_released_savepoint_still_depends_on_its_transaction(
    app: Flask, app_store: FileStore, uploader: User
) -> None:
    store_upload(upload(PDF, "before.pdf"), uploaded_by=uploader)  # the transaction has begun
    with db.session.begin_nested():
        store_upload(upload(PDF, "inside.pdf"), uploaded_by=uploader)
    assert len(store_contents()) == 2
    db.session.rollback()
    assert_kept_only(app)


def test_a_file_is_never_removed_from_under_a_committed_row(
    app: Flask, app_store: FileStore, uploader: User, caplog: pytest.LogCaptureFixture
) -> None:
    """The database committed although the session believes it did not (as when the connection
    drops during COMMIT): the row exists, so the file must stay."""
    document = store_upload(upload(PDF), uploaded_by=uploader)
    stored_name = document.stored_name
    db.session.connection().connection.dbapi_connection.commit()  # behind the session's back
    db.session.rollback()
    assert committed_document_count(app) == 1
    assert store_contents() == [kept(stored_name)]  # kept under its final name
    assert any("was saved although" in record.getMessage() for record in caplog.records)


def test_a_savepoint_that_begins_the_transaction_keeps_file_and_row_together(
    app: Flask, app_store: FileStore, uploader: User
) -> None:
    """With SQLite's driver, releasing a savepoint that began the transaction commits it; with
    PostgreSQL it does not. Either way the file exists exactly when its row does."""
    with db.session.begin_nested():
        document = store_upload(upload(PDF), uploaded_by=uploader)
    db.session.rollback()
    assert store_contents() == ([kept(document.stored_name)] if committed_document_count(app) else [])


def test_init_storage_can_be_repeated(app: Flask, app_store: FileStore, uploader: User) -> None:
    init_storage(app)
    init_storage(app)
    store_upload(upload(PDF), uploaded_by=uploader)
    db.session.rollback()
    assert store_contents() == []


# --- the file cannot be written ------------------------------------------------------------
# The first two are about the folder (the object store's failures: the next test and the
# stores' own tests).


def test_an_upload_folder_that_cannot_be_created(
    app: Flask, tmp_path: Path, uploader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", blocker / "uploads")
    with pytest.raises(DomainError) as refused:
        store_upload(upload(PDF), uploaded_by=uploader)
    assert refused.value.message.startswith("The file could not be saved")
    assert document_count() == 0
    assert [path.name for path in tmp_path.rglob("*")] == ["not-a-folder"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file size limit")
def test_a_write_that_fails_part_way_leaves_nothing(
    app: Flask, folder: Path, uploader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk refuses more data half way through the file (as when it is full)."""
    import resource
    import signal

    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 8 * 1024 * 1024)
    data = b"a line of text\n" * 200_000  # 3 MB
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, hard))
    try:
        with pytest.raises(DomainError) as refused:
            store_upload(upload(data, "long.txt"), uploaded_by=uploader)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert refused.value.message.startswith("The file could not be saved")
    assert files_in(folder) == []  # no temporary file either
    assert document_count() == 0


def test_an_object_store_that_refuses_the_write(
    app: Flask, object_store: S3Store, uploader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bucket that is not there (misconfigured, or deleted): the upload is refused, nothing kept."""
    monkeypatch.setitem(app.config, "STORAGE_URL", f"s3://casework-missing-{secrets.token_hex(4)}/uploads")
    with pytest.raises(DomainError) as refused:
        store_upload(upload(PDF), uploaded_by=uploader)
    assert refused.value.message.startswith("The file could not be saved")
    db.session.rollback()
    assert document_count() == 0
    assert store_contents(object_store) == []


# --- downloads -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def download_app(app: Flask) -> Iterator[Flask]:
    """The app with one more route, declared public so the access policy lets it through."""
    second = app_beside(app)
    init_storage(second)

    @public
    def download(document_id: int, user_id: int):  # type: ignore[no-untyped-def]
        document = db.session.get(Document, document_id) or abort(404)
        return send_document(document, user=db.session.get(User, user_id))

    second.add_url_rule("/test-download/<int:document_id>/<int:user_id>", "test_download", download)
    yield second
    with second.app_context():
        db.engine.dispose()


@pytest.fixture
def download_client(
    request: pytest.FixtureRequest, app: Flask, download_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> FlaskClient:
    """A client of the second app, which keeps its documents where the test's app does."""
    configure_store(request)
    for key in STORAGE_SETTINGS:
        monkeypatch.setitem(download_app.config, key, app.config.get(key))
    return download_app.test_client()


def stored(app: Flask, data: bytes, name: str, *, with_review: bool = False) -> tuple[int, int, int | None]:
    """Store and commit a document; its id, its uploader's id and its review's id."""
    with app.app_context():
        user = make_user()
        review = make_review() if with_review else None
        document = store_upload(upload(data, name), uploaded_by=user, review=review)
        db.session.commit()
        return document.id, user.id, review.id if review else None


def download_events(app: Flask) -> list[tuple[int | None, str | None, int | None, int | None]]:
    with app.app_context():
        found = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "document_downloaded"))
        return [(row.actor_id, row.subject_type, row.subject_id, row.review_id) for row in found]


def test_a_download_is_an_attachment_with_its_type_and_is_recorded(
    app: Flask, app_store: FileStore, download_client: FlaskClient
) -> None:
    document_id, user_id, review_id = stored(app, PDF, "../Agency report.pdf", with_review=True)
    response = download_client.get(f"/test-download/{document_id}/{user_id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="Agency report.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert download_events(app) == [(user_id, "Document", document_id, review_id)]


def test_a_non_latin_name_is_sent_as_rfc_5987(app: Flask, download_client: FlaskClient) -> None:
    document_id, user_id, _ = stored(app, PDF, "报告.pdf")
    response = download_client.get(f"/test-download/{document_id}/{user_id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=document.pdf; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"
    )
    assert download_events(app) == [(user_id, "Document", document_id, None)]


def test_a_download_name_always_ends_in_the_real_type(app: Flask, download_client: FlaskClient) -> None:
    document_id, user_id, _ = stored(app, png(), "scan.pdf")
    response = download_client.get(f"/test-download/{document_id}/{user_id}")
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == "attachment; filename=scan.pdf.png"


def test_a_text_download_says_it_is_utf8(app: Flask, download_client: FlaskClient) -> None:
    data = "name,town\nZoë,Llanelli\n".encode()
    document_id, user_id, _ = stored(app, data, "people.csv")
    response = download_client.get(f"/test-download/{document_id}/{user_id}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data == data


def test_a_file_missing_from_the_store_is_a_404_and_an_error_in_the_log(
    app: Flask, app_store: FileStore, download_client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    document_id, user_id, _ = stored(app, PDF, "gone.pdf")
    with app.app_context():
        app_store.delete(db.session.get(Document, document_id).stored_name)
    response = download_client.get(f"/test-download/{document_id}/{user_id}")
    assert response.status_code == 404
    assert any(
        record.levelname == "ERROR" and "missing from storage" in record.getMessage()
        for record in caplog.records
    )
    assert download_events(app) == []


def test_send_document_inside_a_request(app: Flask, folder: Path) -> None:
    document_id, user_id, _ = stored(app, JPEG, "photo.jpg")
    with app.test_request_context():
        response = send_document(db.session.get(Document, document_id), user=db.session.get(User, user_id))
        response.direct_passthrough = False
        assert response.get_data() == JPEG
        assert response.headers["Content-Disposition"] == "attachment; filename=photo.jpg"
        response.close()
    assert download_events(app) == [(user_id, "Document", document_id, None)]
