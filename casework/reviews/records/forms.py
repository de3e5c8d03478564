"""Forms of the registers: a parallel process, a monitoring entry and the reviewer's response, an
entry of the family's involvement. Formats and required answers are checked here; the rules
between dates are the services'."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField
from wtforms.validators import InputRequired, Length

from casework.core.form_fields import capped_line
from casework.core.forms import DateInputField, TextBoxField, TextLineField, VersionedForm
from casework.reviews.forms import LabelledRadioField, optional_text_box
from casework.reviews.models import FamilyContactKind, MonitoringKind, ProcessKind, ProcessStatus
from casework.reviews.records.family import ContactDetails
from casework.reviews.records.processes import ProcessDetails


class ProcessForm(VersionedForm):
    id_prefix = "process"
    kind = LabelledRadioField("Kind of process", ProcessKind, required="Select the kind of process")
    description = capped_line(
        "Description",
        300,
        description="For example: prosecution of the father, Crown Court. Not the family's names.",
        required="Describe the process, for example the charge or the court",
    )
    status = LabelledRadioField("Status", ProcessStatus, required="Select the status of the process")
    started_on = DateInputField("Date it started")
    expected_end_on = DateInputField("Date it is expected to end", description="For example, the trial date.")
    ended_on = DateInputField("Date it ended")
    contact_name = TextLineField(
        "Liaison contact's name", max_length=200, too_long="The name must be 200 characters or fewer"
    )
    contact_organisation = TextLineField(
        "Their organisation",
        description="For example: the police senior investigating officer, the coroner's officer.",
        max_length=200,
        too_long="The organisation must be 200 characters or fewer",
    )
    contact_details = TextLineField(
        "Their email or phone", max_length=300, too_long="The email or phone must be 300 characters or fewer"
    )
    notes = optional_text_box(
        "Notes", 10000, description="What was agreed with the liaison contact. Do not identify the family."
    )
    submit = SubmitField("Save the process", widget=GovSubmitInput())

    def details(self) -> ProcessDetails:
        return ProcessDetails(
            kind=self.kind.member(),
            description=self.description.data or "",
            status=self.status.member(),
            started_on=self.started_on.data,
            expected_end_on=self.expected_end_on.data,
            ended_on=self.ended_on.data,
            contact_name=self.contact_name.data or "",
            contact_organisation=self.contact_organisation.data or "",
            contact_details=self.contact_details.data or "",
            notes=self.notes.data or "",
        )


class MonitoringForm(VersionedForm):
    id_prefix = "monitoring"
    kind = LabelledRadioField(
        "Kind of entry", MonitoringKind, required="Select monitoring or a written request"
    )
    recorded_on = DateInputField("Date", required="Enter the date")
    text = TextBoxField(
        "What was monitored or asked",
        description="For monitoring: the review's progress against its timetable and the quality of "
        "its work. "
        "For a written request: what the partners ask of the lead reviewer.",
        validators=[InputRequired("Enter what was monitored or asked"), Length(max=20000)],
    )
    submit = SubmitField("Add to the log", widget=GovSubmitInput())

    def kind_chosen(self) -> MonitoringKind | None:
        return self.kind.member()


class MonitoringEditForm(VersionedForm):
    recorded_on = DateInputField("Date", required="Enter the date")
    text = TextBoxField(
        "What was monitored or asked",
        validators=[InputRequired("Enter what was monitored or asked"), Length(max=20000)],
    )
    submit = SubmitField("Save the entry", widget=GovSubmitInput())


class ResponseForm(VersionedForm):
    id_prefix = "response"
    response = TextBoxField(
        "Your response", validators=[InputRequired("Enter your response"), Length(max=20000)]
    )
    submit = SubmitField("Send your response", widget=GovSubmitInput())


class FamilyContactForm(VersionedForm):
    id_prefix = "family"
    kind = LabelledRadioField(
        "Kind of involvement", FamilyContactKind, required="Select what kind of involvement this was"
    )
    happened_on = DateInputField("Date", required="Enter the date")
    who = TextLineField(
        "Who in the family",
        description="By their relationship, for example: mother, older sister. Not their name.",
        required="Say who in the family, by their relationship (for example: mother)",
        max_length=200,
        too_long="Who must be 200 characters or fewer",
    )
    how = TextLineField(
        "How",
        description="For example: home visit, letter, through their advocate.",
        max_length=200,
        too_long="How must be 200 characters or fewer",
    )
    summary = optional_text_box(
        "What happened",
        20000,
        description="For consent: what they agreed to. For advocacy: the advocacy service and whether it "
        "was taken up. For what was shared: what, and in what form.",
    )
    submit = SubmitField("Save the entry", widget=GovSubmitInput())

    def details(self) -> ContactDetails:
        return ContactDetails(
            kind=self.kind.member(),
            happened_on=self.happened_on.data,
            who=self.who.data or "",
            how=self.how.data or "",
            summary=self.summary.data or "",
        )
