"""Form pieces shared by every domain: GOV.UK date input, checkboxes, and the submit pattern."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, TypeVar

from flask import flash, redirect, render_template, session
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput, GovTextArea, GovTextInput
from markupsafe import Markup, escape
from sqlalchemy.orm.exc import StaleDataError
from wtforms import DateField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, StopValidation
from wtforms.widgets import HiddenInput

from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.extensions import db
from casework.core.form_keys import (
    FormAlreadySentError,
    OneTimeForm,
    already_sent,
    check_form_key,
    claim_form_key,
)
from casework.core.request_guards import as_id

T = TypeVar("T")


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's refusal next to its field, or at the top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def flash_form_errors(form: FlaskForm) -> None:
    """For forms posted from a page that redirects back: their messages go to the top of it."""
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "error")


def error_flashed() -> bool:
    return any(category == "error" for category, _ in session.get("_flashes", []))


def page_with_form(template: str, form: FlaskForm, **context: Any) -> ResponseReturnValue:
    """Render a form page; 400 when it carries errors, so a refused submission is visible as one."""
    status = 400 if form.errors or error_flashed() else 200
    return render_template(template, form=form, **context), status


@dataclass(frozen=True)
class Sent:
    """A form's change, committed: what the service returned and where the form sends the
    person. For a one-time form sent again, ``repeated`` is the answer to give instead."""

    result: Any = None
    target: str | None = None
    repeated: ResponseReturnValue | None = None


def send_form(
    form: FlaskForm,
    change: Callable[[], Any],
    then: str | Callable[[Any], str] | None = None,
    *,
    one_time: bool = True,
    refused: Callable[[DomainError], None] | None = None,
    record: str = "this record",
) -> Sent | None:
    """Validate, call the service, commit once, or roll back and show the refusal (next to its
    field, or with ``refused``; a stale save is refused as a change to ``record``). Returns None
    to show the form again. :func:`submit` is this, then a message and a redirect; a view whose
    answer to success differs (a page, a new session) uses this directly.

    A form with a one-time key (:class:`casework.core.form_keys.OneTimeForm`) changes things once: a
    second post of the same rendered form, even one sent while the first is still running, changes
    nothing and is sent where the first went (``then``). ``one_time=False`` leaves the key
    unclaimed, for buttons whose repeat must be answered afresh."""
    if not form.is_submitted():
        return None
    fallback = then if isinstance(then, str) else None
    if one_time:
        try:
            check_form_key(form)  # a repeat after the first committed: answered before validating
        except FormAlreadySentError as sent:
            return Sent(repeated=already_sent(sent, fallback))
    if not form.validate():
        return None
    try:
        key = claim_form_key(form) if one_time else None
        result = change()
        if callable(then):
            db.session.flush()  # a new record's id, for its address
        target = then(result) if callable(then) else then
        if key is not None:
            key.sent_to = target
        db.session.commit()
    except FormAlreadySentError as sent:
        return Sent(repeated=already_sent(sent, fallback))
    except (StaleDataError, DomainError) as error:
        db.session.rollback()
        refusal = error if isinstance(error, DomainError) else ConcurrentEditError(record)
        (refused or partial(show_domain_error, form))(refusal)
        return None
    return Sent(result, target)


def submit(
    form: FlaskForm,
    change: Callable[[], Any],
    success: str | Callable[[Any], str],
    then: str | Callable[[Any], str],
) -> ResponseReturnValue | None:
    """The one pattern for a form that changes something (:func:`send_form`), then the success
    message and the redirect. Returns the redirect, or None to show the form again. ``success``
    and ``then`` may be functions of what the service returned (e.g. a new record)."""
    sent = send_form(form, change, then)
    if sent is None or sent.repeated is not None:
        return None if sent is None else sent.repeated
    flash(success(sent.result) if callable(success) else success, "success")
    return redirect(sent.target or "")  # submit always has a target


def submit_and_return(
    form: FlaskForm, change: Callable[[], Any], success: str | Callable[[Any], str], page: str
) -> ResponseReturnValue:
    """A button on a page (:func:`submit`): back to the page whatever came of it."""
    return submit(form, change, success, page) or redirect(page)


def commit_once(change: Callable[[], T]) -> T:
    """A change no form guards (signing in or out): call the service and commit once, or roll
    back and raise again whatever it raised. A refusal that is an answer rather than an error (a
    wrong password, counted) is committed like any other result."""
    try:
        result = change()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def chosen_ids(values: list[str] | None) -> set[int]:
    """The ids ticked in checkboxes or a multiple select; anything else is dropped (the form's own
    validation tells the user)."""
    return {number for number in (as_id(value) for value in values or []) if number is not None}


class DateInput(GovDateInput):
    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None  # not sent at all: draw the boxes from the data
        params = super().map_gov_params(field, **kwargs)
        # The boxes' ids follow the field's id (which a form sharing its page prefixes, or the
        # page sets), not its name, which repeats when a page has the same form twice.
        for item, part in zip(params.get("items", []), ("day", "month", "year"), strict=False):
            item["id"] = f"{params.get('id') or field.id}-{part}"
        return params


def error_summary(form: FlaskForm, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error summary's links, as govuk-frontend-wtf draws them, except that a date's link goes
    to its Day box (the field's own id names no element a browser can focus)."""
    summary = wtforms_errors(form, params or {})
    dates = {f"#{field.id}" for field in form if isinstance(field, DateInputField)}
    for error in summary["errorList"]:
        if error.get("href") in dates:
            error["href"] += "-day"
    return summary


