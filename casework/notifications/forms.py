"""The forms of the reminder rules (settings) and of a person's calendar address."""

from __future__ import annotations

import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import Field, SelectChoice, SelectField, StringField, SubmitField, ValidationError

from casework.core.form_keys import OneTimeForm
from casework.core.forms import VersionedForm
from casework.notifications.models import ReminderKind, ReminderRule
from casework.notifications.rules import MAX_DAYS

NOTICE = f"Enter the number of working days as a whole number from 0 to {MAX_DAYS}"
ESCALATION = (
    f"Enter the working days overdue before escalating as a whole number from 1 to {MAX_DAYS}, "
    "or leave it empty to never escalate"
)


def _days(field: Field) -> int | None:
    text = (field.data or "").strip()
    return int(text) if re.fullmatch(r"[0-9]{1,3}", text) else None


class TimingFields(OneTimeForm):
    """Notice and escalation, in working days: whole numbers, checked here so a wrong one gets its
    message next to its field (the service checks the bounds again)."""

    due_soon_days = StringField(
        "Working days' notice",
        widget=GovTextInput(),
        description="Remind this many working days before the due date, and every working day once overdue.",
    )
    escalate_after_days = StringField(
        "Escalate after (working days overdue)",
        widget=GovTextInput(),
        description=(
            "Tell the board managers once it is this many working days overdue. "
            "Leave it empty to never escalate."
        ),
    )

    def validate_due_soon_days(self, field: Field) -> None:
        days = _days(field)
        if days is None or days > MAX_DAYS:
            raise ValidationError(NOTICE)

    def validate_escalate_after_days(self, field: Field) -> None:
        if (field.data or "").strip():
            days = _days(field)
            if days is None or not 0 < days <= MAX_DAYS:
                raise ValidationError(ESCALATION)

    def timing(self) -> tuple[int | None, int | None]:
        return _days(self.due_soon_days), _days(self.escalate_after_days)


class RuleForm(TimingFields, VersionedForm):
    submit = SubmitField("Save rule", widget=GovSubmitInput())

    def show_rule(self, rule: ReminderRule) -> None:
        self.due_soon_days.data = str(rule.due_soon_days)
        escalate = rule.escalate_after_days
        self.escalate_after_days.data = "" if escalate is None else str(escalate)
        self.version.data = rule.version


class OverrideForm(TimingFields):
    kind = SelectField(
        "Kind of reminder",
        widget=GovSelect(),
        choices=[SelectChoice("", "Choose a kind")] + [SelectChoice(k.value, k.label) for k in ReminderKind],
        validate_choice=False,  # an unknown choice is refused by the service, with its message
    )
    review_type = SelectField("Type of review", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Add rule", widget=GovSubmitInput())

    def __init__(self, *args: Any, types: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.review_type.choices = [SelectChoice("", "Choose a type")] + [
            SelectChoice(str(t.id), t.current_name) for t in types
        ]

    def chosen_kind(self) -> ReminderKind | None:
        return ReminderKind(self.kind.data) if self.kind.data in {k.value for k in ReminderKind} else None


class RemoveRuleForm(VersionedForm):
    """The remove button of a rule for one type of review."""


class CalendarForm(OneTimeForm):
    """Create or reset the person's calendar address."""
