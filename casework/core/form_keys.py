"""One-time form keys: a form posted twice (a double click, a retry, twenty concurrent posts of
the same page) changes things once.

Each rendering of a form carries a new random key in a hidden field. :func:`casework.core.forms.submit`
inserts the posted key into ``form_keys`` (unique) in the same transaction as the change, before
the change runs. A second post of the same key then either finds the committed row, or (posted
while the first is still running) waits on the unique index until the first commits and fails:
its transaction is rolled back and the person is sent where the first post went, told that the
form was already sent. If the first post is refused or fails, its key goes with the rollback and
the form can be sent again.

A post without a key (a page rendered before keys existed, a client that is not a browser) is
handled as before, without the one-time guarantee: every page the service renders carries one.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import String, Text, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField
from wtforms.validators import StopValidation

from casework.core.extensions import db
from casework.core.timeutil import UTCDateTime, utcnow

FIELD = "form_key"
ALREADY_SENT = "This form was already sent, so it was not saved again."
MALFORMED = "This form could not be sent. Reload the page and try again."
KEY_LIFETIME = timedelta(days=30)  # far longer than a page can be posted (the CSRF token's 12 hours)

_KEY = re.compile(r"[A-Za-z0-9_-]{22,64}")


class FormKey(db.Model):
    """A form key that has been used: the row exists once its post has committed."""

    __tablename__ = "form_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    # Where the post that used the key sent the person; a repeat is sent there too.
    sent_to: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


def new_form_key() -> str:
    return secrets.token_urlsafe(24)


class FormKeyField(HiddenField):
    """The one-time key. The posted value is the field's data; each rendering carries a fresh
    key, so a page shown again after a refused post, or a form object drawn in two places (two
    buttons, two forms on a page that all receive the posted fields), never offers a key that
    is, or may become, used by another post."""

    def __call__(self, **kwargs: Any) -> Any:
        kwargs.setdefault("id", False)  # several forms on one page: no duplicate ids
        return super().__call__(**kwargs)

    def _value(self) -> str:
        return new_form_key()

    def pre_validate(self, form: Any) -> None:
        if self.data and not _KEY.fullmatch(self.data):
            raise StopValidation(MALFORMED)


class OneTimeForm(FlaskForm):
    """The base of every form that creates or changes something: it carries a one-time key,
    which :func:`casework.core.forms.submit` honours. Render it with ``{{ form.form_key }}`` next to
    the CSRF token (the ``form_fields`` macro does)."""

    form_key = FormKeyField()
    # A form that shares its page with others names its fields' ids apart ("finding-text"), so
    # each id is used once on the page and each label and error link finds its own field. The
    # names posted stay the same.
    id_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.id_prefix:
            for field in self:
                if field.type not in ("CSRFTokenField", "HiddenField", "FormKeyField"):
                    field.id = f"{self.id_prefix}-{field.name}"


class FormAlreadySentError(Exception):
    def __init__(self, sent_to: str | None) -> None:
        super().__init__(sent_to)
        self.sent_to = sent_to


def posted_key(form: FlaskForm) -> str | None:
    """The well-formed key the form was posted with, if any."""
    field = getattr(form, FIELD, None)
    data = field.data if isinstance(field, FormKeyField) else None
    return data if isinstance(data, str) and _KEY.fullmatch(data) else None


def check_form_key(form: FlaskForm) -> None:
    """Raise :class:`FormAlreadySentError` when a committed post has already used the form's key."""
    key = posted_key(form)
    if key is None:
        return
    used = db.session.execute(select(FormKey).where(FormKey.key == key)).scalar_one_or_none()
    if used is not None:
        raise FormAlreadySentError(used.sent_to)


def claim_form_key(form: FlaskForm) -> FormKey | None:
    """Insert the form's key into the transaction, before the change it guards. A concurrent
    post of the same key waits on the unique index until this transaction ends; once it has
    committed, this fails, the transaction is rolled back and :class:`FormAlreadySentError` raised.
    Returns the row (to record where the post sends the person), or None for a post without a key.

    Call it first in the transaction: a conflict rolls back everything not yet committed."""
    key = posted_key(form)
    if key is None:
        return None
    row = FormKey(key=key)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        used = db.session.execute(select(FormKey).where(FormKey.key == key)).scalar_one_or_none()
        if used is None:
            raise
        raise FormAlreadySentError(used.sent_to) from None
    return row


def already_sent(error: FormAlreadySentError, fallback: str | None = None) -> ResponseReturnValue:
    """Send the person where the first post of the form went, and say why nothing changed."""
    flash(ALREADY_SENT, "info")
    return redirect(error.sent_to or fallback or url_for("main.index"))


def purge_form_keys(older_than: timedelta = KEY_LIFETIME) -> int:
    """Delete keys used longer ago than ``older_than``; their forms can no longer be posted.
    The caller commits."""
    result = db.session.execute(delete(FormKey).where(FormKey.created_at < utcnow() - older_than))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
