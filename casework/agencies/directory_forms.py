"""Forms for the agency directory. Required answers and lengths are checked here; unique names
and unchanged details are the services' to check, so they hold whatever calls them."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import HiddenField, SelectChoice, SubmitField
from wtforms.validators import InputRequired

from casework.agencies.directory import MAX_AREA, MAX_NAME
from casework.agencies.models import AgencyType
from casework.core.form_fields import capped_line, select_field
from casework.core.form_keys import OneTimeForm
from casework.core.forms import TextLineField


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


AGENCY_TYPE_CHOICES = [SelectChoice("", "Choose a type")] + [
    SelectChoice(agency_type.value, agency_type.label) for agency_type in AgencyType
]


class AgencyForm(OneTimeForm):
    name = TextLineField(
        "Name",
        required="Enter the agency's name",
        max_length=MAX_NAME,
        too_long=f"The agency's name must be {MAX_NAME} characters or fewer",
        description="The agency's full name, as people in the partnership know it.",
        filters=[_strip],
    )
    agency_type = select_field(
        "Type of agency", choices=AGENCY_TYPE_CHOICES, required="Select the type of agency"
    )
    area = capped_line(
        "Area",
        MAX_AREA,
        description="Optional. The place it covers, for example Northshire or North Northshire.",
        filters=[_strip],
    )
    submit = SubmitField("Add agency", widget=GovSubmitInput())


class EditAgencyForm(AgencyForm):
    # The agency's details as drawn (a digest): a save over someone else's change is refused.
    version = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class AgencyActionForm(OneTimeForm):
    """A bare button (deactivate, reactivate): CSRF only."""
