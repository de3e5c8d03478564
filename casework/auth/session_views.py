"""'Your sessions': the person's signed-in devices, with a way to sign any other one out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from casework.auth import bp, device_sessions
from casework.auth.access import current_person, signed_in
from casework.auth.forms import EndSessionForm
from casework.auth.sessions import this_session
from casework.core.display import plural
from casework.core.forms import send_form


@bp.route("/account/sessions")
@signed_in
def your_sessions() -> ResponseReturnValue:
    rows = device_sessions.live_sessions(current_person())
    return render_template("auth/sessions.html", sessions=rows, current_id=this_session().row_id)


def _end(change: Callable[[], Any], success: Callable[[Any], str]) -> ResponseReturnValue:
    form = EndSessionForm()
    sent = send_form(
        form,
        change,
        url_for("auth.your_sessions"),
        refused=lambda error: flash(error.message, "error"),
    )
    if sent is None and form.errors:
        abort(400)
    if sent is not None and sent.repeated is not None:
        return sent.repeated
    if sent is not None:
        flash(success(sent.result), "success")
    return redirect(url_for("auth.your_sessions"))


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@signed_in
def end_one_session(session_id: int) -> ResponseReturnValue:
    person = current_person()
    row = device_sessions.own_session(person, session_id) or abort(404)
    return _end(
        lambda: device_sessions.end_session_of(person, row, this_session().row_id),
        lambda ended: f"{ended.device} has been signed out.",
    )


@bp.route("/account/sessions/end-others", methods=["POST"])
@signed_in
def end_other_sessions() -> ResponseReturnValue:
    person = current_person()
    return _end(
        lambda: device_sessions.end_other_sessions(person, this_session().row_id),
        lambda ended: f"{plural(ended, 'other session')} signed out. This device stays signed in.",
    )
