"""Your notifications: what you were told, newest first; opening one (a button posting the
list's form, so no other site can do it) marks it read."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from casework.auth.access import current_person, signed_in
from casework.core.extensions import db
from casework.core.form_keys import OneTimeForm
from casework.core.forms import flash_form_errors, send_form, submit
from casework.core.request_guards import page_number
from casework.notifications import inbox

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


class MarkAllReadForm(OneTimeForm):
    """A bare button: CSRF and the one-time key."""


class OpenNotificationForm(OneTimeForm):
    """Each notification's button in the list: CSRF, so only the list marks one read. Its key is
    never claimed (opening one again is answered afresh), so one form serves every row."""


@bp.route("/")
@signed_in
def index() -> ResponseReturnValue:
    page = db.paginate(
        inbox.newest_first(current_person()),
        page=page_number(request.args.get("page")),
        per_page=inbox.PAGE_SIZE,
        error_out=False,
    )
    return render_template(
        "notifications/index.html",
        page=page,
        read_form=MarkAllReadForm(formdata=None),
        open_form=OpenNotificationForm(formdata=None),
    )


@bp.route("/<int:notification_id>", methods=["POST"])
@signed_in
def open_notification(notification_id: int) -> ResponseReturnValue:
    """Marks it read, then goes to the thing it is about; a refused post goes back to the list."""
    notification = inbox.own_notification(notification_id, current_person()) or abort(404)
    target = inbox.local_path(notification.link)
    then = request.script_root + target if target else url_for("notifications.index")
    form = OpenNotificationForm()
    if send_form(form, lambda: inbox.mark_read(notification), then, one_time=False) is None:
        flash_form_errors(form)
        return redirect(url_for("notifications.index"))
    return redirect(then)


@bp.route("/read", methods=["POST"])
@signed_in
def mark_all_read() -> ResponseReturnValue:
    form = MarkAllReadForm()
    done = submit(
        form,
        lambda: inbox.mark_all_read(current_person()),
        lambda count: "Every notification is marked as read." if count else "There was nothing unread.",
        url_for("notifications.index"),
    )
    if done is None:
        flash_form_errors(form)
    return done or redirect(url_for("notifications.index"))
