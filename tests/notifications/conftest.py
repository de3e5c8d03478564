"""Fixtures for mail delivery: a real SMTP server on loopback, the app pointed at it, and
messages queued the way the app queues them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from flask import Flask

from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.notifications.models import MailStatus, OutboxMessage
from casework.notifications.outbox import message_key, queue_mail
from casework.notifications.queue import huey
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
def _empty_queue() -> Iterator[None]:
    """Each test starts and ends with nothing waiting in the queue."""
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
