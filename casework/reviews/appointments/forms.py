"""Forms of appointing independent reviewers, their answers, their profiles, and the scope."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import BooleanField, RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired, Optional

from casework.core.form_keys import OneTimeForm
from casework.core.forms import DateInputField, TextLineField, VersionedForm
from casework.reviews.forms import LabelledRadioField, optional_text_box
from casework.reviews.models import AssignmentRole


class AssignForm(VersionedForm):
    reviewer = RadioField("Reviewer", widget=GovRadioInput(), validators=[InputRequired("Select a reviewer")])
    role = LabelledRadioField(
        "Role on this review", AssignmentRole, required="Select lead reviewer or co-reviewer"
    )
    override_reason = optional_text_box(
        "If the reviewer has a conflict of interest: why the appointment is still right",
        5000,
        description="Only needed to appoint despite a conflict. It is recorded and shown on the review.",
    )
    submit = SubmitField("Appoint", widget=GovSubmitInput())


class AcceptForm(OneTimeForm):
    declared = BooleanField(
        "I confirm the declaration of independence above", widget=GovCheckboxInput(), validators=[Optional()]
    )
    submit = SubmitField("Accept the appointment", widget=GovSubmitInput())


class DeclineForm(OneTimeForm):
    reason = optional_text_box("Reason for declining", 2000)
    submit = SubmitField("Decline", widget=GovSubmitInput(), name="decline")


class ReasonForm(VersionedForm):
    reason = optional_text_box("Reason", 2000)


class ProfileForm(OneTimeForm):
    organisation = TextLineField("Organisation", max_length=200, description="Who you work for or trade as.")
    submit = SubmitField("Save organisation", widget=GovSubmitInput(), name="save_profile")


class AffiliationForm(OneTimeForm):
    agency = SelectField("Agency", widget=GovSelect(), coerce=int, validators=[Optional()])
    nature = TextLineField(
        "Nature of the link",
        max_length=300,
        description="For example: employed as a team manager; board member; commissioned for training.",
    )
    started_on = DateInputField("From")
    ended_on = DateInputField("To", description="Leave blank if the link continues.")
    submit = SubmitField("Declare this link", widget=GovSubmitInput(), name="declare")


class ScopeForm(VersionedForm):
    agency = SelectField("Agency", widget=GovSelect(), coerce=int, validators=[Optional()])
    role_note = TextLineField("Its part in the case", max_length=500)
    submit = SubmitField("Add to scope", widget=GovSubmitInput())
