"""The reminder world, and the seeded default rules as the migration left them for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from casework.core.extensions import db
from casework.notifications.models import ReminderRule
from casework.notifications.rules import DEFAULT_TIMINGS
from tests.notifications.world import World, build_world


def restore_default_rules(app: Flask) -> None:
    """The rules are reference data kept between tests: put back the seeded values."""
    with app.app_context():
        for rule in db.session.execute(
            db.select(ReminderRule).where(ReminderRule.review_type_id.is_(None))
        ).scalars():
            timing = DEFAULT_TIMINGS[rule.kind]
            rule.due_soon_days, rule.escalate_after_days = timing.due_soon, timing.escalate_after
        db.session.commit()


@pytest.fixture(autouse=True)
def _default_rules(app: Flask) -> Iterator[None]:
    restore_default_rules(app)
    yield
    restore_default_rules(app)


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)
