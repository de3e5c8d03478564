"""Every change to users and their sign-in state. Services flush; the request commits."""

from __future__ import annotations

import hashlib
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import update

from casework.agencies.models import Agency
from casework.auth import second_factor
from casework.auth.device_cookies import device_for
from casework.auth.models import EndReason, Role, User
from casework.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from casework.auth.throttling import Refusal, Scope, ThrottleUnavailableError, throttle
from casework.core import audit, errors
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from casework.notifications.events.accounts import (
    second_factor_reset_emailed,
    set_password_link_emailed,
    sign_in_changed_emailed,
)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


# --- signing in -----------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    refusal: Refusal | None = None


def authenticate(email: str, password: str, *, source: str, device_cookie: str | None = None) -> SignInResult:
    """Check a sign-in from the address ``source``.

    A throttled attempt is refused before any database read or password hash, so refusals are
    cheap and leave nothing behind. Unknown emails and wrong passwords take the same path and
    time: the same counters (keyed by the email's hash), the same dummy hash, the same answers.
    """
    email = normalise_email(email)
    limits = throttle()
    account, address = limits.account_key(email), limits.source_key(source)
    device = device_for(device_cookie, account)
    refusal = limits.check(account, address, device)
    if refusal:
        return SignInResult(None, refusal)
    user = find_user_by_email(email)
    valid = verify_password(user.password_hash if user else None, password)
    if not (valid and user and user.active):
        refusals = limits.record_failure(account, address, device)
        if user:
            audit.record("sign_in_failed", f"Failed sign-in for {user.email}", subject=user, actor=user)
            locks = [refusal for refusal in refusals if refusal.scope is not Scope.SOURCE]
            if locks:
                audit.record(
                    "account_locked",
                    f"Sign-in locked for {user.email} ({LOCK_SCOPES[locks[0].scope]})",
                    subject=user,
                    actor=user,
                    details={"scope": locks[0].scope.value, "until": locks[0].until.isoformat()},
                )
        return SignInResult(None, refusals[0] if refusals else None)
    # The password alone signs nobody in (auth.second_factor): the throttle keeps counting this
    # browser's failures, wrong codes included, until both factors were right.
    if needs_rehash(user.password_hash or ""):
        _update_quietly(user, password_hash=hash_password(password))
        db.session.flush()
    return SignInResult(user)


LOCK_SCOPES = {
    Scope.ADDRESS: "from one address",
    Scope.ACCOUNT: "from every browser it has not been used on",
    Scope.DEVICE: "from one browser it has been used on",
}


def lock_state(email: str) -> datetime | None:
    """Until when some lock on this account lasts, for administrators; None if there is none
    (or if the counters cannot be read just now: the page still shows)."""
    limits = throttle()
    try:
        return limits.locked_until(limits.account_key(normalise_email(email)))
    except ThrottleUnavailableError:
        return None


def _clear_failures(email: str) -> None:
    limits = throttle()
    limits.unlock(limits.account_key(normalise_email(email)))


def unlock_sign_in(user: User) -> None:
    try:
        _clear_failures(user.email)
    except ThrottleUnavailableError:
        raise DomainError(
            "Sign-in could not be unlocked because its counters cannot be reached. Try again in a few minutes"
        ) from None
    audit.record("account_unlocked", f"Sign-in unlocked for {user.email}", subject=user)


def _update_quietly(user: User, **values: object) -> None:
    """Update sign-in bookkeeping without bumping the row version that guards admin edits."""
    db.session.execute(update(User).where(User.id == user.id).values(**values))


def sign_out(user: User) -> None:
    """Signing out ends this browser's session (auth.sessions.end_session); the person's other
    devices stay signed in until they sign out there or end them from "Your sessions"."""
    audit.record("signed_out", f"{user.email} signed out", subject=user, actor=user)
    db.session.flush()


def choose_immediate_mail(user: User, wanted: bool) -> bool:
    """The person's own choice; it leaves the row version alone, so an administrator's open
    edit of the account is not made stale by it."""
    _update_quietly(user, immediate_mail=wanted)
    audit.record(
        "immediate_mail_chosen" if wanted else "immediate_mail_declined",
        f"{user.email} chose {'to' if wanted else 'not to'} be emailed as things happen",
        subject=user,
        actor=user,
    )
    db.session.flush()
    return wanted


# --- passwords ------------------------------------------------------------------------


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise DomainError("Your current password is not right", field="current_password")
    _set_password(user, new_password)
    audit.record("password_changed", f"{user.email} changed their password", subject=user)
    sign_in_changed_emailed(
        user, "Your password was changed, and every other session you had open was ended."
    )


