"""The one way files enter and leave the product.

Every upload goes through :func:`store_upload`: the content (never the name) decides its type,
the file is written under a random name in ``UPLOAD_FOLDER`` (outside the web root), and a
:class:`Document` row describes it. Every download goes through :func:`send_document`, which
records who took a copy.

The file is written before the transaction commits, so the file and its row must live and die
together. It is written under a temporary name (``<stored name>.part``) and noted in the session;
a commit renames it into place, and a transaction that ends any other way (rollback, failed
commit, a session closed without committing, a rolled-back savepoint) removes it. When the
outermost transaction ends, a file is removed only once the database, asked afresh, confirms that
its row does not exist: a file is never deleted from under a row.

A process killed part way leaves at most a file without a row (under either name), which
:func:`sweep_files` removes once it is older than a grace period, or, killed between the commit
and the rename, a row whose file still has its temporary name: :func:`stored_path` (and so every
download) and :func:`sweep_files` finish that rename.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import logging
import os
import re
import secrets
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple
from urllib.parse import quote

import filetype
from flask import Flask, Response, abort, current_app, send_file
from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction
from werkzeug.datastructures import FileStorage

from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.documents import isolation
from casework.documents.models import Document

if TYPE_CHECKING:
    from casework.auth.models import User
    from casework.reviews.models import Review

log = logging.getLogger(__name__)


class FileType(NamedTuple):
    label: str
    media_type: str


# What may be uploaded, in the order messages list them. Narrow it per upload with ``allowed``.
ALLOWED_TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF", "application/pdf"),
    "docx": FileType(
        "Word (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "xlsx": FileType("Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "odt": FileType("OpenDocument text (ODT)", "application/vnd.oasis.opendocument.text"),
    "csv": FileType("CSV", "text/csv"),
    "txt": FileType("plain text", "text/plain"),
    "png": FileType("PNG", "image/png"),
    "jpg": FileType("JPEG", "image/jpeg"),
}

# The file name extensions that belong to each type; the first is the one added when missing.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "odt": ("odt",),
    "csv": ("csv",),
    "txt": ("txt",),
    "png": ("png",),
    "jpg": ("jpg", "jpeg"),
}

# Text has no signature: a file that is valid text is accepted only under one of these names.
TEXT_EXTENSIONS = {"csv": "csv", "txt": "txt"}

SAVE_FAILED = (
    "The file could not be saved. Try again, and if it keeps happening tell the person who runs this service."
)
EMPTY = "The selected file is empty"
NO_FILE = "Select a file"
FIELD = "file"

MAX_NAME_BYTES = 200  # UTF-8 bytes of a display or download name: fits the column and every file system
CHUNK_BYTES = 64 * 1024
HEAD_BYTES = 8192  # what filetype looks at
MAX_ZIP_MEMBER_READ = 1024 * 1024

_STORED_NAME = re.compile(r"[0-9a-f]{32}")
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,10})$")
_WINDOWS_RESERVED = str.maketrans(dict.fromkeys('<>:"|?*', "_"))
_KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}  # zero-width (non-)joiners: part of some scripts and emoji
# Control characters other than tab, LF and CR (C0, DEL and C1) are not text.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_OOXML_MAIN_TYPES = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# filetype's answers for a file that starts as a zip archive; the archive's contents decide.
_ZIP_KINDS = {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"}
_SIGNATURE_KINDS = {"pdf": "pdf", "png": "png", "apng": "png", "jpg": "jpg"}

_PENDING = "casework.documents.pending_files"
_TEMPORARY_SUFFIX = ".part"
_SHARD = re.compile(r"[0-9a-f]{2}")
_SWEEP_BATCH = 500  # stored names asked of the database at once
MIN_GRACE = timedelta(hours=1)  # an upload still being written or committed is never swept


# --- public API -----------------------------------------------------------------------------


def init_storage(app: Flask) -> None:
    """Check the upload folder's setting and install the session hooks that remove the file of
    an upload whose transaction does not commit. Called by the app factory; safe to repeat."""
    app.config.setdefault("MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
    if not app.config.get("UPLOAD_FOLDER"):
        raise RuntimeError("UPLOAD_FOLDER must be set")
    _configured_root(app)
    _install_session_hooks()


def describe_allowed(allowed: set[str] | None = None) -> str:
    """The allowed types for a message: "PDF, Word (DOCX) or PNG"."""
    labels = [ALLOWED_TYPES[kind].label for kind in _allowed(allowed)]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def accept_attribute(allowed: set[str] | None = None) -> str:
    """A file input's ``accept`` value: ".pdf,.docx,...". A hint for the browser, never a check."""
    return ",".join(f".{extension}" for kind in _allowed(allowed) for extension in EXTENSIONS[kind])


