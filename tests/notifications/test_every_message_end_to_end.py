"""Every message people are told at once goes the whole way: the service's change writes it, the
commit wakes the queue (a SQLite file, then Redis), a worker takes the task from the queue's
storage and hands the mail to a real SMTP server on loopback. What arrives names the review by
reference and pseudonym, never the family, in plain text and HTML, from the partnership."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from casework.auth.models import Role
from casework.auth.services import email_set_password_link
from casework.core.extensions import db
from casework.notifications.models import MailStatus, OutboxMessage
from tests.notifications.test_events import EVENTS, Event
from tests.notifications.world import IDENTIFYING, PSEUDONYM, copied_world
from tests.support.http import client_as
from tests.support.people import make_user
from tests.support.queue import run_worker
from tests.support.smtp import MailServer


@pytest.mark.parametrize("event", EVENTS, ids=[event.kind for event in EVENTS])
def test_each_message_reaches_the_mail_server_through_the_queue(
    mail_app: Flask, smtp: MailServer, queue_backend: str, folder: object, event: Event
) -> None:
    world = copied_world(mail_app)
    with mail_app.app_context():
        event.act(world)
        db.session.commit()  # wakes delivery: a task in the queue's storage
        told = {world.user(key).email for key in event.told if key != "LX2"}  # LX2 wants no mail
    assert smtp.received == []  # nothing is sent by the change itself
    assert "deliver_mail" in run_worker()

    arrived = {address: r.message for r in smtp.received for address in r.recipients}
    assert told <= set(arrived), f"{event.kind}: {sorted(told - set(arrived))} were not sent their mail"
    with mail_app.app_context():
        rows = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == event.kind)).scalars()
        assert {row.to_address: row.status for row in rows} == dict.fromkeys(told, MailStatus.SENT)
        partnership = mail_app.config["PARTNERSHIP_NAME"]
    for address in told:
        message = arrived[address]
        assert world.reference in message["Subject"] and PSEUDONYM in message["Subject"]
        assert message["From"].addresses[0].display_name == partnership
        assert message["To"] == address
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        assert plain is not None and html is not None
        for part in (message["Subject"], plain.get_content(), html.get_content()):
            assert not [word for word in IDENTIFYING if word.lower() in part.lower()], part
    assert run_worker() == []  # nothing left over, nothing sent twice
    assert len(smtp.received) == len({id(r) for r in smtp.received})


def test_an_emailed_set_password_link_arrives_and_opens_the_set_password_page(
    mail_app: Flask, smtp: MailServer, queue_backend: str
) -> None:
    with mail_app.app_context():
        person = make_user(Role.REVIEWER, name="Casey Jones", email="casey@example.org")
        email_set_password_link(db.session.merge(person))
        db.session.commit()
    assert smtp.received == [] and "deliver_mail" in run_worker()
    [received] = smtp.received
    assert received.recipients == ["casey@example.org"]
    plain = received.message.get_body(preferencelist=("plain",))
    assert plain is not None
    link = re.search(r"https?://\S+(/set-password/[A-Za-z0-9_-]+)", plain.get_content())
    assert link is not None
    assert client_as(mail_app, None).get(link.group(1)).status_code == 200
