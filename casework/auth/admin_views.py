"""User administration and the audit log, for administrators."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from casework.agencies.models import Agency, agencies_for_new_work
from casework.auth import admin_bp as bp
from casework.auth import services
from casework.auth.access import roles
from casework.auth.forms import EditUserForm, NewUserForm, UserActionForm, UserDetailsForm
from casework.auth.models import Role, User
from casework.core import audit
from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.extensions import db
from casework.core.form_keys import FormAlreadySentError, already_sent, claim_form_key
from casework.core.forms import show_domain_error
from casework.core.request_guards import page_number

AUDIT_PAGE_SIZE = 50


def _load_user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _agency_choices(form: UserDetailsForm, user: User | None = None) -> None:
    agencies = agencies_for_new_work(keeping=[user.agency] if user and user.agency else [])
    form.agency.choices = [SelectChoice(0, "Not an agency lead")] + [
        SelectChoice(agency.id, agency.name) for agency in agencies
    ]


def _chosen_agency(form: UserDetailsForm) -> Agency | None:
    return db.session.get(Agency, form.agency.data) if form.agency.data else None


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
    _agency_choices(form)
    if form.validate_on_submit():
        try:
            key = claim_form_key(form)
            user, token = services.create_user(
                form.name.data or "", form.email.data or "", Role(form.role.data), _chosen_agency(form)
            )
            db.session.flush()
            if key is not None:
                key.sent_to = url_for("admin.user_detail", user_id=user.id)
        except FormAlreadySentError as sent:
            return already_sent(sent, url_for("admin.users"))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            return render_template("admin/set_password_link.html", user=user, token=token, new=True)
    return render_template("admin/user_new.html", form=form), 400 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def user_detail(user_id: int) -> ResponseReturnValue:
    user = _load_user(user_id)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    _agency_choices(form, user)
    if request.method == "GET":
        form.role.data = user.role.value
        form.agency.data = user.agency_id or 0
    if form.validate_on_submit():
        try:
            services.update_user(
                user,
                name=form.name.data or "",
                role=Role(form.role.data),
                agency=_chosen_agency(form),
                version=form.version.data,
            )
            db.session.commit()
        except (StaleDataError, DomainError) as error:
            db.session.rollback()
            if isinstance(error, StaleDataError):
                error = ConcurrentEditError("this user")
            show_domain_error(form, error)
            # Offer the latest saved version; saving again is then a deliberate choice.
            form.version.raw_data = None
            form.version.data = _load_user(user_id).version
        else:
            flash(f"Changes to {user.name} saved.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    status = 400 if form.errors or request.method == "POST" else 200
    return render_template(
        "admin/user_detail.html",
        user=_load_user(user_id),
        form=form,
        locked_until=services.lock_state(user.email),
    ), status


def _user_action(user_id: int, change, success: str) -> ResponseReturnValue:  # type: ignore[no-untyped-def]
    user = _load_user(user_id)
    form = UserActionForm()
    if not form.validate_on_submit():
        abort(400)
    # The form's one-time key is not claimed here: a browser shows the answer to the last of two
    # clicks, and for "new link" that answer must carry a working link (it replaces the first).
    # The other buttons are refused by the row version when repeated.
    try:
        result = change(user, form.version.data)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(ConcurrentEditError("this user").message, "error")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        if isinstance(result, str):
            return render_template("admin/set_password_link.html", user=user, token=result, new=False)
        flash(success.format(name=user.name), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles(Role.ADMIN)
def user_deactivate(user_id: int) -> ResponseReturnValue:
    me = current_user._get_current_object()  # type: ignore[attr-defined]
    return _user_action(
        user_id,
        lambda user, version: services.deactivate_user(user, me, version),
        "{name} has been deactivated and signed out everywhere.",
    )


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles(Role.ADMIN)
def user_reactivate(user_id: int) -> ResponseReturnValue:
    return _user_action(user_id, services.reactivate_user, "{name} has been reactivated.")


@bp.route("/users/<int:user_id>/set-password-link", methods=["POST"])
@roles(Role.ADMIN)
def user_set_password_link(user_id: int) -> ResponseReturnValue:
    return _user_action(user_id, services.issue_set_password_link, "")


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles(Role.ADMIN)
def user_unlock(user_id: int) -> ResponseReturnValue:
    return _user_action(
        user_id, lambda user, version: services.unlock_sign_in(user), "{name} can sign in again."
    )


@bp.route("/audit-log")
@roles(Role.ADMIN)
def audit_log() -> ResponseReturnValue:
    page = db.paginate(
        db.select(audit.AuditEvent)
        .order_by(audit.AuditEvent.id.desc())
        .options(joinedload(audit.AuditEvent.actor)),
        page=page_number(request.args.get("page")),
        per_page=AUDIT_PAGE_SIZE,
        error_out=False,
    )
    return render_template("admin/audit_log.html", page=page)
