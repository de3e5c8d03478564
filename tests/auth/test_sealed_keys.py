"""Authenticator keys are encrypted at rest: the database holds a sealed form, the app reads the
key, another installation's key reads nothing (and signing in says so, never an error), and the
migration seals the keys already kept."""

from __future__ import annotations

import flask_migrate
import pyotp
from flask import Flask
from sqlalchemy import select, text

from casework import create_app
from casework.auth.models import Role, User
from casework.core import sealed
from casework.core.extensions import db
from casework.core.sealed import seal, unseal
from tests.auth.sign_in_support import app_like
from tests.conftest import PASSWORD, client_as, make_config, make_user, post_form, sign_in
from tests.support.people import authenticator_code, insert_user_row
from tests.test_migrations import scratch_database  # noqa: F401 (a fixture)


def raw_key(app: Flask, user_id: int) -> str:
    with app.app_context():
        return db.session.execute(
            text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user_id}
        ).scalar_one()


def test_the_database_holds_the_key_sealed_and_the_app_reads_it(app: Flask) -> None:
    with app.app_context():
        user = make_user(Role.BOARD_MANAGER)
        loaded = db.session.get(User, user.id)
        assert loaded.totp_secret == user.totp_secret
    stored = raw_key(app, user.id)
    assert user.totp_secret not in stored and len(stored) > 100
    assert unseal(stored, app.config["SECRET_KEY"]) == user.totp_secret
    client = app.test_client()
    sign_in(client, user.email, PASSWORD)
    assert post_form(client, "/sign-in/code", {"code": authenticator_code(user)}).status_code == 302


def test_a_separate_field_key_is_used_when_set_and_another_key_reads_nothing(app: Flask) -> None:
    with app.app_context():
        user = make_user(Role.BOARD_MANAGER)
    other = app_like(app, FIELD_ENCRYPTION_KEY="another installation's key, set apart")
    with other.app_context():
        assert db.session.get(User, user.id).totp_secret is None  # unreadable, not an error
    client = other.test_client()
    sign_in(client, user.email, PASSWORD)
    refused = post_form(client, "/sign-in/code", {"code": authenticator_code(user)})
    assert refused.status_code == 400
    assert "no authenticator app is set up" in refused.get_data(as_text=True)
    with other.app_context():
        db.engine.dispose()


def test_the_migration_seals_the_keys_already_kept(scratch_database: str) -> None:  # noqa: F811
    app = create_app(make_config(scratch_database))
    key = pyotp.random_base32()
    with app.app_context():
        flask_migrate.upgrade(revision="b7e4c1d9a052")
        user_id = insert_user_row("kept@example.org", "Kept Key")
        db.session.execute(
            text("UPDATE users SET totp_secret = :key WHERE id = :id"), {"key": key, "id": user_id}
        )
        db.session.commit()
        flask_migrate.upgrade()
        stored = db.session.execute(text("SELECT totp_secret FROM users")).scalar_one()
        assert stored != key and unseal(stored, app.config["SECRET_KEY"]) == key
        assert db.session.execute(select(User.totp_secret)).scalar_one() == key
        db.session.rollback()  # let go of the table: the downgrade alters it from another connection
        flask_migrate.downgrade(revision="b7e4c1d9a052")
        assert db.session.execute(text("SELECT totp_secret FROM users")).scalar_one() == key
        db.session.remove()
        db.engine.dispose()


def test_sealing_twice_gives_different_forms_of_the_same_key() -> None:
    first, second = seal("JBSWY3DPEHPK3PXP", "k"), seal("JBSWY3DPEHPK3PXP", "k")
    assert first != second and unseal(first, "k") == unseal(second, "k") == "JBSWY3DPEHPK3PXP"
    assert unseal(first, "another key") is None


def test_a_signed_in_page_leaves_the_key_sealed(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every request loads its user with the session; the key is opened only to check a code."""
    with app.app_context():
        user = make_user(Role.BOARD_MANAGER)
    client = client_as(app, user)
    opened: list[str] = []
    monkeypatch.setattr(sealed, "unseal", lambda token, secret: opened.append(token) or unseal(token, secret))
    assert client.get("/account").status_code == 200
    assert opened == []
    client = app.test_client()
    sign_in(client, user.email, PASSWORD)
    assert post_form(client, "/sign-in/code", {"code": authenticator_code(user)}).status_code == 302
    assert opened  # checking the code needed it
