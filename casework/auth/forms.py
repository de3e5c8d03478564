"""Forms for signing in, passwords and user administration."""

from __future__ import annotations

from typing import TypedDict

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from casework.agencies.models import Agency, agencies_for_new_work
from casework.auth.models import Role, User
from casework.auth.passwords import MAX_LENGTH, MIN_LENGTH
from casework.core.extensions import db
from casework.core.form_fields import YES, password_field, radio_field, select_field, yes_no_field
from casework.core.form_keys import OneTimeForm
from casework.core.forms import TextLineField, VersionedForm


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


def own_password(label: str) -> PasswordField:
    """The person's own password, as signing in and every change to how they sign in ask it."""
    return password_field(label, "Enter your password", Length(max=MAX_LENGTH))


def code_field(label: str, message: str, *, max_length: int, too_long: str | None = None) -> TextLineField:
    """A code typed from an app or from paper; ``message`` says what to enter when it is empty."""
    return TextLineField(
        label, required=message, max_length=max_length, too_long=too_long or message, filters=[_strip]
    )


class SignInForm(FlaskForm):
    email = TextLineField(
        "Email address", required="Enter your email address", max_length=254, filters=[_strip]
    )
    password = own_password("Password")
    next = HiddenField()
    submit = SubmitField("Sign in", widget=GovSubmitInput())

    def credentials(self) -> tuple[str, str]:
        """The email address and password, as ``services.authenticate`` takes them."""
        return self.email.data or "", self.password.data or ""


