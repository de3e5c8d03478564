"""An uploaded file follows its row's transaction.

The file is written before the transaction commits, so the file and its row must live and die
together. It is noted in the session as pending; a commit keeps it (see
:meth:`~casework.documents.file_store.FileStore.keep`), and a transaction that ends any other way
(rollback, failed commit, a session closed without committing, a rolled-back savepoint) removes
it. When the outermost transaction ends, a file is removed only once the database, asked afresh,
confirms that its row does not exist: a file is never deleted from under a row.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import Connection, event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction

from casework.core.extensions import db
from casework.documents.file_store import FileStore
from casework.documents.models import Document

log = logging.getLogger(__name__)

_PENDING = "casework.documents.pending_files"


@dataclass
class _PendingFile:
    store: FileStore
    stored_name: str
    transaction: SessionTransaction | None
    engine: Engine | None = field(default=None, repr=False)


def note_pending(session: Session, store: FileStore, stored_name: str) -> None:
    """``stored_name`` was just written to ``store`` inside the session's current transaction."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    try:
        engine = session.get_bind(mapper=inspect(Document))
    except Exception:  # without it the file is kept rather than removed unchecked
        engine = None
    session.info.setdefault(_PENDING, []).append(
        _PendingFile(store, stored_name, transaction, engine if isinstance(engine, Engine) else None)
    )


def is_pending(stored_name: str) -> bool:
    """Whether the file was uploaded in this session's open transaction."""
    pending: list[_PendingFile] = db.session().info.get(_PENDING) or []
    return any(item.stored_name == stored_name for item in pending)


def rows_present(connection: Connection, names: Collection[str]) -> set[str]:
    """Which of ``names`` the database has a document row for, as this connection sees it."""
    query = select(Document.stored_name).where(Document.stored_name.in_(names))
    return set(connection.execute(query).scalars())


def install_session_hooks() -> None:
    hooks = (
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_soft_rollback),
        ("after_transaction_end", _after_transaction_end),
    )
    for name, hook in hooks:
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)


def _after_commit(session: Session) -> None:
    """The outermost transaction committed: its files are kept. (A released savepoint also fires
    this; its files still depend on the transaction around it.)"""
    if not session.in_nested_transaction():
        for item in session.info.pop(_PENDING, None) or []:
            item.store.keep(item.stored_name, reason="after the commit")


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
            item.store.delete(item.stored_name, provisional=True)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended without committing (rolled back, failed to commit, or
    closed at the end of a request): remove the files it still holds, or keep those whose rows
    the database has after all."""
    if transaction.parent is not None:
        return
    pending: list[_PendingFile] = session.info.pop(_PENDING, None) or []
    absent, present = _check_rows(pending)
    for item in absent:
        item.store.delete(item.stored_name, provisional=True)
    for item in present:
        item.store.keep(item.stored_name, reason="a commit that reported failure")


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
                found = rows_present(connection, names)
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
