"""The one way files enter and leave the product.

Every upload goes through :func:`store_upload`: the content (never the name) decides its type
(:mod:`~casework.documents.file_types`), the file is kept under a random name by the configured
:class:`~casework.documents.file_store.FileStore` (today the local ``UPLOAD_FOLDER``, outside the
web root), and a :class:`Document` row describes it. The file follows the row's transaction
(:mod:`~casework.documents.pending`). Every download goes through :func:`send_document`, which
records who took a copy.
"""

from __future__ import annotations

import logging
import secrets
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

from flask import Flask, Response, abort, current_app, send_file
from werkzeug.datastructures import FileStorage

from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.documents.file_names import clean_name, display_name, disposition_names, safe_download_name
from casework.documents.file_store import FileStore
from casework.documents.file_types import ALLOWED_TYPES, FIELD, allowed_kinds, detect_type
from casework.documents.local_folder import LocalFolder, configured_root
from casework.documents.models import Document
from casework.documents.pending import install_session_hooks, is_pending, note_pending
from casework.documents.receiving import Received, receive
from casework.documents.s3_store import S3Settings, S3Store, make_client, parse_storage_url

if TYPE_CHECKING:
    from casework.auth.models import User

log = logging.getLogger(__name__)

SAVE_FAILED = (
    "The file could not be saved. Try again, and if it keeps happening tell the person who runs this service."
)
EMPTY = "The selected file is empty"
NO_FILE = "Select a file"


