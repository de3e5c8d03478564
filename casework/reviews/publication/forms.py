"""Forms of the publication page: details, publishing or not, notes, corrected versions, delays."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from casework.core.form_keys import OneTimeForm
from casework.core.forms import DateInputField, TextLineField, VersionedForm
from casework.core.request_guards import as_id
from casework.reviews.forms import caused_by_field, open_process_choices, optional_text_box
from casework.reviews.models import ParallelProcess


class PublicationDetailsForm(OneTimeForm):
    sent_to_panel_on = DateInputField(
        "Date the full report was sent to the Panel and the Secretary of State",
        description="Saving it records the final report notice as sent on this date. Once the notice "
        "is recorded, correct its date on the review's notices page.",
    )
    public_summary = optional_text_box(
        "Public summary",
        5000,
        description="Age, what happened and the key learning. No names, places, schools or dates of birth.",
    )
    learning = optional_text_box("Learning", 10000)
    public_recommendations = optional_text_box("Recommendations to show", 10000)
    submit = SubmitField("Save publication details", widget=GovSubmitInput(), name="save_details")

    def values(self) -> dict[str, Any]:
        """The arguments of ``publishing.save_publication_details``."""
        return {
            "sent_to_panel_on": self.sent_to_panel_on.data,
            "public_summary": self.public_summary.data or "",
            "learning": self.learning.data or "",
            "public_recommendations": self.public_recommendations.data or "",
        }


class PublishForm(VersionedForm):
    id_prefix = "publish"
    published_on = DateInputField("Publication date", required="Enter the publication date")
    submit = SubmitField("Publish the report", widget=GovSubmitInput(), name="publish")


class NotPublishForm(VersionedForm):
    id_prefix = "not-published"
    decided_on = DateInputField(
        "Date the partners decided not to publish", required="Enter the date the partners decided"
    )
    reason = optional_text_box("Why the report will not be published", 5000)
    improvements = optional_text_box(
        "Information about the improvements to be made (published instead)", 10000
    )
    submit = SubmitField("Record the decision not to publish", widget=GovSubmitInput(), name="not_publish")


class NoteForm(OneTimeForm):
    id_prefix = "note"
    note = TextLineField("Note", max_length=2000)


class CorrectedVersionForm(OneTimeForm):
    id_prefix = "corrected"
    file = FileField("Corrected report", widget=GovFileInput())
    summary = TextLineField("What was corrected", max_length=2000)
    submit = SubmitField("Upload and check again", widget=GovSubmitInput(), name="corrected")


class DelayForm(OneTimeForm):
    id_prefix = "delay"
    reason = optional_text_box("Reason for the delay", 5000)
    expected_until = DateInputField("Expected until (optional)")
    caused_by = caused_by_field()
    submit = SubmitField("Record the delay", widget=GovSubmitInput(), name="delay")

    def offer(self, processes: list[ParallelProcess]) -> DelayForm:
        self.caused_by.choices = open_process_choices(processes)
        return self

    def values(self) -> dict[str, Any]:
        """The arguments of ``publishing.record_delay`` the form holds."""
        return {
            "reason": self.reason.data or "",
            "expected_until": self.expected_until.data,
            "process_id": as_id(self.caused_by.data),
        }
