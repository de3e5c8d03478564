"""Forms of draft reports: uploads, factual accuracy checks and answers, the family, the final version."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSubmitInput,
)
from wtforms import BooleanField, SubmitField
from wtforms.validators import Optional

from casework.core.form_keys import OneTimeForm
from casework.core.forms import CheckboxesField, DateInputField, TextLineField, VersionedForm
from casework.reviews.forms import LabelledRadioField, optional_text_box
from casework.reviews.models import CommentResponse


class DraftUploadForm(VersionedForm):
    id_prefix = "upload"
    file = FileField(
        "Draft report", widget=GovFileInput(), description="PDF, Word (DOCX) or OpenDocument (ODT)."
    )
    summary = optional_text_box("What changed in this version", 5000)
    submit = SubmitField("Upload the draft", widget=GovSubmitInput())


class ShareForm(OneTimeForm):
    id_prefix = "share"
    agencies = CheckboxesField("Agencies to check it", validators=[Optional()])
    due_on = DateInputField("Answers due", required="Enter the date answers are due")
    submit = SubmitField("Share for a factual accuracy check", widget=GovSubmitInput())


class FamilyForm(OneTimeForm):
    id_prefix = "family"
    shared_on = DateInputField("Date shared with the family", required="Enter the date")
    how = TextLineField("How", max_length=300)
    response = optional_text_box("The family's response", 5000)
    submit = SubmitField("Record sharing with the family", widget=GovSubmitInput())


class FinalForm(VersionedForm):
    id_prefix = "final"
    signed_off_on = DateInputField("Date the partners signed the report off", required="Enter the date")
    submit = SubmitField("Mark the latest version final", widget=GovSubmitInput())


class RespondForm(OneTimeForm):
    id_prefix = "respond"
    response = LabelledRadioField("Response", CommentResponse)
    reason = TextLineField("Reason (needed if not accepted)")

    def chosen_response(self) -> CommentResponse | None:
        return self.response.member()


class AccuracyCommentForm(OneTimeForm):
    reference = TextLineField("Page or section", max_length=100)
    comment = optional_text_box("Comment", 5000)
    submit = SubmitField("Add comment", widget=GovSubmitInput())


class SignOffForm(OneTimeForm):
    no_inaccuracies = BooleanField("There are no factual inaccuracies", widget=GovCheckboxInput())
    submit = SubmitField("Sign off our answer", widget=GovSubmitInput(), name="sign_off")
