"""Reading untrusted documents within bounds: a hostile file can fail only its own reading.

Two defences, used together:

* :func:`check_document` looks at a file's structure before any parser reads it, cheaply and
  without unpacking anything: a DOCX, XLSX or ODT archive's central directory (how many parts,
  how large they say they are, how tightly each is compressed, whether parts overlap), a PDF's
  header, trailer, object and page counts. What is beyond the limits is refused.
* :func:`run_isolated` runs the parser in a separate process with an address-space limit, a
  CPU-time limit and a wall-clock timeout. Declared sizes can lie and parsers have bugs: whatever
  gets past the first check can exhaust only that process, which is then discarded.

The child processes come from a "forkserver": a fresh interpreter started once (never a fork of
the threaded web server, so no locks, threads or database connections are copied) with the
parsers already imported, which each child then forks from in milliseconds.

Limits come from the Flask config when an app context exists (``EXTRACT_*``), else the defaults.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.process
import os
import pickle
import re
import resource
import signal
import sys
import threading
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import IO, Any, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024
ZIP_KINDS = ("docx", "xlsx", "odt")
# A part this small may be compressed at any ratio: it cannot expand to anything that matters.
RATIO_GRACE_BYTES = MEGABYTE
READ_CHUNK_BYTES = 64 * 1024
# A directory entry is 46 bytes and a name (about 20-60 in real documents); beyond this on
# average, a directory is refused unread.
DIRECTORY_BYTES_PER_PART = 1024
# Modules the forkserver imports once, so that each child starts with the parsers loaded.
PRELOAD = (
    "casework.documents.isolation",
    "casework.reviews.publication.anonymisation.extraction",
    "pypdf",
    "docx",
    "odf.opendocument",
    "lxml.etree",
)


class DocumentUnreadable(Exception):  # noqa: N818 (the name callers know)
    """The document could not be read within the limits; the message says why, in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DamagedArchive(DocumentUnreadable):
    """The file is not a zip archive that can be listed at all (as opposed to one beyond the limits)."""


@dataclass(frozen=True)
class Limits:
    """How much reading one document may cost. Config keys are ``EXTRACT_`` + the upper-case name."""

    memory_mb: int = 512  # address space of the reading process
    cpu_seconds: int = 20  # CPU time of the reading process
    timeout_seconds: float = 25  # wall clock, after which the process is killed
    max_unpacked_mb: int = 256  # the parts of a DOCX, XLSX or ODT together, as declared
    max_ratio: int = 100  # how much more a part may expand than it is compressed
    max_parts: int = 10_000  # members of an archive
    max_pages: int = 2_000  # of a PDF
    max_objects: int = 500_000  # of a PDF
    max_result_mb: int = 64  # what the reading process may send back

    @classmethod
    def current(cls) -> Limits:
        """The Flask config's limits inside an app context, the defaults outside one."""
        from flask import current_app, has_app_context

        if not has_app_context():
            return cls()
        config = current_app.config
        values: dict[str, Any] = {}
        for item in fields(cls):
            key = f"EXTRACT_{item.name.upper()}"
            if config.get(key) is not None:
                values[item.name] = float(config[key]) if item.name == "timeout_seconds" else int(config[key])
        return cls(**values)


# --- the structural check ------------------------------------------------------------------


def check_document(data: bytes, kind: str, *, limits: Limits | None = None) -> None:
    """Refuse, before any parser reads it, a file whose structure is beyond the limits (a zip
    bomb, too many parts, pages or objects): raises :class:`DocumentUnreadable`."""
    limits = limits or Limits.current()
    if kind in ZIP_KINDS:
        with open_archive(io.BytesIO(data), limits=limits):
            pass
    elif kind == "pdf":
        _check_pdf(data, limits)


