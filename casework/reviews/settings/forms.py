"""The form of the partnership's closure days."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from casework.core.form_keys import OneTimeForm
from casework.core.forms import DateInputField, TextLineField


class ClosureDayForm(OneTimeForm):
    day = DateInputField("Date", required="Enter the date the partnership is closed")
    description = TextLineField(
        "Description", required="Enter a description, for example Christmas closure", max_length=200
    )
    submit = SubmitField("Add closure day", widget=GovSubmitInput())
