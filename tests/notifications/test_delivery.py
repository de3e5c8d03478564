"""Delivery against a real SMTP server on loopback: sent once, retried later with growing waits
when the server is down, slow or busy (nothing lost), failed at once with the server's reason
when it refuses the recipient; two workers racing send once; an interrupted send is never
repeated by itself."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask

from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.notifications import delivery
from casework.notifications.delivery import BACKOFF, INTERRUPTED, MAX_ATTEMPTS, DeliveryCounts, deliver_due
from casework.notifications.models import MailStatus, OutboxMessage
from casework.notifications.outbox import add_notification, queue_mail
from casework.notifications.smtp import Mailer, message_id
from tests.notifications.conftest import Row, point_at, queue_one, row
from tests.support.smtp import MailServer, closed_port
from tests.support.threads import run_side_by_side


def _one_pass(app: Flask, recipient: User) -> tuple[DeliveryCounts, Row]:
    """Queue one message and run one delivery pass: the pass's counts and the message's row after it."""
    queued = queue_one(app, recipient)
    with app.app_context():
        counts = deliver_due()
    return counts, row(app, queued)


def test_a_due_message_is_sent_once_and_marked_sent(
    mail_app: Flask, smtp: MailServer, recipient: User
) -> None:
    queued = queue_one(mail_app, recipient)
    with mail_app.app_context():
        counts = deliver_due()
        again = deliver_due()
    assert (counts.sent, again.sent) == (1, 0)
    assert len(smtp.received) == 1
    sent = row(mail_app, queued)
    assert sent.status == MailStatus.SENT and sent.attempts == 1 and sent.sent_at is not None


def test_the_message_has_both_parts_the_partnership_as_sender_and_a_stable_message_id(
    mail_app: Flask, smtp: MailServer, recipient: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(mail_app.config, "MAIL_FROM", "reviews@northshire.example")
    queued = queue_one(mail_app, recipient, subject="CSPR-2026-004: your chronology is due")
    with mail_app.app_context():
        deliver_due()
        key = db.session.get(OutboxMessage, queued).key  # type: ignore[union-attr]
    [received] = smtp.received
    message = received.message
    assert received.sender == "reviews@northshire.example"
    assert received.recipients == ["alex.lead@example.org"]
    assert message["From"] == "Northshire Safeguarding Children Partnership <reviews@northshire.example>"
    assert message["To"] == "alex.lead@example.org"
    assert message["Subject"] == "CSPR-2026-004: your chronology is due"
    assert message["Message-ID"] == message_id(key, "reviews@northshire.example")
    assert message["Message-ID"].endswith("@northshire.example>") and key not in message["Message-ID"]
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert text.get_content().replace("\r\n", "\n") == "Plain words.\nSecond line.\n"
    assert html.get_content().strip() == "<p>HTML words.</p>"


def _deliver_at(app: Flask, when: datetime) -> delivery.DeliveryCounts:
    with time_machine.travel(when, tick=False), app.app_context():
        return deliver_due()


def test_a_server_that_is_down_is_tried_again_later_with_growing_waits_and_nothing_is_lost(
    app: Flask, recipient: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = closed_port()
    point_at(app, monkeypatch, port)
    queued = queue_one(app, recipient)
    start = datetime.now(UTC)
    counts = _deliver_at(app, start)
    first = row(app, queued)
    assert (counts.sent, counts.retrying) == (0, 1)
    assert first.status == MailStatus.QUEUED and first.attempts == 1
    assert first.last_error == "The mail server refused the connection"
    assert first.next_attempt_at == start + BACKOFF[0]
    assert _deliver_at(app, start + timedelta(seconds=30)).retrying == 0  # not due yet: not tried

    when = first.next_attempt_at
    waits = [first.next_attempt_at - start]
    for attempt in (2, 3):
        _deliver_at(app, when)
        now = row(app, queued)
        assert now.attempts == attempt and now.status == MailStatus.QUEUED
        waits.append(now.next_attempt_at - when)
        when = now.next_attempt_at
    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15)]

    from tests.support.smtp import plain_server

    with plain_server() as server:
        monkeypatch.setitem(app.config, "SMTP_PORT", server.port)
        assert _deliver_at(app, when).sent == 1
    assert len(server.received) == 1
    assert row(app, queued).status == MailStatus.SENT and row(app, queued).attempts == 4


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("busy", "451 4.3.0 Mailbox busy, try again later"), ("slow", "The mail server did not answer in time")],
)
def test_a_busy_or_slow_server_is_tried_again_later(
    mail_app: Flask,
    smtp: MailServer,
    recipient: User,
    mode: str,
    reason: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp.mode = mode
    monkeypatch.setitem(mail_app.config, "SMTP_TIMEOUT", 0.3)  # the slow server is waited for this long
    counts, later = _one_pass(mail_app, recipient)
    assert counts.retrying == 1
    assert (later.status, later.attempts, later.last_error) == (MailStatus.QUEUED, 1, reason)
    assert later.next_attempt_at > utcnow()


def test_after_the_last_attempt_a_temporary_failure_fails_the_message(
    mail_app: Flask, smtp: MailServer, recipient: User
) -> None:
    smtp.mode = "busy"
    queued = queue_one(mail_app, recipient)
    with mail_app.app_context():
        db.session.execute(
            db.update(OutboxMessage).where(OutboxMessage.id == queued).values(attempts=MAX_ATTEMPTS - 1)
        )
        db.session.commit()
        counts = deliver_due()
    failed = row(mail_app, queued)
    assert counts.failed == 1 and MAX_ATTEMPTS == 8
    assert (failed.status, failed.attempts) == (MailStatus.FAILED, 8)
    assert failed.last_error == "451 4.3.0 Mailbox busy, try again later"


def test_a_refused_recipient_fails_at_once_with_the_servers_reason(
    mail_app: Flask, smtp: MailServer, recipient: User
) -> None:
    smtp.mode = "refuse"
    counts, failed = _one_pass(mail_app, recipient)
    assert (counts.failed, counts.retrying) == (1, 0)
    assert (failed.status, failed.attempts) == (MailStatus.FAILED, 1)
    assert failed.last_error == "550 5.1.1 No such mailbox here"
    assert smtp.received == []


def test_two_workers_racing_for_the_same_messages_send_each_once(
    mail_app: Flask, smtp: MailServer, recipient: User
) -> None:
    queued = [queue_one(mail_app, recipient, item=f"request:{number}") for number in range(3)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with mail_app.app_context(), Mailer(mail_app.config) as mailer:
                ids = delivery.due_message_ids()
                start.wait(timeout=10)  # both have read the same due messages before either claims
                counts = delivery.DeliveryCounts()
                for message in ids:
                    delivery.deliver_message(message, mailer, counts)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    run_side_by_side([worker, worker], timeout=30)
    assert errors == []
    assert len(smtp.received) == 3
    assert (
        sorted(received.message["Subject"] for received in smtp.received) == ["CSPR-2026-004: a request"] * 3
    )
    assert {row(mail_app, message).status for message in queued} == {MailStatus.SENT}
    assert {row(mail_app, message).attempts for message in queued} == {1}


def _left_sending(app: Flask, message: int, claimed: datetime) -> None:
    """As a worker killed between its claim and the answer leaves a message."""
    with app.app_context():
        db.session.execute(
            db.update(OutboxMessage)
            .where(OutboxMessage.id == message)
            .values(status=MailStatus.SENDING, next_attempt_at=claimed)
        )
        db.session.commit()


def test_a_message_left_sending_is_never_sent_again_and_fails_after_a_while(
    mail_app: Flask, smtp: MailServer, recipient: User
) -> None:
    queued = queue_one(mail_app, recipient)
    _left_sending(mail_app, queued, utcnow() - timedelta(minutes=10))
    with mail_app.app_context():
        assert deliver_due().interrupted == 0
    assert row(mail_app, queued).status == MailStatus.SENDING

    _left_sending(mail_app, queued, utcnow() - timedelta(minutes=16))
    with mail_app.app_context():
        assert deliver_due().interrupted == 1
        assert deliver_due().sent == 0
    failed = row(mail_app, queued)
    assert (failed.status, failed.last_error) == (MailStatus.FAILED, INTERRUPTED)
    assert smtp.received == []


def test_without_a_mail_server_messages_are_kept_and_nothing_is_sent(app: Flask, recipient: User) -> None:
    assert app.config["SMTP_HOST"] == ""
    queued = queue_one(app, recipient)
    with app.app_context():
        counts = deliver_due()
    assert (counts.sent, counts.retrying, counts.failed) == (0, 0, 0)
    assert row(app, queued).status == MailStatus.KEPT


def test_the_same_message_is_queued_once_a_day_and_the_first_says_so(app: Flask, recipient: User) -> None:
    """On every database: the insert that wrote the row answers True, the repeat False."""
    with app.app_context():
        person = db.session.merge(recipient)
        assert queue_mail(person, "request", "request:9", "Subject", "Text.", "<p>HTML.</p>")
        assert not queue_mail(person, "request", "request:9", "Subject", "Text.", "<p>HTML.</p>")
        assert add_notification(person, "request", "request:9", "Subject", "/x")
        assert not add_notification(person, "request", "request:9", "Subject", "/x")
        db.session.commit()
        assert db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar() == 1