class DateInputField(DateField):
    """The GOV.UK three-box date input, with messages that say what is wrong."""

    widget = DateInput()

    def __init__(
        self, label: str, validators: list[Any] | None = None, required: str | None = None, **kwargs: Any
    ):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.required_message = required

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        parts = [value.strip() for value in valuelist]
        self.data = None
        if not any(parts):
            return
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{self.label.text} must include a day, month and year")
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1900:
                raise ValueError
            self.data = date(year, month, day)
        except (ValueError, OverflowError):  # a 30-digit year overflows rather than being wrong
            raise ValueError(f"{self.label.text} must be a real date, for example 27 3 2026") from None

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None and self.required_message:
            raise StopValidation(self.required_message)


class CheckboxesInput(GovCheckboxesInput):
    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        params.setdefault("idPrefix", field.id)  # the boxes' ids follow the field's id, as labels do
        return params


class CheckboxesField(SelectMultipleField):
    widget = CheckboxesInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        # A ticked box always has a value; an empty one was not sent by this page.
        super().process_formdata([value for value in valuelist if value.strip()])

    def pre_validate(self, form: Any) -> None:
        values = {choice.value if hasattr(choice, "value") else choice[0] for choice in self.choices or []}
        if any(item not in values for item in self.data or []):
            # StopValidation, not ValidationError: an Optional() after it must not clear the message.
            raise StopValidation("Select options from the list")


class TextBoxField(TextAreaField):
    widget = GovTextArea()


class TextLineField(StringField):
    """A one-line GOV.UK text input. ``required`` is the message when it is left empty (without
    it the field is optional); ``max_length`` caps it, with ``too_long`` as the message."""

    widget = GovTextInput()

    def __init__(
        self,
        label: str,
        validators: list[Any] | None = None,
        *,
        required: str | None = None,
        max_length: int | None = None,
        too_long: str | None = None,
        **kwargs: Any,
    ):
        checks: list[Any] = [InputRequired(required) if required else Optional()]
        if max_length is not None:
            checks.append(Length(max=max_length, message=too_long))
        super().__init__(label, [*checks, *(validators or [])], **kwargs)


class VersionedForm(OneTimeForm):
    """Carries the row version it was drawn from, so a stale save is refused, not applied."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def show_latest(self, version: int) -> None:
        self.version.raw_data = None
        self.version.data = version


def select_options(items: Iterable[Sequence[object]], selected: object) -> Markup:
    """The ``<option>``s of a filter's list from (value, text) pairs, the chosen one marked, as the
    filter macro writes them. Written here, not in the macro's loop: a list can hold hundreds of
    records (every review that ever asked an agency for something), and a template's loop costs
    many times this per option."""
    chosen = selected is not None
    return Markup(  # noqa: S704 - every value and text is escaped here
        "".join(
            f'<option value="{escape(item[0])}" {"selected" if chosen and selected == item[0] else ""}>'
            f"{escape(item[1])}</option>"
            for item in items
        )
    )
