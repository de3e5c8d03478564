"""User administration over HTTP: creating users and their set-password links, changing roles and
agencies, deactivation and the last administrator, concurrent edits, unlocking sign-in, who may
reach the admin pages, and the audit log. Every change is checked on the page and in the database.

Requests are made with no application context pushed by the test: a request reuses an active
context, and with it ``g`` (the cached CSRF token and signed-in user) and the database session.
Set-up and checks therefore run in short ``app.app_context()`` blocks of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from casework.agencies.models import Agency
from casework.auth import services
from casework.auth.models import Role, User
from casework.core.audit import AuditEvent, record
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from tests.conftest import (
    PASSWORD,
    client_as,
    csrf_token,
    make_agency,
    make_user,
    post_form,
    sign_in,
    sign_out,
)
from tests.support.http import second_step, sign_in_fully
from tests.support.readonly import built_once
from tests.support.rows import stored

NEW_PASSWORD = "tangerine bicycle lighthouse"
NON_ADMIN_ROLES = [Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD]
CONCURRENT = "Someone else changed this user while you were editing it"


# --- set-up and inspection, each in its own application context --------------------------


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str


@dataclass(frozen=True)
class UserRow:
    """What the users table holds for one user, read after a request."""

    name: str
    email: str
    role: Role
    agency_id: int | None
    active: bool
    password_hash: str | None
    session_token: str
    set_password_token_hash: str | None
    set_password_expires_at: datetime | None
    version: int


@contextmanager
def database(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.rollback()


@contextmanager
def changed_directly(app: Flask, user_id: int) -> Iterator[User]:
    """The user's row to change in the block, not through the admin pages; committed at its end."""
    with database(app):
        yield stored(User, user_id)
        db.session.commit()


def person(app: Flask, role: Role, **kwargs: Any) -> Person:
    with database(app):
        user = make_user(role, **kwargs)
        return Person(user.id, user.email, user.name)


def agency_id(app: Flask, name: str | None = None) -> int:
    with database(app):
        return make_agency(name).id


def row(app: Flask, user_id: int) -> UserRow:
    with database(app):
        user = db.session.get(User, user_id)
        assert user is not None
        return UserRow(
            name=user.name,
            email=user.email,
            role=user.role,
            agency_id=user.agency_id,
            active=user.active,
            password_hash=user.password_hash,
            session_token=user.session_token,
            set_password_token_hash=user.set_password_token_hash,
            set_password_expires_at=user.set_password_expires_at,
            version=user.version,
        )


def user_id_by_email(app: Flask, email: str) -> int | None:
    with database(app):
        return db.session.execute(select(User.id).where(User.email == email)).scalar_one_or_none()


def row_by_email(app: Flask, email: str) -> UserRow | None:
    user_id = user_id_by_email(app, email)
    return row(app, user_id) if user_id is not None else None


def user_count(app: Flask) -> int:
    with database(app):
        return db.session.execute(select(func.count()).select_from(User)).scalar_one()


def audit_events(app: Flask, action: str, subject_id: int | None = None) -> list[dict[str, Any]]:
    with database(app):
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        if subject_id is not None:
            query = query.where(AuditEvent.subject_type == "User", AuditEvent.subject_id == subject_id)
        return [
            {"actor_id": event.actor_id, "summary": event.summary, "details": event.details}
            for event in db.session.execute(query).scalars()
        ]


# --- reading pages -----------------------------------------------------------------------


def text(response: TestResponse) -> str:
    """The page's visible words, tags removed and spaces collapsed."""
    html = response.get_data(as_text=True)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def field_error(response: TestResponse, field: str) -> str:
    """The message shown next to one field (GOV.UK error message), without the hidden prefix."""
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S)
    if not match:
        return ""
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())
    return words.removeprefix("Error:").strip()


def set_password_path(response: TestResponse) -> str:
    match = re.search(r'data-testid="set-password-link"[^>]*>([^<]+)<', response.get_data(as_text=True))
    assert match, "no set-password link on the page"
    url = unescape(match.group(1)).strip()
    assert url.startswith("http"), "the link is shown in full, to be copied"
    return urlsplit(url).path


def edit_form_version(response: TestResponse) -> int:
    """The hidden version in the 'Change details' form (the last form on the page)."""
    html = response.get_data(as_text=True)
    edit_form = html[html.index("Change details") :]
    match = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', edit_form)
    assert match, "no version in the edit form"
    return int(match.group(1))


@contextmanager
def changed_after_the_form_was_read(
    app: Flask, client: FlaskClient, name: str
) -> Iterator[tuple[Person, int, User]]:
    """A reviewer called ``name`` whose edit form ``client`` has open, changed in the block by other
    means: (the person, the version in the open form, the row to change)."""
    target = person(app, Role.REVIEWER, name=name)
    stale_version = edit_form_version(client.get(f"/admin/users/{target.id}"))
    with changed_directly(app, target.id) as user:
        yield target, stale_version, user


# --- signing in and admin actions ----------------------------------------------------------


