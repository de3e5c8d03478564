"""Forms for recommendations, actions and progress."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol, TypeVar

from flask import request
from flask_wtf.file import FileField, MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSubmitInput,
)
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, SelectChoice, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from casework.actions.models import REPORTABLE, ActionStatus, Theme
from casework.actions.outcomes import MeasureDetails, Remeasure
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.form_fields import (
    NO,
    YES,
    capped_box,
    capped_line,
    radio_field,
    select_field,
    text_box,
    yes_no_field,
)
from casework.core.form_keys import OneTimeForm
from casework.core.forms import (
    CheckboxesField,
    DateInputField,
    TextBoxField,
    TextLineField,
    VersionedForm,
    as_id,
    chosen_ids,
)
from casework.reviews.models import ReviewType


class _Record(Protocol):
    id: int


class _Named(Protocol):
    id: int
    name: str


T = TypeVar("T", bound=_Record)


def _choices(records: Sequence[_Named]) -> list[SelectChoice]:
    """The records offered, each answered by its id and shown by its name."""
    return [SelectChoice(str(record.id), record.name) for record in records]


def _chosen(offered: list[T], values: list[str] | None) -> list[T]:
    """The offered records ticked, in the order offered; anything else posted is dropped."""
    wanted = chosen_ids(values)
    return [record for record in offered if record.id in wanted]


class FindingForm(OneTimeForm):
    id_prefix = "finding"
    text = TextBoxField("Finding", validators=[InputRequired("Enter the finding"), Length(max=10000)])
    themes = CheckboxesField("Themes", validators=[Optional()])
    submit = SubmitField("Add finding", widget=GovSubmitInput(), name="add_finding")

    def offer(self, themes: list[Theme]) -> FindingForm:
        self.offered_themes = themes
        self.themes.choices = _choices(themes)
        return self

    def finding(self) -> tuple[str, list[Theme]]:
        """Text and themes, as ``services.add_finding`` takes them."""
        return self.text.data or "", _chosen(self.offered_themes, self.themes.data)


class RecommendationForm(OneTimeForm):
    id_prefix = "recommendation"
    text = TextBoxField(
        "Recommendation", validators=[InputRequired("Enter the recommendation"), Length(max=10000)]
    )
    to_partnership = BooleanField("Addressed to the partnership", widget=GovCheckboxInput())
    agencies = CheckboxesField("Addressed to these agencies", validators=[Optional()])
    themes = CheckboxesField("Themes", validators=[Optional()])
    submit = SubmitField("Add recommendation", widget=GovSubmitInput(), name="add_recommendation")

    def offer(self, agencies: list[Agency], themes: list[Theme]) -> RecommendationForm:
        self.offered_agencies, self.offered_themes = agencies, themes
        self.agencies.choices = _choices(agencies)
        self.themes.choices = _choices(themes)
        return self

    def recommendation(self) -> tuple[str, bool, list[Agency], list[Theme]]:
        """Text, whether it is addressed to the partnership, agencies and themes, as
        ``services.add_recommendation`` takes them."""
        return (
            self.text.data or "",
            bool(self.to_partnership.data),
            _chosen(self.offered_agencies, self.agencies.data),
            _chosen(self.offered_themes, self.themes.data),
        )


PARTNERSHIP = "partnership"


class ActionForm(OneTimeForm):
    description = TextBoxField("What will be done", validators=[InputRequired("Describe what will be done")])
    agency = select_field(
        "Owning agency", description="Choose the partnership for actions the partnership owns itself."
    )
    owner = select_field(
        "Named owner",
        description="An agency lead of the owning agency, or a board manager for partnership actions.",
    )
    deadline = DateInputField("Deadline", required="Enter the deadline")
    success_measure = TextBoxField(
        "Evidence that will show it made a difference",
        description="The success measure: what will be different, and how you will know.",
        validators=[InputRequired("Say what evidence will show the action made a difference")],
    )
    submit = SubmitField("Add action", widget=GovSubmitInput())

    def offer(self, agencies: list[Agency], owners: list[User]) -> ActionForm:
        self.agency.choices = [
            SelectChoice("", "Choose the owner of the action"),
            SelectChoice(PARTNERSHIP, "The partnership"),
            *_choices(agencies),
        ]
        self.owner.choices = [SelectChoice("", "Choose the owner")] + [
            SelectChoice(str(u.id), f"{u.name} ({u.agency.name if u.agency else 'board manager'})")
            for u in owners
        ]
        return self

    def action(self) -> tuple[str, Agency | None, User | None, date | None, str]:
        """Description, owning agency (None: the partnership), owner, deadline and success
        measure, as ``services.add_action`` takes them."""
        if not self.agency.data:
            raise DomainError("Choose the owning agency, or the partnership", field="agency")
        agency_id, owner_id = as_id(self.agency.data), as_id(self.owner.data)
        agency = db.session.get(Agency, agency_id) if agency_id else None
        owner = db.session.get(User, owner_id) if owner_id else None
        return self.description.data or "", agency, owner, self.deadline.data, self.success_measure.data or ""


class ProgressForm(VersionedForm):
    status = radio_field(
        "Status",
        [SelectChoice(status.value, status.label.split(",")[0]) for status in REPORTABLE],
        required="Select the action's status",
    )
    note = TextBoxField("Progress", validators=[InputRequired("Describe the progress"), Length(max=10000)])
    evidence = MultipleFileField(
        "Evidence (optional; required to mark the action completed)", widget=GovFileInput(multiple=True)
    )
    submit = SubmitField("Add update", widget=GovSubmitInput())

    def progress(self) -> tuple[ActionStatus | None, str, list[FileStorage]]:
        """Status, note and evidence files, as the service takes them."""
        status = ActionStatus(self.status.data) if self.status.data else None
        return status, self.note.data or "", list(self.evidence.data or [])


class VerifyForm(VersionedForm):
    note = TextBoxField("Note", validators=[Optional(), Length(max=5000)])
    status = radio_field(
        "If returning: the action is now",
        [
            SelectChoice(ActionStatus.ON_TRACK.value, "On track"),
            SelectChoice(ActionStatus.AT_RISK.value, "At risk"),
        ],
    )

    def back_to(self) -> ActionStatus | None:
        """The status a returned action goes back to. Read after validation: a blank answer
        (which Optional lets through) is no status."""
        chosen = (self.status.data or "").strip()
        return ActionStatus(chosen) if chosen else None


class DeadlineRequestForm(OneTimeForm):
    proposed_deadline = DateInputField("Proposed deadline", required="Enter the proposed deadline")
    reason = TextBoxField("Reason", validators=[InputRequired("Give the reason for the change")])
    submit = SubmitField("Ask for the new deadline", widget=GovSubmitInput())


class DeadlineDecisionForm(OneTimeForm):
    note = TextLineField("Note", max_length=1000)


class ThemeForm(OneTimeForm):
    name = TextLineField("New theme", required="Enter the theme", max_length=120)
    review_types = CheckboxesField(
        "Types of review it applies to",
        validators=[InputRequired("Select the types of review it applies to")],
    )
    submit = SubmitField("Add theme", widget=GovSubmitInput(), name="add_theme")

    def offer(self, types: list[ReviewType]) -> ThemeForm:
        self.offered_types = types
        self.review_types.choices = _choices(types)
        return self

    def chosen_types(self) -> list[ReviewType]:
        return _chosen(self.offered_types, self.review_types.data)


class ConfirmRecommendationsForm(OneTimeForm):
    """Confirm the plan's recommendations; each that closely resembles an earlier review's
    recommendation brings its answer to "what is different this time?" (``different-<id>``)."""

    PREFIX = "different-"

    def differences(self) -> dict[int, str]:
        answers = {}
        for key, value in request.form.items():
            number = as_id(key.removeprefix(self.PREFIX)) if key.startswith(self.PREFIX) else None
            if number is not None:
                answers[number] = value
        return answers


class LearningForm(OneTimeForm):
    recommendations = TextBoxField(
        "Recommendations, one a line",
        description="Each line becomes a recommendation to the partnership; add actions with owners next.",
        validators=[InputRequired("Enter at least one recommendation, one a line"), Length(max=50000)],
    )
    submit = SubmitField("Add these recommendations", widget=GovSubmitInput())

    def texts(self) -> list[str]:
        return (self.recommendations.data or "").splitlines()


# --- outcomes -------------------------------------------------------------------------------


class MeasureForm(VersionedForm):
    """The intended outcome and its measure. ``version`` is the outcome's, 0 before it has one."""

    id_prefix = "measure"
    intended_outcome = capped_box(
        "Intended outcome",
        10000,
        description="What will be different for children, adults or families if the recommendation works.",
        required="Describe the outcome the recommendation should bring about",
    )
    measure = capped_box(
        "Measure",
        10000,
        description="What will be measured, and where the figure comes from.",
        required="Say what will be measured",
    )
    baseline = capped_line(
        "Baseline",
        500,
        description="The figure now, with its unit (for example, 40% of referrals shared within a day).",
        required="Enter the baseline, with its unit",
    )
    baseline_on = DateInputField("Date of the baseline", required="Enter the date of the baseline")
    target = capped_line(
        "Target",
        500,
        description="The figure that will show the outcome is achieved.",
        required="Enter the target",
    )
    remeasure_on = DateInputField(
        "Date to measure again",
        description="Its owner is reminded as the date comes close.",
        required="Enter the date to measure again",
    )
    owner = select_field(
        "Owner of the measure", description="The board manager who will measure again and is reminded."
    )
    submit = SubmitField("Save the measure", widget=GovSubmitInput(), name="save_measure")

    def offer(self, owners: list[User]) -> MeasureForm:
        self.offered_owners = owners
        self.owner.choices = [SelectChoice("", "Choose the owner"), *_choices(owners)]
        return self

    def details(self) -> MeasureDetails:
        wanted = as_id(self.owner.data)
        owner = next((u for u in self.offered_owners if u.id == wanted), None)
        if self.owner.data and owner is None:
            raise DomainError("Choose the owner from the list", field="owner")
        return MeasureDetails(
            self.intended_outcome.data or "",
            self.measure.data or "",
            self.baseline.data or "",
            self.baseline_on.data,
            self.target.data or "",
            self.remeasure_on.data,
            owner,
        )


