"""Stored files in a local folder (``UPLOAD_FOLDER``, outside the web root).

A file lives at ``<folder>/<first two characters>/<stored name>``. A new file is written under a
temporary name (``<stored name>.part``), flushed to disk with its directory entry, and renamed into
place when its row commits: a process killed part way leaves only a file the sweep knows it may
judge.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from flask import Flask

from casework.documents.file_store import StoredFile

log = logging.getLogger(__name__)

TEMPORARY_SUFFIX = ".part"
_STORED_NAME = re.compile(r"[0-9a-f]{32}")
_SHARD = re.compile(r"[0-9a-f]{2}")


def configured_root(app: Flask) -> Path:
    """UPLOAD_FOLDER as an absolute path (a relative one is inside the instance folder), which
    must not be inside the web root."""
    root = Path(app.instance_path, app.config["UPLOAD_FOLDER"])
    if app.static_folder is not None:
        static = Path(app.static_folder).resolve()
        resolved = root.resolve()
        if resolved == static or static in resolved.parents:
            raise RuntimeError(f"UPLOAD_FOLDER ({root}) must be outside the web root ({static})")
    return root


class LocalFolder:
    """The :class:`~casework.documents.file_store.FileStore` of one folder on this machine."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, stored_name: str, chunks: Iterable[bytes]) -> None:
        temporary = self.local_path(stored_name, provisional=True)
        try:
            _make_folders(temporary.parent)
            descriptor = os.open(
                temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600
            )
            with os.fdopen(descriptor, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            _fsync_directory(temporary.parent)
        except BaseException:
            _remove_quietly(temporary)
            raise

    def open(self, stored_name: str, *, provisional: bool = False) -> IO[bytes]:
        return self.local_path(stored_name, provisional=provisional).open("rb")

    def delete(self, stored_name: str, *, provisional: bool = False) -> None:
        _remove_quietly(self._path(stored_name, provisional=provisional))

    def exists(self, stored_name: str) -> bool:
        return self._path(stored_name).exists()

    def keep(self, stored_name: str, *, reason: str) -> bool:
        """Rename a committed document's file from its temporary name into place. Safe to race:
        another process (a download, the sweep) finishing the same rename is not an error."""
        final = self._path(stored_name)
        try:
            os.replace(self._path(stored_name, provisional=True), final)
        except FileNotFoundError:
            return final.exists()
        except OSError:
            # The row is committed: the file stays under its temporary name, where local_path
            # and the sweep look for it.
            log.exception("Could not rename %s into place (%s)", final, reason)
            return False
        _fsync_directory(final.parent)
        return True

    def local_path(self, stored_name: str, *, provisional: bool = False) -> Path:
        """Where the file is. A committed document found only under its temporary name (its
        process stopped between the commit and the rename) is renamed into place first.
        ValueError for a stored name storage did not make."""
        final = self._path(stored_name)
        if provisional:
            return self._path(stored_name, provisional=True)
        if not final.exists() and self._path(stored_name, provisional=True).exists():
            self.keep(stored_name, reason="an upload interrupted after its commit")
        return final

    def files(self) -> Iterator[StoredFile]:
        """Every regular file in the folder named as storage names files (final or temporary).
        Anything else is not ours to judge."""
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if not _SHARD.fullmatch(shard.name) or shard.is_symlink() or not shard.is_dir():
                continue
            with os.scandir(shard) as entries:
                for entry in entries:
                    stored_name = entry.name.removesuffix(TEMPORARY_SUFFIX)
                    if not _STORED_NAME.fullmatch(stored_name) or stored_name[:2] != shard.name:
                        continue
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    try:
                        status = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:  # renamed or removed meanwhile
                        continue
                    yield StoredFile(
                        stored_name,
                        Path(entry.path).relative_to(self.root),
                        status.st_size,
                        status.st_mtime,
                        provisional=entry.name != stored_name,
                    )

    def _path(self, stored_name: str, *, provisional: bool = False) -> Path:
        if not isinstance(stored_name, str) or not _STORED_NAME.fullmatch(stored_name):
            raise ValueError(f"not a stored file name: {stored_name!r}")
        name = stored_name + TEMPORARY_SUFFIX if provisional else stored_name
        return self.root / stored_name[:2] / name


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
