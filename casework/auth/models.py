"""Users and their roles. Sign-in counters live in the rate-limit store (auth.throttling)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    update,
)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.agencies.models import Agency
from casework.core.db_types import enum_type
from casework.core.enums import LabelledEnum
from casework.core.extensions import db
from casework.core.model_parts import Versioned
from casework.core.sealed import SealedString
from casework.core.timeutil import UTCDateTime, utcnow


class Role(LabelledEnum):
    BOARD_MANAGER = "board_manager", "Board manager"
    REVIEWER = "reviewer", "Independent reviewer"
    AGENCY_LEAD = "agency_lead", "Agency lead"
    ADMIN = "admin", "Administrator"


def _held_by(role: Role, allows: str | None = None) -> Callable[[User], bool]:
    """A User method that says whether the person holds ``role``; ``allows`` is what it lets them do."""

    def check(user: User) -> bool:
        return user.role == role

    check.__doc__ = allows
    return check


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(Versioned, UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # An agency lead always belongs to one agency; nobody else is tied to one.
        CheckConstraint(
            "(role = 'agency_lead' AND agency_id IS NOT NULL) "
            "OR (role <> 'agency_lead' AND agency_id IS NULL)",
            name="agency_only_for_agency_leads",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role", 20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session cookie; replacing it ends every session the user has.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    set_password_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    set_password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Mail as things happen, besides the daily digest and the notifications in the app.
    immediate_mail: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # The calendar feed's secret address, kept hashed; resetting it retires the old address.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The second factor (casework/auth/second_factor.py): an authenticator app's key, set once
    # its first code is confirmed, and the last 30-second step whose code was used (no replay).
    totp_secret: Mapped[str | None] = mapped_column(SealedString())  # encrypted at rest
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # The version (Versioned): every ORM update bumps it; sign-in bookkeeping bypasses it (see
    # auth.services) so that signing in or out never makes an administrator's open form look stale.

    agency: Mapped[Agency | None] = relationship(back_populates="leads")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return self.session_token

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    # What the role allows whatever the record (templates: can("manage_reviews")); the rules about
    # one record live on the record (Review.can_manage...).
    can_manage_reviews = _held_by(
        Role.BOARD_MANAGER,
        "Start reviews, run every review, keep the working-days calendar and the review types.",
    )
    can_lead_reviews = _held_by(
        Role.REVIEWER, 'Be appointed to reviews as an independent reviewer: "my reviews", "my profile".'
    )
    can_manage_agencies = _held_by(Role.BOARD_MANAGER, "Keep the agency directory.")
    can_track_actions = _held_by(
        Role.BOARD_MANAGER, "Follow every action of every review, and keep the themes."
    )
    can_answer_for_agency = _held_by(
        Role.AGENCY_LEAD, "Answer requests and report on actions for one agency."
    )
    can_administer = _held_by(Role.ADMIN)

    @property
    def has_authenticator(self) -> bool:
        return self.totp_confirmed_at is not None

    @property
    def awaiting_password(self) -> bool:
        return self.password_hash is None

    def end_all_sessions(self, why: EndReason) -> None:
        """Sign the person out everywhere: every session record ends, and the token every
        session's data names is replaced (a session that began before this cannot name it)."""
        self.session_token = new_session_token()
        db.session.execute(
            update(WebSession)
            .where(WebSession.user_id == self.id, WebSession.ended_at.is_(None))
            .values(ended_at=utcnow(), ended_why=why)
            .execution_options(synchronize_session=False)
        )

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class RecoveryCode(db.Model):
    """One of a person's ten one-time recovery codes, kept as a hash; used once, then kept used."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EndReason(LabelledEnum):
    """Why a session ended; the label is what the browser that used it is told, if anything."""

    SIGNED_OUT = "signed_out", ""
    IDLE = "idle", ""
    TOO_LONG = "too_long", ""
    ENDED_ELSEWHERE = "ended_elsewhere", "You were signed out from another device. Sign in again."
    ENDED_BY_ADMIN = "ended_by_admin", "An administrator signed you out. Sign in again."
    PASSWORD = "password", "Your password was changed, so you were signed out. Sign in again."
    DEACTIVATED = "deactivated", ""


class WebSession(db.Model):
    """One browser's session: the cookie holds a random key, the row its hash and the data.

    A row exists once something is stored for the browser (a CSRF token, a message, a signed-in
    person). Ended rows stay until the daily sweep so their cookie is refused with a reason.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_active_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_agent: Mapped[str] = mapped_column(String(400), default="")
    address: Mapped[str] = mapped_column(String(45), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_why: Mapped[EndReason | None] = mapped_column(enum_type(EndReason, "end_reason", 20))

    user: Mapped[User | None] = relationship(lazy="raise_on_sql")

    @property
    def device(self) -> str:
        from casework.auth.devices import device_name

        return device_name(self.user_agent)

    def __repr__(self) -> str:
        return f"<WebSession {self.id} user={self.user_id}>"


class Passkey(db.Model):
    """A passkey a person registered (casework/auth/passkeys.py): the public half of a key pair
    their device keeps, and the name they gave it. A second factor, or a whole sign-in when the
    device checked it was them."""

    __tablename__ = "passkeys"
    __table_args__ = (CheckConstraint("sign_count >= 0", name="sign_count_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # base64url, as the browser names it; at most 1,023 bytes by the standard.
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE, as registered
    # The authenticator's counter: a lower or equal count later means a copied key (0: none kept).
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    transports: Mapped[str] = mapped_column(String(200), default="")  # comma-separated hints
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<Passkey {self.id} of user {self.user_id}>"
