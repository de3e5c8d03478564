"""Passkeys (WebAuthn, through py_webauthn): registered from "How you sign in", then used as the
second factor after a right password, or alone when the device checked it was the person (a PIN,
a fingerprint, a face: the "user verified" flag), which is then both factors.

Each ceremony's challenge is kept in the session with its purpose and time, and is used once:
taking it from the (client-side) session is not enough, since an old cookie could be sent again,
so the challenge's hash is also claimed in the table of used one-time keys. Failed passkey sign-ins
count on the same throttle as wrong passwords and codes (auth.throttling) and are audited.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request, session
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from casework.auth.device_cookies import device_for
from casework.auth.models import Passkey, User
from casework.auth.passwords import verify_password
from casework.auth.throttling import Refusal, throttle
from casework.core import audit
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.form_keys import FormKey
from casework.core.timeutil import utcnow
from casework.notifications.events.accounts import sign_in_changed_emailed

CHALLENGE = "passkey_challenge"
REGISTER, SIGN_IN, SECOND_STEP = "register", "sign_in", "second_step"
MAX_PASSKEYS = 10
# Anything a malformed or hostile response can raise while it is read: refused, never a 500.
_MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError, IndexError)
_TRY_AGAIN = "Your passkey could not be checked. Try again, or use another way to sign in"


@dataclass(frozen=True)
class RelyingParty:
    id: str  # the host name passkeys are bound to
    origin: str  # where the browser must say the ceremony happened


def relying_party() -> RelyingParty:
    """The configured address (CASEWORK_BASE_URL) when the request came to its host; otherwise the
    host the request came to (a development server, a second name). Either way the browser binds
    each passkey to the host it was made on, so a passkey only ever works where it was registered."""
    base = urlsplit(current_app.config["BASE_URL"])
    if base.hostname and request.host == base.netloc:
        origin = f"{base.scheme}://{base.netloc}"
    else:
        origin = request.host_url.rstrip("/")
    return RelyingParty(urlsplit(origin).hostname or "", origin)


def passkeys_of(user: User) -> list[Passkey]:
    return list(
        db.session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at))
    )


def passkey_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Passkey).where(Passkey.user_id == user.id))


def has_passkey(user: User) -> bool:
    return passkey_count(user) > 0


def passkey_of(user: User, passkey_id: int) -> Passkey | None:
    """One of this person's own passkeys; someone else's is as unknown as a missing one."""
    return db.session.scalar(select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id))


def _user_handle(user: User) -> bytes:
    # What a discoverable passkey hands back to name its owner: the row id, no personal data.
    return str(user.id).encode()


def _descriptors(passkeys: list[Passkey]) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(passkey.credential_id),
            transports=[AuthenticatorTransport(t) for t in passkey.transports.split(",") if t],
        )
        for passkey in passkeys
    ]


# --- the challenge: one ceremony, one use ---------------------------------------------------


class _RefusedError(Exception):
    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message, self.reason = message, reason


def _remember(purpose: str, challenge: bytes, user: User | None = None) -> None:
    session[CHALLENGE] = {
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
        "at": int(time.time()),
        "user": user.id if user else None,
    }


def _take_challenge(purpose: str, user: User | None = None) -> bytes:
    """The challenge this browser was given for ``purpose``, once, and only while it is fresh."""
    state = session.pop(CHALLENGE, None)
    if not isinstance(state, dict) or state.get("purpose") != purpose:
        raise _RefusedError(_TRY_AGAIN, "no challenge")
    if user is not None and state.get("user") != user.id:
        raise _RefusedError(_TRY_AGAIN, "challenge for another person")
    lifetime = current_app.config["PASSKEY_CHALLENGE_LIFETIME"].total_seconds()
    if time.time() - int(state.get("at", 0)) > lifetime:
        raise _RefusedError("You took too long to use your passkey. Try again", "challenge expired")
    try:
        challenge = base64url_to_bytes(str(state["challenge"]))
    except _MALFORMED:
        raise _RefusedError(_TRY_AGAIN, "malformed challenge") from None
    # A copy of an old session cookie would hold the same challenge: its first use is recorded.
    try:
        with db.session.begin_nested():
            db.session.add(FormKey(key=hashlib.sha256(b"passkey:" + challenge).hexdigest()))
    except IntegrityError:
        raise _RefusedError(_TRY_AGAIN, "challenge used before") from None
    return challenge


# --- registering a passkey ------------------------------------------------------------------


def registration_options(user: User) -> str:
    """Options for navigator.credentials.create(): a discoverable passkey (so it can sign in
    without the email address), never one of the person's existing passkeys again."""
    rp = relying_party()
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=current_app.config["TWO_FACTOR_ISSUER"],
        user_id=_user_handle(user),
        user_name=user.email,
        user_display_name=user.name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(passkeys_of(user)),
    )
    _remember(REGISTER, options.challenge, user)
    return options_to_json(options)


def add_passkey(user: User, *, name: str, password: str, credential: str) -> Passkey:
    """The password again, then the device's answer to this browser's challenge: a new passkey."""
    if not verify_password(user.password_hash, password):
        session.pop(CHALLENGE, None)
        raise DomainError("Your password is not right", field="password")
    if not credential:
        raise DomainError("Your browser did not make a passkey. Try again", field="name")
    if passkey_count(user) >= MAX_PASSKEYS:
        raise DomainError(f"You have {MAX_PASSKEYS} passkeys. Remove one you no longer use first")
    rp = relying_party()
    try:
        challenge = _take_challenge(REGISTER, user)
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except _RefusedError as refused:
        raise DomainError(refused.message, field="name") from None
    except _MALFORMED:
        raise DomainError("Your passkey could not be checked. Try again", field="name") from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)):
        raise DomainError("This passkey is already registered. Use it, or make another", field="name")
    passkey = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(_transports(credential)),
        name=name,
    )
    db.session.add(passkey)
    audit.record("passkey_added", f"{user.email} added the passkey {name!r}", subject=user, actor=user)
    sign_in_changed_emailed(user, f"A passkey named \u201c{name}\u201d was added to your account.")
    return passkey