def _set_password(user: User, new_password: str) -> None:
    problem = password_problem(new_password, email=user.email, name=user.name)
    if problem:
        raise DomainError(problem, field="new_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.set_password_token_hash = None
    user.set_password_expires_at = None
    user.end_all_sessions(EndReason.PASSWORD)
    db.session.flush()


def issue_set_password_link(user: User, version: int | None = None) -> str:
    """Create a one-time token to set a password; only its hash is stored."""
    check_version(user, version)
    if not user.active:
        raise DomainError("Reactivate this account before creating a set-password link")
    token = secrets.token_urlsafe(32)
    user.set_password_token_hash = _digest(token)
    user.set_password_expires_at = utcnow() + current_app.config["SET_PASSWORD_LINK_LIFETIME"]
    audit.record("set_password_link_created", f"Set-password link created for {user.email}", subject=user)
    db.session.flush()
    return token


def email_set_password_link(user: User, version: int | None = None) -> None:
    """A new link, emailed to the person rather than shown to the administrator."""
    _email_link(user, issue_set_password_link(user, version))


def _email_link(user: User, token: str) -> None:
    set_password_link_emailed(user, token)
    audit.record("set_password_link_emailed", f"Set-password link emailed to {user.email}", subject=user)


def user_for_set_password_token(token: str) -> User | None:
    user = db.session.execute(
        db.select(User).where(User.set_password_token_hash == _digest(token))
    ).scalar_one_or_none()
    if user is None or not user.active or not user.set_password_expires_at:
        return None
    if user.set_password_expires_at < utcnow():
        return None
    return user


def set_password_with_token(token: str, new_password: str) -> User:
    user = user_for_set_password_token(token)
    if user is None:
        raise DomainError(
            "This link has expired or has already been used. Ask your administrator for a new one"
        )
    _set_password(user, new_password)
    with suppress(ThrottleUnavailableError):  # the new password matters more than a stale lock
        _clear_failures(user.email)
    audit.record("password_set", f"{user.email} set their password from a link", subject=user, actor=user)
    return user


# --- administration -------------------------------------------------------------------


def _check_agency(role: Role, agency: Agency | None) -> Agency | None:
    if role == Role.AGENCY_LEAD and agency is None:
        raise DomainError("Select the agency this agency lead works for", field="agency")
    return agency if role == Role.AGENCY_LEAD else None


def create_user(
    name: str, email: str, role: Role, agency: Agency | None, *, email_link: bool = False
) -> tuple[User, str | None]:
    """The new user and their set-password link to hand over, or None when it was emailed."""
    email = normalise_email(email)
    if find_user_by_email(email):
        raise DomainError("A user with this email address already exists", field="email")
    user = User(name=name.strip(), email=email, role=role, agency=_check_agency(role, agency))
    db.session.add(user)
    audit.record(
        "user_created",
        f"User {email} created as {role.label}",
        subject=user,
        details={"role": role.value, "agency": agency.name if user.agency else None},
    )
    token = issue_set_password_link(user)
    if email_link:
        _email_link(user, token)
        return user, None
    return user, token


def _active_admins_other_than(user: User) -> int:
    # Lock the admin rows so two admins demoting each other cannot both succeed.
    ids = db.session.execute(
        db.select(User.id)
        .where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
        .with_for_update()
    ).scalars()
    return len(list(ids))


def _guard_last_admin(user: User, action: str) -> None:
    if user.role == Role.ADMIN and user.active and _active_admins_other_than(user) == 0:
        raise DomainError(f"You cannot {action} the last active administrator")


def check_version(user: User, version: int | None) -> None:
    errors.check_version(user, version, "this user")


def update_user(user: User, *, name: str, role: Role, agency: Agency | None, version: int | None) -> None:
    check_version(user, version)
    if role != Role.ADMIN:
        _guard_last_admin(user, "remove the administrator role from")
    before = {"name": user.name, "role": user.role.value, "agency": user.agency.name if user.agency else None}
    user.name = name.strip()
    user.role = role
    user.agency = _check_agency(role, agency)
    after = {"name": user.name, "role": role.value, "agency": user.agency.name if user.agency else None}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        audit.record("user_updated", f"User {user.email} updated", subject=user, details=changes)
    db.session.flush()


def deactivate_user(user: User, by: User, version: int | None = None) -> None:
    check_version(user, version)
    if not user.active:
        raise DomainError("This account is already deactivated")
    if user.id == by.id:
        raise DomainError("You cannot deactivate your own account")
    _guard_last_admin(user, "deactivate")
    user.active = False
    user.set_password_token_hash = None
    user.set_password_expires_at = None
    user.end_all_sessions(EndReason.DEACTIVATED)
    audit.record("user_deactivated", f"User {user.email} deactivated", subject=user)
    db.session.flush()


def reactivate_user(user: User, version: int | None = None) -> None:
    check_version(user, version)
    if user.active:
        raise DomainError("This account is already active")
    user.active = True
    audit.record("user_reactivated", f"User {user.email} reactivated", subject=user)
    db.session.flush()


def reset_second_factor(user: User, by: User, version: int | None = None) -> None:
    """An administrator resets a person's second factor (a lost phone): the app, the recovery
    codes, the passkeys and every session go; the person sets up a new app at their next sign-in,
    and is told."""
    check_version(user, version)
    if user.id == by.id:
        raise DomainError("Reset your own sign-in from your account page, or ask another administrator")
    second_factor.clear_second_factor(user)
    user.end_all_sessions(EndReason.ENDED_BY_ADMIN)
    audit.record("second_factor_reset", f"Second factor reset for {user.email}", subject=user)
    db.session.flush()
    second_factor_reset_emailed(user, by)


def create_first_admin(name: str, email: str, password: str) -> User:
    """Used by the create-admin command on a new installation."""
    email = normalise_email(email)
    if find_user_by_email(email):
        raise DomainError("A user with this email address already exists")
    user = User(name=name.strip(), email=email, role=Role.ADMIN)
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise DomainError(problem)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    db.session.add(user)
    audit.record(
        "user_created", f"Administrator {email} created from the command line", subject=user, actor=user
    )
    return user
