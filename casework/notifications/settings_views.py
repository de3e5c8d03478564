"""Settings → Reminders: the board managers' rules for when to remind and when to escalate."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload

from casework.auth.access import current_person, roles
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.forms import flash_form_errors, page_with_form, submit
from casework.core.request_guards import as_id
from casework.notifications import rules
from casework.notifications.forms import OverrideForm, RemoveRuleForm, RuleForm
from casework.notifications.models import ReminderRule
from casework.reviews import bp
from casework.reviews.models import ReviewType

RULES_URL = "reviews.reminder_rules"


def _types() -> list[ReviewType]:
    return list(db.session.execute(db.select(ReviewType).order_by(ReviewType.name)).scalars())


def _rule(rule_id: int) -> ReminderRule:
    rule = db.session.get(ReminderRule, rule_id, options=[joinedload(ReminderRule.review_type)])
    if rule is None:
        abort(404)
    return rule


@bp.route("/reminders", methods=["GET", "POST"])
@roles(Role.BOARD_MANAGER)
def reminder_rules() -> ResponseReturnValue:
    types = _types()
    form = OverrideForm(types=types)
    chosen = next((t for t in types if t.id == as_id(form.review_type.data or "")), None)
    done = submit(
        form,
        lambda: rules.add_override(form.chosen_kind(), chosen, *form.timing(), current_person()),
        lambda rule: f"{rule.review_type.current_name} now has its own rule for {rule.kind.label.lower()}.",
        url_for(RULES_URL),
    )
    return done or page_with_form(
        "notifications/reminder_rules.html",
        form,
        rules=rules.rules_for_settings(),
        meanings=rules.MEANINGS,
        remove_form=RemoveRuleForm(formdata=None),
    )


@bp.route("/reminders/<int:rule_id>", methods=["GET", "POST"])
@roles(Role.BOARD_MANAGER)
def reminder_rule(rule_id: int) -> ResponseReturnValue:
    rule = _rule(rule_id)
    # Read before any save: a refused one rolls back, and the page must not load them again.
    shown = {"name": rules.name_of(rule), "saved": rules.timing_of(rule)}
    form = RuleForm()
    if request.method == "GET":
        form.show_rule(rule)
    done = submit(
        form,
        lambda: rules.change_rule(rule, *form.timing(), form.version.data, current_person()),
        "Reminder rule saved. The next daily pass uses it.",
        url_for(RULES_URL),
    )
    return done or page_with_form("notifications/reminder_rule.html", form, **shown)


@bp.route("/reminders/<int:rule_id>/remove", methods=["POST"])
@roles(Role.BOARD_MANAGER)
def reminder_rule_remove(rule_id: int) -> ResponseReturnValue:
    rule = _rule(rule_id)
    form = RemoveRuleForm()
    removed = "Rule removed. Reviews of that type follow the default rule again."
    change = lambda: rules.remove_override(rule, form.version.data, current_person())  # noqa: E731
    if submit(form, change, removed, "") is None:
        flash_form_errors(form)
    return redirect(url_for(RULES_URL))
