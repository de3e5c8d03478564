"""Rows a test looks up: by primary key in the current session, and the audit trail."""

from __future__ import annotations

from typing import TypeVar

from flask import Flask

from casework.core.audit import AuditEvent
from casework.core.extensions import db

T = TypeVar("T")


def stored(model: type[T], ident: int) -> T:
    """The ``model`` row with primary key ``ident``; fails the test if there is none."""
    found = db.session.get(model, ident)
    assert found is not None, f"no {model.__name__} {ident}"
    return found


def audit_trail(app: Flask, action: str) -> list[AuditEvent]:
    """The audit events of this action, oldest first (loaded, usable after the app context)."""
    with app.app_context():
        return list(
            db.session.execute(
                db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            ).scalars()
        )


def last_audit_event(action: str) -> AuditEvent | None:
    """The newest audit event of this action, in the current session (call inside an app context)."""
    return db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    ).first()