class SignInCodeForm(FlaskForm):
    code = code_field(
        "Code",
        "Enter the code from your authenticator app, or a recovery code",
        max_length=40,
        too_long="Enter the 6-digit code from your app, or a recovery code such as abcde-fghjk",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class AuthenticatorForm(FlaskForm):
    code = code_field(
        "Code from your app", "Enter the 6-digit code your authenticator app shows", max_length=20
    )
    submit = SubmitField("Confirm and continue", widget=GovSubmitInput())


class ReplaceAuthenticatorForm(AuthenticatorForm):
    password = own_password("Your password")
    submit = SubmitField("Replace your authenticator app", widget=GovSubmitInput())


class ConfirmPasswordForm(FlaskForm):
    """A person's own password again, before a change to how they sign in."""

    password = own_password("Your password")
    submit = SubmitField("Make new recovery codes", widget=GovSubmitInput())


class PasskeyForm(OneTimeForm):
    """A new passkey: its name, the password again, and (filled in by the page's script) what the
    device made."""

    id_prefix = "passkey"
    name = TextLineField(
        "Name this passkey",
        required="Name this passkey, for example Work laptop",
        max_length=100,
        too_long="Name this passkey in 100 characters or fewer",
        filters=[_strip],
    )
    password = own_password("Your password")
    credential = HiddenField(validators=[Length(max=64_000)])
    submit = SubmitField("Add a passkey", widget=GovSubmitInput())


class PasskeySignInForm(FlaskForm):
    """What the device answered to a passkey sign-in, filled in by the page's script."""

    credential = HiddenField(
        validators=[InputRequired("Your browser did not use a passkey. Try again"), Length(max=64_000)]
    )
    next = HiddenField()
    submit = SubmitField("Sign in with a passkey", widget=GovSubmitInput())


class RemovePasskeyForm(ConfirmPasswordForm):
    submit = SubmitField("Remove this passkey", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out")


NEW_PASSWORD_HINT = (
    f"At least {MIN_LENGTH} characters. A few unrelated words make a strong, memorable password. "
    "Common passwords are not accepted."
)


class SetPasswordForm(FlaskForm):
    new_password = password_field("New password", "Enter a new password", description=NEW_PASSWORD_HINT)
    confirm_password = password_field(
        "Confirm new password",
        "Enter the new password again",
        EqualTo("new_password", "The two passwords do not match"),
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())

    def chosen_password(self) -> str:
        return self.new_password.data or ""


class ChangePasswordForm(SetPasswordForm):
    current_password = password_field("Current password", "Enter your current password")
    submit = SubmitField("Change password", widget=GovSubmitInput())

    def passwords(self) -> tuple[str, str]:
        """The current and the new password, as ``services.change_password`` takes them."""
        return self.current_password.data or "", self.chosen_password()


ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class UserDetailsForm(OneTimeForm):
    name = TextLineField(
        "Full name",
        required="Enter the person's full name",
        max_length=200,
        too_long="Name must be 200 characters or fewer",
    )
    role = radio_field("Role", ROLE_CHOICES, required="Select a role")
    agency = select_field(
        "Agency", description="Only for agency leads: the agency they answer for.", coerce=int
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_agency(self, field: SelectField) -> None:
        if self.role.data == Role.AGENCY_LEAD.value and not field.data:
            raise ValidationError("Select the agency this agency lead works for")

    def offer_agencies(self, user: User | None = None) -> None:
        """The agencies taking new work, and the one the user already answers for."""
        agencies = agencies_for_new_work(keeping=[user.agency] if user and user.agency else [])
        self.agency.choices = [SelectChoice(0, "Not an agency lead")] + [
            SelectChoice(agency.id, agency.name) for agency in agencies
        ]

    def chosen_agency(self) -> Agency | None:
        return db.session.get(Agency, self.agency.data) if self.agency.data else None


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
    link = radio_field(
        "How should they get the link to set their password?",
        {
            "show": "Show me the link, to give it to them by a secure route",
            "email": "Email the link to them now",
        },
        default="show",
    )
    submit = SubmitField("Create user", widget=GovSubmitInput())

    def new_user(self) -> tuple[str, str, Role, Agency | None]:
        """Name, email address, role and agency, as ``services.create_user`` takes them."""
        return self.name.data or "", self.email.data or "", Role(self.role.data), self.chosen_agency()

    def emails_link(self) -> bool:
        return self.link.data == "email"


class UserChanges(TypedDict):
    """``services.update_user``'s keyword arguments."""

    name: str
    role: Role
    agency: Agency | None
    version: int | None


class EditUserForm(UserDetailsForm, VersionedForm):
    # Required here: an edit always comes from a page that showed a version.
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def show_user(self, user: User) -> None:
        """The choices the user has now, for the first showing of the form."""
        self.role.data = user.role.value
        self.agency.data = user.agency_id or 0

    def changes(self) -> UserChanges:
        return UserChanges(
            name=self.name.data or "",
            role=Role(self.role.data),
            agency=self.chosen_agency(),
            version=self.version.data,
        )


class MailChoiceForm(OneTimeForm):
    """A person's own choice of mail as things happen (the daily digest comes either way)."""

    immediate_mail = yes_no_field(
        "Email me as things happen",
        "Yes, email me each time something is asked of me or my agency",
        "No, I will read my notifications in Casework",
        required="Choose whether to be emailed as things happen",
    )
    submit = SubmitField("Save your choice", widget=GovSubmitInput())

    def chosen(self) -> bool:
        return self.immediate_mail.data == YES


class UserActionForm(OneTimeForm):
    """A bare button (deactivate, reactivate, new link, unlock): CSRF and the row version."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class EndSessionForm(OneTimeForm):
    """A bare button that signs a session out: CSRF and the one-time key."""


class HandOverForm(OneTimeForm):
    """Choose the colleague who takes on a user's open requests and actions."""

    id_prefix = "hand-over"
    successor = select_field(
        "Hand their work to",
        required="Choose who takes on the work",
        coerce=int,
        validate_choice=False,  # checked below, with a message that says what is allowed
    )
    submit = SubmitField("Hand over their work", widget=GovSubmitInput(), name="hand_over")

    def offer(self, successors: list[User]) -> None:
        self.successor.choices = [(person.id, person.name) for person in successors]

    def validate_successor(self, field: SelectField) -> None:
        if field.data not in {value for value, _ in field.choices or []}:
            raise ValidationError("Choose an active colleague in the same role")
