"""Removing what a process killed part way through an upload left behind.

Such a process leaves at most a file without a row (provisional or kept), which the sweep removes
once it is older than a grace period, or, killed between the commit and keeping the file, a row
whose file is still provisional: the sweep (and every download) keeps it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from casework.core.extensions import db
from casework.documents.file_store import StoredFile
from casework.documents.pending import rows_present
from casework.documents.storage import current_store

_SWEEP_BATCH = 500  # stored names asked of the database at once
MIN_GRACE = timedelta(hours=1)  # an upload still being written or committed is never swept


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


def sweep_files(grace: timedelta, *, dry_run: bool = False, now: float | None = None) -> SweepResult:
    """Remove stored files that no row describes, and temporary files left by uploads that never
    committed, once they are older than ``grace``; finish the rename of committed uploads left
    under their temporary name. A file whose row exists is never removed, nor is one newer than
    ``grace`` (its upload may still be committing), nor any file whose name storage did not make.
    With ``dry_run`` nothing changes: the result says what would be done. ``now``: the time to
    judge ages by (seconds since the epoch; by default the clock's)."""
    if grace < MIN_GRACE:
        raise ValueError(f"the grace period must be at least {MIN_GRACE}, not {grace}")
    store = current_store()
    result = SweepResult()
    now = time.time() if now is None else now
    cutoff = now - grace.total_seconds()
    old: list[StoredFile] = []
    for stored in store.files():
        if stored.modified > cutoff:
            result.too_new += 1
        else:
            old.append(stored)
    described = _described(sorted({stored.stored_name for stored in old}))
    for stored in old:
        swept = SweptFile(stored.location, stored.size, timedelta(seconds=now - stored.modified))
        if stored.stored_name not in described:
            if not dry_run:
                store.delete(stored.stored_name, provisional=stored.provisional)
            result.removed.append(swept)
        elif stored.provisional and not store.exists(stored.stored_name):
            if dry_run or store.keep(stored.stored_name, reason="the sweep"):
                result.finished.append(swept)
        else:
            result.kept += 1
    return result


def _described(names: list[str]) -> set[str]:
    """The names with committed rows, asked in batches with no transaction held meanwhile."""
    described: set[str] = set()
    with db.engine.connect() as connection:
        for start in range(0, len(names), _SWEEP_BATCH):
            described |= rows_present(connection, names[start : start + _SWEEP_BATCH])
    return described
