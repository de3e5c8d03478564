"""The second factor every member of staff signs in with: an authenticator app (TOTP) or one of
ten one-time recovery codes (a passkey is the third way, casework/auth/passkeys.py).

A right password does not sign anyone in: it leaves a *pending* sign-in in the session, naming
the person, for a few minutes. Only the second factor turns it into a session. Wrong codes count
on the same throttle as wrong passwords (auth.throttling), so knowing the password buys no more
guesses; the throttle's per-browser count starts again only when both factors were right.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

import pyotp
import segno
from flask import current_app, session
from sqlalchemy import delete, update

from casework.auth.device_cookies import device_cookie_after_sign_in, device_for
from casework.auth.models import Passkey, RecoveryCode, User
from casework.auth.throttling import Refusal, throttle
from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.notifications.events.accounts import sign_in_changed_emailed

PENDING = "pending_sign_in"
ENROLMENT_KEY = "authenticator_key"
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_STEP_SECONDS = 30
# A code from the step before or after the current one is accepted: phones' clocks drift.
_DRIFT_STEPS = 1

METHODS = {
    "authenticator": "an authenticator app",
    "recovery_code": "a recovery code",
    "passkey": "a passkey",
}


# --- the pending sign-in --------------------------------------------------------------------


def begin(user: User, next_url: str | None) -> None:
    """The password was right: remember who, for the second step only."""
    token = session.get("csrf_token")
    session.clear()  # nothing from before survives; the session id changes at the end
    if token:
        session["csrf_token"] = token  # the next form is posted with the same page's token
    session[PENDING] = {"user": user.id, "at": int(time.time()), "next": next_url or ""}


def pending_user() -> User | None:
    """The person whose password was right a few minutes ago in this browser, if any."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    lifetime = current_app.config["SIGN_IN_SECOND_STEP_LIFETIME"].total_seconds()
    if time.time() - int(pending.get("at", 0)) > lifetime:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, pending.get("user"))
    return user if user is not None and user.active else None


def pending_next() -> str:
    pending = session.get(PENDING)
    return str(pending.get("next", "")) if isinstance(pending, dict) else ""


# --- checking a code ------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeResult:
    accepted: bool
    method: str = ""
    refusal: Refusal | None = None
    message: str = ""


def normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def check_code(user: User, code: str, *, source: str, device_cookie: str | None) -> CodeResult:
    """Check a code from the authenticator app or a recovery code. Throttled before anything is
    read; a wrong, used or replayed code counts as a failed attempt."""
    limits = throttle()
    account, address = limits.account_key(user.email), limits.source_key(source)
    device = device_for(device_cookie, account)
    refusal = limits.check(account, address, device)
    if refusal:
        return CodeResult(False, refusal=refusal)
    code = normalise(code)
    if code.isdigit():
        method, problem = "authenticator", _use_authenticator_code(user, code)
    else:
        method, problem = "recovery_code", _use_recovery_code(user, code)
    if problem is None:
        return CodeResult(True, method)
    refusals = limits.record_failure(account, address, device)
    audit.record(
        "second_factor_failed",
        f"Wrong sign-in code for {user.email} ({METHODS[method]})",
        subject=user,
        actor=user,
    )
    return CodeResult(False, method, refusals[0] if refusals else None, problem)


def current_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // _STEP_SECONDS)


