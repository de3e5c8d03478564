"""Where the bytes of stored documents live: the small interface every backend offers.

Storage names each file (a random ``stored_name``) and decides everything else: what a file is,
what it is called, who may take it, and when a file must follow its row's transaction. A backend
only keeps bytes under those names. A new file is provisional until :meth:`FileStore.keep` (its
row committed); a backend that cannot tell the two apart may treat ``provisional`` as a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol


@dataclass(frozen=True)
class StoredFile:
    """One file the backend holds, as the sweep sees it."""

    stored_name: str
    location: Path  # relative to the backend's root, for messages
    size: int
    modified: float  # seconds since the epoch
    provisional: bool  # still under the name of a file whose row has not committed


class FileStore(Protocol):
    def put(self, stored_name: str, chunks: Iterable[bytes]) -> None:
        """Write a new, provisional file from ``chunks``, durably. A failure (including an
        exception from ``chunks``) leaves nothing behind and is raised."""

    def open(self, stored_name: str, *, provisional: bool = False) -> IO[bytes]:
        """The file, for reading (seekable, binary). FileNotFoundError when it is not there."""

    def delete(self, stored_name: str, *, provisional: bool = False) -> None:
        """Remove the file if it is there; a failure is logged, never raised."""

    def exists(self, stored_name: str) -> bool:
        """Whether the kept (not provisional) file is there."""

    def keep(self, stored_name: str, *, reason: str) -> bool:
        """The file's row committed: make the provisional file permanent. Safe to repeat and to
        race; False (logged) when it could not be done, and the file stays provisional."""

    def local_path(self, stored_name: str, *, provisional: bool = False) -> Path:
        """A path to the file on this machine, for code that must hand one to a reader."""

    def files(self) -> Iterator[StoredFile]:
        """Every file the backend holds under a name storage made. Anything else is not ours."""