class RemeasureForm(VersionedForm):
    id_prefix = "remeasure"
    measured_on = DateInputField("Date it was measured", required="Enter the date it was measured")
    figure = TextLineField(
        "Figure measured",
        description="With its unit, as the baseline and target are written.",
        required="Enter the figure measured",
        max_length=200,
        too_long="The figure must be 200 characters or fewer",
    )
    target_met = yes_no_field(
        "Does the result meet the target, as the partners judge it?",
        "Yes: the outcome is achieved",
        "No, not yet",
        required="Select whether the result meets the target",
    )
    evidence_note = capped_box(
        "Evidence",
        10000,
        description="Where the figure comes from and what it shows (an audit, a report, a survey). "
        "Describe it here, attach it below, or both.",
    )
    evidence = FileField("Evidence document (optional)", widget=GovFileInput())
    next_remeasure_on = DateInputField(
        "If the target is not met: date to measure again", description="Required when the target is not met."
    )
    submit = SubmitField("Record the re-measure", widget=GovSubmitInput(), name="record_remeasure")

    def result(self) -> Remeasure:
        met = {YES: True, NO: False}.get(self.target_met.data or "")
        upload = self.evidence.data if isinstance(self.evidence.data, FileStorage) else None
        return Remeasure(
            self.measured_on.data,
            self.figure.data or "",
            met,
            self.evidence_note.data or "",
            upload,
            self.next_remeasure_on.data,
        )


class NotPursuedForm(VersionedForm):
    id_prefix = "not-pursued"
    reason = text_box(
        "Why the partners decided not to pursue it",
        required="Give the partners' reason for not pursuing it",
        max_length=10000,
        too_long="The reason must be 10,000 characters or fewer",
    )
    submit = SubmitField("Record the decision not to pursue it", widget=GovSubmitInput(), name="not_pursued")


class ExportForm(OneTimeForm):
    """The tracker's "prepare the export": a large export is written in the background."""

    submit = SubmitField("Prepare the export", widget=GovSubmitInput())
