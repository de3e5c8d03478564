"""Forms of the first steps: referral, identifying details, rapid review, decision, commissioning,
pauses and extensions. Formats and required answers are checked here; the rules between dates and
stages are the services' (so they hold whatever calls them)."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SubmitField,
)
from wtforms.validators import InputRequired, Optional

from casework.agencies.models import Agency
from casework.core.form_fields import capped_line
from casework.core.forms import CheckboxesField, DateInputField, TextBoxField, TextLineField, VersionedForm
from casework.core.request_guards import as_id
from casework.reviews.forms import (
    LabelledRadioField,
    caused_by_field,
    chosen_agencies,
    open_process_choices,
    optional_text_box,
)
from casework.reviews.models import (
    MAX_CARERS,
    MAX_CHILDREN,
    DecisionOutcome,
    PanelResponse,
    ParallelProcess,
    RapidReviewRecommendation,
    Review,
    ReviewMandate,
)
from casework.reviews.referral.commissioning import TermsDetails
from casework.reviews.referral.decision import DecisionDetails
from casework.reviews.referral.identifiers import PersonDetails
from casework.reviews.referral.rapid_review import RapidReviewDetails
from casework.reviews.referral.referral import ReferralDetails


def agency_choices(agencies: list[Agency]) -> list[SelectChoice]:
    return [SelectChoice(str(agency.id), agency.name) for agency in agencies]


class ReferralForm(VersionedForm):
    pseudonym = capped_line(
        "Pseudonym",
        100,
        required="Enter the pseudonym, for example Child A",
        description="The name used for the child or adult in every document, for example Child A.",
    )
    incident_on = DateInputField("Date of the incident", required="Enter the date of the incident")
    incident_description = TextBoxField(
        "What happened",
        description=(
            "Do not include names, addresses or dates of birth: record them under identifying details."
        ),
        validators=[InputRequired("Describe the incident")],
    )
    became_aware_on = DateInputField(
        "Date the partnership became aware",
        description="The statutory clocks start from this date.",
        required="Enter the date the partnership became aware",
    )
    la_became_aware_on = DateInputField(
        "Date the local authority became aware",
        description="The 5 working days to notify the Panel and Ofsted count from this date.",
    )
    looked_after_child_died = BooleanField(
        "A looked-after child died (the Secretary of State and Ofsted are notified, whatever the decision)",
        widget=GovCheckboxInput(),
    )
    panel_notified_on = DateInputField(
        "Date the national Panel was notified",
        description="Leave blank if the Panel has not been notified yet.",
    )
    notifying_organisation = TextLineField("Notifying organisation", max_length=200)
    notifying_person = TextLineField("Notifying person", max_length=200)
    known_agencies = CheckboxesField("Agencies known to be involved", validators=[Optional()])
    linked_references = TextLineField(
        "Linked reviews",
        max_length=500,
        description="References of related reviews, separated by commas, for example CSPR-2026-001.",
    )
    submit = SubmitField("Save referral", widget=GovSubmitInput())

    def details(self) -> ReferralDetails:
        return ReferralDetails(
            pseudonym=self.pseudonym.data or "",
            incident_on=self.incident_on.data,
            incident_description=self.incident_description.data or "",
            became_aware_on=self.became_aware_on.data,
            la_became_aware_on=self.la_became_aware_on.data,
            looked_after_child_died=bool(self.looked_after_child_died.data),
            panel_notified_on=self.panel_notified_on.data,
            notifying_organisation=self.notifying_organisation.data or "",
            notifying_person=self.notifying_person.data or "",
            known_agencies=chosen_agencies(self.known_agencies.data),
            linked_references=(self.linked_references.data or "").split(","),
        )


class ChildForm(Form):
    full_name = TextLineField("Full name", max_length=200)
    other_names = TextLineField("Other names", max_length=200)
    date_of_birth = DateInputField("Date of birth")


class CarerForm(Form):
    full_name = TextLineField("Full name", max_length=200)
    relationship_to_child = TextLineField("Relationship to the child", max_length=100)
    date_of_birth = DateInputField("Date of birth")


class IdentifiersForm(VersionedForm):
    children = FieldList(FormField(ChildForm), min_entries=MAX_CHILDREN, max_entries=MAX_CHILDREN)
    carers = FieldList(FormField(CarerForm), min_entries=MAX_CARERS, max_entries=MAX_CARERS)
    address = optional_text_box("Address", 1000)
    submit = SubmitField("Save identifying details", widget=GovSubmitInput())

    def children_details(self) -> list[PersonDetails]:
        return [_person(entry.data) for entry in self.children]

    def carers_details(self) -> list[PersonDetails]:
        return [_person(entry.data) for entry in self.carers]


def _person(data: dict[str, object]) -> PersonDetails:
    # A blank text box is an empty string; an unknown date of birth stays None.
    return PersonDetails(
        **{key: value if value is not None or key == "date_of_birth" else "" for key, value in data.items()}
    )


def _enum_choices(members: list) -> list[SelectChoice]:  # type: ignore[type-arg]
    return [SelectChoice(member.value, member.label) for member in members]


def _enum_or_none(enum_class, value):  # type: ignore[no-untyped-def]
    # Blank (Optional() lets "  " through) is no answer; other values were checked against the choices.
    return enum_class(value) if (value or "").strip() else None


class RapidReviewForm(VersionedForm):
    meeting_on = DateInputField("Date of the rapid review meeting")
    contributing_agencies = CheckboxesField("Agencies that contributed summaries", validators=[Optional()])
    facts_established = TextBoxField("Facts established", validators=[Optional()])
    immediate_safety_actions = TextBoxField(
        "Immediate safety actions",
        description="For example, action taken to protect other children.",
        validators=[Optional()],
    )
    learning_identified = TextBoxField("Learning already identified", validators=[Optional()])
    # The Panel's current rapid review template asks for these three.
    key_practice_episodes = optional_text_box(
        "Key practice episodes",
        20000,
        description="The moments in the agencies' work with the family that most shaped what happened.",
    )
    family_context = optional_text_box(
        "The context of the child's and family's lives",
        20000,
        description="Including how race, disability and other protected characteristics and inequalities "
        "shaped their experience and the practice.",
    )
    lived_experience = optional_text_box(
        "The child's lived experience", 20000, description="What daily life was like for the child."
    )
    recommendation = LabelledRadioField("Recommendation", RapidReviewRecommendation)
    sent_to_panel_on = DateInputField("Date sent to the Panel")
    panel_response = LabelledRadioField("The Panel's response", PanelResponse)
    panel_responded_on = DateInputField("Date of the Panel's response")
    submit = SubmitField("Save rapid review", widget=GovSubmitInput())

    def details(self) -> RapidReviewDetails:
        return RapidReviewDetails(
            meeting_on=self.meeting_on.data,
            facts_established=self.facts_established.data or "",
            immediate_safety_actions=self.immediate_safety_actions.data or "",
            learning_identified=self.learning_identified.data or "",
            key_practice_episodes=self.key_practice_episodes.data or "",
            family_context=self.family_context.data or "",
            lived_experience=self.lived_experience.data or "",
            recommendation=self.recommendation.member(),
            sent_to_panel_on=self.sent_to_panel_on.data,
            panel_response=self.panel_response.member(),
            panel_responded_on=self.panel_responded_on.data,
            contributing_agencies=chosen_agencies(self.contributing_agencies.data),
        )


class DecisionForm(VersionedForm):
    outcome = RadioField(
        "Decision", widget=GovRadioInput(), validators=[InputRequired("Select the decision")]
    )
    # Only on a type whose decision has a mandate (a SAR); the service asks for it on a review.
    mandate = LabelledRadioField(
        "Mandate",
        ReviewMandate,
        description="Mandatory: select every condition of section 44(1) to (3). Discretionary: none needed.",
    )
    criteria_met = CheckboxesField("Criteria met", validators=[Optional()])
    regard_had_to = CheckboxesField("Circumstances the partners had regard to", validators=[Optional()])
    rationale = TextBoxField(
        "Rationale",
        description="Why the partners reached this decision.",
        validators=[InputRequired("Explain the reasons for the decision")],
    )
    decided_on = DateInputField("Date of the decision", required="Enter the date of the decision")
    decided_by = TextLineField(
        "Decided by",
        required="Enter who made the decision",
        max_length=300,
        description="For example: the three safeguarding partners (local authority, ICB, police).",
    )
    submit = SubmitField("Record the decision", widget=GovSubmitInput())

    def set_review(self, review: Review, outcomes: list[DecisionOutcome]) -> None:
        """The choices the review's rules give: the criteria in force when it started."""
        self.outcome.choices = _enum_choices(outcomes)
        self.criteria_met.choices = [SelectChoice(c["key"], c["label"]) for c in review.criteria()]
        self.regard_had_to.choices = [SelectChoice(c["key"], c["label"]) for c in review.criteria("regard")]
        if not review.review_type.has_mandate:
            del self.mandate
        if not self.regard_had_to.choices:  # a SAR's circumstances are its mandate now
            del self.regard_had_to

    def details(self) -> DecisionDetails:
        return DecisionDetails(
            outcome=_enum_or_none(DecisionOutcome, self.outcome.data),
            criteria_met=self.criteria_met.data or [],
            regard_had_to=(self.regard_had_to.data or []) if "regard_had_to" in self else [],
            rationale=self.rationale.data or "",
            decided_on=self.decided_on.data,
            decided_by=self.decided_by.data or "",
            mandate=self.mandate.member() if "mandate" in self else None,
        )


