"""Writing messages into the outbox, in the transaction of the change that causes them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.notifications.models import MailStatus, Notification, OutboxMessage

# session.info flag: this transaction queued mail, so delivery is woken after its commit.
MAIL_QUEUED = "casework_mail_queued"


def message_key(person: User, kind: str, item: str, day: date | None = None) -> str:
    """(recipient, kind, item, day): the same message about the same thing, once a day at most."""
    return f"{person.id}:{kind}:{item}:{(day or uk_today()).isoformat()}"


def _insert_once(model: type[Any], values: dict[str, Any]) -> bool:
    """Insert unless a row with the same key exists; True if inserted. One statement, so two
    schedulers or workers racing on the same key leave one row and no error."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = model.__table__
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=["key"])
    # RETURNING, not rowcount: an ORM-run insert reports no row count on PostgreSQL (-1).
    return db.session.execute(statement.returning(table.c.key)).first() is not None


def queue_mail(
    person: User, kind: str, item: str, subject: str, text: str, html: str, *, day: date | None = None
) -> bool:
    """Queue one email to ``person``; False if the same one was already queued that day."""
    from flask import current_app

    now = utcnow()
    kept = not current_app.config.get("SMTP_HOST")
    queued = _insert_once(
        OutboxMessage,
        {
            "key": message_key(person, kind, item, day),
            "kind": kind,
            "recipient_id": person.id,
            "to_address": person.email,
            "subject": subject,
            "text_body": text,
            "html_body": html,
            "status": MailStatus.KEPT if kept else MailStatus.QUEUED,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )
    if queued and not kept:
        db.session.info[MAIL_QUEUED] = True
    return queued


def add_notification(
    person: User, kind: str, item: str, text: str, link: str, *, day: date | None = None
) -> bool:
    """Add a line to the person's "Your notifications"; False if it is already there today."""
    return _insert_once(
        Notification,
        {
            "key": message_key(person, kind, item, day),
            "user_id": person.id,
            "kind": kind,
            "text": text,
            "link": link,
            "created_at": utcnow(),
        },
    )
