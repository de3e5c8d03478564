"""Forms of the briefing and of its dissemination record. Formats and required answers are
checked here; the rules between records (approved before sent, recommendations of this review)
are the services'."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import Field, SelectChoice, SubmitField
from wtforms.utils import unset_value
from wtforms.validators import InputRequired, Length, Optional

from casework.core.form_fields import capped_line
from casework.core.form_keys import OneTimeForm
from casework.core.forms import (
    CheckboxesField,
    DateInputField,
    TextBoxField,
    VersionedForm,
    chosen_ids,
)
from casework.core.request_guards import as_id
from casework.reviews.forms import LabelledRadioField, optional_text_box
from casework.reviews.learning.dissemination import AuditDetails, EventDetails
from casework.reviews.learning.models import SECTIONS, AuditResult, EventKind

SECTION_LENGTH = 5000  # a 7-minute briefing is short: a page or two in all
SECTION_HINTS = {
    "background": "The review, and what happened, without names, places, schools or dates of birth.",
    "why_it_matters": "Why practitioners should care: the harm, and how often this comes up.",
    "what_was_found": "The review's findings, in plain words.",
    "what_to_think_about": "What practitioners should consider in their own work.",
    "questions": "Questions for a team to discuss, one a line.",
    "what_to_do_now": "What each agency and practitioner should do differently, starting now.",
}


# --- the briefing ----------------------------------------------------------------------------


def _section(name: str, heading: str) -> TextBoxField:
    return TextBoxField(
        heading,
        description=SECTION_HINTS[name],
        validators=[
            Optional(),
            Length(max=SECTION_LENGTH, message=f"{heading} must be {SECTION_LENGTH} characters or fewer"),
        ],
    )


class BriefingForm(VersionedForm):
    id_prefix = "briefing"
    title = capped_line("Title", 200, required="Enter the briefing's title")
    background = _section(*SECTIONS[0])
    why_it_matters = _section(*SECTIONS[1])
    what_was_found = _section(*SECTIONS[2])
    what_to_think_about = _section(*SECTIONS[3])
    questions = _section(*SECTIONS[4])
    what_to_do_now = _section(*SECTIONS[5])
    submit = SubmitField("Save the briefing", widget=GovSubmitInput())

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in ["title", *(name for name, _ in SECTIONS)]}


class DraftForm(VersionedForm):
    submit = SubmitField("Draft from the review", widget=GovSubmitInput(), name="draft")


class ApproveForm(VersionedForm):
    submit = SubmitField("Approve the briefing", widget=GovSubmitInput(), name="approve")


class ReopenForm(VersionedForm):
    submit = SubmitField("Reopen the briefing to change it", widget=GovSubmitInput(), name="reopen")


# --- sending and acknowledging -----------------------------------------------------------------


class SendForm(OneTimeForm):
    id_prefix = "send"
    agencies = CheckboxesField("Agencies it was sent to", validators=[Optional()])
    sent_on = DateInputField("Date it was sent", required="Enter the date the briefing was sent")
    submit = SubmitField("Record the briefing as sent", widget=GovSubmitInput(), name="send")

    def offer(self, agencies: list[tuple[int, str]]) -> SendForm:
        self.agencies.choices = [SelectChoice(str(agency_id), name) for agency_id, name in agencies]
        return self

    def agency_ids(self) -> set[int]:
        return chosen_ids(self.agencies.data)


class AcknowledgeForm(VersionedForm):
    submit = SubmitField("Acknowledge receipt", widget=GovSubmitInput(), name="acknowledge")


# --- learning events ---------------------------------------------------------------------------

WHOLE_NUMBER = re.compile(r"\d{1,6}")
NOT_A_NUMBER = "Enter the number attending from each agency as a whole number, for example 12"


class AttendanceInput:
    """One number box per agency in a GOV.UK fieldset (the macro in learning/_attendance.html)."""

    def __call__(self, field: AttendanceField, **kwargs: Any) -> Any:
        return current_app.jinja_env.get_template("learning/_attendance.html").module.attendance(field)  # type: ignore[attr-defined]


class AttendanceField(Field):
    """How many attended from each agency: boxes named ``attendance-<agency id>``, blank for none."""

    widget = AttendanceInput()

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.agencies: list[tuple[int, str]] = []
        self.typed: dict[int, str] = {}

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.raw_data = []
        self.data: dict[int, int] = {}
        self.typed = {}
        if formdata is None:
            return
        prefix = f"{self.name}-"
        for key in formdata:
            agency_id = as_id(key[len(prefix) :]) if key.startswith(prefix) else None
            if agency_id is None:
                continue
            text = (formdata.get(key) or "").strip()
            self.typed[agency_id] = text[:20]
            if not text:
                continue
            if WHOLE_NUMBER.fullmatch(text):
                self.data[agency_id] = int(text)
            elif NOT_A_NUMBER not in self.process_errors:
                self.process_errors.append(NOT_A_NUMBER)


class EventForm(OneTimeForm):
    id_prefix = "event"
    title = capped_line(
        "Title",
        200,
        description="For example: learning from Child K, safeguarding leads' workshop.",
        required="Enter the event's title",
    )
    held_on = DateInputField("Date of the event", required="Enter the date of the event")
    kind = LabelledRadioField("Kind of event", EventKind, required="Select the kind of event")
    attendance = AttendanceField(
        "Attendance by agency",
        description="How many people attended from each agency. Leave an agency blank if nobody came.",
    )
    notes = optional_text_box("Notes", 5000, "Notes must be 5000 characters or fewer")
    submit = SubmitField("Record the event", widget=GovSubmitInput(), name="record_event")

    def offer(self, agencies: list[tuple[int, str]]) -> EventForm:
        self.attendance.agencies = agencies
        return self

    def details(self) -> EventDetails:
        return EventDetails(
            title=self.title.data or "",
            held_on=self.held_on.data,
            kind=self.kind.member(),
            notes=self.notes.data or "",
            attendance=dict(self.attendance.data or {}),
        )


# --- practice audits ---------------------------------------------------------------------------


class AuditForm(VersionedForm):
    id_prefix = "audit"
    tested = TextBoxField(
        "What the audit tests",
        description="For example: whether bruising in babies who are not yet mobile is referred.",
        validators=[
            InputRequired("Say what the audit tests"),
            Length(max=2000, message="What it tests must be 2000 characters or fewer"),
        ],
    )
    recommendations = CheckboxesField("Recommendations it tests", validators=[Optional()])
    planned_on = DateInputField("Planned date", required="Enter the date the audit is planned for")
    carried_out_on = DateInputField("Date carried out", description="Leave blank until the audit is done.")
    findings = optional_text_box("Findings", 10000, "Findings must be 10000 characters or fewer")
    result = LabelledRadioField("Result", AuditResult)
    submit = SubmitField("Save the audit", widget=GovSubmitInput(), name="save_audit")

    def offer(self, recommendations: list[tuple[int, str]]) -> AuditForm:
        self.recommendations.choices = [SelectChoice(str(rid), label) for rid, label in recommendations]
        return self

    def details(self) -> AuditDetails:
        return AuditDetails(
            tested=self.tested.data or "",
            planned_on=self.planned_on.data,
            carried_out_on=self.carried_out_on.data,
            findings=self.findings.data or "",
            result=self.result.member(),
            recommendation_ids=chosen_ids(self.recommendations.data),
        )