def init_storage(app: Flask) -> None:
    """Check the storage settings and install the session hooks that remove the file of an
    upload whose transaction does not commit. Called by the app factory; safe to repeat."""
    app.config.setdefault("MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
    if _in_object_store(app):
        try:
            parse_storage_url(app.config["STORAGE_URL"])
        except ValueError as error:
            raise RuntimeError(f"CASEWORK_STORAGE_URL: {error}") from None
    else:
        if not app.config.get("UPLOAD_FOLDER"):
            raise RuntimeError("UPLOAD_FOLDER must be set")
        configured_root(app)
    install_session_hooks()


def current_store() -> FileStore:
    """Where this app keeps the bytes of its documents: its folder, or its object store."""
    if _in_object_store(current_app):
        return _object_store(current_app)
    return LocalFolder(configured_root(current_app))


def _in_object_store(app: Flask) -> bool:
    return str(app.config.get("STORAGE_URL") or "").startswith("s3://")


def _object_store(app: Flask) -> S3Store:
    """One client per app and settings: it keeps its connections between requests."""
    config = app.config
    bucket, prefix = parse_storage_url(config["STORAGE_URL"])
    settings = S3Settings(
        bucket,
        prefix,
        config.get("S3_ENDPOINT_URL"),
        config.get("S3_ACCESS_KEY_ID"),
        config.get("S3_SECRET_ACCESS_KEY"),
        config.get("S3_REGION"),
    )
    stores: dict[S3Settings, S3Store] = app.extensions.setdefault("casework_object_stores", {})
    if settings not in stores:
        stores[settings] = S3Store(make_client(settings), bucket, prefix)
    return stores[settings]


class Filed(Protocol):
    """What a document is filed under (a review): documents know its id, not its domain."""

    id: int | None


def store_upload(
    upload: FileStorage,
    *,
    uploaded_by: User,
    review: Filed | None = None,
    contribution_request_id: int | None = None,
    allowed: set[str] | None = None,
) -> Document:
    """Check an uploaded file, keep it, and add its :class:`Document` row to the session.

    The type comes from the content (``ALLOWED_TYPES``, or the subset ``allowed``); the size is
    limited by ``MAX_UPLOAD_BYTES`` and counted while the file streams to the store. The row is
    flushed, not committed: the caller's transaction commits once. The file stays provisional
    until that commit keeps it; if the transaction does not commit, the file is removed again.

    Raises :class:`DomainError` (field ``"file"``) when the file is missing, empty, too large or
    of a type not allowed, or when it cannot be written; nothing is kept then.
    """
    kinds = allowed_kinds(allowed)
    if upload is None:
        raise DomainError(NO_FILE, field=FIELD)
    install_session_hooks()
    declared_name = upload.filename or ""
    limit = int(current_app.config["MAX_UPLOAD_BYTES"])
    store = current_store()
    stored_name = secrets.token_hex(16)
    try:
        received = Received()
        store.put(stored_name, receive(upload.stream, limit, received))
        if received.size == 0 or received.text_empty:
            raise DomainError(EMPTY if declared_name else NO_FILE, field=FIELD)
        kind = detect_type(
            received.head,
            is_text=received.is_text,
            declared_extension=clean_name(declared_name)[1],
            kinds=kinds,
            open_file=lambda: store.open(stored_name, provisional=True),
        )
    except OSError:
        log.exception("Could not write upload %s", stored_name)
        store.delete(stored_name, provisional=True)
        raise DomainError(SAVE_FAILED, field=FIELD) from None
    except BaseException:  # a refusal (DomainError) or anything else: nothing is kept
        store.delete(stored_name, provisional=True)
        raise

    if review is not None and review.id is None:
        db.session.flush()
    document = _document(stored_name, received, declared_name, kind, uploaded_by)
    document.review_id = review.id if review is not None else None
    document.contribution_request_id = contribution_request_id
    return _add_document(document, store)


def _document(stored_name: str, received: Received, name: str, kind: str, by: User) -> Document:
    """The row of a file just written: what was received, under the type it is."""
    return Document(
        stored_name=stored_name,
        original_name=display_name(name, kind),
        size=received.size,
        sha256=received.sha256,
        detected_type=kind,
        media_type=ALLOWED_TYPES[kind].media_type,
        uploaded_by_id=by.id,
    )


def store_made_file(content: IO[bytes], *, name: str, kind: str, made_for: User) -> Document:
    """Keep a file the product made itself (an export written by a job) and add its
    :class:`Document` row to the session, following the row's transaction as an upload does.

    Its type is known rather than detected and no upload limit applies: the bytes stream from
    ``content`` (read from its start) to the store, counted and hashed on the way. The document
    is filed under no review; its owner (the job that made it) decides who may download it."""
    if kind not in ALLOWED_TYPES:
        raise ValueError(f"kind must be one of {sorted(ALLOWED_TYPES)}, not {kind!r}")
    install_session_hooks()
    store = current_store()
    stored_name = secrets.token_hex(16)
    received = Received()
    try:
        store.put(stored_name, receive(content, sys.maxsize, received))
    except BaseException:
        store.delete(stored_name, provisional=True)
        raise
    return _add_document(_document(stored_name, received, name, kind, made_for), store)


def _add_document(document: Document, store: FileStore) -> Document:
    """Add the row of a file just put in the store; the file stays provisional until it commits."""
    stored_name = document.stored_name
    session = db.session()
    try:
        session.add(document)
        session.flush()
    except BaseException:
        store.delete(stored_name, provisional=True)
        raise
    note_pending(session, store, stored_name)
    return document


def stored_path(document: Document) -> Path:
    """Where a document's file is on this machine. Raises ValueError for a stored name storage
    did not make.

    A document uploaded in this session's open transaction is still provisional. A committed
    document whose file is still provisional (its process stopped between the commit and
    keeping the file) is kept first.
    """
    return current_store().local_path(document.stored_name, provisional=is_pending(document.stored_name))


def open_document(document: Document) -> IO[bytes]:
    """A document's content, for reading, wherever it is kept (the caller closes it). Raises
    ValueError for a stored name storage did not make, FileNotFoundError when it is missing."""
    return current_store().open(document.stored_name, provisional=is_pending(document.stored_name))


def read_document(document: Document) -> bytes:
    with open_document(document) as stream:
        return stream.read()


def send_document(document: Document, *, user: User | None) -> Response:
    """Send a stored document as a download, and record that ``user`` took a copy.

    The caller has already decided that ``user`` may see the document; ``None`` is a member of
    the public taking a published document (recorded with no actor when signed out). The audit
    event is committed before the response is returned: no copy leaves unrecorded. A file
    missing from disk is logged as an error and answered with 404.
    """
    name = safe_download_name(document.original_name, detected_type=document.detected_type)
    try:
        response = send_file(
            open_document(document),
            mimetype=document.media_type,
            as_attachment=True,
            download_name=name,
            conditional=False,
            etag=False,
        )
    except (ValueError, FileNotFoundError, NotADirectoryError):
        log.error(
            "The file of document %s (stored name %r) is missing from storage",
            document.id,
            document.stored_name,
        )
        abort(404)
    try:
        audit.record(
            "document_downloaded",
            f"{document.original_name} downloaded",
            subject=document,
            actor=user,
            review_id=document.review_id,
            details={"document": document.id},
        )
        db.session.commit()
    except BaseException:
        response.close()
        raise
    response.headers.set("Content-Disposition", "attachment", **disposition_names(name))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
