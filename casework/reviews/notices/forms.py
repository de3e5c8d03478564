"""Forms of the notices page: one per change, each carrying the notice's version."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField

from casework.core.form_keys import OneTimeForm
from casework.core.forms import DateInputField, TextLineField, VersionedForm
from casework.reviews.forms import optional_text_box
from casework.reviews.models import QualityStep


class SentForm(VersionedForm):
    id_prefix = "sent"
    sent_on = DateInputField("Date sent", required="Enter the date the notice was sent")
    reference = TextLineField(
        "Reference received (optional)",
        max_length=200,
        too_long="The reference must be 200 characters or fewer",
    )
    reason = optional_text_box(
        "Reasons given (for a delay or a decision not to publish)",
        5000,
        "The reasons must be 5000 characters or fewer",
    )
    submit = SubmitField("Record as sent", widget=GovSubmitInput(), name="record_sent")


class CommentsForm(VersionedForm):
    id_prefix = "comments"
    received_on = DateInputField("Date received", required="Enter the date the comments were received")
    comments = optional_text_box("Comments received", 10000, "The comments must be 10000 characters or fewer")
    submit = SubmitField("Record the comments", widget=GovSubmitInput(), name="record_comments")


class ResponseForm(VersionedForm):
    id_prefix = "response"
    responded_on = DateInputField("Date of the response", required="Enter the date of the response")
    response = optional_text_box(
        "The partners' response", 10000, "The response must be 10000 characters or fewer"
    )
    submit = SubmitField("Record the response", widget=GovSubmitInput(), name="record_response")


class HomeOfficeStepForm(OneTimeForm):
    id_prefix = "home-office"
    step = RadioField(
        "What happened",
        choices=[SelectChoice(step.value, step.label) for step in QualityStep],
        widget=GovRadioInput(),
        validate_choice=False,  # an unknown value is refused by the service, with its message
    )
    taken_on = DateInputField("Date", required="Enter the date")
    note = optional_text_box(
        "Note (the Panel's feedback, what changed)", 10000, "The note must be 10000 characters or fewer"
    )
    submit = SubmitField("Record the step", widget=GovSubmitInput(), name="record_step")

    def chosen_step(self) -> QualityStep | None:
        try:
            return QualityStep(self.step.data) if self.step.data else None
        except ValueError:
            return None
