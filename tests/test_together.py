"""Selects of different columns run as one statement come back apart, each row with its own
names and its columns' types (enums, aware times, JSON), in one round trip."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import event, select

from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.core.together import run_together
from tests.support.people import make_user


def test_selects_of_different_columns_come_back_apart_with_their_types(app: Flask) -> None:
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        db.session.add(AuditEvent(action="done", summary="Done.", details={"n": [1, 2]}))
        db.session.commit()
        manager_id, name = manager.id, manager.name
        statements: list[str] = []
        record = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            people, events, nothing = run_together(
                [
                    select(User.id, User.role, User.name.label("called")).where(User.id == manager_id),
                    select(AuditEvent.occurred_at, AuditEvent.details).where(AuditEvent.action == "done"),
                    select(User.email).where(User.id == -1),
                ]
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert len(statements) == 1
        assert [(p.id, p.role, p.called) for p in people] == [(manager_id, Role.BOARD_MANAGER, name)]
        assert isinstance(people[0].role, Role)
        [done] = events
        assert isinstance(done.occurred_at, datetime) and done.occurred_at.tzinfo is not None
        assert done.details == {"n": [1, 2]}
        assert nothing == []


def test_an_ordered_or_limited_select_is_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError, match="neither ordered nor limited"):
        run_together([select(User.id).order_by(User.id), select(User.email)])