def store_upload(
    upload: FileStorage,
    *,
    uploaded_by: User,
    review: Review | None = None,
    contribution_request_id: int | None = None,
    allowed: set[str] | None = None,
) -> Document:
    """Check an uploaded file, keep it, and add its :class:`Document` row to the session.

    The type comes from the content (``ALLOWED_TYPES``, or the subset ``allowed``); the size is
    limited by ``MAX_UPLOAD_BYTES`` and counted while the file streams to disk. The row is
    flushed, not committed: the caller's transaction commits once. The file keeps a temporary
    name until that commit renames it into place; if the transaction does not commit, the file
    is removed again.

    Raises :class:`DomainError` (field ``"file"``) when the file is missing, empty, too large or
    of a type not allowed, or when it cannot be written; nothing is kept then.
    """
    kinds = _allowed(allowed)
    if upload is None:
        raise DomainError(NO_FILE, field=FIELD)
    _install_session_hooks()
    declared_name = upload.filename or ""
    limit = int(current_app.config["MAX_UPLOAD_BYTES"])
    stored_name = secrets.token_hex(16)
    temporary = _temporary_path(_path_for(stored_name))
    try:
        _make_folders(temporary.parent)
        received = _receive(upload.stream, temporary, limit)
        if received.size == 0 or received.text_empty:
            raise DomainError(EMPTY if declared_name else NO_FILE, field=FIELD)
        kind = _detect(received, temporary, declared_name, kinds)
        # The file keeps its temporary name until the row commits (see _after_commit), so a
        # process killed before then leaves only a file the sweep knows it may remove.
        _fsync_directory(temporary.parent)
    except DomainError:
        _remove_quietly(temporary)
        raise
    except OSError:
        log.exception("Could not write an upload to %s", temporary)
        _remove_quietly(temporary)
        raise DomainError(SAVE_FAILED, field=FIELD) from None
    except BaseException:
        _remove_quietly(temporary)
        raise

    if review is not None and review.id is None:
        db.session.flush()
    document = Document(
        stored_name=stored_name,
        original_name=_display_name(declared_name, kind),
        size=received.size,
        sha256=received.sha256,
        detected_type=kind,
        media_type=ALLOWED_TYPES[kind].media_type,
        uploaded_by_id=uploaded_by.id,
        review_id=review.id if review is not None else None,
        contribution_request_id=contribution_request_id,
    )
    session = db.session()
    try:
        session.add(document)
        session.flush()
    except BaseException:
        _remove_quietly(temporary)
        raise
    _note_pending(session, stored_name)
    return document


def safe_download_name(original: str, *, detected_type: str | None = None) -> str:
    """A file name safe to show and to offer for download.

    Drops any path (``/`` and ``\\``), control and bidirectional-override characters and the
    characters Windows forbids; keeps non-Latin letters; limits the length to MAX_NAME_BYTES
    bytes of UTF-8, keeping the extension; never empty ("document", or "document.<ext>").
    With ``detected_type`` the name also ends in that type's extension, added when the name
    claims another ("notes.bat" sent as text becomes "notes.bat.txt").
    """
    stem, extension = _clean_name(original)
    if detected_type is not None:
        wanted = EXTENSIONS[detected_type]
        if extension.lower() not in wanted:
            if extension:
                stem = f"{stem or 'document'}.{extension}"
            extension = wanted[0]
    return _join_name(stem, extension)


def stored_path(document: Document) -> Path:
    """Where a document's file lives. Raises ValueError for a stored name we did not make.

    A document uploaded in this session's open transaction is still under its temporary name.
    A committed document found only under its temporary name (its process stopped between the
    commit and the rename) is renamed into place first.
    """
    final = _path_for(document.stored_name)
    if _is_pending(document.stored_name):
        return _temporary_path(final)
    if not final.exists() and _temporary_path(final).exists():
        _make_final(final, reason="an upload interrupted after its commit")
    return final


