"""A person's own notifications: their unread count, the list, and marking them read."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from sqlalchemy import Select, bindparam, func, update
from sqlalchemy.exc import SQLAlchemyError

from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.notifications.models import Notification

PAGE_SIZE = 25


UNREAD_SHOWN = 99  # the header says "99+" beyond this


def unread_count(user: User) -> int | None:
    """How many of the person's notifications are unread, counted no further than one past
    UNREAD_SHOWN (the header then says "99+"): one query for every page's header, which costs the
    same for someone with years of unread notifications. None when the database cannot answer,
    so an error page still shows."""
    try:
        return db.session.execute(_unread_count(), {"user_id": user.id}).scalar_one()
    except SQLAlchemyError:
        return None


@functools.cache
def _unread_count() -> Select[tuple[int]]:
    """Built once (every page's header runs it): a statement built anew costs more than the
    query, and SQLAlchemy finds a kept statement's compiled form without building it again."""
    unread = (
        db.select(Notification.id)
        .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
        .limit(UNREAD_SHOWN + 1)
        .subquery()
    )
    return db.select(func.count()).select_from(unread)


def unread_label(count: int) -> str:
    return f"{UNREAD_SHOWN}+" if count > UNREAD_SHOWN else str(count)


def newest_first(user: User) -> Select[tuple[Notification]]:
    return (
        db.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def own_notification(notification_id: int, user: User) -> Notification | None:
    """The notification, if it is the person's own; nobody learns of anyone else's."""
    notification = db.session.get(Notification, notification_id)
    return notification if notification is not None and notification.user_id == user.id else None


def local_path(link: str) -> str | None:
    """Only a path inside the app: never another site, whatever a row holds."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not link.startswith("/") or link.startswith("//") or "\\" in link:
        return None
    return link


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the person read; how many were."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(result.rowcount or 0)
