"""Sent mail, the administrators' view of the outbox: who may see it, its filters and pages,
a message's own page, and sending a failed message again."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.auth.models import Role, User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.notifications import sent_mail
from casework.notifications.delivery import deliver_due
from casework.notifications.models import MailStatus, OutboxMessage
from casework.notifications.sent_mail import PAGE_SIZE
from tests.notifications.conftest import queue_one, row
from tests.support.http import client_as, post_form
from tests.support.people import make_user, person_fixture
from tests.support.rows import audit_trail
from tests.support.smtp import MailServer
from tests.test_query_budgets import count_statements

admin = person_fixture(Role.ADMIN, name="Ada Admin")


@pytest.fixture
def admin_client(app: Flask, admin: User) -> FlaskClient:
    return client_as(app, admin)


def _set_status(app: Flask, message_id: int, status: MailStatus, error: str | None = None) -> None:
    with app.app_context():
        db.session.execute(
            db.update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(status=status, last_error=error, attempts=1)
        )
        db.session.commit()


def _failed_one(app: Flask, recipient: User, error: str) -> int:
    """A message queued, then failed with the mail server's ``error``; its id."""
    message = queue_one(app, recipient)
    _set_status(app, message, MailStatus.FAILED, error)
    return message


@pytest.mark.parametrize("role", [Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD])
def test_only_administrators_see_sent_mail(app: Flask, recipient: User, role: Role) -> None:
    message = queue_one(app, recipient)
    with app.app_context():
        other = make_user(role)
    client = client_as(app, other)
    for path in ("/admin/sent-mail", f"/admin/sent-mail/{message}"):
        assert client.get(path).status_code == 403
    assert client.post(f"/admin/sent-mail/{message}/retry").status_code in (400, 403)
    anonymous = app.test_client().get("/admin/sent-mail")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in")
    assert "Sent mail" not in client.get("/account").get_data(as_text=True)


def test_without_a_mail_server_messages_are_kept_and_listed(
    app: Flask, admin_client: FlaskClient, recipient: User
) -> None:
    queue_one(app, recipient, subject="CSPR-2026-004: a request")
    page = admin_client.get("/admin/sent-mail")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "No mail server is set up" in text
    assert "alex.lead@example.org" in text and "CSPR-2026-004: a request" in text
    assert "Kept in the outbox" in text
    assert 'href="/admin/sent-mail"' in text  # in the administrator's navigation


def test_the_list_filters_by_status_pages_newest_first_and_shrugs_off_hostile_queries(
    app: Flask, admin_client: FlaskClient, recipient: User
) -> None:
    ids = [
        queue_one(app, recipient, item=f"request:{n}", subject=f"Subject number {n:03}")
        for n in range(PAGE_SIZE + 2)
    ]
    _set_status(app, ids[0], MailStatus.FAILED, "550 5.1.1 No such mailbox here")
    text = admin_client.get("/admin/sent-mail").get_data(as_text=True)
    assert text.index(f"Subject number {PAGE_SIZE + 1:03}") < text.index(f"Subject number {PAGE_SIZE:03}")
    assert "Subject number 000" not in text and 'href="/admin/sent-mail?page=2"' in text
    assert "Subject number 000" in admin_client.get("/admin/sent-mail?page=2").get_data(as_text=True)

    failed = admin_client.get("/admin/sent-mail?status=failed").get_data(as_text=True)
    assert re.findall(r"Subject number \d+", failed) == ["Subject number 000"]
    assert "550 5.1.1 No such mailbox here" in failed
    assert "No messages match." in admin_client.get("/admin/sent-mail?status=sent").get_data(as_text=True)

    for query in ("status=<script>", "status=", "page=-1", "page=99999999999999", "page=abc&status=failed%27",
                  "status=failed&status=sent", "page=%F0%9F%92%A5"):  # fmt: skip
        assert admin_client.get(f"/admin/sent-mail?{query}").status_code == 200, query
    assert admin_client.get("/admin/sent-mail?status=%00").status_code == 400
    assert admin_client.get("/admin/sent-mail/99999999999").status_code == 404
    assert admin_client.get("/admin/sent-mail/2147483647").status_code == 404


