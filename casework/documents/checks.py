"""Looking at an untrusted document's structure before any parser reads it, within bounds.

:func:`check_document` is cheap and unpacks nothing: a DOCX, XLSX or ODT archive's central
directory (how many parts, how large they say they are, how tightly each is compressed, whether
parts overlap), a PDF's header, trailer, object and page counts. What is beyond the limits is
refused. Whatever gets past it is read only in :func:`casework.documents.isolation.run_isolated`.

Limits come from the Flask config when an app context exists (``EXTRACT_*``), else the defaults.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import IO, Any

MEGABYTE = 1024 * 1024
ZIP_KINDS = ("docx", "xlsx", "odt")
# A part this small may be compressed at any ratio: it cannot expand to anything that matters.
RATIO_GRACE_BYTES = MEGABYTE
READ_CHUNK_BYTES = 64 * 1024
# A directory entry is 46 bytes and a name (about 20-60 in real documents); beyond this on
# average, a directory is refused unread.
DIRECTORY_BYTES_PER_PART = 1024


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
