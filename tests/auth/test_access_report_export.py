"""A person's access report spans the whole audit trail, so its CSV streams in batches: every
read, newest first, in a fixed number of queries however long the trail, and without the
export's own record, which is made as the file is asked for."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import insert

from casework.auth.models import Role
from casework.core import streaming
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from tests.support.http import client_as
from tests.support.people import make_user
from tests.support.sql import statements

START = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)


def _add_reads(person_id: int, first: int, count: int) -> None:
    """``count`` document downloads by the person, an hour apart, numbered from ``first``."""
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "action": "document_downloaded",
                "summary": f"Read {number}",
                "actor_id": person_id,
                "occurred_at": START + timedelta(hours=number),
                "ip_address": "10.0.0.9",
            }
            for number in range(first, first + count)
        ],
    )
    db.session.commit()


def test_a_persons_report_streams_every_read_in_batches(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streaming, "BATCH", 4)
    with app.app_context():
        person = make_user(Role.REVIEWER, name="Riley Reader").id
        admin = make_user(Role.ADMIN).id
        _add_reads(person, 0, 10)
    client = client_as(app, admin)
    url = f"/admin/users/{person}/access.csv"

    def export() -> tuple[list[list[str]], int]:
        with app.app_context(), statements() as seen:
            response = client.get(url)
            data = response.data  # streamed: the rows are read as the body is
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))), len(seen)

    rows, queries = export()
    assert rows[0] == ["When", "Who", "Role", "What", "Review", "Details", "From address"]
    assert [row[5] for row in rows[1:]] == [f"Read {n}" for n in reversed(range(10))]  # newest first
    assert {tuple(row[1:4]) for row in rows[1:]} == {
        ("Riley Reader", "Independent reviewer", "Document downloaded")
    }

    with app.app_context():
        _add_reads(person, 10, 20)
    more, more_queries = export()
    assert len(more) == 1 + 30  # the first export's own record is the admin's, not the person's
    # three times the rows in batches of 4: the batches come from one query's cursor
    assert more_queries == queries


def test_the_export_is_recorded_with_its_count_and_is_not_in_its_own_file(app: Flask) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN, name="Ada Admin").id
        _add_reads(admin, 0, 3)
    client = client_as(app, admin)
    response = client.get(f"/admin/users/{admin}/access.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert [row[5] for row in rows[1:]] == ["Read 2", "Read 1", "Read 0"]
    with app.app_context():
        [recorded] = db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == "access_report_exported")
        ).scalars()
        assert recorded.summary == "Access report of Ada Admin exported (3 entries, everything)"
    again = client.get(f"/admin/users/{admin}/access.csv")
    rows = list(csv.reader(io.StringIO(again.data.decode("utf-8-sig"), newline="")))
    assert [row[3] for row in rows[1:2]] == ["Access report exported"]  # the first export, now listed
