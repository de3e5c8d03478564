"""Fixtures for mail delivery (a real SMTP server on loopback, the app pointed at it, messages
queued the way the app queues them, the queue on each backend) and for the reminders (the world
of things due, and the seeded default rules as the migration left them for every test)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.notifications.jobs import init_jobs
from casework.notifications.models import MailStatus, OutboxMessage, ReminderRule
from casework.notifications.outbox import message_key, queue_mail
from casework.notifications.queue import huey, storage_for
from casework.notifications.rules import DEFAULT_TIMINGS
from tests.notifications.due_world import World as DueWorld
from tests.notifications.due_world import build_world as build_due_world
from tests.support.copies import replayed
from tests.support.people import make_user
from tests.support.smtp import MailServer, plain_server


@pytest.fixture
def smtp() -> Iterator[MailServer]:
    with plain_server() as server:
        yield server


@pytest.fixture
def mail_app(app: Flask, smtp: MailServer, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The suite's app sending to ``smtp`` (plain SMTP, a short timeout)."""
    point_at(app, monkeypatch, smtp.port)
    return app


def point_at(app: Flask, monkeypatch: pytest.MonkeyPatch, port: int, **settings: object) -> None:
    values = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SECURITY": "none", "SMTP_TIMEOUT": 1.0}
    for name, value in {**values, **settings}.items():
        monkeypatch.setitem(app.config, name, value)


@pytest.fixture
def recipient(app: Flask) -> User:
    with app.app_context():
        return make_user(Role.AGENCY_LEAD, name="Alex Lead", email="alex.lead@example.org")


@pytest.fixture(autouse=True)
def _empty_queue(app: Flask) -> Iterator[None]:
    """Each test starts with the suite's app's queue (another test may have created an app since)
    and starts and ends with nothing waiting in it."""
    init_jobs(app)
    huey.flush()
    yield
    huey.flush()


def queue_one(
    app: Flask, person: User, item: str = "request:1", subject: str = "CSPR-2026-004: a request"
) -> int:
    """Queue one message as the app does (in a transaction, then commit); its id."""
    with app.app_context():
        person = db.session.merge(person)
        assert queue_mail(
            person, "request", item, subject, "Plain words.\nSecond line.", "<p>HTML words.</p>"
        )
        message_id = db.session.execute(
            db.select(OutboxMessage.id).where(OutboxMessage.key == message_key(person, "request", item))
        ).scalar_one()
        db.session.commit()
        return message_id


@dataclass(frozen=True)
class Row:
    status: MailStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None


def row(app: Flask, message_id: int) -> Row:
    with app.app_context():
        found = db.session.get(OutboxMessage, message_id)
        assert found is not None
        return Row(found.status, found.attempts, found.next_attempt_at, found.last_error, found.sent_at)


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def queue_backend(request: pytest.FixtureRequest, app: Flask, tmp_path: Path) -> Iterator[str]:
    """The suite's app with its queue in a SQLite file, then in Redis (under a name of its own,
    so parallel runs never take each other's tasks); restored afterwards. The worker's tasks run
    in the suite's app, whichever app another test created last."""
    init_jobs(app)
    if request.param == "sqlite":
        huey.storage = storage_for(f"sqlite:///{tmp_path / 'queue.db'}", "casework")
    else:
        url = request.getfixturevalue("redis_url")
        huey.storage = storage_for(url, f"casework-test-{uuid.uuid4().hex}")
    try:
        yield request.param
    finally:
        huey.flush()
        init_jobs(app)


def restore_default_rules(app: Flask) -> None:
    """The reminder rules are reference data kept between tests: put back the seeded values."""
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
def world(app: Flask) -> DueWorld:
    """A partnership with things due on set days (tests.notifications.due_world)."""
    return replayed(app, "due world", lambda: build_due_world(app))
