"""Forms for contribution requests and chronology entries."""

from __future__ import annotations

from datetime import datetime

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectChoice, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from casework.agencies.chronology_csv import ChronologyRow
from casework.agencies.contributions import ContributionKind
from casework.core.errors import DomainError
from casework.core.form_keys import OneTimeForm
from casework.core.forms import CheckboxesField, DateInputField, TextBoxField, TextLineField, VersionedForm


class RequestForm(OneTimeForm):
    agencies = CheckboxesField("Agencies to ask", validators=[Optional()])
    kind = RadioField(
        "What you are asking for",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in ContributionKind],
        validators=[InputRequired("Select what you are asking for")],
    )
    instructions = TextBoxField(
        "Instructions",
        description="What the agency should cover, the period, and the format you need.",
        validators=[InputRequired("Enter instructions for the agency")],
    )
    due_on = DateInputField("Due date", required="Enter the due date")
    submit = SubmitField("Send the requests", widget=GovSubmitInput())


class EntryForm(OneTimeForm):
    id_prefix = "entry"
    occurred_on = DateInputField("Date", required="Enter the date of the event")
    occurred_at = StringField(
        "Time (optional)",
        widget=GovTextInput(),
        description="24-hour clock, for example 14:30.",
        validators=[Optional(), Regexp(r"^([01]?\d|2[0-3]):[0-5]\d$", message="Enter the time like 14:30")],
    )
    practitioner_role = TextLineField(
        "Practitioner role",
        required="Enter the practitioner's role",
        max_length=200,
        description="The role, not the name, for example health visitor.",
    )
    event = TextBoxField(
        "What happened", validators=[InputRequired("Describe what happened"), Length(max=5000)]
    )
    significance = TextBoxField(
        "The agency's view of its significance", validators=[Optional(), Length(max=5000)]
    )
    submit = SubmitField("Add entry", widget=GovSubmitInput())

    def row(self) -> ChronologyRow:
        """The entry as the service takes it (read after validation)."""
        at = datetime.strptime(self.occurred_at.data, "%H:%M").time() if self.occurred_at.data else None
        return ChronologyRow(
            self.occurred_on.data,
            at,
            self.practitioner_role.data or "",
            self.event.data or "",
            self.significance.data or "",
        )


class CsvForm(OneTimeForm):
    id_prefix = "csv"
    file = FileField("Chronology CSV file", widget=GovFileInput())
    submit = SubmitField("Import the file", widget=GovSubmitInput(), name="import_csv")

    def content(self) -> bytes:
        upload = self.file.data
        if upload is None or not upload.filename:
            raise DomainError("Choose a CSV file to import", field="file")
        return bytes(upload.read())

    def filename(self) -> str:
        upload = self.file.data
        return str(getattr(upload, "filename", "") or "")


class UploadForm(OneTimeForm):
    id_prefix = "upload"
    file = FileField("Document", widget=GovFileInput())
    submit = SubmitField("Upload", widget=GovSubmitInput(), name="upload")


class SubmitForm(VersionedForm):
    id_prefix = "send"
    note = TextBoxField(
        "Covering note",
        description="Anything the board manager should know. For a learning event, who will attend.",
        validators=[Optional(), Length(max=5000)],
    )
    submit = SubmitField("Submit to the partnership", widget=GovSubmitInput())


class CommentForm(VersionedForm):
    id_prefix = "comment"
    comment = TextBoxField("Comments", validators=[Optional(), Length(max=5000)])


class KeyEpisodeForm(OneTimeForm):
    id_prefix = "key-episode"
    note = TextLineField("Why it matters", max_length=1000)


class ChaseForm(OneTimeForm):
    """The tracker's "send a reminder now": the ids of the requests ticked. Which ids may be
    chased is the service's question (it names the ones it refuses), not the form's."""

    requests = SelectMultipleField("Requests to chase", validate_choice=False)
    submit = SubmitField("Send a reminder now", widget=GovSubmitInput())
