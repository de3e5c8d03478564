"""Templates never query: while a template renders, any SQL statement is an error.

A lazy load in a template is where an N+1 starts (one query per row shown), and it hides from
the view that seems to load what the page shows. With ``QUERY_GUARD`` on (the test config), a
statement issued between Flask's ``before_render_template`` and ``template_rendered`` signals
raises :class:`QueryInTemplateError` naming the template and the statement, so the page fails
its tests and the view is fixed to load what it shows (loader options or explicit queries).
Off in production: a missed load there costs a query, not a failed page.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Flask,
    before_render_template,
    current_app,
    g,
    got_request_exception,
    has_app_context,
    template_rendered,
)
from sqlalchemy import event
from sqlalchemy.engine import Engine, Result
from sqlalchemy.orm import ORMExecuteState, Session

_RENDERING = "_query_guard_rendering"
_ROLLED_BACK = "_query_guard_rolled_back"


class QueryInTemplateError(RuntimeError):
    """A template issued SQL: the view must load what the page shows before rendering."""


def rendering_template() -> str | None:
    """The name of the template rendering in this app context, if any."""
    if not has_app_context():
        return None
    stack: list[str] = g.get(_RENDERING) or []
    return stack[-1] if stack else None


def _enter(app: Flask, template: Any, context: dict[str, Any], **extra: Any) -> None:
    stack: list[str] = g.setdefault(_RENDERING, [])
    stack.append(template.name or "<string>")


def _leave(app: Flask, template: Any, context: dict[str, Any], **extra: Any) -> None:
    stack: list[str] = g.get(_RENDERING) or []
    if stack:
        stack.pop()


def _forget(app: Flask, **extra: Any) -> None:
    # A render that raised never sends template_rendered; the error page's queries are fine.
    g.pop(_RENDERING, None)


def _refuse_sql_while_rendering(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    template = rendering_template()
    if template is None or not current_app.config.get("QUERY_GUARD"):
        return
    # Forget the render, so an error page drawn for this failure is not refused in turn.
    g.pop(_RENDERING, None)
    raise QueryInTemplateError(
        f"SQL issued while rendering {template!r} (a lazy load in the template? load it in the "
        f"view with selectinload/joinedload or a query): {' '.join(statement.split())[:500]}"
    )


def _note_rollback(session: Session, previous_transaction: Any) -> None:
    if has_app_context():
        g.setdefault(_ROLLED_BACK, True)


def _reload_expired(state: ORMExecuteState) -> Result[Any] | None:
    """Let a template reload what a commit or a refused step (a rollback) expired: the columns of
    an object the view already loaded, and after a rollback its relationships too (the form shown
    again with its message). A page shown without a refusal may not lazy-load a relationship."""
    if rendering_template() is None:
        return None
    expired_by_rollback = state.is_relationship_load and g.get(_ROLLED_BACK, False)
    if not (state.is_column_load or expired_by_rollback):
        return None
    stack = g.pop(_RENDERING)
    try:
        return state.invoke_statement()
    finally:
        g.setdefault(_RENDERING, []).extend(stack)


def init_query_guard(app: Flask) -> None:
    if not app.config.get("QUERY_GUARD"):
        return
    before_render_template.connect(_enter, app)
    template_rendered.connect(_leave, app)
    got_request_exception.connect(_forget, app)
    # On the Engine class: Flask-SQLAlchemy creates the engine later, one per app.
    if not event.contains(Engine, "before_cursor_execute", _refuse_sql_while_rendering):
        event.listen(Engine, "before_cursor_execute", _refuse_sql_while_rendering)
    if not event.contains(Session, "do_orm_execute", _reload_expired):
        event.listen(Session, "do_orm_execute", _reload_expired)
        event.listen(Session, "after_soft_rollback", _note_rollback)