@pytest.fixture
def admin(app: Flask) -> Person:
    return person(app, Role.ADMIN, name="Alex Admin", email="alex.admin@example.org")


@pytest.fixture
def admin_client(app: Flask, admin: Person) -> FlaskClient:
    return client_as(app, admin.email)


def new_user_form(name: str, email: str, role: Role, agency: int | None = None) -> dict[str, object]:
    data: dict[str, object] = {"name": name, "email": email, "role": role.value}
    if agency is not None:
        data["agency"] = agency
    return data


def create_user(client: FlaskClient, **form: Any) -> TestResponse:
    return post_form(client, "/admin/users/new", new_user_form(**form))


def edit_user(
    client: FlaskClient, user_id: int, *, name: str, role: Role, agency: int = 0, version: int
) -> TestResponse:
    data = {"name": name, "role": role.value, "agency": agency, "version": version}
    return post_form(client, f"/admin/users/{user_id}", data)


def user_action(client: FlaskClient, user_id: int, action: str, version: int | None = None) -> TestResponse:
    data = {} if version is None else {"version": version}
    return post_form(client, f"/admin/users/{user_id}/{action}", data, token_from=f"/admin/users/{user_id}")


def follow(client: FlaskClient, response: TestResponse) -> TestResponse:
    assert response.status_code == 302, text(response)[:500]
    return client.get(response.headers["Location"])


# --- creating users ------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_admin_creates_a_user_of_each_role_and_gets_a_one_time_link(
    app: Flask, admin: Person, admin_client: FlaskClient, role: Role
) -> None:
    police = agency_id(app, "Northshire Police")
    agency = police if role == Role.AGENCY_LEAD else 0

    response = create_user(
        admin_client, name="  Jamie Clark ", email="Jamie.Clark@Example.ORG", role=role, agency=agency
    )

    assert response.status_code == 200
    assert "User added" in text(response)
    assert set_password_path(response).startswith("/set-password/")
    saved = row_by_email(app, "jamie.clark@example.org")
    assert saved is not None, "the email address is stored in lower case"
    assert saved.name == "Jamie Clark"
    assert saved.role == role
    assert saved.agency_id == (police if role == Role.AGENCY_LEAD else None)
    assert saved.active
    assert saved.password_hash is None, "the person sets their own password"
    assert saved.set_password_token_hash is not None
    assert saved.set_password_expires_at is not None and saved.set_password_expires_at > utcnow()
    token = set_password_path(response).rsplit("/", 1)[-1]
    assert token not in saved.set_password_token_hash, "only a hash of the token is stored"
    [created] = audit_events(app, "user_created")
    assert created["actor_id"] == admin.id
    assert created["details"]["role"] == role.value
    assert created["details"]["agency"] == ("Northshire Police" if role == Role.AGENCY_LEAD else None)
    assert len(audit_events(app, "set_password_link_created")) == 1

    listing = admin_client.get("/admin/users")
    assert "jamie.clark@example.org" in text(listing)
    assert "Awaiting password" in text(listing)


def test_an_agency_chosen_for_someone_who_is_not_an_agency_lead_is_not_kept(
    app: Flask, admin_client: FlaskClient
) -> None:
    police = agency_id(app)

    response = create_user(
        admin_client, name="Dr Jo Reid", email="jo@example.org", role=Role.REVIEWER, agency=police
    )

    assert response.status_code == 200
    saved = row_by_email(app, "jo@example.org")
    assert saved is not None and saved.role == Role.REVIEWER and saved.agency_id is None


@pytest.mark.parametrize("agency", [0, None], ids=["not-an-agency-lead-option", "field-missing"])
def test_an_agency_lead_without_an_agency_is_refused_next_to_the_field(
    app: Flask, admin_client: FlaskClient, agency: int | None
) -> None:
    agency_id(app)
    before = user_count(app)

    response = create_user(
        admin_client, name="Priya Shah", email="priya@example.org", role=Role.AGENCY_LEAD, agency=agency
    )

    assert response.status_code == 400
    assert field_error(response, "agency") == "Select the agency this agency lead works for"
    assert user_count(app) == before
    assert row_by_email(app, "priya@example.org") is None
    assert audit_events(app, "user_created") == []


@pytest.mark.parametrize("email", ["taken@example.org", "TAKEN@example.org", "Taken@Example.ORG"])
def test_a_duplicate_email_address_is_refused_whatever_its_case(
    app: Flask, admin_client: FlaskClient, email: str
) -> None:
    existing = person(app, Role.REVIEWER, email="taken@example.org")
    before = user_count(app)

    response = create_user(admin_client, name="Someone Else", email=email, role=Role.BOARD_MANAGER, agency=0)

    assert response.status_code == 400
    assert field_error(response, "email") == "A user with this email address already exists"
    assert user_count(app) == before
    assert row(app, existing.id).role == Role.REVIEWER
    assert row(app, existing.id).name == existing.name
    assert audit_events(app, "user_created") == []