def open_archive(handle: IO[bytes], *, limits: Limits | None = None) -> zipfile.ZipFile:
    """The zip archive in ``handle`` (a seekable binary file the caller keeps and closes), opened
    once its central directory shows it within the limits.

    Nothing is decompressed: counts and sizes come from the directory. Declared sizes can lie,
    so read members only through :func:`read_member` (and parsers only in :func:`run_isolated`).
    Raises :class:`DamagedArchive` when the archive cannot be listed and
    :class:`DocumentUnreadable` when it is beyond the limits."""
    limits = limits or Limits.current()
    entries = _entry_count(handle, limits)
    if entries is None:
        raise DamagedArchive("The file is damaged: the list of its parts cannot be found.")
    if entries > limits.max_parts:
        raise DocumentUnreadable(
            f"The file has more than {limits.max_parts:,} parts, more than can be read safely."
        )
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as error:
        raise DamagedArchive("The file is damaged: the list of its parts cannot be read.") from error
    try:
        _check_members(archive.infolist(), _size_of(handle), limits)
    except BaseException:
        archive.close()
        raise
    return archive


def read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's content, decompressed a chunk at a time and never more than ``limit`` bytes
    whatever its header claims: :class:`DocumentUnreadable` when it holds more."""
    chunks: list[bytes] = []
    total = 0
    with archive.open(member) as handle:
        while chunk := handle.read(READ_CHUNK_BYTES):
            total += len(chunk)
            if total > limit:
                raise DocumentUnreadable(f"A part of the file is larger than {_describe(limit)}.")
            chunks.append(chunk)
    return b"".join(chunks)


def _size_of(handle: IO[bytes]) -> int:
    position = handle.tell()
    size = handle.seek(0, os.SEEK_END)
    handle.seek(position)
    return size


def _entry_count(handle: IO[bytes], limits: Limits) -> int | None:
    """Entries in the archive's central directory, before zipfile builds one object for each:
    the count its end record declares or the entries the directory holds, whichever is more
    (zipfile reads all the directory holds). A zip64 count (0xFFFF) counts as unlimited; None
    when there is no end record or it points outside the file."""
    size = handle.seek(0, os.SEEK_END)
    tail_start = max(0, size - 65_557)  # the end record (22 bytes) and the longest comment
    handle.seek(tail_start)
    tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    declared = int.from_bytes(tail[at + 10 : at + 12], "little")
    if declared == 0xFFFF:
        return 2**32
    directory_size = int.from_bytes(tail[at + 12 : at + 16], "little")
    directory_end = tail_start + at
    if directory_size > directory_end:
        return None
    if directory_size > limits.max_parts * DIRECTORY_BYTES_PER_PART:
        return 2**32  # more entries than allowed, whatever their names
    handle.seek(directory_end - directory_size)
    held = handle.read(directory_size).count(b"PK\x01\x02")  # a name containing it only overcounts
    handle.seek(0)
    return max(declared, held)


def _check_members(members: list[zipfile.ZipInfo], archive_size: int, limits: Limits) -> None:
    if len(members) > limits.max_parts:
        raise DocumentUnreadable(
            f"The file has more than {limits.max_parts:,} parts, more than can be read safely."
        )
    budget = limits.max_unpacked_mb * MEGABYTE
    total = 0
    for member in members:
        if member.compress_size > archive_size:
            raise DamagedArchive("The file is damaged: a part claims to be larger than the file.")
        if member.file_size > RATIO_GRACE_BYTES and member.file_size > limits.max_ratio * max(
            member.compress_size, 1
        ):
            raise DocumentUnreadable(
                f"A part of the file is compressed more than {limits.max_ratio} to 1, as files made "
                "to exhaust a server's memory are; it cannot be read safely."
            )
        total += member.file_size
        if total > budget:
            raise DocumentUnreadable(
                f"The file would unpack to more than {limits.max_unpacked_mb} MB, "
                "more than can be read safely."
            )
    # Parts that share compressed data (an "overlapping" zip bomb) repeat one expansion many
    # times. Each member's local header and data take at least 30 + compress_size bytes.
    ordered = sorted(members, key=lambda member: member.header_offset)
    for previous, following in itertools.pairwise(ordered):
        if following.header_offset < previous.header_offset + 30 + previous.compress_size:
            raise DocumentUnreadable(
                "Parts of the file overlap, as in files made to exhaust a server's memory; "
                "it cannot be read safely."
            )


# PDF: a few bounded regular expressions over the bytes; no object is parsed.

_PDF_HEADER = b"%PDF-"
_PDF_TAIL_BYTES = 64 * 1024
_STARTXREF = re.compile(rb"startxref\s{1,64}(\d{1,12})")
_DECLARED_SIZE = re.compile(rb"/Size[\x00\t\n\x0c\r ]{0,64}(\d{1,12})")
_OBJECT_STREAM = re.compile(rb"/Type[\x00\t\n\x0c\r ]{0,64}/ObjStm(?![A-Za-z0-9])")
_STREAM_COUNT = re.compile(rb"/N[\x00\t\n\x0c\r ]{0,64}(\d{1,12})")
_PAGE_TREE = re.compile(rb"/Type[\x00\t\n\x0c\r ]{0,64}/Pages(?![A-Za-z0-9])")
_PAGE = re.compile(rb"/Type[\x00\t\n\x0c\r ]{0,64}/Page(?![A-Za-z0-9])")
_PAGE_COUNT = re.compile(rb"/Count[\x00\t\n\x0c\r ]{0,64}(\d{1,12})")
MAX_OBJECT_STREAMS = 10_000  # each holds many objects: real files have a few hundred at most
_OBJECT_WINDOW = 4096  # how far around a dictionary key its object's other keys are looked for


def _check_pdf(data: bytes, limits: Limits) -> None:
    if _PDF_HEADER not in data[:1024]:
        raise DocumentUnreadable("The file is not a PDF: it does not start as one.")
    tail_start = max(0, len(data) - _PDF_TAIL_BYTES)
    offsets = [int(match[1]) for match in _STARTXREF.finditer(data, tail_start)]
    if not offsets or offsets[-1] >= len(data):
        raise DocumentUnreadable(
            "The PDF is damaged or incomplete: the table that locates its contents is missing."
        )
    # Each key found is looked at with a few KB around it, so their number is capped first:
    # a file of nothing but "/Type /Pages" would otherwise cost its length times that window.
    streams = _at_most(
        _OBJECT_STREAM.finditer(data),
        MAX_OBJECT_STREAMS,
        f"The PDF has more than {MAX_OBJECT_STREAMS:,} object streams, more than can be read safely.",
    )
    # Declared (/Size), or counted: every object outside a stream ends in "endobj", and an
    # object stream says how many it holds (/N).
    objects = max(
        _max_int(_DECLARED_SIZE.finditer(data)),
        data.count(b"endobj") + sum(_near(data, match, _STREAM_COUNT) for match in streams),
    )
    if objects > limits.max_objects:
        raise DocumentUnreadable(
            f"The PDF has more than {limits.max_objects:,} objects, more than can be read safely."
        )
    too_many_pages = f"The PDF has more than {limits.max_pages:,} pages, more than can be checked here."
    # A page tree has no more nodes than pages.
    trees = _at_most(_PAGE_TREE.finditer(data), limits.max_pages, too_many_pages)
    pages = max(
        sum(1 for _ in _PAGE.finditer(data)),
        max((_near(data, match, _PAGE_COUNT) for match in trees), default=0),
    )
    if pages > limits.max_pages:
        raise DocumentUnreadable(too_many_pages)


def _at_most(matches: Iterator[re.Match[bytes]], limit: int, refusal: str) -> list[re.Match[bytes]]:
    found: list[re.Match[bytes]] = []
    for match in matches:
        if len(found) == limit:
            raise DocumentUnreadable(refusal)
        found.append(match)
    return found


def _max_int(matches: Any) -> int:
    return max((int(match[1]) for match in matches), default=0)


def _near(data: bytes, key: re.Match[bytes], pattern: re.Pattern[bytes]) -> int:
    """The largest number ``pattern`` finds in the object around ``key`` (a page tree's /Count,
    an object stream's /N): from the object's start to its end, at most a few KB either way."""
    low, high = max(0, key.start() - _OBJECT_WINDOW), key.end() + _OBJECT_WINDOW
    start = data.rfind(b"obj", low, key.start())  # -1 when not found: the window's edge then
    end = data.find(b"endobj", key.end(), high)
    window = data[max(start, low) : end if end >= 0 else high]
    return _max_int(pattern.finditer(window))


def _describe(size: int) -> str:
    return f"{size // MEGABYTE} MB" if size >= MEGABYTE else f"{size // 1024} KB"


# --- the isolated process ------------------------------------------------------------------


def run_isolated(
    function: Callable[..., T],
    *args: Any,
    limits: Limits | None = None,
) -> T:
    """``function(*args)`` run in a separate process with memory and CPU-time limits.

    Returns what it returns (it must be picklable); re-raises an exception it raised; raises
    :class:`DocumentUnreadable` when the limits are exceeded or the process dies. ``function``
    must be importable by name: a module-level function of a module, not of the main script."""
    limits = limits or Limits.current()
    try:
        context = _context()
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(  # type: ignore[attr-defined]
            target=_child,
            args=(sending, function, args, limits),
            daemon=True,
            name="casework-document-reader",
        )
        process.start()
    except OSError as error:
        log.exception("Could not start a process to read a document")
        raise DocumentUnreadable("The file could not be read: the reader could not be started.") from error
    sending.close()  # ours; the child's copy closes when it exits, which ends a read below
    # The wall clock holds whatever happens, even a read that stalls half way through an answer.
    watchdog = threading.Timer(limits.timeout_seconds, _kill_quietly, (process,))
    watchdog.daemon = True
    watchdog.start()
    started = time.monotonic()
    try:
        answer = _receive(receiving, limits)
    finally:
        watchdog.cancel()
        if process.is_alive():
            process.kill()
        process.join()
        exitcode = process.exitcode
        process.close()
        receiving.close()
    if answer is None and time.monotonic() - started >= limits.timeout_seconds:
        raise DocumentUnreadable(
            f"Reading the file did not finish within {limits.timeout_seconds:g} seconds."
        )
    return _unpack(answer, exitcode, limits, function)


def _kill_quietly(process: Any) -> None:
    with contextlib.suppress(OSError, ValueError):  # already ended (and perhaps closed)
        process.kill()


def _receive(receiving: Connection, limits: Limits) -> bytes | None:
    """The child's one answer, or None if it ended (or was killed) without giving one."""
    try:
        return receiving.recv_bytes(limits.max_result_mb * MEGABYTE)
    except EOFError:
        return None
    except OSError as error:  # the answer is longer than allowed
        raise DocumentUnreadable(
            f"The file holds more text than can be checked here (over {limits.max_result_mb} MB)."
        ) from error


def _unpack(answer: bytes | None, exitcode: int | None, limits: Limits, function: Callable[..., T]) -> T:
    if answer is None:
        if exitcode == -signal.SIGXCPU:
            raise DocumentUnreadable(f"Reading the file took more than {limits.cpu_seconds} seconds.")
        log.error("The process reading a document ended with exit code %s and no answer", exitcode)
        raise DocumentUnreadable("The program reading the file stopped unexpectedly.")
    try:
        outcome, value, remote_traceback = _RestrictedUnpickler(io.BytesIO(answer), function).load()
    except Exception as error:
        log.exception("The answer of the process reading a document could not be understood")
        raise DocumentUnreadable(
            "The program reading the file gave an answer that could not be used."
        ) from error
    if outcome == "returned":
        return value  # type: ignore[no-any-return]
    if outcome == "raised" and isinstance(value, Exception):  # never SystemExit and the like
        value.__cause__ = _RemoteError(remote_traceback)
        raise value
    if outcome == "memory":
        raise DocumentUnreadable(f"Reading the file needed more than {limits.memory_mb} MB of memory.")
    log.error("The process reading a document failed:\n%s", remote_traceback)
    raise DocumentUnreadable("The program reading the file stopped unexpectedly.")


class _RemoteError(Exception):
    """Where the exception was raised in the child, for the log."""

    def __init__(self, text: str) -> None:
        super().__init__(text)

    def __str__(self) -> str:
        return f"\n{self.args[0]}"


_SAFE_BUILTINS = {
    "list", "tuple", "dict", "set", "frozenset", "str", "bytes", "bytearray",
    "int", "float", "complex", "bool", "slice", "range", "object",
}  # fmt: skip


class _RestrictedUnpickler(pickle.Unpickler):
    """Only our own classes, plain containers and exceptions: an answer from a process that read
    a hostile file is not trusted to name arbitrary callables."""

    def __init__(self, file: IO[bytes], function: Callable[..., Any]) -> None:
        super().__init__(file)
        self._modules = {getattr(function, "__module__", None)}

    def find_class(self, module: str, name: str) -> Any:
        trusted = (
            module in self._modules
            or module == "casework"
            or module.startswith("casework.")
            or module in ("builtins", "datetime", "decimal", "collections")
        )
        found = super().find_class(module, name) if trusted else None
        # Classes only, never functions: unpickling may call what it finds.
        if not isinstance(found, type) or (
            module == "builtins" and name not in _SAFE_BUILTINS and not issubclass(found, BaseException)
        ):
            raise pickle.UnpicklingError(f"{module}.{name} is not expected in an answer")
        return found


def _child(sending: Connection, function: Callable[..., Any], args: tuple[Any, ...], limits: Limits) -> None:
    """In the child: apply the limits, run, and send back one answer (never raise)."""
    _apply_limits(limits)
    # A parser compromised by a hostile file finds no credentials here (database URL, keys).
    for name in [name for name in os.environ if name not in _KEPT_ENVIRONMENT]:
        del os.environ[name]
    try:
        payload: tuple[str, Any, str] = ("returned", function(*args), "")
    except BaseException as error:  # everything goes back to the parent, as an answer
        payload = ("memory", None, "") if _out_of_memory(error) else ("raised", error, traceback.format_exc())
    sending.send_bytes(_dumps(payload))
    sending.close()


_KEPT_ENVIRONMENT = {"PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ"}


def _apply_limits(limits: Limits) -> None:
    memory = limits.memory_mb * MEGABYTE
    _lower(resource.RLIMIT_AS, memory, memory)
    # At the soft limit the kernel sends SIGXCPU; a process that ignores it is killed a second later.
    _lower(resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1)
    _lower(resource.RLIMIT_CORE, 0, 0)  # a crash leaves no core file of a confidential document
    os.nice(5)  # the web server comes first


def _lower(which: int, soft: int, hard: int) -> None:
    _, current_hard = resource.getrlimit(which)
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(which, (soft, hard))


def _out_of_memory(error: BaseException | None) -> bool:
    """A MemoryError, even one a parser wrapped in its own error (libxml2 reports "Memory
    allocation failed")."""
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, MemoryError) or "memory allocation failed" in str(error).lower():
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _dumps(payload: tuple[str, Any, str]) -> bytes:
    try:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        if payload[0] == "raised":
            pickle.loads(data)  # an exception that cannot be rebuilt would fail in the parent  # noqa: S301
        return data
    except MemoryError:
        return pickle.dumps(("memory", None, ""))
    except Exception:
        detail = payload[2] or traceback.format_exc()
        return pickle.dumps(("failed", None, detail))


