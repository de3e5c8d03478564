"""Forms for recommendations, actions and progress."""

from __future__ import annotations

from flask_wtf.file import MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from casework.actions.models import REPORTABLE, ActionStatus
from casework.core.form_keys import OneTimeForm
from casework.core.forms import CheckboxesField, DateInputField, TextBoxField, VersionedForm


class FindingForm(OneTimeForm):
    text = TextBoxField("Finding", validators=[InputRequired("Enter the finding"), Length(max=10000)])
    themes = CheckboxesField("Themes", validators=[Optional()])
    submit = SubmitField("Add finding", widget=GovSubmitInput(), name="add_finding")


class RecommendationForm(OneTimeForm):
    text = TextBoxField(
        "Recommendation", validators=[InputRequired("Enter the recommendation"), Length(max=10000)]
    )
    to_partnership = BooleanField("Addressed to the partnership", widget=GovCheckboxInput())
    agencies = CheckboxesField("Addressed to these agencies", validators=[Optional()])
    themes = CheckboxesField("Themes", validators=[Optional()])
    submit = SubmitField("Add recommendation", widget=GovSubmitInput(), name="add_recommendation")


class ActionForm(OneTimeForm):
    description = TextBoxField("What will be done", validators=[InputRequired("Describe what will be done")])
    agency = SelectField(
        "Owning agency",
        widget=GovSelect(),
        description="Choose the partnership for actions the partnership owns itself.",
        validators=[Optional()],
    )
    owner = SelectField(
        "Named owner",
        widget=GovSelect(),
        description="An agency lead of the owning agency, or a board manager for partnership actions.",
        validators=[Optional()],
    )
    deadline = DateInputField("Deadline", required="Enter the deadline")
    success_measure = TextBoxField(
        "Evidence that will show it made a difference",
        description="The success measure: what will be different, and how you will know.",
        validators=[InputRequired("Say what evidence will show the action made a difference")],
    )
    submit = SubmitField("Add action", widget=GovSubmitInput())


class ProgressForm(VersionedForm):
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[SelectChoice(status.value, status.label.split(",")[0]) for status in REPORTABLE],
        validators=[InputRequired("Select the action's status")],
    )
    note = TextBoxField("Progress", validators=[InputRequired("Describe the progress"), Length(max=10000)])
    evidence = MultipleFileField(
        "Evidence (optional; required to mark the action completed)", widget=GovFileInput(multiple=True)
    )
    submit = SubmitField("Add update", widget=GovSubmitInput())


class VerifyForm(VersionedForm):
    note = TextBoxField("Note", validators=[Optional(), Length(max=5000)])
    status = RadioField(
        "If returning: the action is now",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(ActionStatus.ON_TRACK.value, "On track"),
            SelectChoice(ActionStatus.AT_RISK.value, "At risk"),
        ],
        validators=[Optional()],
    )


class DeadlineRequestForm(OneTimeForm):
    proposed_deadline = DateInputField("Proposed deadline", required="Enter the proposed deadline")
    reason = TextBoxField("Reason", validators=[InputRequired("Give the reason for the change")])
    submit = SubmitField("Ask for the new deadline", widget=GovSubmitInput())


class DeadlineDecisionForm(OneTimeForm):
    note = StringField("Note", widget=GovTextInput(), validators=[Optional(), Length(max=1000)])


class ThemeForm(OneTimeForm):
    name = StringField(
        "New theme", widget=GovTextInput(), validators=[InputRequired("Enter the theme"), Length(max=120)]
    )
    submit = SubmitField("Add theme", widget=GovSubmitInput(), name="add_theme")