def _path_for(stored_name: str) -> Path:
    if not isinstance(stored_name, str) or not _STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"not a stored file name: {stored_name!r}")
    return _upload_root() / stored_name[:2] / stored_name


def _temporary_path(final: Path) -> Path:
    return final.with_name(final.name + _TEMPORARY_SUFFIX)


def send_document(document: Document, *, user: User | None) -> Response:
    """Send a stored document as a download, and record that ``user`` took a copy.

    The caller has already decided that ``user`` may see the document; ``None`` is a member of
    the public taking a published document (recorded with no actor when signed out). The audit
    event is committed before the response is returned: no copy leaves unrecorded. A file
    missing from disk is logged as an error and answered with 404.
    """
    from casework.reviews.models import Review

    name = safe_download_name(document.original_name, detected_type=document.detected_type)
    try:
        path = stored_path(document)
        response = send_file(
            path,
            mimetype=document.media_type,
            as_attachment=True,
            download_name=name,
            conditional=False,
            etag=False,
        )
    except (ValueError, FileNotFoundError, NotADirectoryError):
        log.error(
            "The file of document %s (stored name %r) is missing from the upload folder",
            document.id,
            document.stored_name,
        )
        abort(404)
    try:
        review = db.session.get(Review, document.review_id) if document.review_id is not None else None
        audit.record(
            "document_downloaded",
            f"{document.original_name} downloaded",
            subject=document,
            actor=user,
            review=review,
            details={"document": document.id},
        )
        db.session.commit()
    except BaseException:
        response.close()
        raise
    response.headers.set("Content-Disposition", "attachment", **_disposition_names(name))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- receiving and checking ---------------------------------------------------------------


@dataclass
class _Received:
    size: int = 0
    sha256: str = ""
    head: bytes = b""
    is_text: bool = True
    text_empty: bool = True


def _receive(stream: IO[bytes], temporary: Path, limit: int) -> _Received:
    """Copy the upload to ``temporary``, counting, hashing and checking for text on the way;
    stop as soon as it passes ``limit``. At most one chunk is held in memory."""
    seekable = getattr(stream, "seekable", None)
    if seekable is not None and seekable():
        stream.seek(0)
    received = _Received()
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    head = bytearray()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(descriptor, "wb") as out:
        while chunk := stream.read(CHUNK_BYTES):
            received.size += len(chunk)
            if received.size > limit:
                raise DomainError(f"The selected file must be smaller than {_describe_size(limit)}", FIELD)
            out.write(chunk)
            digest.update(chunk)
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            if received.is_text:
                received.is_text = _feed_text(decoder, chunk, received)
        if received.is_text:
            received.is_text = _feed_text(decoder, b"", received, final=True)
        out.flush()
        os.fsync(out.fileno())
    received.sha256 = digest.hexdigest()
    received.head = bytes(head)
    if not received.is_text:
        received.text_empty = False
    return received


def _feed_text(
    decoder: codecs.IncrementalDecoder, chunk: bytes, received: _Received, final: bool = False
) -> bool:
    try:
        text = decoder.decode(chunk, final)
    except UnicodeDecodeError:
        return False
    if text:
        received.text_empty = False
    return not _NOT_TEXT.search(text)


def _detect(received: _Received, path: Path, declared_name: str, kinds: tuple[str, ...]) -> str:
    """The type of the file, from its content; DomainError if it is not one of ``kinds``."""
    guess = filetype.guess(received.head)
    kind: str | None = None
    if guess is not None and guess.extension in _ZIP_KINDS:
        kind = _zip_document_kind(path)
    elif guess is not None and guess.extension in _SIGNATURE_KINDS:
        kind = _SIGNATURE_KINDS[guess.extension]
    elif received.is_text:
        # Text has no signature, so some text looks like a signature filetype knows ("BM..." is
        # a bitmap to it). Valid UTF-8 without control characters is text whatever it starts with.
        _, extension = _clean_name(declared_name)
        kind = TEXT_EXTENSIONS.get(extension.lower())
    if kind is None or kind not in kinds:
        message = f"The selected file must be {_article(kinds)} {describe_allowed(set(kinds))}"
        if _clean_name(declared_name)[1].lower() in TEXT_EXTENSIONS and {"csv", "txt"} & set(kinds):
            message += ". CSV and text files must be saved as UTF-8"
        raise DomainError(message, field=FIELD)
    return kind


