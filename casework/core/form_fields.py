"""GOV.UK fields declared as ``TextLineField`` is: ``required`` is the message when the answer is
left empty (without it the answer is optional), so a form states each answer's rule once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSelect
from wtforms import PasswordField, RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Length, Optional

from casework.core.forms import TextBoxField, TextLineField


def _answer(required: str | None) -> list[Any]:
    return [InputRequired(required) if required else Optional()]


def text_box(
    label: str,
    *,
    required: str | None = None,
    max_length: int | None = None,
    too_long: str | None = None,
    **kwargs: Any,
) -> TextBoxField:
    """A GOV.UK text area; ``max_length`` caps it, with ``too_long`` as the message (without it,
    WTForms' own)."""
    checks = _answer(required)
    if max_length is not None:
        checks.append(Length(max=max_length, message=too_long))
    return TextBoxField(label, validators=checks, **kwargs)


def _too_long(label: str, max_length: int) -> str:
    return f"The {label.lower()} must be {max_length:,} characters or fewer"


def capped_line(label: str, max_length: int, **kwargs: Any) -> TextLineField:
    """A one-line answer capped at ``max_length``, refused in the words most forms use: "The
    <label> must be <max_length> characters or fewer" (written from the limit, so the two agree)."""
    return TextLineField(label, max_length=max_length, too_long=_too_long(label, max_length), **kwargs)


def capped_box(label: str, max_length: int, **kwargs: Any) -> TextBoxField:
    """A text area refused as :func:`capped_line` is."""
    return text_box(label, max_length=max_length, too_long=_too_long(label, max_length), **kwargs)


def select_field(label: str, *, required: str | None = None, **kwargs: Any) -> SelectField:
    """A GOV.UK select; its choices are offered by the form, or given here."""
    return SelectField(label, widget=GovSelect(), validators=_answer(required), **kwargs)


def radio_field(
    label: str,
    choices: Sequence[SelectChoice] | Mapping[str, str],
    *,
    required: str | None = None,
    **kwargs: Any,
) -> RadioField:
    """GOV.UK radios; ``choices`` may be written as a mapping of each value to its text."""
    if isinstance(choices, Mapping):
        choices = [SelectChoice(value, text) for value, text in choices.items()]
    return RadioField(label, widget=GovRadioInput(), choices=choices, validators=_answer(required), **kwargs)


YES, NO = "yes", "no"


def yes_no_field(label: str, yes: str, no: str, **kwargs: Any) -> RadioField:
    """A question answered yes or no, each answer in the question's own words."""
    return radio_field(label, {YES: yes, NO: no}, **kwargs)


def password_field(label: str, required: str, *also: Any, **kwargs: Any) -> PasswordField:
    """A GOV.UK password input, always required; ``also`` are its further checks."""
    return PasswordField(
        label, widget=GovPasswordInput(), validators=[InputRequired(required), *also], **kwargs
    )
