"""What the review's pages share about forms; the forms of each step are in its own package."""

from __future__ import annotations

from casework.agencies.models import Agency
from casework.core.extensions import db
from casework.core.forms import VersionedForm, chosen_ids


class MoveForm(VersionedForm):
    """A button that moves the review on; only CSRF and the version."""


def chosen_agencies(ids: list[str] | None) -> list[Agency]:
    """The agencies ticked in a checkboxes field."""
    wanted = chosen_ids(ids)
    return (
        list(db.session.execute(db.select(Agency).where(Agency.id.in_(wanted))).scalars()) if wanted else []
    )