@pytest.mark.parametrize("email", ["not-an-email", "name@", "@example.org", "two@at@example.org"])
def test_an_email_address_in_the_wrong_format_is_refused(
    app: Flask, admin_client: FlaskClient, email: str
) -> None:
    before = user_count(app)

    response = create_user(admin_client, name="Sam Okafor", email=email, role=Role.REVIEWER, agency=0)

    assert response.status_code == 400
    assert field_error(response, "email") == (
        "Enter an email address in the correct format, like name@example.org"
    )
    assert user_count(app) == before


def test_a_missing_name_and_role_are_refused(app: Flask, admin_client: FlaskClient) -> None:
    before = user_count(app)

    response = post_form(admin_client, "/admin/users/new", {"name": "", "email": "a.b@example.org"})

    assert response.status_code == 400
    assert field_error(response, "name") == "Enter the person's full name"
    assert field_error(response, "role") == "Select a role"
    assert user_count(app) == before


# --- set-password links --------------------------------------------------------------------


def created_with_link(
    app: Flask, admin_client: FlaskClient, email: str = "casey@example.org"
) -> tuple[int, str]:
    response = create_user(admin_client, name="Casey Jones", email=email, role=Role.BOARD_MANAGER, agency=0)
    assert response.status_code == 200, text(response)[:500]
    user_id = user_id_by_email(app, email)
    assert user_id is not None
    return user_id, set_password_path(response)


def set_password(client: FlaskClient, link: str, new: str, confirm: str | None = None) -> TestResponse:
    data = {"new_password": new, "confirm_password": new if confirm is None else confirm}
    return post_form(client, link, data)


def test_the_link_lets_the_person_set_a_password_and_sign_in_once(
    app: Flask, admin_client: FlaskClient
) -> None:
    user_id, link = created_with_link(app, admin_client)
    newcomer = app.test_client()

    page = newcomer.get(link)
    assert page.status_code == 200
    assert "Set your password" in text(page)
    assert "casey@example.org" in text(page)

    response = set_password(newcomer, link, NEW_PASSWORD)

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert "Your password has been set" in text(newcomer.get("/sign-in"))
    saved = row(app, user_id)
    assert saved.password_hash is not None and NEW_PASSWORD not in saved.password_hash
    assert saved.set_password_token_hash is None and saved.set_password_expires_at is None
    assert len(audit_events(app, "password_set", user_id)) == 1

    password_step = sign_in(newcomer, "casey@example.org", NEW_PASSWORD)
    assert password_step.headers["Location"] == "/sign-in/set-up"  # a first sign-in sets up the app
    second_step(app, newcomer, password_step)
    assert newcomer.get("/account").status_code == 200

    again = app.test_client()
    used = again.get(link)
    assert used.status_code == 404
    assert "This link has expired or has already been used" in text(used)
    replay = post_form(again, link, {"new_password": "another fine passphrase"}, token_from="/sign-in")
    assert replay.status_code == 404
    assert row(app, user_id).password_hash == saved.password_hash


@pytest.mark.parametrize(
    ("new", "confirm", "field", "message"),
    [
        ("short words", None, "new_password", "Your password must be at least 12 characters long"),
        ("password1234", None, "new_password", "This password is too common and easy to guess"),
        ("Qwerty123456!", None, "new_password", "This password is too common and easy to guess"),
        ("abcabcabcabc", None, "new_password", "This password is too common and easy to guess"),
        ("casey.jones.casey", None, "new_password", "Your password must not contain your email address"),
        (NEW_PASSWORD, "tangerine bicycle lighthous", "confirm_password", "The two passwords do not match"),
        ("", "", "new_password", "Enter a new password"),
    ],
    ids=["too-short", "common", "common-with-noise", "repetition", "contains-email", "mismatch", "empty"],
)
def test_password_rules_apply_on_the_set_password_page_and_nothing_is_saved(
    app: Flask, admin_client: FlaskClient, new: str, confirm: str | None, field: str, message: str
) -> None:
    user_id, link = created_with_link(app, admin_client, email="casey.jones@example.org")
    before = row(app, user_id)
    newcomer = app.test_client()

    response = set_password(newcomer, link, new, confirm)

    assert response.status_code == 400
    assert field_error(response, field).startswith(message)
    after = row(app, user_id)
    assert after.password_hash is None
    assert after.set_password_token_hash == before.set_password_token_hash, "the link still works"
    assert after.version == before.version
    assert audit_events(app, "password_set") == []
    assert newcomer.get(link).status_code == 200