def test_a_messages_page_shows_its_plain_text(app: Flask, admin_client: FlaskClient, recipient: User) -> None:
    message = queue_one(app, recipient)
    page = admin_client.get(f"/admin/sent-mail/{message}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Plain words.\nSecond line." in text
    assert "<p>HTML words.</p>" not in text  # the HTML part is never put into the page
    assert "Send again" not in text  # only a failed message can be sent again


def test_a_failed_message_is_sent_again_by_an_administrator(
    mail_app: Flask, smtp: MailServer, recipient: User, admin: User
) -> None:
    smtp.mode = "refuse"
    message = queue_one(mail_app, recipient)
    with mail_app.app_context():
        deliver_due()
    assert row(mail_app, message).status == MailStatus.FAILED

    smtp.mode = "accept"  # the mailbox was set up
    client = client_as(mail_app, admin)
    page = client.get(f"/admin/sent-mail/{message}").get_data(as_text=True)
    assert "Send again" in page and "550 5.1.1 No such mailbox here" in page
    form_key = re.search(r'name="form_key"[^>]*value="([^"]+)"', page)
    assert form_key
    path = f"/admin/sent-mail/{message}/retry"
    answer = post_form(
        client, path, {"form_key": form_key.group(1)}, token_from=f"/admin/sent-mail/{message}"
    )
    assert answer.status_code == 302
    again = row(mail_app, message)
    assert (again.status, again.attempts) == (MailStatus.QUEUED, 0)
    [event] = audit_trail(mail_app, "mail_retried")
    assert event.actor_id == admin.id and event.subject_id == message
    assert event.details == {"attempts": 1, "last_error": "550 5.1.1 No such mailbox here"}
    assert "will be sent again" in client.get(answer.headers["Location"]).get_data(as_text=True)

    with mail_app.app_context():
        assert deliver_due().sent == 1
    assert row(mail_app, message).status == MailStatus.SENT
    assert len(smtp.received) == 1

    # the same form sent again changes nothing; a sent message cannot be sent again
    post_form(client, path, {"form_key": form_key.group(1)}, token_from=f"/admin/sent-mail/{message}")
    refused = post_form(client, path, {}, token_from=f"/admin/sent-mail/{message}")
    assert "Only a message that failed can be sent again." in client.get(
        refused.headers["Location"]
    ).get_data(as_text=True)
    assert row(mail_app, message).status == MailStatus.SENT
    assert len(audit_trail(mail_app, "mail_retried")) == 1


def test_without_a_mail_server_a_failed_message_is_not_queued_again(
    app: Flask, admin_client: FlaskClient, recipient: User
) -> None:
    message = _failed_one(app, recipient, "Delivery was interrupted; check before retrying")
    answer = post_form(
        admin_client, f"/admin/sent-mail/{message}/retry", {}, token_from=f"/admin/sent-mail/{message}"
    )
    assert "No mail server is set up" in admin_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert row(app, message).status == MailStatus.FAILED
    assert audit_trail(app, "mail_retried") == []


def test_a_messages_page_loads_in_a_fixed_number_of_queries(
    app: Flask, admin_client: FlaskClient, recipient: User
) -> None:
    message = queue_one(app, recipient)
    assert count_statements(app, admin_client, f"/admin/sent-mail/{message}") <= 3


def test_two_administrators_sending_the_same_failed_message_again_queue_it_once(
    mail_app: Flask, recipient: User, admin: User
) -> None:
    """Both opened the failed message; the first queues it again; the second, whose session still
    reads it as failed, is refused with a message and nothing more is written."""
    message = _failed_one(mail_app, recipient, "550 5.1.1 No such mailbox here")
    with mail_app.app_context():
        second = db.session.get(OutboxMessage, message)  # the second administrator's session
        assert second is not None and second.status == MailStatus.FAILED
        with mail_app.app_context():  # the first administrator's session, meanwhile
            first = db.session.get(OutboxMessage, message)
            assert first is not None
            sent_mail.retry_message(first)
            db.session.commit()
        assert second.status == MailStatus.FAILED  # what the second session still holds
        with pytest.raises(DomainError, match="Someone else has just sent this message again"):
            sent_mail.retry_message(second)
        db.session.rollback()
    again = row(mail_app, message)
    assert (again.status, again.attempts) == (MailStatus.QUEUED, 0)
    assert len(audit_trail(mail_app, "mail_retried")) == 1


def test_the_second_of_two_administrators_pressing_send_again_is_told_it_went(
    mail_app: Flask, recipient: User, admin: User
) -> None:
    message = _failed_one(mail_app, recipient, "550 5.1.1 No such mailbox here")
    with mail_app.app_context():
        other = make_user(Role.ADMIN, name="Bo Admin")
    page, path = f"/admin/sent-mail/{message}", f"/admin/sent-mail/{message}/retry"
    clients = [client_as(mail_app, admin), client_as(mail_app, other)]
    keys = []
    for client in clients:  # both see the button before either presses it
        shown = client.get(page).get_data(as_text=True)
        assert "Send again" in shown
        keys.append(re.search(r'name="form_key"[^>]*value="([^"]+)"', shown).group(1))  # type: ignore[union-attr]
    answers = [
        post_form(client, path, {"form_key": key}, token_from=page)
        for client, key in zip(clients, keys, strict=True)
    ]
    assert [answer.status_code for answer in answers] == [302, 302]
    assert "will be sent again" in clients[0].get(answers[0].headers["Location"]).get_data(as_text=True)
    told = clients[1].get(answers[1].headers["Location"]).get_data(as_text=True)
    assert "Only a message that failed can be sent again." in told
    assert row(mail_app, message).status == MailStatus.QUEUED
    assert len(audit_trail(mail_app, "mail_retried")) == 1