def _zip_document_kind(path: Path) -> str | None:
    """docx, xlsx or odt when the archive really is one (and carries no macros), else None.

    The archive passes the same checks as a document about to be read (parts, declared sizes,
    compression ratios, overlapping parts) before anything in it is decompressed: DomainError
    when it is beyond them, so a zip bomb is refused at the door with a reason."""
    try:
        with path.open("rb") as handle, isolation.open_archive(handle) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if "mimetype" in names:  # OpenDocument (first in the archive, though not every tool obeys)
                if any(name.startswith(("Basic/", "Scripts/")) for name in names):
                    return None  # macros
                mimetype = _read_member(archive, archive.getinfo("mimetype")).strip()
                return "odt" if mimetype == _ODT_MIMETYPE and "content.xml" in names else None
            if "[Content_Types].xml" not in names or any(
                name.lower().endswith("vbaproject.bin") for name in names
            ):
                return None
            content_types = _read_member(archive, archive.getinfo("[Content_Types].xml"))
            found = [kind for kind, main in _OOXML_MAIN_TYPES.items() if main in content_types]
            return found[0] if len(found) == 1 else None
    except isolation.DamagedArchive:
        return None
    except isolation.DocumentUnreadable as error:
        raise DomainError(f"The selected file cannot be accepted. {error.message}", field=FIELD) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, RuntimeError, EOFError):
        return None
    except NotImplementedError:  # an unsupported compression method
        return None


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """At most MAX_ZIP_MEMBER_READ bytes, read in chunks whatever the header claims; a larger
    member reads as nothing (it is not a type declaration)."""
    try:
        return isolation.read_member(archive, member, MAX_ZIP_MEMBER_READ)
    except isolation.DocumentUnreadable:
        return b""


def _allowed(allowed: set[str] | None) -> tuple[str, ...]:
    if allowed is None:
        return tuple(ALLOWED_TYPES)
    unknown = set(allowed) - set(ALLOWED_TYPES)
    if unknown or not allowed:
        raise ValueError(f"allowed must be a non-empty subset of {sorted(ALLOWED_TYPES)}, not {allowed!r}")
    return tuple(kind for kind in ALLOWED_TYPES if kind in allowed)


def _article(kinds: tuple[str, ...]) -> str:
    return "an" if ALLOWED_TYPES[kinds[0]].label[:1] in "AEIOU" else "a"


def _describe_size(limit: int) -> str:
    megabyte = 1024 * 1024
    if limit >= megabyte and limit % megabyte == 0:
        return f"{limit // megabyte} MB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KB"
    return f"{limit} bytes"


# --- names ----------------------------------------------------------------------------------


def _clean_name(original: str) -> tuple[str, str]:
    """The display-safe stem and extension of an uploaded name (either may be empty)."""
    name = unicodedata.normalize("NFC", original or "")
    kept = []
    for character in name:
        category = unicodedata.category(character)
        if character.isspace():
            kept.append(" ")
        elif category in ("Cc", "Cs") or (category == "Cf" and character not in _KEPT_FORMAT_CHARACTERS):
            continue  # control, lone surrogate, invisible format (e.g. right-to-left override)
        else:
            kept.append(character)
    name = re.split(r"[/\\]", "".join(kept))[-1]
    name = re.sub(r" {2,}", " ", name.translate(_WINDOWS_RESERVED))
    match = _EXTENSION.search(name)
    stem, extension = (name[: match.start()], match.group(1)) if match else (name, "")
    return stem.strip(" ."), extension


def _join_name(stem: str, extension: str) -> str:
    suffix = f".{extension}" if extension else ""
    budget = MAX_NAME_BYTES - len(suffix.encode())
    stem = stem.encode()[:budget].decode("utf-8", errors="ignore").rstrip(" .") or "document"
    return stem + suffix


def _display_name(declared_name: str, kind: str) -> str:
    """The uploaded name as recorded: cleaned, but keeping the extension the person gave it."""
    stem, extension = _clean_name(declared_name)
    if not stem:
        return _join_name("document", extension or EXTENSIONS[kind][0])
    return _join_name(stem, extension)