def test_an_expired_link_shows_the_expired_page_and_changes_nothing(
    app: Flask, admin_client: FlaskClient
) -> None:
    user_id, link = created_with_link(app, admin_client)
    with changed_directly(app, user_id) as user:
        user.set_password_expires_at = utcnow() - timedelta(minutes=1)
    before = row(app, user_id)
    newcomer = app.test_client()

    page = newcomer.get(link)
    assert page.status_code == 404
    assert "This link has expired or has already been used" in text(page)
    assert "Ask your partnership's Casework administrator for a new link" in text(page)

    response = post_form(
        newcomer,
        link,
        {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        token_from="/sign-in",
    )

    assert response.status_code == 404
    assert row(app, user_id) == before
    assert audit_events(app, "password_set") == []


def test_a_new_link_replaces_the_old_one(app: Flask, admin_client: FlaskClient) -> None:
    user_id, old_link = created_with_link(app, admin_client)
    version = row(app, user_id).version

    response = user_action(admin_client, user_id, "set-password-link", version)

    assert response.status_code == 200
    assert "New set-password link" in text(response)
    new_link = set_password_path(response)
    assert new_link != old_link
    assert len(audit_events(app, "set_password_link_created", user_id)) == 2
    newcomer = app.test_client()
    assert newcomer.get(old_link).status_code == 404
    assert set_password(newcomer, new_link, NEW_PASSWORD).status_code == 302
    assert sign_in(newcomer, "casey@example.org", NEW_PASSWORD).status_code == 302


def test_a_link_for_someone_with_a_password_lets_them_replace_it(
    app: Flask, admin_client: FlaskClient
) -> None:
    forgetful = person(app, Role.REVIEWER)
    forgetful_client = client_as(app, forgetful.email)

    response = user_action(admin_client, forgetful.id, "set-password-link")
    link = set_password_path(response)
    assert set_password(app.test_client(), link, NEW_PASSWORD).status_code == 302

    assert sign_in(app.test_client(), forgetful.email, PASSWORD).status_code == 400
    assert sign_in(app.test_client(), forgetful.email, NEW_PASSWORD).status_code == 302
    old_session = forgetful_client.get("/account")
    assert old_session.status_code == 302, "a new password ends the sessions that were open"


# --- roles and agencies --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "start_agency", "new", "new_agency", "changes"),
    [
        (
            Role.BOARD_MANAGER,
            None,
            Role.AGENCY_LEAD,
            "Northshire Police",
            {"role": ["board_manager", "agency_lead"], "agency": [None, "Northshire Police"]},
        ),
        (
            Role.AGENCY_LEAD,
            "Riverside Medical Practice",
            Role.AGENCY_LEAD,
            "Northshire Police",
            {"agency": ["Riverside Medical Practice", "Northshire Police"]},
        ),
        (
            Role.AGENCY_LEAD,
            "Riverside Medical Practice",
            Role.REVIEWER,
            None,
            {"role": ["agency_lead", "reviewer"], "agency": ["Riverside Medical Practice", None]},
        ),
        (Role.REVIEWER, None, Role.ADMIN, None, {"role": ["reviewer", "admin"]}),
    ],
    ids=["manager-to-lead", "lead-changes-agency", "lead-to-reviewer", "reviewer-to-admin"],
)
def test_admin_changes_role_and_agency_and_the_change_is_audited(
    app: Flask,
    admin: Person,
    admin_client: FlaskClient,
    start: Role,
    start_agency: str | None,
    new: Role,
    new_agency: str | None,
    changes: dict[str, list[str | None]],
) -> None:
    agencies = {name: agency_id(app, name) for name in ("Northshire Police", "Riverside Medical Practice")}
    with database(app):
        start_row = db.session.get(Agency, agencies[start_agency]) if start_agency else None
        user = make_user(start, agency=start_row)
        target = Person(user.id, user.email, user.name)
    before = row(app, target.id)
    page = admin_client.get(f"/admin/users/{target.id}")
    assert edit_form_version(page) == before.version

    response = edit_user(
        admin_client,
        target.id,
        name=target.name,
        role=new,
        # A browser sends whatever the agency select holds; for other roles it must be dropped.
        agency=agencies[new_agency] if new_agency else agencies["Northshire Police"],
        version=edit_form_version(page),
    )

    assert response.status_code == 302
    shown = follow(admin_client, response)
    assert f"Changes to {target.name} saved." in text(shown)
    after = row(app, target.id)
    assert after.role == new
    assert after.agency_id == (agencies[new_agency] if new_agency else None)
    assert after.version == before.version + 1
    [event] = audit_events(app, "user_updated", target.id)
    assert event["actor_id"] == admin.id
    assert event["details"] == changes


def test_saving_without_changes_records_no_update(app: Flask, admin_client: FlaskClient) -> None:
    target = person(app, Role.REVIEWER)
    version = edit_form_version(admin_client.get(f"/admin/users/{target.id}"))

    response = edit_user(admin_client, target.id, name=target.name, role=Role.REVIEWER, version=version)

    assert response.status_code == 302
    assert audit_events(app, "user_updated") == []


def test_making_someone_an_agency_lead_needs_an_agency(app: Flask, admin_client: FlaskClient) -> None:
    target = person(app, Role.BOARD_MANAGER)
    before = row(app, target.id)

    response = edit_user(
        admin_client, target.id, name=target.name, role=Role.AGENCY_LEAD, agency=0, version=before.version
    )

    assert response.status_code == 400
    assert field_error(response, "agency") == "Select the agency this agency lead works for"
    assert row(app, target.id) == before
    assert audit_events(app, "user_updated") == []


