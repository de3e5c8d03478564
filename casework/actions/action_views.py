"""An action's page: its progress history, updates with evidence, verification and deadline changes."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import case
from sqlalchemy.orm import joinedload, selectinload

from casework.actions import bp, services
from casework.actions.forms import (
    DeadlineDecisionForm,
    DeadlineRequestForm,
    ProgressForm,
    ThemeForm,
    VerifyForm,
)
from casework.actions.models import (
    Action,
    ActionStatus,
    ChangeStatus,
    DeadlineChangeRequest,
    ProgressUpdate,
    Theme,
)
from casework.actions.permissions import can_update, can_view_action, visible_actions
from casework.actions.rag import is_overdue, overdue_sql, rag_of, soon_limit
from casework.auth.access import roles
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.forms import error_flashed, page_with_form, submit
from casework.core.timeutil import uk_today
from casework.reviews.loading import me

CASE_ROLES = (Role.BOARD_MANAGER, Role.REVIEWER, Role.AGENCY_LEAD)


# What the action's page shows, loaded with the action (its template never queries).
PAGE_OPTIONS = (
    joinedload(Action.review),
    joinedload(Action.recommendation),
    joinedload(Action.agency),
    joinedload(Action.owner),
    joinedload(Action.verified_by),
    selectinload(Action.updates).options(
        joinedload(ProgressUpdate.by), selectinload(ProgressUpdate.evidence)
    ),
    selectinload(Action.deadline_requests).joinedload(DeadlineChangeRequest.requested_by),
)


def _load(action_id: int) -> Action:
    action = db.session.get(Action, action_id, options=PAGE_OPTIONS)
    if action is None or not can_view_action(me(), action):
        abort(404)
    return action


def _url(action: Action) -> str:
    return url_for("actions.action_detail", action_id=action.id)


def _page(action: Action, **forms: object) -> ResponseReturnValue:
    today = uk_today()
    context = {
        "progress_form": ProgressForm(formdata=None, version=action.version),
        "verify_form": VerifyForm(formdata=None, version=action.version),
        "deadline_form": DeadlineRequestForm(formdata=None),
        "decision_form": DeadlineDecisionForm(formdata=None),
    }
    context.update(forms)  # type: ignore[arg-type]
    errors = any(getattr(form, "errors", None) for form in forms.values()) or error_flashed()
    user = me()
    return render_template(
        "actions/action.html",
        action=action,
        rag=rag_of(action, today, soon_limit(today)),
        overdue=is_overdue(action, today),
        can_update=can_update(user, action) and action.status != ActionStatus.VERIFIED,
        can_ask_deadline=(can_update(user, action) or user.role == Role.BOARD_MANAGER)
        and action.status != ActionStatus.VERIFIED,
        pending_change=next((c for c in action.deadline_requests if c.status == ChangeStatus.PENDING), None),
        **context,
    ), 400 if errors else 200


@bp.route("/<int:action_id>")
@roles(*CASE_ROLES)
def action_detail(action_id: int) -> ResponseReturnValue:
    return _page(_load(action_id))


@bp.route("/<int:action_id>/progress", methods=["POST"])
@roles(*CASE_ROLES)
def action_progress(action_id: int) -> ResponseReturnValue:
    action = _load(action_id)
    form = ProgressForm()
    done = submit(
        form,
        lambda: services.add_progress(
            action,
            ActionStatus(form.status.data) if form.status.data else None,
            form.note.data or "",
            list(request.files.getlist(form.evidence.name)),
            me(),
            form.version.data,
        ),
        "Update added.",
        _url(action),
    )
    return done or _page(action, progress_form=form)


@bp.route("/<int:action_id>/<any(verify, return):decision>", methods=["POST"])
@roles(*CASE_ROLES)
def action_verify(action_id: int, decision: str) -> ResponseReturnValue:
    action = _load(action_id)
    form = VerifyForm()
    if decision == "verify":
        change = lambda: services.verify_action(action, form.note.data or "", me(), form.version.data)  # noqa: E731
        message = "Action verified: it now counts as done."
    else:
        # Read after validation: a blank answer (which Optional lets through) is no status.
        change = lambda: services.return_action(  # noqa: E731
            action,
            form.note.data or "",
            ActionStatus(form.status.data) if (form.status.data or "").strip() else None,
            me(),
            form.version.data,
        )
        message = "Action returned to its owner."
    return submit(form, change, message, _url(action)) or _page(action, verify_form=form)


@bp.route("/<int:action_id>/deadline", methods=["POST"])
@roles(*CASE_ROLES)
def action_deadline_request(action_id: int) -> ResponseReturnValue:
    action = _load(action_id)
    form = DeadlineRequestForm()
    done = submit(
        form,
        lambda: services.request_deadline_change(
            action, form.proposed_deadline.data, form.reason.data or "", me()
        ),
        "New deadline requested. A board manager will approve or refuse it.",
        _url(action),
    )
    return done or _page(action, deadline_form=form)


@bp.route("/<int:action_id>/deadline/<int:change_id>/<any(approve, refuse):decision>", methods=["POST"])
@roles(*CASE_ROLES)
def action_deadline_decide(action_id: int, change_id: int, decision: str) -> ResponseReturnValue:
    action = _load(action_id)
    change = db.session.get(DeadlineChangeRequest, change_id)
    if change is None or change.action_id != action.id:
        abort(404)
    form = DeadlineDecisionForm()
    done = submit(
        form,
        lambda: services.decide_deadline_change(change, decision == "approve", form.note.data or "", me()),
        "Deadline changed." if decision == "approve" else "Deadline change refused.",
        _url(action),
    )
    return done or _page(action, decision_form=form)


@bp.route("/mine")
@roles(Role.AGENCY_LEAD)
def mine() -> ResponseReturnValue:
    """The agency's own actions, overdue first, then by deadline; filtered in the query."""
    today = uk_today()
    overdue_first = case((overdue_sql(today), 0), else_=1)
    done_last = case((Action.status == ActionStatus.VERIFIED, 1), else_=0)
    actions = db.session.execute(
        db.select(Action)
        .where(visible_actions(me()))
        .order_by(done_last, overdue_first, Action.deadline, Action.id)
        .options(joinedload(Action.review))
    ).scalars()
    return render_template(
        "actions/mine.html",
        agency=me().agency,
        actions=actions.all(),
        today=today,
        soon=soon_limit(today),
        rag_of=rag_of,
        is_overdue=is_overdue,
    )


@bp.route("/themes", methods=["GET", "POST"])
@roles(Role.BOARD_MANAGER)
def themes() -> ResponseReturnValue:
    form = ThemeForm()
    done = submit(
        form,
        lambda: services.add_theme(form.name.data or "", me()),
        "Theme added.",
        url_for("actions.themes"),
    )
    listed = db.session.execute(db.select(Theme).order_by(Theme.name)).scalars().all()
    return done or page_with_form("actions/themes.html", form, themes=listed)