def _disposition_names(name: str) -> dict[str, str]:
    """Content-Disposition parameters: a plain ASCII filename, and RFC 5987 filename* when the
    real name is not ASCII."""
    if name.isascii():
        return {"filename": name}
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem, extension = _clean_name(plain)
    quoted = quote(name, safe="!#$&+-.^_`|~")  # RFC 5987 attr-char
    return {"filename": _join_name(stem, extension), "filename*": f"UTF-8''{quoted}"}


# --- disk -------------------------------------------------------------------------------------


def _upload_root() -> Path:
    return _configured_root(current_app)


def _configured_root(app: Flask) -> Path:
    """UPLOAD_FOLDER as an absolute path (a relative one is inside the instance folder), which
    must not be inside the web root."""
    root = Path(app.instance_path, app.config["UPLOAD_FOLDER"])
    if app.static_folder is not None:
        static = Path(app.static_folder).resolve()
        resolved = root.resolve()
        if resolved == static or static in resolved.parents:
            raise RuntimeError(f"UPLOAD_FOLDER ({root}) must be outside the web root ({static})")
    return root


def _make_folders(shard: Path) -> None:
    root = shard.parent
    if not root.is_dir():
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not shard.is_dir():
        shard.mkdir(mode=0o700, exist_ok=True)
        _fsync_directory(root)


def _fsync_directory(folder: Path) -> None:
    """Make a new directory entry durable (POSIX); a no-op where directories cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.exception("Could not remove %s", path)


# --- the file follows its transaction -------------------------------------------------------


@dataclass
class _PendingFile:
    final: Path
    stored_name: str
    transaction: SessionTransaction | None
    engine: Engine | None = field(default=None, repr=False)

    @property
    def temporary(self) -> Path:
        return _temporary_path(self.final)


def _note_pending(session: Session, stored_name: str) -> None:
    transaction = session.get_nested_transaction() or session.get_transaction()
    try:
        engine = session.get_bind(mapper=inspect(Document))
    except Exception:  # without it the file is kept rather than removed unchecked
        engine = None
    session.info.setdefault(_PENDING, []).append(
        _PendingFile(
            _path_for(stored_name), stored_name, transaction, engine if isinstance(engine, Engine) else None
        )
    )


def _is_pending(stored_name: str) -> bool:
    pending: list[_PendingFile] = db.session().info.get(_PENDING) or []
    return any(item.stored_name == stored_name for item in pending)


def _make_final(final: Path, *, reason: str) -> bool:
    """Rename a committed document's file from its temporary name into place. Safe to race:
    another process (a download, the sweep) finishing the same rename is not an error."""
    try:
        os.replace(_temporary_path(final), final)
    except FileNotFoundError:
        return final.exists()
    except OSError:
        # The row is committed: the file stays under its temporary name, where stored_path and
        # the sweep look for it.
        log.exception("Could not rename %s into place (%s)", final, reason)
        return False
    _fsync_directory(final.parent)
    return True


def _install_session_hooks() -> None:
    hooks = (
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_soft_rollback),
        ("after_transaction_end", _after_transaction_end),
    )
    for name, hook in hooks:
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)


def _after_commit(session: Session) -> None:
    """The outermost transaction committed: its files are kept, renamed into place. (A released
    savepoint also fires this; its files still depend on the transaction around it.)"""
    if not session.in_nested_transaction():
        for item in session.info.pop(_PENDING, None) or []:
            _make_final(item.final, reason="after the commit")


def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    """A savepoint rolled back while the transaction around it goes on: remove the files
    written inside it. (The outermost transaction is dealt with when it ends.)"""
    if previous_transaction.parent is None:
        return
    pending: list[_PendingFile] = session.info.get(_PENDING) or []
    undone = [item for item in pending if _inside(item.transaction, previous_transaction)]
    if undone:
        session.info[_PENDING] = [item for item in pending if item not in undone]
        for item in undone:
            _remove_quietly(item.temporary)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended without committing (rolled back, failed to commit, or
    closed at the end of a request): remove the files it still holds, or keep those whose rows
    the database has after all."""
    if transaction.parent is not None:
        return
    pending: list[_PendingFile] = session.info.pop(_PENDING, None) or []
    absent, present = _check_rows(pending)
    for item in absent:
        _remove_quietly(item.temporary)
    for item in present:
        _make_final(item.final, reason="a commit that reported failure")


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def _check_rows(pending: list[_PendingFile]) -> tuple[list[_PendingFile], list[_PendingFile]]:
    """The files whose rows the database, asked afresh, does not have, and those whose rows it
    has. A commit that reports failure may still have committed (a connection lost during
    COMMIT; SQLite committing when a savepoint that began the transaction is released): a file
    is never removed from under a row, so when the question cannot be answered the file is left
    under its temporary name, for the sweep to decide, and the error logged."""
    absent: list[_PendingFile] = []
    present: list[_PendingFile] = []
    for engine in {item.engine for item in pending}:
        group = [item for item in pending if item.engine is engine]
        names = [item.stored_name for item in group]
        if engine is None:
            log.error("Kept uploaded files whose transaction did not commit, unchecked: %s", names)
            continue
        try:
            with engine.connect() as connection:
                query = select(Document.stored_name).where(Document.stored_name.in_(names))
                found = set(connection.execute(query).scalars())
        except Exception:
            log.exception("Kept uploaded files whose transaction did not commit, unchecked: %s", names)
            continue
        for item in group:
            if item.stored_name in found:
                log.error("Document %s was saved although its transaction reported failure", item.stored_name)
                present.append(item)
            else:
                absent.append(item)
    return absent, present


