"""Sent mail, for administrators: every message in the outbox, what became of it, and a way to
send a failed one again."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from casework.auth import admin_bp as bp
from casework.auth.access import roles
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.form_keys import OneTimeForm
from casework.core.forms import submit_and_return
from casework.core.request_guards import page_number
from casework.notifications import sent_mail
from casework.notifications.models import MailStatus, OutboxMessage


class RetryForm(OneTimeForm):
    """The "Send again" button: CSRF and the one-time key only."""


def _load(message_id: int) -> OutboxMessage:
    return db.session.get(OutboxMessage, message_id) or abort(404)


def _message_url(message_id: int) -> str:
    return url_for("admin.sent_mail_message", message_id=message_id)


@bp.route("/sent-mail")
@roles(Role.ADMIN)
def sent_mail_list() -> ResponseReturnValue:
    filters = sent_mail.SentMailFilters.from_args(request.args)
    page = sent_mail.sent_mail_page(filters, page_number(request.args.get("page")))
    return render_template("admin/sent_mail.html", page=page, filters=filters, statuses=list(MailStatus))


@bp.route("/sent-mail/<int:message_id>")
@roles(Role.ADMIN)
def sent_mail_message(message_id: int) -> ResponseReturnValue:
    return render_template("admin/sent_mail_message.html", message=_load(message_id), form=RetryForm())


@bp.route("/sent-mail/<int:message_id>/retry", methods=["POST"])
@roles(Role.ADMIN)
def sent_mail_retry(message_id: int) -> ResponseReturnValue:
    message = _load(message_id)
    return submit_and_return(
        RetryForm(),
        lambda: sent_mail.retry_message(message),
        f"The message to {message.to_address} will be sent again in a moment.",
        _message_url(message_id),
    )
