"""Your notifications: your own only, newest first and paged, unread shown and counted in the
header, opened through the list's button (a POST with its CSRF token) that marks it read and
goes only to a page of the app; a GET or a post from elsewhere marks nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.notifications.inbox import PAGE_SIZE, UNREAD_SHOWN
from casework.notifications.models import Notification
from casework.notifications.outbox import add_notification
from tests.support.http import client_as, page_text, post_form
from tests.support.people import make_user


def _notify(user: User, count: int, link: str = "/account") -> list[int]:
    for number in range(count):
        add_notification(
            user, "request_made", f"request:{number}", f"CSPR-2026-001 (Child A): thing {number}", link
        )
    db.session.commit()
    rows = db.session.execute(db.select(Notification.id).where(Notification.user_id == user.id)).scalars()
    return sorted(rows)


@pytest.fixture
def people(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            "lead": make_user(Role.AGENCY_LEAD, name="Priya Police").id,
            "other": make_user(Role.REVIEWER, name="Robin Lead").id,
        }


def test_the_list_is_paged_newest_first_and_counted_in_the_header(app: Flask, people: dict[str, int]) -> None:
    with app.app_context():
        _notify(db.session.get(User, people["lead"]), PAGE_SIZE + 3)
    client = client_as(app, people["lead"])
    first = page_text(client.get("/notifications/"))
    assert f"thing {PAGE_SIZE + 2}" in first and "thing 2<" not in first
    assert first.count('data-testid="notification"') == PAGE_SIZE
    assert f'data-testid="unread-count">{PAGE_SIZE + 3}<' in first
    second = page_text(client.get("/notifications/?page=2"))
    assert second.count('data-testid="notification"') == 3 and "thing 0<" in second
    for hostile in ("abc", "0", "-1", "99999999999999999999"):
        assert client.get(f"/notifications/?page={hostile}").status_code == 200
    assert client.get("/notifications/?page=1%00").status_code == 400  # the page for unstorable text
    # Every signed-in page counts; someone with nothing unread sees no count.
    assert f'data-testid="unread-count">{PAGE_SIZE + 3}<' in page_text(client.get("/account"))
    assert 'data-testid="unread-count"' not in page_text(
        client_as(app, people["other"]).get("/notifications/")
    )


def _open(client: FlaskClient, notification_id: int) -> TestResponse:
    """Press the notification's button in the list, as a browser would."""
    return post_form(client, f"/notifications/{notification_id}", {}, token_from="/notifications/")


def test_opening_marks_read_and_goes_to_the_thing(app: Flask, people: dict[str, int]) -> None:
    with app.app_context():
        [first, second] = _notify(db.session.get(User, people["lead"]), 2)
    client = client_as(app, people["lead"])
    listed = page_text(client.get("/notifications/"))
    assert f'action="/notifications/{first}"' in listed and f'href="/notifications/{first}"' not in listed
    response = _open(client, first)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    with app.app_context():
        assert db.session.get(Notification, first).read_at is not None
        assert db.session.get(Notification, second).read_at is None
    assert 'data-testid="unread-count">1<' in page_text(client.get("/notifications/"))
    assert _open(client, first).status_code == 302  # opening again is fine
    assert 'data-testid="unread-count">1<' in page_text(client.get("/notifications/"))


def test_a_get_or_a_post_without_the_lists_token_marks_nothing_read(
    app: Flask, people: dict[str, int]
) -> None:
    """A link or a form on another site cannot mark someone's notifications read."""
    with app.app_context():
        [mine] = _notify(db.session.get(User, people["lead"]), 1)
    client = client_as(app, people["lead"])
    assert client.get(f"/notifications/{mine}").status_code == 405
    assert client.post(f"/notifications/{mine}").status_code == 400
    assert client.post(f"/notifications/{mine}", data={"csrf_token": "forged"}).status_code == 400
    with app.app_context():
        assert db.session.get(Notification, mine).read_at is None
    assert 'data-testid="unread-count">1<' in page_text(client.get("/notifications/"))


