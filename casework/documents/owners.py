"""Who a stored document belongs to: the owner decides who may download it.

Documents are shared plumbing and know no domain. Each domain registers, when its models are
imported, a lookup that returns the record owning a document (a progress update, a contribution
request, a draft version...) or None when the document is not one of its own. The download route
asks the owner's ``can_download(user)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from casework.core.extensions import db
from casework.documents.models import Document

if TYPE_CHECKING:
    from casework.auth.models import User


class Owner(Protocol):
    def can_download(self, user: User) -> bool: ...


Lookup = Callable[[Document], "Owner | None"]

_lookups: list[Lookup] = []
_fallbacks: list[Lookup] = []


def register_owner(lookup: Lookup, *, fallback: bool = False) -> None:
    """Add a domain's lookup. A ``fallback`` lookup (the review a document was filed under) is
    asked only when no specific owner claims the document."""
    chosen = _fallbacks if fallback else _lookups
    if lookup not in chosen:
        chosen.append(lookup)


def named_by(column: str, model: type[Owner]) -> Lookup:
    """The lookup of an owner the document names in one of its own columns (``progress_update_id``
    names a ProgressUpdate)."""

    def lookup(document: Document) -> Owner | None:
        owner_id = getattr(document, column)
        return None if owner_id is None else db.session.get(model, owner_id)

    return lookup


def owner_of(document: Document) -> Owner | None:
    for lookup in (*_lookups, *_fallbacks):
        owner = lookup(document)
        if owner is not None:
            return owner
    return None


def can_download(user: User, document: Document) -> bool:
    """No owner, no download: a file nobody claims stays in storage."""
    owner = owner_of(document)
    return owner is not None and owner.can_download(user)
