"""A person's choice of mail as things happen, on their own account page; an administrator's
choice to email a set-password link (mail only, never a notification); the demo's messages."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.demo import load_demo_data
from casework.notifications.models import Notification, OutboxMessage
from tests.notifications.world import counts
from tests.support.demo import load_demo
from tests.support.http import client_as, page_text
from tests.support.people import make_user

KEY = re.compile(r'name="form_key"[^>]*value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _hidden(page: str) -> dict[str, str]:
    return {"csrf_token": CSRF.findall(page)[-1], "form_key": KEY.findall(page)[-1]}


def _post(client, path: str, page: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    html = page_text(client.get(page))
    return client.post(path, data={**_hidden(html), **data})


def _admin(app: Flask) -> User:
    """A new administrator, to sign in as."""
    with app.app_context():
        return make_user(Role.ADMIN)


def _add_user(client, data: dict[str, object]):  # type: ignore[no-untyped-def]
    """An administrator sends the new user form with ``data``."""
    return _post(client, "/admin/users/new", "/admin/users/new", data)


def _mail_wanted(app: Flask, user_id: int) -> bool:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        return user.immediate_mail


def test_a_person_chooses_mail_as_things_happen_on_their_account_page(app: Flask) -> None:
    with app.app_context():
        lead = make_user(Role.AGENCY_LEAD, name="Priya Police")
        version = lead.version
    client = client_as(app, lead)
    page = page_text(client.get("/account"))
    assert "Email me as things happen" in page and 'value="yes" checked' in page
    response = _post(client, "/account/mail", "/account", {"immediate_mail": "no"})
    assert response.status_code == 302
    assert not _mail_wanted(app, lead.id)
    assert "daily digest keep coming" in page_text(client.get("/account"))
    with app.app_context():
        assert db.session.get(User, lead.id).version == version  # an admin's open edit stays valid
    assert _post(client, "/account/mail", "/account", {"immediate_mail": "yes"}).status_code == 302
    assert _mail_wanted(app, lead.id)


@pytest.mark.parametrize("value", ["", "maybe", "yes\u0000", "1" * 300])
def test_a_hostile_choice_is_refused_and_changes_nothing(app: Flask, value: str) -> None:
    with app.app_context():
        lead = make_user(Role.AGENCY_LEAD)
    client = client_as(app, lead)
    response = _post(client, "/account/mail", "/account", {"immediate_mail": value})
    assert 400 <= response.status_code < 500
    assert _mail_wanted(app, lead.id)


def test_an_administrator_emails_a_new_users_link(app: Flask) -> None:
    client = client_as(app, _admin(app))
    response = _add_user(
        client,
        {
            "name": "Casey Jones",
            "email": "casey@example.org",
            "role": "reviewer",
            "agency": 0,
            "link": "email",
        },
    )
    assert response.status_code == 302
    assert "emailed to them" in page_text(client.get(response.headers["Location"]))
    with app.app_context():
        casey = db.session.execute(db.select(User).where(User.email == "casey@example.org")).scalar_one()
        [mail] = db.session.execute(db.select(OutboxMessage)).scalars().all()
        assert mail.recipient_id == casey.id and mail.to_address == "casey@example.org"
        # Never a notification in the app: the link is a secret, and only the mail holds it.
        assert db.session.execute(db.select(db.func.count(Notification.id))).scalar_one() == 0
        token = re.search(r"/set-password/([A-Za-z0-9_-]+)", mail.text_body).group(1)  # type: ignore[union-attr]
        assert token in mail.html_body and token not in mail.subject
        casey_id = casey.id
    assert client_as(app, None).get(f"/set-password/{token}").status_code == 200

    # A new link emailed the same day is sent too, and the first stops working.
    detail = f"/admin/users/{casey_id}"
    page = page_text(client.get(detail))
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    again = client.post(f"{detail}/set-password-link/email", data={**_hidden(page), "version": version})
    assert again.status_code == 302
    assert "has been emailed to Casey Jones" in page_text(client.get(detail))
    with app.app_context():
        mails = db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
        assert len(mails) == 2
        second = re.search(r"/set-password/([A-Za-z0-9_-]+)", mails[1].text_body).group(1)  # type: ignore[union-attr]
    assert second != token
    assert client_as(app, None).get(f"/set-password/{token}").status_code == 404
    assert client_as(app, None).get(f"/set-password/{second}").status_code == 200

    # Administrators reading Sent mail see the message, never the link that opens the account.
    shown = page_text(client.get(f"/admin/sent-mail/{mails[1].id}"))
    assert "the link is hidden" in shown and second not in shown and "/set-password/" not in shown


def test_showing_the_link_queues_no_mail(app: Flask) -> None:
    client = client_as(app, _admin(app))
    response = _add_user(
        client, {"name": "Dana Ellis", "email": "dana@example.org", "role": "board_manager", "agency": 0}
    )
    assert response.status_code == 200 and "set-password-link" in response.get_data(as_text=True)
    with app.app_context():
        assert counts() == (0, 0)


def test_the_demo_tells_people_about_its_work_once(app: Flask) -> None:
    with app.app_context():
        load_demo(app)  # as the loader leaves it (its copy, when another test loaded it already)
        first = counts()
        kinds = set(db.session.execute(db.select(Notification.kind)).scalars())
        load_demo_data()
        db.session.commit()
        assert counts() == first
    assert first[0] > 20 and first[1] > 20
    assert {"request_made", "request_returned", "appointment_offered", "accuracy_shared"} <= kinds
    assert {"action_assigned", "action_completed", "action_returned", "deadline_requested"} <= kinds
    police = client_as(app, "police.lead@northshire.example", "demo police lead passphrase")
    assert 'data-testid="unread-count"' in police.get("/notifications/").get_data(as_text=True)