def test_someone_elses_notification_and_hostile_ids_are_not_found(app: Flask, people: dict[str, int]) -> None:
    with app.app_context():
        [mine] = _notify(db.session.get(User, people["lead"]), 1)
    other = client_as(app, people["other"])
    for path in (
        f"/notifications/{mine}",
        "/notifications/0",
        "/notifications/99999999999999999999",
        "/notifications/x",
    ):
        assert post_form(other, path, {}, token_from="/notifications/").status_code == 404, path
    with app.app_context():
        assert db.session.get(Notification, mine).read_at is None
    signed_out = client_as(app, None)
    assert (
        post_form(signed_out, f"/notifications/{mine}", {}, token_from="/sign-in")
        .headers["Location"]
        .startswith("/sign-in")
    )
    assert client_as(app, None).get("/notifications/").headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize(
    "link", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil.example"]
)
def test_a_link_leads_only_inside_the_app(app: Flask, people: dict[str, int], link: str) -> None:
    with app.app_context():
        [planted] = _notify(db.session.get(User, people["lead"]), 1, link=link)
    response = _open(client_as(app, people["lead"]), planted)
    assert response.status_code == 302 and response.headers["Location"] == "/notifications/"


def test_mark_all_as_read(app: Flask, people: dict[str, int]) -> None:
    with app.app_context():
        lead, other = db.session.get(User, people["lead"]), db.session.get(User, people["other"])
        _notify(lead, 3)
        _notify(other, 2)
    client = client_as(app, people["lead"])
    page = client.get("/notifications/").get_data(as_text=True)
    key = page.split('name="form_key"')[1].split('value="')[1].split('"')[0]
    response = post_form(client, "/notifications/read", {"form_key": key}, token_from="/notifications/")
    assert response.status_code == 302
    assert "Every notification is marked as read." in page_text(client.get("/notifications/"))
    with app.app_context():
        unread = db.session.execute(
            db.select(Notification.user_id).where(Notification.read_at.is_(None))
        ).scalars()
        assert sorted(unread) == [people["other"]] * 2  # only mine
    # The same form sent again changes nothing more and says so.
    again = post_form(client, "/notifications/read", {"form_key": key}, token_from="/notifications/")
    assert again.status_code == 302
    # Without the CSRF token: refused, nothing changed.
    with app.app_context():
        other_row = (
            db.session.execute(db.select(Notification).where(Notification.user_id == people["other"]))
            .scalars()
            .first()
        )
        assert other_row is not None and other_row.read_at is None
    refused = client_as(app, people["other"]).post("/notifications/read", data={})
    assert refused.status_code == 400
    with app.app_context():
        assert (
            db.session.execute(
                db.select(db.func.count(Notification.id)).where(Notification.read_at.is_(None))
            ).scalar_one()
            == 2
        )


def test_the_read_time_is_kept(app: Flask, people: dict[str, int]) -> None:
    with app.app_context():
        [first] = _notify(db.session.get(User, people["lead"]), 1)
        db.session.get(Notification, first).read_at = utcnow()
        db.session.commit()
    text = page_text(client_as(app, people["lead"]).get("/notifications/"))
    assert (
        "Unread" not in text.split("Your notifications</h1>")[1] and 'data-testid="unread-count"' not in text
    )


def test_the_header_counts_no_further_than_ninety_nine(app: Flask, people: dict[str, int]) -> None:
    """Years of unread notifications cost the header no more than a hundred: it says "99+"."""
    with app.app_context():
        _notify(db.session.get(User, people["lead"]), UNREAD_SHOWN)
    client = client_as(app, people["lead"])
    assert f'data-testid="unread-count">{UNREAD_SHOWN}<' in page_text(client.get("/account"))
    with app.app_context():
        add_notification(
            db.session.get(User, people["lead"]), "request_made", "request:more", "More", "/account"
        )
        db.session.commit()
    assert f'data-testid="unread-count">{UNREAD_SHOWN}+<' in page_text(client.get("/account"))
