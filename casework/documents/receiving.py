"""Taking in an upload's bytes: counted, hashed and checked for text as they stream past, with
at most one chunk in memory, and stopped as soon as they pass the size limit."""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from casework.core.errors import DomainError
from casework.documents.file_types import FIELD, HEAD_BYTES

CHUNK_BYTES = 64 * 1024

# Control characters other than tab, LF and CR (C0, DEL and C1) are not text.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class Received:
    """What the bytes turned out to be, once every chunk has passed."""

    size: int = 0
    sha256: str = ""
    head: bytes = b""
    is_text: bool = True
    text_empty: bool = True


def receive(stream: IO[bytes], limit: int, received: Received) -> Iterator[bytes]:
    """The chunks of ``stream``, for the store to write; ``received`` is filled in on the way
    and complete once they are exhausted. DomainError as soon as they pass ``limit`` bytes."""
    seekable = getattr(stream, "seekable", None)
    if seekable is not None and seekable():
        stream.seek(0)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    head = bytearray()
    while chunk := stream.read(CHUNK_BYTES):
        received.size += len(chunk)
        if received.size > limit:
            raise DomainError(f"The selected file must be smaller than {_describe_size(limit)}", FIELD)
        yield chunk
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        if received.is_text:
            received.is_text = _feed_text(decoder, chunk, received)
    if received.is_text:
        received.is_text = _feed_text(decoder, b"", received, final=True)
    received.sha256 = digest.hexdigest()
    received.head = bytes(head)
    if not received.is_text:
        received.text_empty = False


def _feed_text(
    decoder: codecs.IncrementalDecoder, chunk: bytes, received: Received, final: bool = False
) -> bool:
    try:
        text = decoder.decode(chunk, final)
    except UnicodeDecodeError:
        return False
    if text:
        received.text_empty = False
    return not _NOT_TEXT.search(text)


def _describe_size(limit: int) -> str:
    megabyte = 1024 * 1024
    if limit >= megabyte and limit % megabyte == 0:
        return f"{limit // megabyte} MB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KB"
    return f"{limit} bytes"
