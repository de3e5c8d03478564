"""Telling one person about one thing: a line in their notifications and, if they want it, an
email, both written in the transaction of the change that causes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from casework.auth.models import User
from casework.notifications.outbox import add_notification, queue_mail


@dataclass(frozen=True)
class News:
    """What to tell. ``item`` names the thing ("request:12") so the same news about it reaches a
    person once a day at most; ``link`` is the path of the page that deals with it. Nothing here
    may identify a child or family: use the review's reference and pseudonym."""

    kind: str
    item: str
    subject: str
    paragraphs: Sequence[str]
    link: str
    action: str = "Open it in Casework"
    details: Sequence[tuple[str, str]] = field(default_factory=tuple)


def absolute(link: str) -> str:
    """Mail is read outside the app: links need the address people reach it at."""
    return current_app.config["BASE_URL"].rstrip("/") + link


def render_mail(template: str, **context: object) -> tuple[str, str]:
    """The plain-text and HTML bodies of one message. Rendered without the pages' context
    processors: a message is about its recipient, never the signed-in person who caused it, and
    needs none of the page's header (navigation, unread count)."""
    context.setdefault("partnership_name", current_app.config["PARTNERSHIP_NAME"])
    environment = current_app.jinja_env
    return (
        environment.get_template(f"notifications/mail/{template}.txt").render(context),
        environment.get_template(f"notifications/mail/{template}.html").render(context),
    )


def tell(person: User, news: News, *, day: date | None = None) -> bool:
    """Notify ``person`` in the app and, if they chose immediate mail, by email. False if they
    were already told this today or cannot be told (an account that is switched off)."""
    if not person.active:
        return False
    added = add_notification(person, news.kind, news.item, news.subject, news.link, day=day)
    if added and person.immediate_mail:
        text, html = render_mail("news", news=news, url=absolute(news.link))
        queue_mail(person, news.kind, news.item, news.subject, text, html, day=day)
    return added


def tell_all(people: Sequence[User], news: News, *, day: date | None = None) -> int:
    """Tell each person once; how many were told."""
    return sum(tell(person, news, day=day) for person in people)
