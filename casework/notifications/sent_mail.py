"""What administrators see of the outbox ("Sent mail"), and sending a failed message again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from werkzeug.datastructures import MultiDict

from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.paging import Slice, slice_of
from casework.core.timeutil import utcnow
from casework.notifications.models import MailStatus, OutboxMessage
from casework.notifications.outbox import MAIL_QUEUED
from casework.notifications.smtp import mail_configured

PAGE_SIZE = 50


@dataclass(frozen=True)
class SentMailFilters:
    status: MailStatus | None = None

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> SentMailFilters:
        """Anything but a known status shows every message."""
        value = args.get("status", "")
        return cls(status=next((status for status in MailStatus if status.value == value), None))


def sent_mail_page(filters: SentMailFilters, page: int) -> Slice:
    """One page of the outbox, newest first, with newer and older links but no count of every
    message: years of mail would make each page count them all."""
    query = db.select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if filters.status is not None:
        query = query.where(OutboxMessage.status == filters.status)
    return slice_of(query, page, PAGE_SIZE)


def retry_message(message: OutboxMessage) -> OutboxMessage:
    """Queue a failed message again, now, with a fresh round of attempts (the mail server's last
    answer stays on the row until the next one; the audit log keeps who asked and why it had
    failed). The caller commits; the commit wakes delivery. The change of status is one
    conditional UPDATE (only from failed to queued), so of two administrators pressing "Send
    again" at once, the second is refused rather than queueing it twice."""
    if message.status != MailStatus.FAILED:
        raise DomainError("Only a message that failed can be sent again.")
    if not mail_configured():
        raise DomainError("No mail server is set up (CASEWORK_SMTP_HOST), so the message cannot be sent.")
    failed = {"attempts": message.attempts, "last_error": message.last_error}
    queued = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == MailStatus.FAILED)
        .values(status=MailStatus.QUEUED, attempts=0, next_attempt_at=utcnow())
    )
    if queued.rowcount != 1:
        raise DomainError("Someone else has just sent this message again: it is no longer failed.")
    audit.record(
        "mail_retried",
        f"Mail {message.kind!r} to {message.to_address} queued to be sent again",
        subject=message,
        details=failed,
    )
    db.session.info[MAIL_QUEUED] = True
    return message