class ReconsiderForm(DecisionForm):
    submit = SubmitField("Record the reconsidered decision", widget=GovSubmitInput())


class ChallengeForm(VersionedForm):
    challenged_on = DateInputField(
        "Date of the Panel's challenge", required="Enter the date the Panel challenged the decision"
    )
    reasons = TextBoxField(
        "The Panel's reasons",
        description="Why the Panel disagrees with the partners' decision, as it told them.",
        validators=[InputRequired("Enter the Panel's reasons for disagreeing with the decision")],
    )
    submit = SubmitField("Record the Panel's challenge", widget=GovSubmitInput())


class CommissionForm(VersionedForm):
    scope_from = DateInputField(
        "Scope period from", required="Enter the start of the period the review covers"
    )
    scope_to = DateInputField("Scope period to", required="Enter the end of the period the review covers")
    key_lines_of_enquiry = TextBoxField(
        "Key lines of enquiry", validators=[InputRequired("Enter the key lines of enquiry")]
    )
    method = TextBoxField(
        "Method",
        description="For example: systems approach with a practitioner learning event.",
        validators=[InputRequired("Describe the method of the review")],
    )
    agencies_in_scope = CheckboxesField("Agencies in scope", validators=[Optional()])
    family_involvement = TextBoxField(
        "Family involvement plan", validators=[InputRequired("Describe how the family will be involved")]
    )
    target_completion_on = DateInputField(
        "Target completion date", description="Defaults to the statutory publication deadline."
    )
    commissioned_on = DateInputField(
        "Date commissioned", required="Enter the date the review was commissioned"
    )
    submit = SubmitField("Commission the review", widget=GovSubmitInput())

    def details(self) -> TermsDetails:
        return TermsDetails(
            scope_from=self.scope_from.data,
            scope_to=self.scope_to.data,
            key_lines_of_enquiry=self.key_lines_of_enquiry.data or "",
            method=self.method.data or "",
            family_involvement=self.family_involvement.data or "",
            target_completion_on=self.target_completion_on.data,
            commissioned_on=self.commissioned_on.data,
            agencies_in_scope=chosen_agencies(self.agencies_in_scope.data),
        )


