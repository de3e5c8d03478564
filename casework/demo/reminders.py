"""The demo's reminder rules: the defaults, and a longer notice for SAR contribution requests
(adult reviews often ask agencies for more)."""

from __future__ import annotations

from sqlalchemy import select

from casework.core.extensions import db
from casework.notifications.models import ReminderKind, ReminderRule
from casework.notifications.rules import seed_default_rules
from casework.reviews.models import ReviewType


def load_demo_reminder_rules() -> list[str]:
    added = [f"reminder rule {rule.kind.value} (default)" for rule in seed_default_rules()]
    sar = db.session.execute(select(ReviewType).where(ReviewType.code == "SAR")).scalar_one_or_none()
    if sar is None:
        return added
    present = db.session.execute(
        select(ReminderRule.id).where(
            ReminderRule.kind == ReminderKind.REQUEST, ReminderRule.review_type_id == sar.id
        )
    ).first()
    if not present:
        db.session.add(
            ReminderRule(kind=ReminderKind.REQUEST, review_type=sar, due_soon_days=5, escalate_after_days=10)
        )
        added.append("reminder rule request (SAR)")
    return added
