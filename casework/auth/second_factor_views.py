"""The second step of signing in (a code, or setting up an authenticator app the first time), and a
person's own second factor on their account."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from casework.auth import bp, passkeys, second_factor
from casework.auth.access import public, signed_in
from casework.auth.device_cookies import DEVICE_COOKIE, set_device_cookie
from casework.auth.forms import (
    AuthenticatorForm,
    ConfirmPasswordForm,
    PasskeyForm,
    ReplaceAuthenticatorForm,
    SignInCodeForm,
)
from casework.auth.models import User
from casework.auth.navigation import home_for
from casework.auth.passwords import verify_password
from casework.auth.sessions import start_session
from casework.auth.throttling import ThrottleUnavailableError
from casework.auth.views import refusal_message, safe_next
from casework.core.errors import DomainError
from casework.core.forms import commit_once, send_form

NO_STORE = {"Cache-Control": "no-store"}
START_AGAIN = "Enter your email address and password again: the sign-in was not finished in time."


def signing_in(view: Callable[[User], ResponseReturnValue]) -> Callable[[], ResponseReturnValue]:
    """A step of signing in after the password: the view is given the person whose password was
    right; with no sign-in under way (or one not finished in time), the person starts again."""

    @wraps(view)
    def pending() -> ResponseReturnValue:
        user = second_factor.pending_user()
        if user is None:
            flash(START_AGAIN, "info")
            return redirect(url_for("auth.sign_in"))
        return view(user)

    return pending


def _signed_in(user: User, method: str) -> str:
    """Both factors were right: record it. Returns the device cookie for this browser."""
    return second_factor.finish(
        user, method, source=request.remote_addr or "", device_cookie=request.cookies.get(DEVICE_COOKIE)
    )


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
@signing_in
def sign_in_code(user: User) -> ResponseReturnValue:
    has_passkey = passkeys.has_passkey(user)
    if not (user.has_authenticator or has_passkey or second_factor.recovery_codes_left(user)):
        return redirect(url_for("auth.sign_in_set_up"))
    form = SignInCodeForm()

    def page() -> str:
        """The code page with the form as it stands (its errors included)."""
        return render_template("auth/sign_in_code.html", form=form, user=user, has_passkey=has_passkey)

    if not form.validate_on_submit():
        return page(), 400 if form.errors else 200
    source, cookie = request.remote_addr or "", request.cookies.get(DEVICE_COOKIE)
    try:
        # A wrong code is an answer, not an error: it is counted, and committed.
        result = commit_once(
            lambda: second_factor.check_code(user, form.code.data or "", source=source, device_cookie=cookie)
        )
        device_cookie = commit_once(lambda: _signed_in(user, result.method)) if result.accepted else None
    except ThrottleUnavailableError:
        form.code.errors = ["Signing in is not available at the moment. Try again in a few minutes"]
        return page(), 503
    if device_cookie is None:
        form.code.errors = [refusal_message(result.refusal) if result.refusal else result.message]
        if result.refusal:
            return page(), 429, {"Retry-After": str(result.refusal.retry_after)}
        return page(), 400
    warning = _recovery_codes_warning(user) if result.method == "recovery_code" else None
    return _start(user, device_cookie, warning=warning)


def _start(
    user: User,
    device_cookie: str,
    codes: list[str] | None = None,
    *,
    next_url: str | None = None,
    warning: str | None = None,
) -> ResponseReturnValue:
    """Start the session and go on to the page asked for (``next_url`` when no password step came
    first), or first show new recovery codes."""
    target = safe_next(next_url or second_factor.pending_next()) or home_for(user)
    start_session(user)
    if warning:
        flash(warning, "info")  # after the session starts: starting it clears the old one
    if codes is None:
        response = redirect(target)
    else:
        page = render_template("auth/recovery_codes.html", codes=codes, first=True, continue_to=target)
        response = make_response(page, 200, NO_STORE)
    set_device_cookie(response, device_cookie)
    return response


def _recovery_codes_warning(user: User) -> str:
    left = second_factor.recovery_codes_left(user)
    return (
        f"You signed in with a recovery code. You have {left} left. If you have lost your phone, "
        "set up your authenticator app again from your account."
    )


@bp.route("/sign-in/set-up", methods=["GET", "POST"])
@public
@signing_in
def sign_in_set_up(user: User) -> ResponseReturnValue:
    """First sign-in (or after an administrator's reset): set up an authenticator app."""
    if user.has_authenticator:
        return redirect(url_for("auth.sign_in_code"))
    form = AuthenticatorForm()
    key = second_factor.enrolment_key()
    sent = send_form(form, lambda: _set_up(user, key, form.code.data or ""), one_time=False)
    if sent is None:
        return _set_up_page(form, user, key, first=True)
    codes, device_cookie = sent.result
    return _start(user, device_cookie, codes)


def _set_up_page(form: AuthenticatorForm, user: User, key: str, *, first: bool) -> ResponseReturnValue:
    """The page that sets up an authenticator app with ``key`` (at the first sign-in, or from the
    account); never stored by the browser, as it shows the key."""
    enrolment = second_factor.enrolment_for(user, key)
    page = render_template("auth/set_up_authenticator.html", form=form, enrolment=enrolment, first=first)
    return page, 400 if form.errors else 200, NO_STORE


def _new_codes_page(codes: list[str]) -> ResponseReturnValue:
    """New recovery codes, shown once from the account; never stored by the browser."""
    return render_template("auth/recovery_codes.html", codes=codes, first=False), 200, NO_STORE


def _set_up(user: User, key: str, code: str) -> tuple[list[str], str]:
    codes = second_factor.confirm_authenticator(user, key, code)
    return codes, _signed_in(user, "authenticator")


# --- a person's own second factor -----------------------------------------------------------


@bp.route("/account/sign-in")
@signed_in
def two_factor() -> ResponseReturnValue:
    return account_sign_in_page()


def account_sign_in_page(
    form: ConfirmPasswordForm | None = None, passkey_form: PasskeyForm | None = None, status: int = 200
) -> ResponseReturnValue:
    """ "How you sign in": the app, the recovery codes left, the passkeys and the forms that change them."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    codes_form = form or ConfirmPasswordForm(formdata=None)
    passkey_form = passkey_form or PasskeyForm(formdata=None)
    page = render_template(
        "auth/two_factor.html",
        left=second_factor.recovery_codes_left(user),
        codes_form=codes_form,
        passkeys=passkeys.passkeys_of(user),
        passkey_form=passkey_form,
        form=passkey_form if passkey_form.errors else codes_form,  # the page's error summary
    )
    return page, status


@bp.route("/account/sign-in/recovery-codes", methods=["POST"])
@signed_in
def new_recovery_codes() -> ResponseReturnValue:
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    form = ConfirmPasswordForm()
    sent = send_form(form, lambda: _with_password(user, form.password.data or ""), one_time=False)
    if sent is None:
        return account_sign_in_page(form=form, status=400)
    return _new_codes_page(sent.result)


def _with_password(user: User, password: str) -> list[str]:
    _check_password(user, password)
    return second_factor.new_recovery_codes(user)


def _check_password(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise DomainError("Your password is not right", field="password")


@bp.route("/account/sign-in/app", methods=["GET", "POST"])
@signed_in
def replace_authenticator() -> ResponseReturnValue:
    """A new phone: set up the app again while signed in; the old key stops working."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    form = ReplaceAuthenticatorForm()
    key = second_factor.enrolment_key()
    change = lambda: _replace(user, form.password.data or "", key, form.code.data or "")  # noqa: E731
    sent = send_form(form, change, one_time=False)
    if sent is None:
        return _set_up_page(form, user, key, first=False)
    return _new_codes_page(sent.result)


def _replace(user: User, password: str, key: str, code: str) -> list[str]:
    _check_password(user, password)
    return second_factor.confirm_authenticator(user, key, code)
