"""The calendar feed at its secret address, and the account page's "create / reset address"."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from casework.auth import bp as auth_bp
from casework.auth.access import current_person, public, signed_in
from casework.core.forms import send_form
from casework.main import bp as main_bp
from casework.notifications.calendar import feed_for, new_calendar_address, person_for_token
from casework.notifications.forms import CalendarForm


@auth_bp.route("/account/calendar", methods=["POST"])
@signed_in
def calendar_address() -> ResponseReturnValue:
    """Create (or reset) the address; it is shown on this page once and kept only as a hash."""
    person = current_person()
    reset = person.calendar_token_hash is not None
    sent = send_form(CalendarForm(), lambda: new_calendar_address(person), url_for("auth.account"))
    if sent is None:
        return redirect(url_for("auth.account"))  # an expired form: the CSRF page has said so
    if sent.repeated is not None:
        return sent.repeated
    address = url_for("main.calendar_feed", token=sent.result, _external=True)
    return render_template("notifications/calendar_address.html", address=address, reset=reset)


@main_bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str) -> ResponseReturnValue:
    person = person_for_token(token)
    if person is None:
        abort(404)
    return Response(feed_for(person), mimetype="text/calendar", headers={"Content-Disposition": "inline"})