# --- the last administrator, deactivation and reactivation ---------------------------------


def test_the_last_active_admin_cannot_lose_the_admin_role(
    app: Flask, admin: Person, admin_client: FlaskClient
) -> None:
    person(app, Role.ADMIN, active=False)  # a deactivated admin does not count
    before = row(app, admin.id)

    response = edit_user(
        admin_client, admin.id, name=admin.name, role=Role.BOARD_MANAGER, version=before.version
    )

    assert response.status_code == 400
    assert "You cannot remove the administrator role from the last active administrator" in text(response)
    assert row(app, admin.id) == before
    assert audit_events(app, "user_updated") == []


def test_the_last_active_admin_cannot_deactivate_their_account(
    app: Flask, admin: Person, admin_client: FlaskClient
) -> None:
    before = row(app, admin.id)

    response = user_action(admin_client, admin.id, "deactivate", before.version)

    page = follow(admin_client, response)
    assert "You cannot deactivate your own account" in text(page)
    assert row(app, admin.id) == before
    assert audit_events(app, "user_deactivated") == []


def test_the_service_refuses_to_deactivate_the_last_active_admin(app: Flask, admin: Person) -> None:
    # Over HTTP the only other actor is another active admin, so the guard is reached directly here.
    manager = person(app, Role.BOARD_MANAGER)
    with database(app):
        target = db.session.get(User, admin.id)
        by = db.session.get(User, manager.id)
        assert target is not None and by is not None
        with pytest.raises(DomainError, match="You cannot deactivate the last active administrator"):
            services.deactivate_user(target, by)
    assert row(app, admin.id).active


def test_with_two_admins_one_can_remove_the_admin_role_from_the_other(
    app: Flask, admin: Person, admin_client: FlaskClient
) -> None:
    other = person(app, Role.ADMIN)
    version = row(app, other.id).version

    response = edit_user(admin_client, other.id, name=other.name, role=Role.REVIEWER, version=version)

    assert response.status_code == 302
    assert row(app, other.id).role == Role.REVIEWER
    # Now the signed-in admin is the last one.
    me = row(app, admin.id)
    refused = edit_user(admin_client, admin.id, name=admin.name, role=Role.REVIEWER, version=me.version)
    assert refused.status_code == 400
    assert "the last active administrator" in text(refused)
    assert row(app, admin.id) == me


def test_an_admin_deactivates_and_reactivates_another_admin(app: Flask, admin: Person) -> None:
    other = person(app, Role.ADMIN, name="Blair Admin")
    admin_client = client_as(app, admin.email)
    other_client = client_as(app, other.email)
    assert other_client.get("/admin/users").status_code == 200
    before = row(app, other.id)

    response = user_action(admin_client, other.id, "deactivate", before.version)

    page = follow(admin_client, response)
    assert "Blair Admin has been deactivated and signed out everywhere." in text(page)
    assert "Deactivated" in text(page)
    deactivated = row(app, other.id)
    assert not deactivated.active
    assert deactivated.session_token != before.session_token
    assert len(audit_events(app, "user_deactivated", other.id)) == 1
    refused = other_client.get("/admin/users")
    assert refused.status_code == 302
    assert urlsplit(refused.headers["Location"]).path == "/sign-in"

    response = user_action(admin_client, other.id, "reactivate", deactivated.version)

    page = follow(admin_client, response)
    assert "Blair Admin has been reactivated." in text(page)
    assert row(app, other.id).active
    assert len(audit_events(app, "user_reactivated", other.id)) == 1
    assert sign_in(app.test_client(), other.email).status_code == 302


def test_an_admin_cannot_deactivate_themselves_even_with_another_admin(
    app: Flask, admin: Person, admin_client: FlaskClient
) -> None:
    person(app, Role.ADMIN)
    before = row(app, admin.id)

    response = user_action(admin_client, admin.id, "deactivate", before.version)

    assert "You cannot deactivate your own account" in text(follow(admin_client, response))
    assert row(app, admin.id).active
    assert admin_client.get("/admin/users").status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_a_deactivated_user_cannot_sign_in_and_their_open_session_ends(
    app: Flask, admin_client: FlaskClient, role: Role
) -> None:
    target = person(app, role)
    target_client = client_as(app, target.email)
    assert target_client.get("/account").status_code == 200

    response = user_action(admin_client, target.id, "deactivate", row(app, target.id).version)
    assert response.status_code == 302
    assert not row(app, target.id).active

    refused = target_client.get("/account")
    assert refused.status_code == 302
    assert urlsplit(refused.headers["Location"]).path == "/sign-in"
    attempt = sign_in(app.test_client(), target.email)
    assert attempt.status_code == 400
    assert "Enter a correct email address and password" in text(attempt)


