"""The test kit's quick sign-in (tests.support.signing_in) leaves what signing in through the
pages leaves: every row of every table written, changed or removed alike, the same session data
and the same cookies, and a client that is signed in."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.auth.models import Role, User
from casework.core.extensions import db
from tests.support.http import client_as, page_text
from tests.support.people import PASSWORD, make_user

# Columns whose values are new each time by design: random keys and hashes, and row ids.
RANDOM = {"id", "key_hash", "code_hash"}

Snapshot = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


def snapshot() -> Snapshot:
    """Every row of every table, by table and primary key."""
    tables: Snapshot = {}
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        rows = db.session.execute(select(table)).mappings().all()
        tables[table.name] = {tuple(row[column.name] for column in key): dict(row) for row in rows}
    return tables


def _shape(column: str, value: Any) -> Any:
    """A value with what differs by design between two sign-ins masked: times, random keys, the
    session's CSRF secret."""
    if column in RANDOM:
        return "<random>"
    if isinstance(value, (datetime, date)):
        return "<time>"
    if column == "data" and isinstance(value, str) and value.startswith("{"):
        data = json.loads(value)
        return {name: "<secret>" if name == "csrf_token" else item for name, item in data.items()}
    return value


def changes(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    """What happened to each table between two snapshots: rows added (masked), rows removed and
    the columns each changed row had changed (with their masked new values)."""
    found: dict[str, list[Any]] = {}
    for name, rows in after.items():
        old = before.get(name, {})
        added = [
            sorted((c, repr(_shape(c, v))) for c, v in row.items()) for k, row in rows.items() if k not in old
        ]
        removed = [k for k in old if k not in rows]
        changed = [
            sorted((c, repr(_shape(c, v))) for c, v in row.items() if old[k][c] != v)
            for k, row in rows.items()
            if k in old and row != old[k]
        ]
        if added or removed or changed:
            found[name] = [sorted(added), len(removed), sorted(changed)]
    return found


def _cookies(client: FlaskClient) -> list[tuple[object, ...]]:
    return sorted(
        (c.key, c.domain, c.path, c.secure, c.http_only, c.same_site, c.max_age, c.origin_only)
        for c in client._cookies.values()  # type: ignore[union-attr]
    )


def _sign_in(app: Flask, email: str, **how: Any) -> tuple[FlaskClient, dict[str, list[Any]]]:
    with app.app_context():
        before = snapshot()
    client = client_as(app, email, **how)
    with app.app_context():
        return client, changes(before, snapshot())


@pytest.mark.parametrize("address", [None, "192.0.2.7"])
def test_the_quick_sign_in_leaves_what_the_sign_in_pages_leave(app: Flask, address: str | None) -> None:
    with app.app_context():
        person = make_user(Role.REVIEWER)
    through_pages, by_pages = _sign_in(app, person.email, through_forms=True, address=address)
    quick, by_kit = _sign_in(app, person.email, address=address)

    assert by_kit == by_pages
    # What the two sign-ins wrote: the session, the recovery code used, the sign-in time, the audit.
    assert set(by_pages) == {"web_sessions", "recovery_codes", "users", "audit_events"}, by_pages
    actions = sorted(dict(row)["action"] for row in by_kit["audit_events"][0])
    assert actions == ["'recovery_code_used'", "'signed_in'"]
    assert _cookies(quick) == _cookies(through_pages)
    assert {c.key for c in quick._cookies.values()} == {"casework_session", "casework_device"}  # type: ignore[union-attr]

    for client in (through_pages, quick):
        account = client.get("/account")
        assert account.status_code == 200 and person.name in page_text(account)
        assert client.get("/sign-in").status_code == 302  # signed in already: sent home


def test_someone_without_an_app_sets_one_up_through_the_pages(app: Flask) -> None:
    with app.app_context():
        person = make_user(Role.REVIEWER, authenticator=False)
    client = client_as(app, person)
    with app.app_context():
        assert db.session.get(User, person.id).has_authenticator  # type: ignore[union-attr]
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    "active, password", [(False, PASSWORD), (True, PASSWORD + "!")], ids=["inactive", "wrong"]
)
def test_the_quick_sign_in_is_refused_where_the_pages_refuse(app: Flask, active: bool, password: str) -> None:
    with app.app_context():
        person = make_user(Role.REVIEWER, active=active)
    with pytest.raises(AssertionError, match="refused"):
        client_as(app, person, password)
    with pytest.raises(AssertionError):
        client_as(app, person, password, through_forms=True)
