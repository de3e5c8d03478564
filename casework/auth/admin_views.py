"""User administration and the audit log, for administrators."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import joinedload

from casework.auth import admin_bp as bp
from casework.auth import device_sessions, handover, passkeys, services
from casework.auth.access import current_person, roles
from casework.auth.forms import EditUserForm, HandOverForm, NewUserForm, UserActionForm
from casework.auth.models import Role, User
from casework.core import audit
from casework.core.display import plural
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.forms import flash_form_errors, send_form, show_domain_error, submit
from casework.core.paging import slice_of
from casework.core.request_guards import page_number
from casework.core.view_helpers import route_each

AUDIT_PAGE_SIZE = 50


def _load_user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/users")
@roles(Role.ADMIN)
def users() -> ResponseReturnValue:
    rows = (
        db.session.execute(
            db.select(User).order_by(User.active.desc(), User.name).options(joinedload(User.agency))
        )
        .scalars()
        .all()
    )
    locks = {user.id: services.lock_state(user.email) for user in rows}
    return render_template("admin/users.html", users=rows, locks=locks)


@bp.route("/users/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def user_new() -> ResponseReturnValue:
    form = NewUserForm()
    form.offer_agencies()
    sent = send_form(
        form,
        lambda: services.create_user(*form.new_user(), email_link=form.emails_link()),
        lambda created: url_for("admin.user_detail", user_id=created[0].id),
    )
    if sent is None:
        return render_template("admin/user_new.html", form=form), 400 if form.errors else 200
    if sent.repeated is not None:
        return sent.repeated
    user, token = sent.result
    if token is None:
        flash(f"{user.name} added. The link to set their password has been emailed to them.", "success")
        return redirect(sent.target or url_for("admin.users"))
    return render_template("admin/set_password_link.html", user=user, token=token, new=True)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def user_detail(user_id: int) -> ResponseReturnValue:
    user = _load_user(user_id)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    form.offer_agencies(user)
    if request.method == "GET":
        form.show_user(user)

    def refused(error: DomainError) -> None:
        show_domain_error(form, error)
        # Offer the latest saved version; saving again is then a deliberate choice.
        form.show_latest(_load_user(user_id).version)

    # Not one-time: a second save of the same page is refused by the row version it carries.
    if send_form(
        form,
        lambda: services.update_user(user, **form.changes()),
        one_time=False,
        refused=refused,
        record="this user",
    ):
        flash(f"Changes to {user.name} saved.", "success")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    status = 400 if form.errors or request.method == "POST" else 200
    return _user_page(_load_user(user_id), form, HandOverForm(formdata=None), status)


def _user_page(
    user: User, form: EditUserForm, hand_over_form: HandOverForm, status: int
) -> ResponseReturnValue:
    hand_over_form.offer(handover.successors_for(user))
    return render_template(
        "admin/user_detail.html",
        user=user,
        form=form,
        hand_over_form=hand_over_form,
        owned=handover.owned_by(user),
        locked_until=services.lock_state(user.email),
        sessions=device_sessions.live_sessions(user),
        passkey_count=passkeys.passkey_count(user),
    ), status


@bp.route("/users/<int:user_id>/hand-over", methods=["POST"])
@roles(Role.ADMIN)
def user_hand_over(user_id: int) -> ResponseReturnValue:
    """Before someone leaves: their open requests and actions go to a colleague in one step."""
    user = _load_user(user_id)
    form = HandOverForm()
    form.offer(handover.successors_for(user))
    done = submit(
        form,
        lambda: handover.hand_over(user, db.session.get(User, form.successor.data)),
        lambda moved: f"{plural(moved[0], 'open request')} and {plural(moved[1], 'action')} handed over.",
        url_for("admin.user_detail", user_id=user.id),
    )
    if done:
        return done
    flash_form_errors(form)  # the page's error summary belongs to its main form: say it there too
    edit = EditUserForm(obj=user)
    edit.offer_agencies(user)
    edit.show_user(user)
    return _user_page(_load_user(user_id), edit, form, 400)


RESET = (
    "{name}'s second factor (app, recovery codes and passkeys) has been reset and they have been "
    "signed out everywhere. "
    "They set up a new authenticator app at their next sign-in, and have been emailed."
)

# The buttons on a person's page, each posted to its own route (endpoint user_<name>, address
# /users/<id><path>): the change, given the person and the row version the page showed, and the
# message ({name}: the person's). A change that returns text returns a set-password link.
USER_ACTIONS: dict[str, tuple[str, Callable[[User, int | None], object], str]] = {
    "deactivate": (
        "/deactivate",
        lambda user, version: services.deactivate_user(user, current_person(), version),
        "{name} has been deactivated and signed out everywhere.",
    ),
    "reset_second_factor": (
        "/second-factor/reset",
        lambda user, version: services.reset_second_factor(user, current_person(), version),
        RESET,
    ),
    "reactivate": ("/reactivate", services.reactivate_user, "{name} has been reactivated."),
    "set_password_link": ("/set-password-link", services.issue_set_password_link, ""),
    "email_set_password_link": (
        "/set-password-link/email",
        services.email_set_password_link,
        "A new set-password link has been emailed to {name}.",
    ),
    "unlock": ("/unlock", lambda user, version: services.unlock_sign_in(user), "{name} can sign in again."),
    "end_sessions": (
        "/end-sessions",
        device_sessions.end_every_session,
        "{name} has been signed out everywhere.",
    ),
}


@roles(Role.ADMIN)
def user_action(user_id: int, action: str) -> ResponseReturnValue:
    _path, change, success = USER_ACTIONS[action]
    user = _load_user(user_id)
    form = UserActionForm()
    # The form's one-time key is not claimed here: a browser shows the answer to the last of two
    # clicks, and for "new link" that answer must carry a working link (it replaces the first).
    # The other buttons are refused by the row version when repeated.
    sent = send_form(
        form,
        lambda: change(user, form.version.data),
        one_time=False,
        refused=lambda error: flash(error.message, "error"),
        record="this user",
    )
    if sent is None and form.errors:
        abort(400)
    if sent is not None and isinstance(sent.result, str):
        return render_template("admin/set_password_link.html", user=user, token=sent.result, new=False)
    if sent is not None:
        flash(success.format(name=user.name), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


USER_ACTION_ROUTES = {
    name: (f"user_{name}", f"/users/<int:user_id>{path}") for name, (path, *_) in USER_ACTIONS.items()
}
route_each(bp, user_action, "action", USER_ACTION_ROUTES, methods=["POST"])


@bp.route("/audit-log")
@roles(Role.ADMIN)
def audit_log() -> ResponseReturnValue:
    # Not counted: the trail only grows, and counting it on every view would cost more than the page.
    page = slice_of(
        db.select(audit.AuditEvent)
        .order_by(audit.AuditEvent.id.desc())
        .options(joinedload(audit.AuditEvent.actor)),
        page_number(request.args.get("page")),
        AUDIT_PAGE_SIZE,
    )
    return render_template("admin/audit_log.html", page=page)