class PauseForm(VersionedForm):
    started_on = DateInputField("Date the pause starts", required="Enter the date the pause starts")
    reason = TextBoxField(
        "Reason",
        description="For example: criminal proceedings against a parent.",
        validators=[InputRequired("Enter the reason for pausing the review")],
    )
    agreed_by = TextLineField("Agreed by", required="Enter who agreed the pause", max_length=300)
    caused_by = caused_by_field()
    submit = SubmitField("Pause the review", widget=GovSubmitInput())

    def offer(self, processes: list[ParallelProcess]) -> PauseForm:
        self.caused_by.choices = open_process_choices(processes)
        return self

    def values(self) -> dict[str, Any]:
        """The arguments of ``pausing.pause_review``."""
        return {
            "started_on": self.started_on.data,
            **_agreement(self),
            "process_id": as_id(self.caused_by.data),
        }


class ResumeForm(VersionedForm):
    ended_on = DateInputField("Date the review resumed", required="Enter the date the review resumed")
    submit = SubmitField("Resume the review", widget=GovSubmitInput())


class ExtendForm(VersionedForm):
    new_due_on = DateInputField("New due date", required="Enter the new due date")
    reason = TextBoxField(
        "Reason for the extension", validators=[InputRequired("Enter the reason for the extension")]
    )
    agreed_by = TextLineField("Agreed by", required="Enter who agreed the extension", max_length=300)
    submit = SubmitField("Extend the deadline", widget=GovSubmitInput())

    def values(self) -> dict[str, Any]:
        """The arguments of ``pausing.extend_deadline``."""
        return {"new_due_on": self.new_due_on.data, **_agreement(self)}


def _agreement(form: PauseForm | ExtendForm) -> dict[str, str]:
    return {"reason": form.reason.data or "", "agreed_by": form.agreed_by.data or ""}