def test_deactivation_cancels_an_unused_set_password_link(app: Flask, admin_client: FlaskClient) -> None:
    user_id, link = created_with_link(app, admin_client)

    user_action(admin_client, user_id, "deactivate", row(app, user_id).version)
    assert app.test_client().get(link).status_code == 404

    user_action(admin_client, user_id, "reactivate", row(app, user_id).version)
    assert row(app, user_id).active
    assert app.test_client().get(link).status_code == 404, "reactivation does not revive the old link"


def test_a_deactivated_user_gets_no_new_link(app: Flask, admin_client: FlaskClient) -> None:
    target = person(app, Role.REVIEWER, active=False)
    before = row(app, target.id)

    response = user_action(admin_client, target.id, "set-password-link", before.version)

    assert "Reactivate this account before creating a set-password link" in text(
        follow(admin_client, response)
    )
    assert row(app, target.id) == before


# --- concurrent edits ----------------------------------------------------------------------


def test_a_stale_edit_form_is_refused_and_the_other_change_is_kept(app: Flask, admin: Person) -> None:
    target = person(app, Role.BOARD_MANAGER, name="Morgan Price")
    other_admin = person(app, Role.ADMIN)
    first = client_as(app, admin.email)
    second = client_as(app, other_admin.email)
    stale_version = edit_form_version(first.get(f"/admin/users/{target.id}"))

    changed = edit_user(second, target.id, name="Morgan Price", role=Role.REVIEWER, version=stale_version)
    assert changed.status_code == 302
    after_other = row(app, target.id)

    response = edit_user(
        first, target.id, name="Morgan Price-Jones", role=Role.BOARD_MANAGER, version=stale_version
    )

    assert response.status_code == 400
    assert CONCURRENT in text(response)
    assert row(app, target.id) == after_other
    assert row(app, target.id).role == Role.REVIEWER
    assert row(app, target.id).name == "Morgan Price"
    assert len(audit_events(app, "user_updated", target.id)) == 1


def test_a_change_made_through_the_service_also_makes_the_form_stale(
    app: Flask, admin_client: FlaskClient
) -> None:
    with changed_after_the_form_was_read(app, admin_client, "Dr Jo Reid") as (target, stale_version, user):
        services.update_user(user, name="Dr Jo Reid-Smith", role=Role.REVIEWER, agency=None, version=None)

    response = edit_user(admin_client, target.id, name="Dr Jo Reid", role=Role.ADMIN, version=stale_version)

    assert response.status_code == 400
    assert CONCURRENT in text(response)
    saved = row(app, target.id)
    assert saved.name == "Dr Jo Reid-Smith" and saved.role == Role.REVIEWER


def test_after_a_stale_save_is_refused_the_form_offers_the_latest_version(
    app: Flask, admin_client: FlaskClient
) -> None:
    with changed_after_the_form_was_read(app, admin_client, "Dana Ellis") as (target, stale_version, user):
        user.name = "Dana Ellis-Brown"

    refused = edit_user(admin_client, target.id, name="Dana Ellis", role=Role.ADMIN, version=stale_version)
    assert CONCURRENT in text(refused)

    assert edit_form_version(refused) == row(app, target.id).version
    again = edit_user(
        admin_client, target.id, name="Dana Ellis", role=Role.ADMIN, version=edit_form_version(refused)
    )
    assert again.status_code == 302


def test_a_stale_deactivate_button_is_refused(app: Flask, admin_client: FlaskClient) -> None:
    target = person(app, Role.REVIEWER)
    stale_version = row(app, target.id).version
    with changed_directly(app, target.id) as user:
        user.name = "Renamed Meanwhile"

    response = user_action(admin_client, target.id, "deactivate", stale_version)

    assert CONCURRENT in text(follow(admin_client, response))
    assert row(app, target.id).active


# --- unlocking sign-in ---------------------------------------------------------------------


def test_admin_unlocks_a_user_locked_out_by_failed_sign_ins(app: Flask, admin_client: FlaskClient) -> None:
    target = person(app, Role.REVIEWER, name="Lou Locked")
    attacker = app.test_client()
    for attempt in range(app.config["SIGN_IN_MAX_FAILURES"]):
        expected = 429 if attempt == app.config["SIGN_IN_MAX_FAILURES"] - 1 else 400
        assert sign_in(attacker, target.email, "not the right password").status_code == expected
    locked = sign_in(app.test_client(), target.email)
    assert locked.status_code == 429
    assert "Too many failed attempts" in text(locked)
    assert len(audit_events(app, "account_locked", target.id)) == 1

    assert "Locked until" in text(admin_client.get("/admin/users"))
    detail = admin_client.get(f"/admin/users/{target.id}")
    assert "Locked until" in text(detail)
    assert "Unlock sign-in" in text(detail)

    response = user_action(admin_client, target.id, "unlock", row(app, target.id).version)

    page = follow(admin_client, response)
    assert "Lou Locked can sign in again." in text(page)
    assert "Locked until" not in text(page)
    assert "Locked until" not in text(admin_client.get("/admin/users"))
    assert len(audit_events(app, "account_unlocked", target.id)) == 1
    assert sign_in(app.test_client(), target.email).status_code == 302


