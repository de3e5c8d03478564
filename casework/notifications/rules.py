"""When to remind and when to escalate: the partnership's reminder rules, as data.

Each kind of reminder has a default row (no review type); a row for a review type overrides it for
that type's reviews. The defaults below are seeded by a migration (and again by the demo, should a
row be missing), and are what the daily pass uses if a default row is ever missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casework.auth.models import User
from casework.core import audit
from casework.core.errors import DomainError, check_version
from casework.core.extensions import db
from casework.notifications.models import ReminderKind, ReminderRule
from casework.reviews.models import ReviewType

MAX_DAYS = 60


@dataclass(frozen=True)
class Timing:
    """Remind ``due_soon`` working days before the due date (and every day once overdue); tell the
    board managers once it is ``escalate_after`` working days overdue (None: never)."""

    due_soon: int
    escalate_after: int | None


# Agencies get a few days' notice of a contribution and a factual accuracy answer, which are short
# tasks; statutory clocks a working week, as the board managers plan around them; actions a week,
# escalated after a fortnight overdue. A reviewer who has not accepted within a week is chased.
# A re-measure needs figures gathered: its owner hears a fortnight ahead, the board a month late.
DEFAULT_TIMINGS: dict[ReminderKind, Timing] = {
    ReminderKind.REQUEST: Timing(3, 5),
    ReminderKind.ACCURACY: Timing(2, 3),
    ReminderKind.CLOCK: Timing(5, None),
    ReminderKind.ACTION: Timing(5, 10),
    ReminderKind.APPOINTMENT: Timing(5, None),
    ReminderKind.MEASURE: Timing(10, 20),
}

# What N and M mean for each kind, for the settings page.
MEANINGS: dict[ReminderKind, tuple[str, str]] = {
    ReminderKind.REQUEST: ("the agency's leads", "working days overdue, then the board managers"),
    ReminderKind.ACCURACY: ("the agency's leads", "working days overdue, then the board managers"),
    ReminderKind.CLOCK: ("the board managers", "working days overdue, marked as an escalation"),
    ReminderKind.ACTION: ("the owner", "working days overdue, then the board managers"),
    ReminderKind.APPOINTMENT: ("the board managers", "further working days, marked as an escalation"),
    ReminderKind.MEASURE: ("the owner of the measure", "working days overdue, then the board managers"),
}


@dataclass(frozen=True)
class Rules:
    """The timing of each kind for each review type, read once per pass."""

    defaults: dict[ReminderKind, Timing]
    overrides: dict[tuple[ReminderKind, int], Timing]

    def timing(self, kind: ReminderKind, review_type_id: int) -> Timing:
        return self.overrides.get((kind, review_type_id), self.defaults[kind])


def _timing(rule: ReminderRule) -> Timing:
    return Timing(rule.due_soon_days, rule.escalate_after_days)


def current_rules() -> Rules:
    """Every rule, in one query."""
    defaults = dict(DEFAULT_TIMINGS)
    overrides: dict[tuple[ReminderKind, int], Timing] = {}
    for rule in db.session.execute(select(ReminderRule)).scalars():
        if rule.review_type_id is None:
            defaults[rule.kind] = _timing(rule)
        else:
            overrides[(rule.kind, rule.review_type_id)] = _timing(rule)
    return Rules(defaults, overrides)


def seed_default_rules() -> list[ReminderRule]:
    """Add the default row of every kind that has none; returns the rows added."""
    present = set(
        db.session.execute(select(ReminderRule.kind).where(ReminderRule.review_type_id.is_(None))).scalars()
    )
    added = [
        ReminderRule(kind=kind, due_soon_days=t.due_soon, escalate_after_days=t.escalate_after)
        for kind, t in DEFAULT_TIMINGS.items()
        if kind not in present
    ]
    db.session.add_all(added)
    return added


def rules_for_settings() -> list[ReminderRule]:
    """The rules as the settings page lists them: by kind, the default first, then by type."""
    rules = db.session.execute(select(ReminderRule).options(selectinload(ReminderRule.review_type))).scalars()
    order = list(ReminderKind)
    return sorted(
        rules, key=lambda r: (order.index(r.kind), r.review_type.current_name if r.review_type else "")
    )


def check_days(due_soon: int | None, escalate_after: int | None) -> None:
    """The rules' bounds, with the messages the settings form shows next to its fields."""
    if due_soon is None or not 0 <= due_soon <= MAX_DAYS:
        raise DomainError(
            f"Enter the number of working days as a whole number from 0 to {MAX_DAYS}", field="due_soon_days"
        )
    if escalate_after is not None and not 0 < escalate_after <= MAX_DAYS:
        raise DomainError(
            f"Enter the working days overdue before escalating as a whole number from 1 to {MAX_DAYS}, "
            "or leave it empty to never escalate",
            field="escalate_after_days",
        )


def name_of(rule: ReminderRule) -> str:
    scope = rule.review_type.current_name if rule.review_type else "every type of review (default)"
    return f"{rule.kind.label}: {scope}"


def timing_of(rule: ReminderRule) -> Timing:
    return _timing(rule)


def _describe(rule: ReminderRule) -> str:
    scope = rule.review_type.code if rule.review_type else "default"
    escalate = "never" if rule.escalate_after_days is None else f"{rule.escalate_after_days} working days"
    return f"{rule.kind.label} ({scope}): {rule.due_soon_days} working days' notice, escalate {escalate}"


def change_rule(
    rule: ReminderRule, due_soon: int | None, escalate_after: int | None, version: int | None, by: User
) -> ReminderRule:
    check_version(rule, version, "this reminder rule")
    check_days(due_soon, escalate_after)
    assert due_soon is not None
    rule.due_soon_days, rule.escalate_after_days = due_soon, escalate_after
    audit.record("reminder_rule_changed", f"Reminder rule changed: {_describe(rule)}", subject=rule, actor=by)
    return rule


def add_override(
    kind: ReminderKind | None,
    review_type: ReviewType | None,
    due_soon: int | None,
    escalate_after: int | None,
    by: User,
) -> ReminderRule:
    if kind is None:
        raise DomainError("Select the kind of reminder", field="kind")
    if review_type is None:
        raise DomainError("Select the type of review", field="review_type")
    check_days(due_soon, escalate_after)
    same = (ReminderRule.kind == kind, ReminderRule.review_type_id == review_type.id)
    taken = db.session.execute(select(ReminderRule.id).where(*same)).first()
    if taken:
        raise DomainError(
            f"{review_type.code} already has its own rule for {kind.label.lower()}; change that one instead",
            field="review_type",
        )
    assert due_soon is not None
    rule = ReminderRule(
        kind=kind, review_type=review_type, due_soon_days=due_soon, escalate_after_days=escalate_after
    )
    db.session.add(rule)
    audit.record("reminder_rule_added", f"Reminder rule added: {_describe(rule)}", subject=rule, actor=by)
    return rule


def remove_override(rule: ReminderRule, version: int | None, by: User) -> None:
    if rule.review_type_id is None:
        raise DomainError("The default rule of each kind stays; change it instead")
    check_version(rule, version, "this reminder rule")
    audit.record("reminder_rule_removed", f"Reminder rule removed: {_describe(rule)}", subject=rule, actor=by)
    db.session.delete(rule)
