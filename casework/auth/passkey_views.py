"""Passkeys: adding and removing one on "How you sign in", and signing in with one, alone or as
the second step. The page's script (static/passkeys.js) asks for the options as JSON, lets the
browser talk to the device, and posts the device's answer in an ordinary form."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from casework.auth import bp, passkeys, second_factor
from casework.auth.access import current_person, public, signed_in
from casework.auth.device_cookies import DEVICE_COOKIE
from casework.auth.forms import (
    PasskeyForm,
    PasskeySignInForm,
    RemovePasskeyForm,
    SignInCodeForm,
    SignInForm,
)
from casework.auth.models import User
from casework.auth.navigation import home_for
from casework.auth.second_factor_views import NO_STORE, _signed_in, _start, account_sign_in_page, signing_in
from casework.auth.throttling import ThrottleUnavailableError
from casework.auth.views import refusal_message
from casework.core.errors import DomainError
from casework.core.forms import commit_once, submit

UNAVAILABLE = "Signing in is not available at the moment. Try again in a few minutes"


def _options(make: Callable[[], str]) -> ResponseReturnValue:
    """The options for the browser, as JSON; a refusal as JSON with its message."""
    try:
        options = make()
    except DomainError as error:
        return jsonify(message=error.message), 400, NO_STORE
    return current_app.response_class(options, mimetype="application/json", headers=NO_STORE)


# --- on "How you sign in" -------------------------------------------------------------------


@bp.route("/account/sign-in/passkeys/options", methods=["POST"])
@signed_in
def passkey_registration_options() -> ResponseReturnValue:
    return _options(lambda: passkeys.registration_options(current_person()))


@bp.route("/account/sign-in/passkeys", methods=["POST"])
@signed_in
def passkey_add() -> ResponseReturnValue:
    user = current_person()
    form = PasskeyForm()
    change = lambda: passkeys.add_passkey(  # noqa: E731
        user,
        name=form.name.data or "",
        password=form.password.data or "",
        credential=form.credential.data or "",
    )
    added = lambda passkey: f"Passkey {passkey.name!r} added. You can sign in with it from now on."  # noqa: E731
    done = submit(form, change, added, url_for("auth.two_factor"))
    return done or account_sign_in_page(passkey_form=form, status=400)


@bp.route("/account/sign-in/passkeys/<int:passkey_id>/remove", methods=["GET", "POST"])
@signed_in
def passkey_remove(passkey_id: int) -> ResponseReturnValue:
    user = current_person()
    passkey = passkeys.passkey_of(user, passkey_id)
    if passkey is None:
        abort(404)
    form = RemovePasskeyForm()
    name = passkey.name
    change = lambda: passkeys.remove_passkey(user, passkey, form.password.data or "")  # noqa: E731
    done = submit(form, change, lambda _: f"Passkey {name!r} removed.", url_for("auth.two_factor"))
    if done:
        return done
    page = render_template("auth/remove_passkey.html", form=form, passkey=passkey)
    return page, 400 if form.errors else 200


# --- signing in -----------------------------------------------------------------------------


@bp.route("/sign-in/passkey/options", methods=["POST"])
@public
def passkey_sign_in_options() -> ResponseReturnValue:
    return _options(lambda: passkeys.authentication_options(None))


@bp.route("/sign-in/passkey", methods=["POST"])
@public
def sign_in_passkey() -> ResponseReturnValue:
    """A passkey alone, the device having checked it is the person: both factors at once."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = PasskeySignInForm()
    page = lambda: render_template("auth/sign_in.html", form=SignInForm(formdata=None))  # noqa: E731
    return _use_passkey(form, None, page)


@bp.route("/sign-in/code/passkey/options", methods=["POST"])
@public
def passkey_second_step_options() -> ResponseReturnValue:
    user = second_factor.pending_user()
    if user is None:
        return jsonify(message="Enter your email address and password again"), 400, NO_STORE
    return _options(lambda: passkeys.authentication_options(user))


@bp.route("/sign-in/code/passkey", methods=["POST"])
@public
@signing_in
def sign_in_code_passkey(user: User) -> ResponseReturnValue:
    """The second step with a passkey, after a right password."""
    form = PasskeySignInForm()
    page = lambda: render_template("auth/sign_in_code.html", form=SignInCodeForm(formdata=None), user=user)  # noqa: E731
    return _use_passkey(form, user, page)


def _use_passkey(
    form: PasskeySignInForm, pending: User | None, page: Callable[[], str]
) -> ResponseReturnValue:
    """Check the device's answer; start the session, or show the page again with the refusal."""
    if not form.validate_on_submit():
        flash("Your browser did not use a passkey. Try again, or use another way to sign in", "error")
        return page(), 400
    source, cookie = request.remote_addr or "", request.cookies.get(DEVICE_COOKIE)
    try:
        # A refusal is an answer, not an error: it is counted, and committed.
        result = commit_once(
            lambda: passkeys.sign_in_with_passkey(
                form.credential.data or "", pending=pending, source=source, device_cookie=cookie
            )
        )
        user = result.user
        device_cookie = commit_once(lambda: _signed_in(user, "passkey")) if user else None
    except ThrottleUnavailableError:
        flash(UNAVAILABLE, "error")
        return page(), 503
    if user is None or device_cookie is None:
        flash(refusal_message(result.refusal) if result.refusal else result.message, "error")
        if result.refusal:
            return page(), 429, {"Retry-After": str(result.refusal.retry_after)}
        return page(), 400
    return _start(user, device_cookie, next_url=form.next.data if pending is None else None)