def browser_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_unlocking_clears_every_lock_of_the_account_and_only_its_own(
    app: Flask, admin_client: FlaskClient
) -> None:
    target = person(app, Role.REVIEWER, name="Lou Locked")
    bystander = person(app, Role.REVIEWER)
    own_browser = browser_at(app, "10.1.1.1")
    assert sign_in_fully(own_browser, target.email).status_code == 302
    sign_out(own_browser)
    for _ in range(10):  # the recognised browser, mistyping
        sign_in(own_browser, target.email, "mistyped")
    for address in range(10):  # a guesser on ten addresses: every unrecognised browser paused
        for _ in range(3):
            sign_in(browser_at(app, f"10.0.0.{address}"), target.email, "guess")
    sprayer = browser_at(app, "10.2.2.2")  # one address paused for every account
    for number in range(50):
        sign_in(sprayer, f"nobody{number}@example.org", "guess")
    assert sign_in(own_browser, target.email).status_code == 429
    assert sign_in(browser_at(app, "10.0.0.1"), target.email).status_code == 429
    assert sign_in(browser_at(app, "10.3.3.3"), target.email).status_code == 429

    user_action(admin_client, target.id, "unlock", row(app, target.id).version)

    assert "Locked until" not in text(admin_client.get(f"/admin/users/{target.id}"))
    assert sign_in(own_browser, target.email).status_code == 302
    assert sign_in(browser_at(app, "10.0.0.1"), target.email).status_code == 302
    assert sign_in(browser_at(app, "10.3.3.3"), target.email).status_code == 302
    # The address that tried fifty accounts is not this account's to clear.
    assert sign_in(sprayer, bystander.email).status_code == 429


def test_unlocking_when_the_counters_cannot_be_reached_says_so(app: Flask, admin: Person) -> None:
    from tests.auth.sign_in_support import app_like

    target = person(app, Role.REVIEWER)
    broken = app_like(app, RATE_LIMIT_STORAGE_URL="redis://127.0.0.1:1/0")
    # Signed in through the working server: a session is a signed cookie any server accepts.
    session = client_as(app, admin.email).get_cookie("casework_session")
    assert session is not None
    client = broken.test_client()
    client.set_cookie("casework_session", session.value)
    assert "Active" in text(client.get("/admin/users"))  # the list still shows, without locks
    response = user_action(client, target.id, "unlock", row(app, target.id).version)
    page = follow(client, response)
    assert "Sign-in could not be unlocked because its counters cannot be reached" in text(page)
    assert audit_events(app, "account_unlocked", target.id) == []
    with broken.app_context():
        db.engine.dispose()


def test_nine_failures_do_not_lock(app: Flask, admin_client: FlaskClient) -> None:
    target = person(app, Role.REVIEWER)
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"] - 1):
        sign_in(app.test_client(), target.email, "not the right password")

    assert "Locked until" not in text(admin_client.get("/admin/users"))
    assert sign_in(app.test_client(), target.email).status_code == 302


# --- who may use the admin pages -----------------------------------------------------------

ADMIN_REQUESTS = [
    ("GET", "/admin/users"),
    ("GET", "/admin/users/new"),
    ("GET", "/admin/users/{id}"),
    ("GET", "/admin/audit-log"),
    ("POST", "/admin/users/new"),
    ("POST", "/admin/users/{id}"),
    ("POST", "/admin/users/{id}/deactivate"),
    ("POST", "/admin/users/{id}/reactivate"),
    ("POST", "/admin/users/{id}/set-password-link"),
    ("POST", "/admin/users/{id}/unlock"),
]


def admin_request(client: FlaskClient, method: str, path: str, token: str) -> TestResponse:
    if method == "GET":
        return client.get(path)
    data = {
        "csrf_token": token,
        "name": "Taken Over",
        "email": "intruder@example.org",
        "role": Role.ADMIN.value,
        "agency": 0,
        "version": 1,
    }
    return client.post(path, data=data)


@dataclass(frozen=True)
class Visitors:
    """The people of the refusals: a board manager to act on, an admin, one of each other role."""

    target: Person
    admin: Person
    of_role: dict[Role, Person]


def build_visitors(app: Flask) -> Visitors:
    return Visitors(
        target=person(app, Role.BOARD_MANAGER),
        admin=person(app, Role.ADMIN, name="Alex Admin", email="alex.admin@example.org"),
        of_role={role: person(app, role) for role in NON_ADMIN_ROLES},
    )


