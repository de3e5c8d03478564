"""The form of the partnership's closure days."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length

from casework.core.form_keys import OneTimeForm
from casework.core.forms import DateInputField


class ClosureDayForm(OneTimeForm):
    day = DateInputField("Date", required="Enter the date the partnership is closed")
    description = StringField(
        "Description",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a description, for example Christmas closure"), Length(max=200)],
    )
    submit = SubmitField("Add closure day", widget=GovSubmitInput())