def _transports(credential: str) -> list[str]:
    """The transports the browser reported, kept as hints for later sign-ins (known names only)."""
    try:
        reported = json.loads(credential).get("response", {}).get("transports", [])
    except (ValueError, AttributeError):
        return []
    known = {transport.value for transport in AuthenticatorTransport}
    return (
        [t for t in reported if isinstance(t, str) and t in known][:8] if isinstance(reported, list) else []
    )


def remove_passkey(user: User, passkey: Passkey, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise DomainError("Your password is not right", field="password")
    removed = db.session.execute(delete(Passkey).where(Passkey.id == passkey.id, Passkey.user_id == user.id))
    if removed.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError("This passkey has already been removed")
    audit.record(
        "passkey_removed", f"{user.email} removed the passkey {passkey.name!r}", subject=user, actor=user
    )
    sign_in_changed_emailed(
        user, f"The passkey named \u201c{passkey.name}\u201d was removed from your account."
    )


# --- signing in with a passkey --------------------------------------------------------------


def authentication_options(pending: User | None) -> str:
    """Options for navigator.credentials.get(). Alone (``pending`` None) the device offers its
    passkeys for this site and must check it is the person; as the second step, only the passkeys
    of the person whose password was right are asked for."""
    allowed = _descriptors(passkeys_of(pending)) if pending else None
    if pending is not None and not allowed:
        raise DomainError("No passkey is registered to your account. Enter a code instead")
    verification = UserVerificationRequirement.PREFERRED if pending else UserVerificationRequirement.REQUIRED
    options = generate_authentication_options(
        rp_id=relying_party().id, allow_credentials=allowed, user_verification=verification
    )
    _remember(SECOND_STEP if pending else SIGN_IN, options.challenge, pending)
    return options_to_json(options)


@dataclass(frozen=True)
class PasskeyResult:
    user: User | None
    refusal: Refusal | None = None
    message: str = ""


def sign_in_with_passkey(
    credential: str, *, pending: User | None, source: str, device_cookie: str | None
) -> PasskeyResult:
    """Check the device's answer. ``pending``: the person whose password was right (the second
    step); None: a sign-in with the passkey alone. Throttled before the signature is checked; a
    refusal counts as a failed attempt, like a wrong code."""
    purpose = SECOND_STEP if pending else SIGN_IN
    parsed = _parsed(credential)
    credential_id = str(parsed.get("id", ""))[:1400]
    passkey = db.session.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
    owner = pending or (db.session.get(User, passkey.user_id) if passkey else None)
    limits = throttle()
    # An unknown passkey is counted like an unknown email: on its own name and on the address.
    account = limits.account_key(owner.email if owner else f"passkey:{credential_id}")
    address = limits.source_key(source)
    device = device_for(device_cookie, account)
    refusal = limits.check(account, address, device)
    if refusal:
        session.pop(CHALLENGE, None)
        return PasskeyResult(None, refusal)
    try:
        _check(parsed, passkey, owner, pending, purpose)
    except _RefusedError as refused:
        refusals = limits.record_failure(account, address, device)
        who = owner.email if owner else "an unknown passkey"
        audit.record(
            "passkey_failed",
            f"Passkey sign-in refused for {who}: {refused.reason}",
            subject=owner,
            actor=owner,
            details={"reason": refused.reason, "step": purpose},
        )
        return PasskeyResult(None, refusals[0] if refusals else None, refused.message)
    return PasskeyResult(owner)


def _parsed(credential: str) -> dict[str, Any]:
    try:
        parsed = json.loads(credential) if len(credential) <= 64_000 else None
    except ValueError:
        parsed = None
    return parsed if isinstance(parsed, dict) else {}


def _check(
    parsed: dict[str, Any], passkey: Passkey | None, owner: User | None, pending: User | None, purpose: str
) -> None:
    challenge = _take_challenge(purpose, pending)
    if passkey is None or owner is None or not owner.active:
        raise _RefusedError(
            "This passkey is not registered with Casework. Sign in with your email address and password",
            "unknown passkey",
        )
    if passkey.user_id != owner.id:
        raise _RefusedError(
            "This passkey is not one of yours. Use your own passkey or a code", "another person's"
        )
    rp = relying_party()
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            # Alone, the passkey is both factors only if the device checked it was the person.
            require_user_verification=purpose == SIGN_IN,
        )
    except _MALFORMED as error:
        raise _RefusedError(_TRY_AGAIN, str(error)[:200] or type(error).__name__) from None
    handle = (parsed.get("response") or {}).get("userHandle")
    if purpose == SIGN_IN and handle and handle != bytes_to_base64url(_user_handle(owner)):
        raise _RefusedError(_TRY_AGAIN, "user handle of another person")
    # Only if nobody used the passkey meanwhile: a counter must never go back.
    used = db.session.execute(
        update(Passkey)
        .where(Passkey.id == passkey.id, Passkey.sign_count == passkey.sign_count)
        .values(sign_count=verified.new_sign_count, last_used_at=utcnow())
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise _RefusedError(_TRY_AGAIN, "used twice at once")
