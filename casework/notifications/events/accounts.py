"""A new or reset account's set-password link, emailed when the administrator chooses to.

The one message that holds a secret: the link itself. It is mail only, never a notification in
the app, and the token is in no row but the message's own body (the user keeps only its hash).
"""

from __future__ import annotations

import hashlib

from flask import current_app

from casework.auth.models import User
from casework.core.timeutil import utcnow
from casework.notifications.events.common import path_for
from casework.notifications.models import SET_PASSWORD_KIND
from casework.notifications.outbox import queue_mail
from casework.notifications.telling import absolute, render_mail


def set_password_link_emailed(user: User, token: str) -> bool:
    """Queue the link to the person; False if this very link was already queued."""
    url = absolute(path_for("auth.set_password", token=token))
    hours = int(current_app.config["SET_PASSWORD_LINK_LIFETIME"].total_seconds() // 3600)
    subject = f"Set your password for {current_app.config['PARTNERSHIP_NAME']} Casework"
    text, html = render_mail("set_password", user=user, url=url, hours=hours, subject=subject)
    # One message per link (a digest of it names it): a new link the same day is sent too.
    item = f"user:{user.id}:{hashlib.sha256(token.encode()).hexdigest()[:16]}"
    return queue_mail(user, SET_PASSWORD_KIND, item, subject, text, html)


def second_factor_reset_emailed(user: User, by: User) -> bool:
    """Tell the person an administrator reset their second factor: if they did not ask for it,
    they must say so at once. No link and no secret: they set up a new app when they sign in."""
    subject = f"Your {current_app.config['PARTNERSHIP_NAME']} Casework sign-in was reset"
    text, html = render_mail("second_factor_reset", user=user, by=by, subject=subject)
    item = f"user:{user.id}:{user.version}"
    return queue_mail(user, "second_factor_reset", item, subject, text, html)


def sign_in_changed_emailed(
    user: User, change: str, *, what: str = "changed", item: str | None = None
) -> bool:
    """Tell the person their own sign-in changed (a new password, a new app, new recovery codes,
    a passkey added or removed) or was tried with a used code: if it was not them, someone else
    has their account, and they must say so at once. Nothing secret in it."""
    subject = f"Your {current_app.config['PARTNERSHIP_NAME']} Casework sign-in {what}"
    text, html = render_mail("sign_in_changed", user=user, change=change, subject=subject)
    if item is None:
        item = f"user:{user.id}:{hashlib.sha256(f'{change}{utcnow().isoformat()}'.encode()).hexdigest()[:16]}"
    return queue_mail(user, "sign_in_changed", item, subject, text, html)
