"""Friendly pages for errors, and bad requests change nothing."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from tests.conftest import app_beside, client_as, csrf_token, make_user
from tests.support.reviews import make_review


def test_not_found(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_missing_csrf_token_gets_a_friendly_page_and_changes_nothing(manager_client: FlaskClient) -> None:
    client = manager_client
    response = client.post("/sign-out")
    assert response.status_code == 400
    assert "Your form has expired" in response.get_data(as_text=True)
    assert client.get("/reviews/").status_code == 200  # still signed in


def test_stale_csrf_token_is_refused(app: Flask, manager_client: FlaskClient) -> None:
    client = manager_client
    response = client.post("/sign-out", data={"csrf_token": "made-up-or-expired"})
    assert response.status_code == 400
    assert "Your form has expired" in response.get_data(as_text=True)
    # The token of another session is no good either.
    other = app.test_client()
    foreign = csrf_token(other, "/sign-in")
    assert client.post("/sign-out", data={"csrf_token": foreign}).status_code == 400
    assert client.get("/reviews/").status_code == 200


def test_oversized_request_is_refused_with_a_clear_page(app: Flask, client: FlaskClient) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    with app.app_context():
        events_before = db.session.execute(db.select(db.func.count(AuditEvent.id))).scalar_one()
    response = client.post(
        "/sign-in",
        data=b"x" * (limit + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(AuditEvent.id))).scalar_one() == events_before


def test_unexpected_errors_get_a_500_page_without_details(app: Flask) -> None:
    from casework.auth.access import public

    broken = app_beside(app, TESTING=False)

    @public
    def explode() -> str:
        raise RuntimeError("internal detail that must not leak")

    broken.add_url_rule("/explode", "explode", explode)
    response = broken.test_client().get("/explode")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in text
    assert "internal detail" not in text


def test_wrong_method_gets_a_page(client: FlaskClient) -> None:
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert "problem with your request" in response.get_data(as_text=True)


def test_users_are_unchanged_after_refused_requests(app: Flask) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN)
    client = client_as(app, admin)
    client.post("/admin/users/new", data={"name": "Eve", "email": "eve@example.org", "role": "admin"})
    with app.app_context():
        assert db.session.execute(db.select(User).where(User.email == "eve@example.org")).first() is None


def test_refused_requests_are_logged_with_who_and_from_where(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Failed access-control decisions, wrong methods and failed CSRF checks each leave one line
    in the application log (never the audit trail: a flood of refusals must not fill it)."""
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        reviewer = make_user(Role.REVIEWER)
        review_id = make_review(by=manager).id
        manager_id, reviewer_id = manager.id, reviewer.id
    signed_in = client_as(app, manager_id, address="192.0.2.7")
    outsider = client_as(app, reviewer_id)
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        assert signed_in.get("/admin/users").status_code == 403
        assert client.get("/sign-out").status_code == 405
        assert signed_in.post("/account/mail", data={"immediate_mail": "no"}).status_code == 400
        assert outsider.get(f"/reviews/{review_id}").status_code == 404  # not theirs to know of
    lines = [record.getMessage() for record in caplog.records if record.message.startswith("Refused")]
    assert lines[0] == f"Refused 403 forbidden: GET /admin/users by user {manager_id} from 192.0.2.7"
    assert lines[1].startswith("Refused 405 method not allowed: GET /sign-out by user anonymous")
    assert lines[2].startswith("Refused CSRF check failed") and f"by user {manager_id}" in lines[2]
    assert (
        lines[3]
        == f"Refused Review {review_id} hidden: GET /reviews/{review_id} by user {reviewer_id} from 127.0.0.1"
    )
    assert len(lines) == 4
