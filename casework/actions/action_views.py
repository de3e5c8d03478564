"""An action's page: its progress history, updates with evidence, verification and deadline changes."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload, selectinload

from casework.actions import bp, services
from casework.actions.agency_actions import agency_actions
from casework.actions.forms import (
    DeadlineDecisionForm,
    DeadlineRequestForm,
    ProgressForm,
    ThemeForm,
    VerifyForm,
)
from casework.actions.models import (
    Action,
    ChangeStatus,
    DeadlineChangeRequest,
    ProgressUpdate,
    Theme,
)
from casework.actions.rag import is_overdue, rag_of, soon_limit
from casework.auth.access import current_person, page_loader, roles
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.forms import error_flashed, page_with_form, submit
from casework.core.paging import PAGE_SIZE, Slice, requested_page, requested_slice
from casework.core.timeutil import uk_today
from casework.core.view_helpers import FormsPage
from casework.reviews.models import ReviewType

# What the action's page shows, loaded with the action (its template never queries); its
# history comes a page at a time (history_page).
PAGE_OPTIONS = (
    joinedload(Action.review),
    joinedload(Action.recommendation),
    joinedload(Action.agency),
    joinedload(Action.owner),
    joinedload(Action.verified_by),
    selectinload(Action.deadline_requests).joinedload(DeadlineChangeRequest.requested_by),
)
HISTORY_PAGE_SIZE = 25


def history_page(action: Action) -> Slice:
    """The page of the action's history the request asks for, newest first: years of monthly
    updates cost the page what a few do."""
    return requested_slice(
        db.select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action.id)
        .order_by(ProgressUpdate.id.desc())
        .options(joinedload(ProgressUpdate.by), selectinload(ProgressUpdate.evidence)),
        HISTORY_PAGE_SIZE,
    )


# The action the URL names, loaded with what its page shows.
_loads = page_loader(Action, options=PAGE_OPTIONS)


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
    return render_template(
        "actions/action.html",
        action=action,
        history=history_page(action),
        rag=rag_of(action, today, soon_limit(today)),
        overdue=is_overdue(action, today),
        pending_change=next((c for c in action.deadline_requests if c.status == ChangeStatus.PENDING), None),
        **context,
    ), 400 if errors else 200


# The action's page; its forms are each posted to their own route: back to the page, or the page
# again with the form's errors.
ACTION_PAGE = FormsPage(_page, _url)
ACTION_PAGE.route(bp, "/<int:action_id>", "action_detail", _loads())

DEADLINE_ASKED = "New deadline requested. A board manager will approve or refuse it."


@bp.route("/<int:action_id>/progress", methods=["POST"])
@_loads("update")
@ACTION_PAGE.posts("progress_form", ProgressForm, "Update added.")
def action_progress(action: Action, form: ProgressForm) -> None:
    services.add_progress(action, *form.progress(), current_person(), form.version.data)


@bp.route("/<int:action_id>/verify", methods=["POST"])
@_loads("verify")
@ACTION_PAGE.posts("verify_form", VerifyForm, "Action verified: it now counts as done.")
def action_verify(action: Action, form: VerifyForm) -> None:
    services.verify_action(action, form.note.data or "", current_person(), form.version.data)


@bp.route("/<int:action_id>/return", methods=["POST"])
@_loads("verify")
@ACTION_PAGE.posts("verify_form", VerifyForm, "Action returned to its owner.")
def action_return(action: Action, form: VerifyForm) -> None:
    services.return_action(action, form.note.data or "", form.back_to(), current_person(), form.version.data)


@bp.route("/<int:action_id>/deadline", methods=["POST"])
@_loads("ask_deadline")
@ACTION_PAGE.posts("deadline_form", DeadlineRequestForm, DEADLINE_ASKED)
def action_deadline_request(action: Action, form: DeadlineRequestForm) -> None:
    services.request_deadline_change(
        action, form.proposed_deadline.data, form.reason.data or "", current_person()
    )


@bp.route("/<int:action_id>/deadline/<int:change_id>/<any(approve, refuse):decision>", methods=["POST"])
@_loads("decide_deadline")
def action_deadline_decide(action: Action, change_id: int, decision: str) -> ResponseReturnValue:
    pending = next((c for c in action.deadline_requests if c.id == change_id), None) or abort(404)
    form, approve = DeadlineDecisionForm(), decision == "approve"
    message = "Deadline changed." if approve else "Deadline change refused."
    change = lambda: services.decide_deadline_change(pending, approve, form.note.data or "", current_person())  # noqa: E731
    return ACTION_PAGE.answer(action, "decision_form", form, change, message)


@bp.route("/mine")
@roles(Role.AGENCY_LEAD)
def mine() -> ResponseReturnValue:
    """The agency's own actions, overdue first, then by deadline; filtered in the query."""
    today = uk_today()
    page = requested_slice(agency_actions(current_person(), today, requested_page() * PAGE_SIZE + 1))
    return render_template(
        "actions/mine.html",
        agency=current_person().agency,
        page=page,
        today=today,
        soon=soon_limit(today),
        rag_of=rag_of,
        is_overdue=is_overdue,
    )


@bp.route("/themes", methods=["GET", "POST"])
@roles(Role.BOARD_MANAGER)
def themes() -> ResponseReturnValue:
    types = list(db.session.execute(db.select(ReviewType).order_by(ReviewType.id)).scalars())
    form = ThemeForm().offer(types)
    done = submit(
        form,
        lambda: services.add_theme(form.name.data or "", current_person(), form.chosen_types()),
        "Theme added.",
        url_for("actions.themes"),
    )
    listed = (
        db.session.execute(db.select(Theme).order_by(Theme.name).options(selectinload(Theme.review_types)))
        .scalars()
        .all()
    )
    by_type = [(t, [theme for theme in listed if t in theme.review_types]) for t in types]
    return done or page_with_form("actions/themes.html", form, by_type=by_type)
