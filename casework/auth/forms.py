"""Forms for signing in, passwords and user administration."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from casework.auth.models import Role
from casework.auth.passwords import MAX_LENGTH, MIN_LENGTH
from casework.core.form_keys import OneTimeForm


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class SignInForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[InputRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=MAX_LENGTH)],
    )
    next = HiddenField()
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out")


NEW_PASSWORD_HINT = (
    f"At least {MIN_LENGTH} characters. A few unrelated words make a strong, memorable password. "
    "Common passwords are not accepted."
)


class SetPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=NEW_PASSWORD_HINT,
        validators=[InputRequired("Enter a new password")],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter the new password again"),
            EqualTo("new_password", "The two passwords do not match"),
        ],
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password")],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class UserDetailsForm(OneTimeForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person's full name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=ROLE_CHOICES,
        validators=[InputRequired("Select a role")],
    )
    agency = SelectField(
        "Agency",
        widget=GovSelect(),
        description="Only for agency leads: the agency they answer for.",
        coerce=int,
        validators=[Optional()],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_agency(self, field: SelectField) -> None:
        if self.role.data == Role.AGENCY_LEAD.value and not field.data:
            raise ValidationError("Select the agency this agency lead works for")


class NewUserForm(UserDetailsForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired("Enter the person's email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(
                "Enter an email address in the correct format, like name@example.org",
                check_deliverability=False,
            ),
        ],
    )
    submit = SubmitField("Create user", widget=GovSubmitInput())


class EditUserForm(UserDetailsForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class UserActionForm(OneTimeForm):
    """A bare button (deactivate, reactivate, new link, unlock): CSRF and the row version."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