# --- the sweep --------------------------------------------------------------------------------


@dataclass
class SweptFile:
    path: Path  # relative to the upload folder
    size: int
    age: timedelta


@dataclass
class SweepResult:
    removed: list[SweptFile] = field(default_factory=list)  # files with no row (or, dry run: would be)
    finished: list[SweptFile] = field(default_factory=list)  # committed uploads renamed into place
    kept: int = 0  # files whose rows exist
    too_new: int = 0  # younger than the grace period: an upload may be committing


def sweep_files(grace: timedelta, *, dry_run: bool = False) -> SweepResult:
    """Remove stored files that no row describes, and temporary files left by uploads that never
    committed, once they are older than ``grace``; finish the rename of committed uploads left
    under their temporary name. A file whose row exists is never removed, nor is one newer than
    ``grace`` (its upload may still be committing), nor any file whose name storage did not make.
    With ``dry_run`` nothing changes: the result says what would be done."""
    if grace < MIN_GRACE:
        raise ValueError(f"the grace period must be at least {MIN_GRACE}, not {grace}")
    root = _upload_root()
    result = SweepResult()
    cutoff = time.time() - grace.total_seconds()
    old: list[tuple[str, Path, os.stat_result]] = []
    for stored_name, path, status in _stored_files(root):
        if status.st_mtime > cutoff:
            result.too_new += 1
        else:
            old.append((stored_name, path, status))
    names = sorted({stored_name for stored_name, _, _ in old})
    described: set[str] = set()
    with db.engine.connect() as connection:  # committed rows only, and no transaction held meanwhile
        for start in range(0, len(names), _SWEEP_BATCH):
            batch = names[start : start + _SWEEP_BATCH]
            query = select(Document.stored_name).where(Document.stored_name.in_(batch))
            described.update(connection.execute(query).scalars())
    now = time.time()
    for stored_name, path, status in old:
        swept = SweptFile(path.relative_to(root), status.st_size, timedelta(seconds=now - status.st_mtime))
        final = _path_for(stored_name)
        if stored_name not in described:
            if not dry_run:
                _remove_quietly(path)
            result.removed.append(swept)
        elif path != final and not final.exists():
            if dry_run or _make_final(final, reason="the sweep"):
                result.finished.append(swept)
        else:
            result.kept += 1
    return result


def _stored_files(root: Path) -> Iterator[tuple[str, Path, os.stat_result]]:
    """Every regular file in the upload folder named as storage names files (final or
    temporary), with its stored name and status. Anything else is not ours to judge."""
    if not root.is_dir():
        return
    for shard in sorted(root.iterdir()):
        if not _SHARD.fullmatch(shard.name) or shard.is_symlink() or not shard.is_dir():
            continue
        with os.scandir(shard) as entries:
            for entry in entries:
                stored_name = entry.name.removesuffix(_TEMPORARY_SUFFIX)
                if not _STORED_NAME.fullmatch(stored_name) or stored_name[:2] != shard.name:
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue
                try:
                    status = entry.stat(follow_symlinks=False)
                except FileNotFoundError:  # renamed or removed meanwhile
                    continue
                yield stored_name, Path(entry.path), status
