"""Delivering the outbox: each due message is claimed by exactly one worker, sent, and marked sent,
retried later or failed with the server's reason.

A row is claimed with one conditional UPDATE (queued -> sending) that only one worker can win, and
the claim is committed before the mail server is contacted, so no transaction stays open while
the network is slow. A row left "sending" (a worker killed mid-send) is never sent again by
itself: the mail may have gone. After a while it is marked failed for a person to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import MessageError

from flask import current_app
from sqlalchemy import select, update

from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.notifications.models import MailStatus, OutboxMessage
from casework.notifications.smtp import Mailer, SendError, build_message, mail_configured

# Wait after each temporary failure; the message fails once they are used up (8 attempts in all).
BACKOFF = tuple(timedelta(minutes=minutes) for minutes in (1, 5, 15, 60, 4 * 60, 12 * 60, 12 * 60))
MAX_ATTEMPTS = len(BACKOFF) + 1
INTERRUPTED_AFTER = timedelta(minutes=15)
INTERRUPTED = "Delivery was interrupted; check before retrying"
BATCH = 100

Outbox = OutboxMessage.__table__


@dataclass
class DeliveryCounts:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    interrupted: int = 0

    def __str__(self) -> str:
        return (
            f"Sent {self.sent}, to retry later {self.retrying}, failed {self.failed}; "
            f"interrupted deliveries marked failed: {self.interrupted}."
        )


def due_message_ids(now: datetime | None = None, limit: int = BATCH) -> list[int]:
    """Queued messages whose time has come, oldest first."""
    rows = db.session.execute(
        select(Outbox.c.id)
        .where(Outbox.c.status == MailStatus.QUEUED, Outbox.c.next_attempt_at <= (now or utcnow()))
        .order_by(Outbox.c.next_attempt_at, Outbox.c.id)
        .limit(limit)
    )
    ids = list(rows.scalars())
    db.session.commit()  # end the read: nothing stays open while mail is sent
    return ids


def claim(message_id: int, now: datetime | None = None) -> bool:
    """Take a queued message for sending; True for the one worker whose update changed the row.
    While sending, next_attempt_at holds when it was claimed (for finding interrupted sends)."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Outbox)
        .where(Outbox.c.id == message_id, Outbox.c.status == MailStatus.QUEUED)
        .where(Outbox.c.next_attempt_at <= now)
        .values(status=MailStatus.SENDING, next_attempt_at=now)
    )
    db.session.commit()
    return claimed.rowcount == 1


def _settle(message_id: int, **values: object) -> None:
    """Record how a claimed send ended (only a row still being sent is changed)."""
    db.session.execute(
        update(Outbox)
        .where(Outbox.c.id == message_id, Outbox.c.status == MailStatus.SENDING)
        .values(**values)
    )
    db.session.commit()


def _failed(message_id: int, attempts: int, failure: SendError, counts: DeliveryCounts) -> None:
    now = utcnow()
    if failure.permanent or attempts >= MAX_ATTEMPTS:
        counts.failed += 1
        _settle(message_id, status=MailStatus.FAILED, attempts=attempts, last_error=failure.reason)
        return
    counts.retrying += 1
    _settle(
        message_id,
        status=MailStatus.QUEUED,
        attempts=attempts,
        last_error=failure.reason,
        next_attempt_at=now + BACKOFF[attempts - 1],
    )


def deliver_message(message_id: int, mailer: Mailer, counts: DeliveryCounts) -> None:
    """Claim, send and settle one message; another worker's claim leaves it alone."""
    if not claim(message_id):
        return
    row = db.session.get(OutboxMessage, message_id)
    if row is None:  # removed meanwhile
        return
    attempts = row.attempts + 1
    try:
        message = build_message(row, current_app.config)
    except (ValueError, MessageError) as error:  # an address no server would take
        _failed(message_id, attempts, SendError(f"The message could not be written: {error}", True), counts)
        return
    db.session.commit()
    try:
        mailer.send(message)
    except SendError as failure:
        _failed(message_id, attempts, failure, counts)
        return
    counts.sent += 1
    _settle(message_id, status=MailStatus.SENT, attempts=attempts, sent_at=utcnow())


def mark_interrupted(now: datetime | None = None) -> int:
    """Sends claimed long ago and never settled: failed, for a person to check and retry."""
    marked = db.session.execute(
        update(Outbox)
        .where(Outbox.c.status == MailStatus.SENDING)
        .where(Outbox.c.next_attempt_at < (now or utcnow()) - INTERRUPTED_AFTER)
        .values(status=MailStatus.FAILED, last_error=INTERRUPTED)
    )
    db.session.commit()
    return marked.rowcount


def deliver_due() -> DeliveryCounts:
    """Everything due now, batch after batch; nothing at all without a mail server."""
    counts = DeliveryCounts(interrupted=mark_interrupted())
    if not mail_configured():
        return counts
    with Mailer(current_app.config) as mailer:
        while ids := due_message_ids():
            for message_id in ids:
                deliver_message(message_id, mailer, counts)
            if len(ids) < BATCH:
                break
    return counts
