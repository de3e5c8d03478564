"""Functions the isolation tests run in a child process. The child imports this module by name,
so it stays light: the standard library and the (preloaded) extraction code only."""

from __future__ import annotations

import io
import os
import resource
import signal
import struct
import sys
import time
import zipfile
import zlib
from fractions import Fraction

from casework.reviews.publication.anonymisation.extraction import extract_text

MB = 1024 * 1024


def allocate(megabytes: int) -> int:
    held = bytearray(megabytes * MB)
    return len(held)


def spin() -> None:
    while True:
        pass


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def fail_with(error: Exception) -> None:
    raise error


def parser_wrapping_memory_error() -> None:
    try:
        allocate(4096)
    except MemoryError as error:
        raise ValueError("the parser gave up") from error


class UnrebuildableError(Exception):
    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} {second}")


def raise_unrebuildable() -> None:
    raise UnrebuildableError("cannot", "rebuild")


def leave() -> None:
    sys.exit(3)


def crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def a_fraction() -> Fraction:
    return Fraction(1, 3)


def child_facts() -> dict:
    return {
        "pid": os.getpid(),
        "parent": os.getppid(),
        "memory": resource.getrlimit(resource.RLIMIT_AS),
        "cpu": resource.getrlimit(resource.RLIMIT_CPU),
        "core": resource.getrlimit(resource.RLIMIT_CORE),
        "environment": sorted(os.environ),
        "threads": len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 1,
    }


def inflate_ignoring_sizes(data: bytes) -> int:
    """A careless reader: unpacks each member's raw deflate stream whole, trusting nothing the
    directory says, as a buggy parser might. Only the child's memory limit stops it."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            start = member.header_offset + 30
            name_length, extra_length = struct.unpack_from("<HH", data, member.header_offset + 26)
            raw = data[start + name_length + extra_length :]
            if member.compress_type == zipfile.ZIP_DEFLATED:
                total += len(zlib.decompressobj(-15).decompress(raw))
    return total


def extract_with_peak(data: bytes, kind: str) -> tuple[int, int]:
    """Parts extracted and the child's peak resident memory (KB), for the measurements."""
    result = extract_text(data, kind)
    return len(result.parts), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
