"""What the review's pages share about forms; the forms of each step are in its own package."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Optional

from casework.agencies.models import Agency
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.form_fields import select_field, text_box
from casework.core.forms import TextBoxField, VersionedForm, chosen_ids
from casework.reviews.models import ParallelProcess


class MoveForm(VersionedForm):
    """A button that moves the review on; only CSRF and the version."""


def chosen_agencies(ids: list[str] | None) -> list[Agency]:
    """The agencies ticked in a checkboxes field."""
    wanted = chosen_ids(ids)
    return (
        list(db.session.execute(db.select(Agency).where(Agency.id.in_(wanted))).scalars()) if wanted else []
    )


class LabelledRadioField(RadioField):
    """GOV.UK radios offering every member of a labelled enum (a kind, a status, a result).
    ``required`` is the message when none is chosen; without it the answer is optional."""

    widget = GovRadioInput()

    def __init__(
        self, label: str, enum_class: type[LabelledEnum], *, required: str | None = None, **kwargs: Any
    ):
        self.enum_class = enum_class
        super().__init__(
            label,
            choices=[SelectChoice(member.value, member.label) for member in enum_class],
            validators=[InputRequired(required) if required else Optional()],
            **kwargs,
        )

    def member(self) -> Any:
        """The member chosen, read after validation checked the choice; blank is no answer."""
        return self.enum_class(self.data) if (self.data or "").strip() else None


def optional_text_box(
    label: str, max_length: int, too_long: str | None = None, **kwargs: Any
) -> TextBoxField:
    """A text box that may be left empty, capped at ``max_length`` characters (``too_long`` is
    the message; without it, WTForms' own)."""
    return text_box(label, max_length=max_length, too_long=too_long, **kwargs)


def caused_by_field() -> SelectField:
    """The parallel process a pause or a publication delay names, if any: offer the choices with
    :func:`open_process_choices`."""
    return select_field(
        "Parallel process that caused it (optional)",
        description="From the review's register of parallel processes.",
    )


def open_process_choices(processes: list[ParallelProcess]) -> list[SelectChoice]:
    """The processes a pause or a delay may name: none, or one of the review's not yet over (a
    concluded one holds nothing up any more)."""
    return [SelectChoice("", "None")] + [
        SelectChoice(str(p.id), p.title) for p in processes if not p.status.is_over
    ]
