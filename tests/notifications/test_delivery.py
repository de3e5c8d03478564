"""Delivery against a real SMTP server on loopback: sent once, retried later with growing waits
when the server is down, slow or busy, failed with the server's reason when it refuses."""

from __future__ import annotations

from flask import Flask

from casework.auth.models import User
from casework.notifications.delivery import deliver_due
from casework.notifications.models import MailStatus
from tests.notifications.conftest import queue_one, row
from tests.support.smtp import MailServer


def test_a_due_message_is_sent_once_and_marked_sent(
    mail_app: Flask, smtp: MailServer, recipient: User
) -> None:
    message_id = queue_one(mail_app, recipient)
    with mail_app.app_context():
        counts = deliver_due()
        again = deliver_due()
    assert (counts.sent, again.sent) == (1, 0)
    assert len(smtp.received) == 1
    sent = row(mail_app, message_id)
    assert sent.status == MailStatus.SENT and sent.attempts == 1 and sent.sent_at is not None