_lock = threading.Lock()
_started: BaseContext | None = None
# Passes the parent's main script path to the forkserver, only while it starts (see below).
_MAIN_VARIABLE = "CASEWORK_READER_PARENT_MAIN"


def _context() -> BaseContext:
    """The forkserver context, started with the parsers preloaded; spawn where there is no
    forkserver."""
    global _started
    with _lock:
        if _started is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(list(PRELOAD))  # type: ignore[attr-defined]
                main_path = _parent_main_path()
                if main_path:
                    os.environ[_MAIN_VARIABLE] = main_path
                try:
                    multiprocessing.forkserver.ensure_running()
                finally:
                    os.environ.pop(_MAIN_VARIABLE, None)
            else:
                context = multiprocessing.get_context("spawn")
            _started = context
        return _started


def _parent_main_path() -> str | None:
    """The main script as multiprocessing names it to each child (spawn.get_preparation_data)."""
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None) is not None:
        return None  # run as a module (python -m): children skip it already
    path = getattr(main, "__file__", None)
    if not isinstance(path, str):
        return None
    if not os.path.isabs(path) and multiprocessing.process.ORIGINAL_DIR is not None:
        path = os.path.join(multiprocessing.process.ORIGINAL_DIR, path)
    return os.path.normpath(path)


def _adopt_parent_main() -> None:
    """In the forkserver: claim the parent's main script as this process's ``__main__``.

    Every child re-runs the parent's main script (the web server's, the test runner's) unless
    its ``__main__`` already has that path, and CPython 3.11's forkserver never imports it
    itself (its "__main__" preload is not passed the path). That costs each child hundreds of
    milliseconds and runs code a reader has no need of. Functions run isolated are imported by
    module name, so nothing needs the parent's ``__main__``."""
    path = os.environ.pop(_MAIN_VARIABLE, None)
    main = sys.modules.get("__main__")
    if path and main is not None and getattr(main, "__file__", None) is None:  # "-c": the forkserver
        main.__file__ = path


_adopt_parent_main()
