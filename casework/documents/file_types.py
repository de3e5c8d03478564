"""What may be uploaded, and what an upload is: the content decides, never the name.

A file's type comes from its first bytes (signatures), from inside a zip archive (DOCX, XLSX
and ODT are archives, checked for macros and for the limits of a document about to be read
before anything is decompressed), or, for text, which has no signature, from the name it was
given, once it has proved to be UTF-8 without control characters.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import IO, NamedTuple

import filetype

from casework.core.errors import DomainError
from casework.documents.checks import DamagedArchive, DocumentUnreadable, open_archive, read_member


class FileType(NamedTuple):
    label: str
    media_type: str


# What may be uploaded, in the order messages list them. Narrow it per upload with ``allowed``.
ALLOWED_TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF", "application/pdf"),
    "docx": FileType(
        "Word (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "xlsx": FileType("Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "odt": FileType("OpenDocument text (ODT)", "application/vnd.oasis.opendocument.text"),
    "csv": FileType("CSV", "text/csv"),
    "txt": FileType("plain text", "text/plain"),
    "png": FileType("PNG", "image/png"),
    "jpg": FileType("JPEG", "image/jpeg"),
}

# The file name extensions that belong to each type; the first is the one added when missing.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "odt": ("odt",),
    "csv": ("csv",),
    "txt": ("txt",),
    "png": ("png",),
    "jpg": ("jpg", "jpeg"),
}

# Text has no signature: a file that is valid text is accepted only under one of these names.
TEXT_EXTENSIONS = {"csv": "csv", "txt": "txt"}

FIELD = "file"  # the form field an upload's refusal belongs to
HEAD_BYTES = 8192  # what filetype looks at
MAX_ZIP_MEMBER_READ = 1024 * 1024

_OOXML_MAIN_TYPES = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# filetype's answers for a file that starts as a zip archive; the archive's contents decide.
_ZIP_KINDS = {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"}
_SIGNATURE_KINDS = {"pdf": "pdf", "png": "png", "apng": "png", "jpg": "jpg"}


def describe_allowed(allowed: set[str] | None = None) -> str:
    """The allowed types for a message: "PDF, Word (DOCX) or PNG"."""
    labels = [ALLOWED_TYPES[kind].label for kind in allowed_kinds(allowed)]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def accept_attribute(allowed: set[str] | None = None) -> str:
    """A file input's ``accept`` value: ".pdf,.docx,...". A hint for the browser, never a check."""
    return ",".join(f".{extension}" for kind in allowed_kinds(allowed) for extension in EXTENSIONS[kind])


def allowed_kinds(allowed: set[str] | None) -> tuple[str, ...]:
    """``allowed`` (every type when None) in the order of ALLOWED_TYPES; ValueError for a type
    that is not one of them."""
    if allowed is None:
        return tuple(ALLOWED_TYPES)
    unknown = set(allowed) - set(ALLOWED_TYPES)
    if unknown or not allowed:
        raise ValueError(f"allowed must be a non-empty subset of {sorted(ALLOWED_TYPES)}, not {allowed!r}")
    return tuple(kind for kind in ALLOWED_TYPES if kind in allowed)


def detect_type(
    head: bytes,
    *,
    is_text: bool,
    declared_extension: str,
    kinds: tuple[str, ...],
    open_file: Callable[[], IO[bytes]],
) -> str:
    """The type of a file, from its first bytes (``head``) and, for an archive, its content
    (read through ``open_file``, a seekable binary file the caller's function opens); text is
    known by ``declared_extension``. DomainError if it is not one of ``kinds``."""
    guess = filetype.guess(head)
    kind: str | None = None
    if guess is not None and guess.extension in _ZIP_KINDS:
        kind = _zip_document_kind(open_file)
    elif guess is not None and guess.extension in _SIGNATURE_KINDS:
        kind = _SIGNATURE_KINDS[guess.extension]
    elif is_text:
        # Text has no signature, so some text looks like a signature filetype knows ("BM..." is
        # a bitmap to it). Valid UTF-8 without control characters is text whatever it starts with.
        kind = TEXT_EXTENSIONS.get(declared_extension.lower())
    if kind is None or kind not in kinds:
        message = f"The selected file must be {_article(kinds)} {describe_allowed(set(kinds))}"
        if declared_extension.lower() in TEXT_EXTENSIONS and {"csv", "txt"} & set(kinds):
            message += ". CSV and text files must be saved as UTF-8"
        raise DomainError(message, field=FIELD)
    return kind


def _zip_document_kind(open_file: Callable[[], IO[bytes]]) -> str | None:
    """docx, xlsx or odt when the archive really is one (and carries no macros), else None.

    The archive passes the same checks as a document about to be read (parts, declared sizes,
    compression ratios, overlapping parts) before anything in it is decompressed: DomainError
    when it is beyond them, so a zip bomb is refused at the door with a reason."""
    try:
        with open_file() as handle, open_archive(handle) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if "mimetype" in names:  # OpenDocument (first in the archive, though not every tool obeys)
                if any(name.startswith(("Basic/", "Scripts/")) for name in names):
                    return None  # macros
                mimetype = _read_member(archive, archive.getinfo("mimetype")).strip()
                return "odt" if mimetype == _ODT_MIMETYPE and "content.xml" in names else None
            if "[Content_Types].xml" not in names or any(
                name.lower().endswith("vbaproject.bin") for name in names
            ):
                return None
            content_types = _read_member(archive, archive.getinfo("[Content_Types].xml"))
            found = [kind for kind, main in _OOXML_MAIN_TYPES.items() if main in content_types]
            return found[0] if len(found) == 1 else None
    except DamagedArchive:
        return None
    except DocumentUnreadable as error:
        raise DomainError(f"The selected file cannot be accepted. {error.message}", field=FIELD) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, RuntimeError, EOFError):
        return None
    except NotImplementedError:  # an unsupported compression method
        return None


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """At most MAX_ZIP_MEMBER_READ bytes, read in chunks whatever the header claims; a larger
    member reads as nothing (it is not a type declaration)."""
    try:
        return read_member(archive, member, MAX_ZIP_MEMBER_READ)
    except DocumentUnreadable:
        return b""


def _article(kinds: tuple[str, ...]) -> str:
    return "an" if ALLOWED_TYPES[kinds[0]].label[:1] in "AEIOU" else "a"
