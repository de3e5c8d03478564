"""People and agencies as real rows. Call inside ``with app.app_context():``; what they return
stays usable (loaded) after the context ends."""

from __future__ import annotations

import functools
import itertools
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyotp
import pytest
from flask import Flask, current_app
from sqlalchemy import insert

from casework.agencies.models import Agency, AgencyType
from casework.auth import second_factor
from casework.auth.models import RecoveryCode, Role, User
from casework.auth.passwords import hash_password
from casework.core.extensions import db
from casework.core.timeutil import utcnow
from tests.support.rows import stored

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def make_agency(name: str | None = None, agency_type: AgencyType = AgencyType.POLICE) -> Agency:
    agency = Agency(name=name or f"Agency {next(_sequence)}", agency_type=agency_type)
    db.session.add(agency)
    db.session.commit()
    db.session.refresh(agency)  # loaded, so usable after the app context ends
    return agency


def three_agencies(**names: str) -> dict[str, tuple[str, AgencyType]]:
    """The agencies of a world by key: a police force, an NHS trust and a school, in that order,
    under the names given (``X="Northshire Police", ...``)."""
    kinds = (AgencyType.POLICE, AgencyType.NHS_TRUST, AgencyType.EDUCATION)
    return {key: (name, kind) for (key, name), kind in zip(names.items(), kinds, strict=True)}


# Three agencies the contribution and appointment tests use: X and Y are in the review's scope.
THREE_AGENCIES = three_agencies(X="Northshire Police", Y="Riverside NHS Trust", W="Hilltop Academy")


def make_agencies(agencies: dict[str, tuple[str, AgencyType]]) -> dict[str, Agency]:
    """An agency for each key, of the name and type given."""
    return {key: make_agency(name, agency_type) for key, (name, agency_type) in agencies.items()}


def _argon2_costs() -> tuple[object, ...]:
    return tuple(
        current_app.config.get(f"ARGON2_{cost}") for cost in ("TIME_COST", "MEMORY_COST", "PARALLELISM")
    )


@functools.cache
def _hashed(password: str, *costs: object) -> str:
    """One argon2 hash per password and cost settings for the whole run: people made by the kit
    share it (the hashing itself is tested in tests/auth/test_passwords.py)."""
    return hash_password(password)


def make_user(
    role: Role = Role.BOARD_MANAGER,
    *,
    email: str | None = None,
    name: str | None = None,
    password: str | None = PASSWORD,
    agency: Agency | None = None,
    active: bool = True,
    authenticator: bool = True,
) -> User:
    """A user in ``role``; with ``authenticator``, their app is already set up (its key is on the
    row: tests.support.people.authenticator_code gives its current code)."""
    if role == Role.AGENCY_LEAD and agency is None:
        agency = make_agency()
    number = next(_sequence)
    user = User(
        name=name or f"Person {number}",
        email=email or f"{role.value}{number}@example.org",
        role=role,
        agency=agency,
        active=active,
        password_hash=_hashed(password, *_argon2_costs()) if password else None,
        password_changed_at=utcnow() if password else None,
    )
    if authenticator:  # left unset otherwise: tests of old migrations insert users without these columns
        user.totp_secret, user.totp_confirmed_at = pyotp.random_base32(), utcnow()
    db.session.add(user)
    db.session.commit()
    db.session.refresh(user)  # loaded, so usable after the app context ends
    return user


def person_fixture(role: Role, **details: object) -> Callable[[Flask], User]:
    """A fixture (named by the name it is given in the module) of a new user in ``role`` with
    these ``details`` (see make_user), made in its own app context and usable after it."""

    @pytest.fixture
    def person(app: Flask) -> User:
        with app.app_context():
            return make_user(role, **details)  # type: ignore[arg-type]

    return person


# The cast the access tests use: one person in every role, reviewers in each position on a
# review, and an agency lead for each agency. Their names are what pages are searched for.
CAST_NAMES = {
    "board_manager": "Morgan Price",
    "R1": "Robin Lead",
    "R2": "Sam Proposed",
    "R3": "Terry Elsewhere",
    "admin": "Alex Admin",
}
LEAD_NAMES = {"X": "Priya Police", "Y": "Yusuf Health", "Z": "Zoe School"}


CAST_ROLES = {
    "board_manager": Role.BOARD_MANAGER,
    "R1": Role.REVIEWER,
    "R2": Role.REVIEWER,
    "R3": Role.REVIEWER,
    "admin": Role.ADMIN,
}


def cast_roles(agencies: Iterable[str]) -> dict[str, Role]:
    """The role of each person make_cast makes for these agencies: the cast and a lead of each."""
    return CAST_ROLES | {"L" + key: Role.AGENCY_LEAD for key in agencies}


@dataclass
class Cast:
    """Ids of the people ("board_manager", "R1", "LX", ...) and agencies ("X", ...)."""

    user_ids: dict[str, int] = field(default_factory=dict)
    agency_ids: dict[str, int] = field(default_factory=dict)

    def user(self, person: str) -> User:
        return stored(User, self.user_ids[person])

    def agency(self, key: str) -> Agency:
        return stored(Agency, self.agency_ids[key])


def make_cast(agencies: dict[str, tuple[str, AgencyType]]) -> Cast:
    """A board manager, three reviewers (R1, R2, R3), an admin and a lead (LX...) of each agency."""
    cast = Cast()
    cast.agency_ids = {key: agency.id for key, agency in make_agencies(agencies).items()}
    for person, role in CAST_ROLES.items():
        cast.user_ids[person] = make_user(role, name=CAST_NAMES[person]).id
    for key in agencies:
        lead = make_user(Role.AGENCY_LEAD, name=LEAD_NAMES[key], agency=cast.agency(key))
        cast.user_ids["L" + key] = lead.id
    return cast


def insert_user_row(email: str, name: str, role: Role = Role.BOARD_MANAGER) -> int:
    """A users row written with only the columns the table has had since the first migration, for
    tests that stop the schema at an older revision (the ORM would name every column of today's)."""
    now = utcnow()
    values = {
        "email": email,
        "name": name,
        "role": role.value,
        "active": True,
        "session_token": secrets.token_urlsafe(32),
        "immediate_mail": True,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    users = User.__table__
    return db.session.execute(insert(users).values(**values).returning(users.c.id)).scalar_one()


def one_time_code(user_id: int) -> str:
    """A new recovery code for the user, as if printed when they set up their app: the test kit
    signs in with one, so that signing the same person in twice in the same 30 seconds works (an
    authenticator code works once)."""
    code = second_factor.normalise(f"kit{secrets.token_hex(6)}")
    db.session.add(RecoveryCode(user_id=user_id, code_hash=second_factor.code_hash(code)))
    db.session.commit()
    return code


def authenticator_code(user: User, *, step: int | None = None) -> str:
    """The code the user's authenticator app shows now (or at the 30-second ``step``)."""
    assert user.totp_secret, f"{user.email} has no authenticator app"
    totp = pyotp.TOTP(user.totp_secret)
    return totp.generate_otp(second_factor.current_step() if step is None else step)
