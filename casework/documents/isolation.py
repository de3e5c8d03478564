"""Running a document's parser in a restricted child process: a hostile file can fail only its
own reading.

Declared sizes can lie and parsers have bugs, so after the structural check
(:mod:`casework.documents.checks`) :func:`run_isolated` runs the parser in a separate process
with an address-space limit, a CPU-time limit and a wall-clock timeout: whatever gets past the
check can exhaust only that process, which is then discarded.

The child processes come from a "forkserver": a fresh interpreter started once (never a fork of
the threaded web server, so no locks, threads or database connections are copied) with the
parsers already imported, which each child then forks from in milliseconds.

Limits come from the Flask config when an app context exists (``EXTRACT_*``), else the defaults.
"""

from __future__ import annotations

import contextlib
import io
import logging
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.process
import os
import pickle
import resource
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import IO, Any, TypeVar

from casework.documents.checks import MEGABYTE, DocumentUnreadable, Limits

T = TypeVar("T")

log = logging.getLogger(__name__)

# Modules the forkserver imports once, so that each child starts with the parsers loaded.
PRELOAD = (
    "casework.documents.isolation",
    "casework.reviews.publication.anonymisation.extraction",
    "pypdf",
    "docx",
    "odf.opendocument",
    "lxml.etree",
)


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
    # The watchdog says it struck: timing the read here instead would start a moment after it.
    struck = threading.Event()
    watchdog = threading.Timer(limits.timeout_seconds, _strike, (process, struck))
    watchdog.daemon = True
    watchdog.start()
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
    if answer is None and struck.is_set():
        raise DocumentUnreadable(
            f"Reading the file did not finish within {limits.timeout_seconds:g} seconds."
        )
    return _unpack(answer, exitcode, limits, function)


def _strike(process: Any, struck: threading.Event) -> None:
    struck.set()
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
