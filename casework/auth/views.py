"""Signing in and out, and a user's own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from casework.auth import bp, passkeys, second_factor, services
from casework.auth.access import public, signed_in
from casework.auth.device_cookies import DEVICE_COOKIE
from casework.auth.forms import (
    ChangePasswordForm,
    MailChoiceForm,
    SetPasswordForm,
    SignInForm,
    SignOutForm,
)
from casework.auth.navigation import home_for
from casework.auth.sessions import end_session, start_session
from casework.auth.throttling import Refusal, Scope, ThrottleUnavailableError
from casework.core.forms import commit_once, send_form, submit


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: never an absolute URL an attacker planted."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        return render_template("auth/sign_in.html", form=form), 200 if not form.errors else 400
    try:
        # A refused attempt is an answer, not an error: it is counted, and committed.
        result = commit_once(
            lambda: services.authenticate(
                *form.credentials(),
                source=request.remote_addr or "",
                device_cookie=request.cookies.get(DEVICE_COOKIE),
            )
        )
    except ThrottleUnavailableError:
        form.email.errors = ["Signing in is not available at the moment. Try again in a few minutes"]
        return render_template("auth/sign_in.html", form=form), 503
    if result.user:
        second_factor.begin(result.user, safe_next(form.next.data))
        has_factor = result.user.has_authenticator or passkeys.has_passkey(result.user)
        step = "auth.sign_in_code" if has_factor else "auth.sign_in_set_up"
        return redirect(url_for(step))
    form.email.errors = [refusal_message(result.refusal)]
    page = render_template("auth/sign_in.html", form=form)
    if result.refusal:
        return page, 429, {"Retry-After": str(result.refusal.retry_after)}
    return page, 400


def refusal_message(refusal: Refusal | None) -> str:
    """One message for a wrong password and an unknown email alike."""
    if refusal is None:
        config = current_app.config
        return (
            "Enter a correct email address and password. After "
            f"{config['SIGN_IN_MAX_FAILURES']} failed attempts, signing in is paused for "
            f"{_minutes(int(config['SIGN_IN_LOCKOUT'].total_seconds() // 60))}"
        )
    wait = _minutes(refusal.minutes)
    if refusal.scope is Scope.SOURCE:
        return f"Too many attempts from your connection. Try again in {wait}"
    return (
        "Too many failed attempts to sign in with this email address. "
        f"Try again in {wait}, or ask your administrator to unlock it"
    )


def _minutes(count: int) -> str:
    if count >= 90:  # the longer pauses read better in hours
        hours = -(-count // 60)
        return f"{hours} hours"
    return f"{count} minute" if count == 1 else f"{count} minutes"


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out() -> ResponseReturnValue:
    form = SignOutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        commit_once(lambda: services.sign_out(user))
    end_session()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/session/keep-alive", methods=["POST"])
@signed_in
def keep_alive() -> ResponseReturnValue:
    """ "Stay signed in" in the timeout warning: the request itself renews the idle timeout (the
    session store records the activity), so there is nothing more to do. CSRF-protected like any POST."""
    return "", 204


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if send_form(form, lambda: services.change_password(user, *form.passwords()), one_time=False) is None:
        return render_template("auth/change_password.html", form=form), 400 if form.errors else 200
    # Every other session has ended with the old token; keep this one going.
    start_session(user)
    flash("Your password has been changed. You have been signed out everywhere else.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account")
@signed_in
def account() -> ResponseReturnValue:
    choice = "yes" if current_user.immediate_mail else "no"
    return _account_page(MailChoiceForm(formdata=None, immediate_mail=choice))


def _account_page(mail_form: MailChoiceForm) -> ResponseReturnValue:
    page = render_template("auth/account.html", mail_form=mail_form, form=mail_form)
    return page, 400 if mail_form.errors else 200


MAIL_CHOSEN = {
    True: "You will be emailed as things happen.",
    False: "You will not be emailed as things happen. Your notifications and the daily digest keep coming.",
}


@bp.route("/account/mail", methods=["POST"])
@signed_in
def account_mail() -> ResponseReturnValue:
    form = MailChoiceForm()
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    change = lambda: services.choose_immediate_mail(user, form.chosen())  # noqa: E731
    return submit(form, change, MAIL_CHOSEN.__getitem__, url_for("auth.account")) or _account_page(form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token: str) -> ResponseReturnValue:
    user = services.user_for_set_password_token(token)
    if user is None:
        return render_template("auth/link_expired.html"), 404
    form = SetPasswordForm()
    if (
        send_form(
            form, lambda: services.set_password_with_token(token, form.chosen_password()), one_time=False
        )
        is None
    ):
        return render_template("auth/set_password.html", form=form, user=user), 400 if form.errors else 200
    end_session()  # after the commit, before the message: it clears the session
    flash("Your password has been set. Sign in with your email address and new password.", "success")
    return redirect(url_for("auth.sign_in"))