@pytest.mark.read_only
class TestRefusals:
    """Requests the admin pages refuse change nothing: the same people for them all, each signed in
    once, and the database checked unchanged after the class (signing in adds audit rows)."""

    @pytest.fixture(scope="class")
    @classmethod
    def people(cls, app: Flask) -> Iterator[Visitors]:
        with built_once(app, lambda: build_visitors(app), may_add_to={"audit_events"}) as made:
            yield made

    @pytest.fixture(scope="class")
    @classmethod
    def visitor_clients(cls, app: Flask, people: Visitors) -> dict[Role, FlaskClient]:
        return {role: client_as(app, visitor.email) for role, visitor in people.of_role.items()}

    @pytest.fixture(scope="class")
    @classmethod
    def admin_client(cls, app: Flask, people: Visitors) -> FlaskClient:
        return client_as(app, people.admin.email)

    @pytest.mark.parametrize("role", NON_ADMIN_ROLES)
    @pytest.mark.parametrize(("method", "path"), ADMIN_REQUESTS)
    def test_admin_urls_are_forbidden_to_other_roles(
        self,
        app: Flask,
        people: Visitors,
        visitor_clients: dict[Role, FlaskClient],
        role: Role,
        method: str,
        path: str,
    ) -> None:
        target, visitor, client = people.target, people.of_role[role], visitor_clients[role]
        token = csrf_token(client, "/account")  # a valid token, so the role check is what answers
        before_target, before_visitor, users = row(app, target.id), row(app, visitor.id), user_count(app)

        response = admin_request(client, method, path.format(id=target.id), token)

        assert response.status_code == 403
        assert "You do not have permission to see this page" in text(response)
        assert row(app, target.id) == before_target
        assert row(app, visitor.id) == before_visitor
        assert user_count(app) == users
        assert audit_events(app, "user_created") == audit_events(app, "user_updated") == []

    @pytest.mark.parametrize(("method", "path"), ADMIN_REQUESTS)
    def test_admin_urls_send_people_who_are_not_signed_in_to_sign_in(
        self, app: Flask, client: FlaskClient, people: Visitors, method: str, path: str
    ) -> None:
        token = csrf_token(client, "/sign-in")
        before_target, users = row(app, people.target.id), user_count(app)

        response = admin_request(client, method, path.format(id=people.target.id), token)

        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/sign-in"
        assert row(app, people.target.id) == before_target
        assert user_count(app) == users
        assert audit_events(app, "user_created") == audit_events(app, "user_updated") == []

    @pytest.mark.parametrize(("method", "path"), [r for r in ADMIN_REQUESTS if "{id}" in r[1]])
    def test_an_unknown_user_id_is_not_found(
        self, app: Flask, admin_client: FlaskClient, method: str, path: str
    ) -> None:
        token = csrf_token(admin_client, "/admin/users")
        users = user_count(app)

        response = admin_request(admin_client, method, path.format(id=987654), token)

        assert response.status_code == 404
        assert "Page not found" in text(response)
        assert user_count(app) == users

    @pytest.mark.parametrize("token", [None, "not-a-real-token"], ids=["missing", "forged"])
    def test_a_post_without_a_valid_csrf_token_is_refused_with_the_friendly_page(
        self, app: Flask, admin_client: FlaskClient, token: str | None
    ) -> None:
        admin_client.get("/admin/users/new")
        users = user_count(app)
        data = new_user_form("Forged Person", "forged@example.org", Role.ADMIN, 0)
        if token is not None:
            data["csrf_token"] = token

        response = admin_client.post("/admin/users/new", data=data)

        assert response.status_code == 400
        assert "Your form has expired" in text(response)
        assert "Nothing has been changed" in text(response)
        assert user_count(app) == users
        assert row_by_email(app, "forged@example.org") is None
        assert audit_events(app, "user_created") == []


# --- the audit log -------------------------------------------------------------------------


def test_the_audit_log_lists_events_newest_first(
    app: Flask, admin: Person, admin_client: FlaskClient
) -> None:
    with database(app):
        for summary in ("First recorded event", "Second recorded event", "Third recorded event"):
            record("test_event", summary)
            db.session.commit()
    create_user(admin_client, name="Newest Person", email="newest@example.org", role=Role.REVIEWER, agency=0)

    page = admin_client.get("/admin/audit-log")

    assert page.status_code == 200
    words = text(page)
    order = [
        words.index("User newest@example.org created as Independent reviewer"),
        words.index("Third recorded event"),
        words.index("Second recorded event"),
        words.index("First recorded event"),
        words.index("alex.admin@example.org signed in"),
    ]
    assert order == sorted(order)
    assert "Alex Admin" in words and "System" in words


def test_the_audit_log_pages_without_counting(app: Flask, admin: Person, admin_client: FlaskClient) -> None:
    """Fifty events a page, "Older" while more follow, "Newer" back; no count of the whole trail."""
    with database(app):
        for number in range(1, 52):  # with the admin's sign-in: 52 events, two pages
            record("test_event", f"Event number {number:02d}")
        db.session.commit()
    first, second = admin_client.get("/admin/audit-log"), admin_client.get("/admin/audit-log?page=2")
    assert "Event number 51" in text(first) and "Event number 02" in text(first)
    assert 'rel="next"' in first.get_data(as_text=True) and 'rel="prev"' not in first.get_data(as_text=True)
    assert "Event number 01" in text(second) and "Event number 02" not in text(second)
    assert 'rel="prev"' in second.get_data(as_text=True) and 'rel="next"' not in second.get_data(as_text=True)