def _matching_step(secret: str, code: str) -> int | None:
    """The 30-second step within the allowed drift whose code this is, if any."""
    totp = pyotp.TOTP(secret)
    now = current_step()
    for step in range(now - _DRIFT_STEPS, now + _DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_authenticator_code(user: User, code: str) -> str | None:
    if not user.totp_secret or not user.has_authenticator:
        return "Enter a recovery code: no authenticator app is set up for this account"
    step = _matching_step(user.totp_secret, code)
    if step is None:
        return "Enter the 6-digit code your authenticator app shows now"
    # Once a code has been used, it and every earlier code are spent: the update only happens
    # if no later step was used meanwhile, so two requests racing with one code cannot both pass.
    used = db.session.execute(
        update(User)
        .where(User.id == user.id, (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
        .values(totp_last_step=step)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        # Someone may have seen the code over the person's shoulder: they are told (once a step).
        sign_in_changed_emailed(
            user,
            "Someone entered a code from your authenticator app that had already been used. It was "
            "refused. If you did not just sign in twice, someone else may know your password.",
            what="was tried with a used code",
            item=f"user:{user.id}:used-code:{step}",
        )
        return "That code has already been used. Wait for your app to show a new code"
    return None


def _use_recovery_code(user: User, code: str) -> str | None:
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        return "Enter a recovery code you have not used before, or the code your app shows"
    audit.record("recovery_code_used", f"{user.email} used a recovery code", subject=user, actor=user)
    return None


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


# --- finishing the sign-in ------------------------------------------------------------------


def finish(user: User, method: str, *, source: str, device_cookie: str | None) -> str:
    """Both factors were right: the throttle forgets this browser's failures, the sign-in is
    recorded. Returns the device cookie that recognises this browser from now on."""
    limits = throttle()
    account = limits.account_key(user.email)
    limits.record_success(account, limits.source_key(source), device_for(device_cookie, account))
    db.session.execute(update(User).where(User.id == user.id).values(last_signed_in_at=utcnow()))
    audit.record(
        "signed_in",
        f"{user.email} signed in with {METHODS[method]}",
        subject=user,
        actor=user,
        details={"method": method},
    )
    db.session.flush()
    return device_cookie_after_sign_in(device_cookie, account)


# --- setting up the authenticator app -------------------------------------------------------


def enrolment_key() -> str:
    """The key being set up in this browser: made once, kept in the session until confirmed."""
    key = session.get(ENROLMENT_KEY)
    if not isinstance(key, str) or not key:
        key = pyotp.random_base32()
        session[ENROLMENT_KEY] = key
    return key


@dataclass(frozen=True)
class Enrolment:
    key: str
    uri: str
    qr_svg: str

    @property
    def key_groups(self) -> str:
        """The key in groups of four, as a person copies it into their app."""
        return " ".join(self.key[i : i + 4] for i in range(0, len(self.key), 4))


def enrolment_for(user: User, key: str) -> Enrolment:
    issuer = current_app.config["TWO_FACTOR_ISSUER"]
    uri = pyotp.TOTP(key).provisioning_uri(name=user.email, issuer_name=issuer)
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#0b0c0c", title="QR code of the key")
    return Enrolment(key, uri, svg)


def confirm_authenticator(user: User, key: str, code: str) -> list[str]:
    """The app shows the right code for the new key: it becomes this person's second factor,
    replacing any before it, with ten new recovery codes (returned: shown once)."""
    step = _matching_step(key, normalise(code))
    if step is None:
        raise DomainError(
            "Enter the 6-digit code your authenticator app shows for this key. Check that your "
            "phone's time is set automatically",
            field="code",
        )
    replaced = user.has_authenticator
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(totp_secret=key, totp_confirmed_at=utcnow(), totp_last_step=step)
    )
    db.session.refresh(user)
    session.pop(ENROLMENT_KEY, None)
    audit.record(
        "authenticator_replaced" if replaced else "authenticator_set_up",
        f"{user.email} {'replaced their' if replaced else 'set up an'} authenticator app",
        subject=user,
        actor=user,
    )
    sign_in_changed_emailed(
        user,
        "A new authenticator app was set up for your account, with new recovery codes: codes "
        "from any app and recovery codes you had before no longer work."
        if replaced
        else "An authenticator app was set up for your account, with ten recovery codes.",
    )
    return new_recovery_codes(user, tell=False)


def new_recovery_codes(user: User, *, tell: bool = True) -> list[str]:
    """Ten new codes; every earlier one stops working. Only their hashes are kept."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=code_hash(normalise(code))) for code in codes)
    audit.record("recovery_codes_made", f"New recovery codes for {user.email}", subject=user, actor=user)
    if tell:
        sign_in_changed_emailed(
            user, "New recovery codes were made for your account: the old ones no longer work."
        )
    db.session.flush()
    return codes


def _recovery_code() -> str:
    letters = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


def code_hash(code: str) -> str:
    # Ten random characters (about 50 bits) and a throttle: a fast hash is enough, and a keyed
    # one means a copy of the table alone does not let anyone test guesses offline.
    key = str(current_app.secret_key).encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def clear_second_factor(user: User) -> None:
    """Forget the app, the recovery codes and the passkeys: the person sets up a new app at their
    next sign-in."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(totp_secret=None, totp_confirmed_at=None, totp_last_step=None)
    )
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(Passkey).where(Passkey.user_id == user.id))
    db.session.refresh(user)
