"""Stored files in an S3-compatible object store (``CASEWORK_STORAGE_URL=s3://bucket/prefix``),
so that every app server reads and writes the same documents.

A file is the object ``<prefix><first two characters>/<stored name>``. A new file is uploaded as
``<stored name>.part`` (streamed, in parts when large) and copied to its final key when its row
commits: object stores cannot rename, and a process killed part way leaves only a ``.part``
object the sweep knows it may judge. Objects carry the SHA-256 of their content, which storage
also keeps on the document's row.
"""

from __future__ import annotations

import io
import logging
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from casework.documents.file_store import StoredFile

log = logging.getLogger(__name__)

TEMPORARY_SUFFIX = ".part"
_STORED_NAME = re.compile(r"[0-9a-f]{32}")
_MISSING = {"404", "NoSuchKey", "NotFound"}
PART_SIZE = 8 * 1024 * 1024  # uploads and copies above this go in parts, never whole in memory
IN_MEMORY = 8 * 1024 * 1024  # a download larger than this is spooled to a temporary file


@dataclass(frozen=True)
class S3Settings:
    bucket: str
    prefix: str
    endpoint_url: str | None
    access_key_id: str | None
    secret_access_key: str | None
    region: str | None


def parse_storage_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> ("bucket", "some/prefix/"). ValueError when malformed."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"not an s3://bucket/prefix address: {url!r}")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


def make_client(settings: S3Settings) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=settings.endpoint_url or None,
        aws_access_key_id=settings.access_key_id or None,
        aws_secret_access_key=settings.secret_access_key or None,
        region_name=settings.region or None,
        config=Config(
            s3={"addressing_style": "path"},  # works with every S3-compatible server
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
        ),
    )


class _ChunkReader(io.RawIOBase):
    """The upload's chunks as a file object, read as the store asks: nothing held whole."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            try:
                self._left = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


class S3Store:
    """The :class:`~casework.documents.file_store.FileStore` of one bucket and prefix."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.transfer = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE)

    def put(self, stored_name: str, chunks: Iterable[bytes]) -> None:
        key = self._key(stored_name, provisional=True)
        reader = io.BufferedReader(_ChunkReader(chunks), buffer_size=1024 * 1024)
        try:
            self.client.upload_fileobj(reader, self.bucket, key, Config=self.transfer)
        except (BotoCoreError, ClientError) as error:
            self.delete(stored_name, provisional=True)
            raise OSError(f"could not store {key}: {error}") from error
        except BaseException:
            self.delete(stored_name, provisional=True)
            raise

    def open(self, stored_name: str, *, provisional: bool = False) -> IO[bytes]:
        key = self._key(stored_name, provisional=provisional)
        if not provisional and not self._has(key) and self._has(self._key(stored_name, provisional=True)):
            self.keep(stored_name, reason="an upload interrupted after its commit")
        copy = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 (the caller closes it)
        try:
            self.client.download_fileobj(self.bucket, key, copy, Config=self.transfer)
        except ClientError as error:
            copy.close()
            if _missing(error):
                raise FileNotFoundError(key) from None
            raise OSError(f"could not read {key}: {error}") from error
        except BaseException:
            copy.close()
            raise
        copy.seek(0)
        return copy  # type: ignore[return-value]

    def delete(self, stored_name: str, *, provisional: bool = False) -> None:
        key = self._key(stored_name, provisional=provisional)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError):
            log.exception("Could not remove %s from %s", key, self.bucket)

    def exists(self, stored_name: str) -> bool:
        return self._has(self._key(stored_name))

    def keep(self, stored_name: str, *, reason: str) -> bool:
        """Copy a committed document's object to its final key, then remove the ``.part``. Safe
        to race: when another process got there first, the final object is what counts."""
        temporary, final = self._key(stored_name, provisional=True), self._key(stored_name)
        try:
            self.client.copy(
                {"Bucket": self.bucket, "Key": temporary}, self.bucket, final, Config=self.transfer
            )
        except ClientError as error:
            if _missing(error):
                return self._has(final)
            log.exception("Could not keep %s (%s)", final, reason)
            return False
        except BotoCoreError:
            log.exception("Could not keep %s (%s)", final, reason)
            return False
        self.delete(stored_name, provisional=True)
        return True

    def local_path(self, stored_name: str, *, provisional: bool = False) -> Path:
        raise NotImplementedError("documents in an object store have no path on this machine; open() them")

    def files(self) -> Iterator[StoredFile]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", ()):
                relative = item["Key"][len(self.prefix) :]
                shard, _, name = relative.partition("/")
                stored_name = name.removesuffix(TEMPORARY_SUFFIX)
                if not _STORED_NAME.fullmatch(stored_name) or shard != stored_name[:2]:
                    continue  # not a name storage made: not ours to judge
                yield StoredFile(
                    stored_name,
                    Path(relative),
                    int(item["Size"]),
                    item["LastModified"].timestamp(),
                    provisional=name != stored_name,
                )

    def ensure_bucket(self) -> None:
        """Create the bucket when it is not there (a new installation, a test server)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if not _missing(error) and error.response.get("Error", {}).get("Code") != "NoSuchBucket":
                raise
            self.client.create_bucket(Bucket=self.bucket)

    def _has(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def _key(self, stored_name: str, *, provisional: bool = False) -> str:
        if not isinstance(stored_name, str) or not _STORED_NAME.fullmatch(stored_name):
            raise ValueError(f"not a stored file name: {stored_name!r}")
        name = stored_name + TEMPORARY_SUFFIX if provisional else stored_name
        return f"{self.prefix}{stored_name[:2]}/{name}"


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING
