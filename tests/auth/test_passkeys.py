"""Passkeys through the real pages and the real WebAuthn checks, with a device in Python
(tests/support/authenticator.py): adding and removing one, signing in with one alone or as the
second step, and every refusal (unknown, removed or someone else's passkey, a replayed or expired
challenge, a bad signature, a counter going back, another site, no check of the person, throttled)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select, update
from werkzeug.test import TestResponse

from casework.auth import services
from casework.auth.models import Passkey, RecoveryCode, Role, User
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from tests.conftest import PASSWORD, client_as, csrf_token, make_user, post_form, sign_in
from tests.support.authenticator import SoftAuthenticator
from tests.support.http import page_text
from tests.support.people import person_fixture

ORIGIN = "http://localhost"  # the test client's address: the passkeys' site is "localhost"
NOT_SIGNED_IN = 302  # /account sends a visitor who is not signed in to the sign-in page


def options(client: FlaskClient, path: str, token_from: str) -> dict:
    """What the page's script asks for: a JSON POST with the page's CSRF token."""
    response = client.post(path, headers={"X-CSRFToken": csrf_token(client, token_from)})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def add_passkey(
    client: FlaskClient, device: SoftAuthenticator, *, name: str = "Work laptop", **form: str
) -> TestResponse:
    made = device.create(options(client, "/account/sign-in/passkeys/options", "/account/sign-in"), ORIGIN)
    data = {"name": name, "password": PASSWORD, "credential": made, **form}
    return post_form(client, "/account/sign-in/passkeys", data, token_from="/account/sign-in")


def sign_in_with_passkey(
    client: FlaskClient, device: SoftAuthenticator, origin: str = ORIGIN, **how: object
) -> TestResponse:
    """The passkey alone, from the sign-in page."""
    answer = device.get(options(client, "/sign-in/passkey/options", "/sign-in"), origin, **how)  # type: ignore[arg-type]
    return post_form(client, "/sign-in/passkey", {"credential": answer}, token_from="/sign-in")


def second_step_with_passkey(
    client: FlaskClient, email: str, device: SoftAuthenticator, **how: object
) -> TestResponse:
    assert sign_in(client, email).headers["Location"] == "/sign-in/code"
    answer = device.get(options(client, "/sign-in/code/passkey/options", "/sign-in/code"), ORIGIN, **how)  # type: ignore[arg-type]
    return post_form(client, "/sign-in/code/passkey", {"credential": answer}, token_from="/sign-in/code")


def signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def failures(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "passkey_failed")))


person = person_fixture(Role.BOARD_MANAGER, email="morgan@example.org")


@pytest.fixture
def device(app: Flask, person: User) -> SoftAuthenticator:
    """Morgan's device, with a passkey added from "How you sign in"."""
    device = SoftAuthenticator()
    response = add_passkey(client_as(app, person, through_forms=True), device)
    assert response.status_code == 302, page_text(response)[:2000]
    return device


# --- adding and removing --------------------------------------------------------------------


def test_a_passkey_is_added_from_how_you_sign_in_and_listed(app: Flask, person: User) -> None:
    client = client_as(app, person, through_forms=True)
    page = page_text(client.get("/account/sign-in"))
    assert "You have no passkeys." in page and 'data-passkey="create"' in page
    made = options(client, "/account/sign-in/passkeys/options", "/account/sign-in")
    assert made["rp"]["id"] == "localhost"
    assert made["authenticatorSelection"]["residentKey"] == "required"
    assert made["authenticatorSelection"]["userVerification"] == "preferred"
    response = add_passkey(client, SoftAuthenticator(), name="Work laptop")
    assert response.headers["Location"] == "/account/sign-in"
    page = page_text(client.get("/account/sign-in"))
    assert "Passkey 'Work laptop' added." in page and "Work laptop" in page and "Not used yet" in page
    again = options(client, "/account/sign-in/passkeys/options", "/account/sign-in")
    with app.app_context():
        passkey = db.session.scalars(select(Passkey)).one()
        assert (passkey.user_id, passkey.sign_count, passkey.transports) == (person.id, 0, "internal")
        assert [c["id"] for c in again["excludeCredentials"]] == [passkey.credential_id]  # not twice
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "passkey_added")) == 1


@pytest.mark.parametrize(
    ("form", "origin", "message"),
    [
        ({"password": "wrong password"}, ORIGIN, "Your password is not right"),
        ({"name": ""}, ORIGIN, "Name this passkey, for example Work laptop"),
        ({"credential": ""}, ORIGIN, "Your browser did not make a passkey"),
        ({"credential": "{not json"}, ORIGIN, "Your passkey could not be checked"),
        ({}, "http://evil.example", "Your passkey could not be checked"),
    ],
)
def test_adding_a_passkey_is_refused_with_a_message_and_saves_nothing(
    app: Flask, person: User, form: dict[str, str], origin: str, message: str
) -> None:
    client = client_as(app, person, through_forms=True)
    device = SoftAuthenticator()
    made = device.create(options(client, "/account/sign-in/passkeys/options", "/account/sign-in"), origin)
    data = {"name": "Phone", "password": PASSWORD, "credential": made, **form}
    response = post_form(client, "/account/sign-in/passkeys", data, token_from="/account/sign-in")
    assert response.status_code == 400
    page = page_text(response)
    assert message in page and "Error: How you sign in" in page  # beside the field and in the summary
    assert page.count(message) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Passkey)) == 0


def test_the_answer_to_one_registration_is_not_accepted_twice(app: Flask, person: User) -> None:
    client = client_as(app, person, through_forms=True)
    made = SoftAuthenticator().create(
        options(client, "/account/sign-in/passkeys/options", "/account/sign-in"), ORIGIN
    )
    data = {"name": "Phone", "password": PASSWORD, "credential": made}
    assert (
        post_form(client, "/account/sign-in/passkeys", data, token_from="/account/sign-in").status_code == 302
    )
    again = post_form(client, "/account/sign-in/passkeys", data, token_from="/account/sign-in")
    assert again.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Passkey)) == 1


def test_a_removed_passkey_no_longer_signs_in(app: Flask, person: User, device: SoftAuthenticator) -> None:
    client = client_as(app, person, through_forms=True)
    with app.app_context():
        passkey_id = db.session.scalar(select(Passkey.id))
    path = f"/account/sign-in/passkeys/{passkey_id}/remove"
    assert "Remove the passkey “Work laptop”" in page_text(client.get(path))
    refused = post_form(client, path, {"password": "wrong"})
    assert refused.status_code == 400 and "Your password is not right" in page_text(refused)
    removed = post_form(client, path, {"password": PASSWORD})
    assert removed.headers["Location"] == "/account/sign-in"
    assert "Passkey 'Work laptop' removed." in page_text(client.get("/account/sign-in"))
    assert client.get(path).status_code == 404
    visitor = app.test_client()
    response = sign_in_with_passkey(visitor, device)
    assert response.status_code == 400 and "This passkey is not registered with Casework" in page_text(
        response
    )
    assert not signed_in(visitor)


def test_nobody_removes_or_sees_someone_elses_passkey(
    app: Flask, person: User, device: SoftAuthenticator
) -> None:
    with app.app_context():
        passkey_id = db.session.scalar(select(Passkey.id))
        other = make_user(Role.BOARD_MANAGER)
    client = client_as(app, other, through_forms=True)
    path = f"/account/sign-in/passkeys/{passkey_id}/remove"
    assert client.get(path).status_code == 404
    assert post_form(client, path, {"password": PASSWORD}, token_from="/account/sign-in").status_code == 404
    assert "You have no passkeys." in page_text(client.get("/account/sign-in"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Passkey)) == 1


# --- signing in -----------------------------------------------------------------------------


def test_a_passkey_alone_signs_in_when_the_device_checked_the_person(
    app: Flask, person: User, device: SoftAuthenticator
) -> None:
    client = app.test_client()
    made = options(client, "/sign-in/passkey/options", "/sign-in")
    assert made["userVerification"] == "required" and made.get("allowCredentials", []) == []
    response = sign_in_with_passkey(client, device)
    assert response.headers["Location"] == "/reviews/dashboard"
    assert signed_in(client)
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "signed_in")).all()[-1]
        assert event.details == {"method": "passkey"} and event.subject_id == person.id
        assert db.session.scalar(select(Passkey.last_used_at)) is not None


def test_a_passkey_alone_goes_on_to_the_page_asked_for(app: Flask, device: SoftAuthenticator) -> None:
    client = app.test_client()
    answer = device.get(options(client, "/sign-in/passkey/options", "/sign-in"), ORIGIN)
    data = {"credential": answer, "next": "/agencies/"}
    assert (
        post_form(client, "/sign-in/passkey", data, token_from="/sign-in").headers["Location"] == "/agencies/"
    )


def test_a_passkey_alone_is_refused_when_the_device_did_not_check_the_person(
    app: Flask, device: SoftAuthenticator
) -> None:
    device.user_verified = False
    client = app.test_client()
    response = sign_in_with_passkey(client, device)
    assert response.status_code == 400 and "Your passkey could not be checked" in page_text(response)
    assert not signed_in(client)
    assert "not verified" in failures(app)[0].details["reason"]


def test_a_passkey_is_the_second_step_after_the_password(
    app: Flask, person: User, device: SoftAuthenticator
) -> None:
    device.user_verified = False  # a touch is enough after the password
    client = app.test_client()
    assert sign_in(client, person.email).headers["Location"] == "/sign-in/code"
    assert "Use your passkey" in page_text(client.get("/sign-in/code"))
    made = options(client, "/sign-in/code/passkey/options", "/sign-in/code")
    with app.app_context():
        assert [c["id"] for c in made["allowCredentials"]] == [
            db.session.scalar(select(Passkey.credential_id))
        ]
    client = app.test_client()
    response = second_step_with_passkey(client, person.email, device)
    assert response.headers["Location"] == "/reviews/dashboard"
    assert signed_in(client)


def test_the_second_step_refuses_someone_elses_passkey(
    app: Flask, person: User, device: SoftAuthenticator
) -> None:
    with app.app_context():
        other = make_user(Role.BOARD_MANAGER)
    assert add_passkey(client_as(app, other, through_forms=True), SoftAuthenticator()).status_code == 302
    client = app.test_client()
    response = second_step_with_passkey(client, other.email, device, passkey=device.passkeys[0])
    assert response.status_code == 400 and "This passkey is not one of yours" in page_text(response)
    assert not signed_in(client)
    assert failures(app)[0].details["reason"] == "another person's"


def test_a_second_step_without_a_password_first_is_sent_to_sign_in(
    app: Flask, device: SoftAuthenticator
) -> None:
    client = app.test_client()
    token = csrf_token(client, "/sign-in")
    assert client.post("/sign-in/code/passkey/options", headers={"X-CSRFToken": token}).status_code == 400
    response = client.post("/sign-in/code/passkey", data={"csrf_token": token, "credential": "{}"})
    assert response.headers["Location"] == "/sign-in"


def test_an_unknown_passkey_is_refused_and_counted(app: Flask, device: SoftAuthenticator) -> None:
    stranger = SoftAuthenticator()
    stranger.create({"rp": {"id": "localhost"}, "user": {"id": "OTk5"}, "challenge": "AAAA"}, ORIGIN)
    client = app.test_client()
    response = sign_in_with_passkey(client, stranger)
    assert response.status_code == 400 and "This passkey is not registered with Casework" in page_text(
        response
    )
    assert failures(app)[0].details["reason"] == "unknown passkey"


def test_a_replayed_answer_is_refused_even_with_the_old_session_cookie(
    app: Flask, device: SoftAuthenticator
) -> None:
    client = app.test_client()
    answer = device.get(options(client, "/sign-in/passkey/options", "/sign-in"), ORIGIN)
    token = csrf_token(client, "/sign-in")
    old_cookie = client.get_cookie("casework_session")
    assert old_cookie is not None
    first = client.post("/sign-in/passkey", data={"csrf_token": token, "credential": answer})
    assert first.status_code == 302
    replay = app.test_client()
    replay.set_cookie("casework_session", old_cookie.value)
    response = replay.post("/sign-in/passkey", data={"csrf_token": token, "credential": answer})
    # The old cookie's session ended when the sign-in gave the browser a new one, so the replay
    # finds no challenge at all (nor the CSRF secret it was posted with); the challenge's one-time
    # record would refuse it again if it did.
    assert response.status_code == 400
    assert not signed_in(replay)


def test_an_answer_after_the_challenge_expired_is_refused(app: Flask, device: SoftAuthenticator) -> None:
    client = app.test_client()
    answer = device.get(options(client, "/sign-in/passkey/options", "/sign-in"), ORIGIN)
    token = csrf_token(client, "/sign-in")
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=6)):
        response = client.post("/sign-in/passkey", data={"csrf_token": token, "credential": answer})
    assert response.status_code == 400 and "You took too long" in page_text(response)
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ({"bad_signature": True}, "Could not verify authentication signature"),
        ({"origin": "http://evil.example"}, "Unexpected client data origin"),
        ({"rp_id": "evil.example"}, "Unexpected RP ID hash"),
    ],
)
def test_a_forged_answer_is_refused(app: Flask, device: SoftAuthenticator, how: dict, reason: str) -> None:
    client = app.test_client()
    response = sign_in_with_passkey(client, device, **how)
    assert response.status_code == 400 and "Your passkey could not be checked" in page_text(response)
    assert not signed_in(client)
    assert reason in failures(app)[0].details["reason"]


def test_a_counter_that_does_not_go_up_means_a_copied_passkey(app: Flask, person: User) -> None:
    device = SoftAuthenticator(counts=True)
    assert add_passkey(client_as(app, person, through_forms=True), device).status_code == 302
    assert sign_in_with_passkey(app.test_client(), device).status_code == 302  # counter 1
    client = app.test_client()
    response = sign_in_with_passkey(client, device, sign_count=1)
    assert response.status_code == 400 and not signed_in(client)
    assert "sign count" in failures(app)[0].details["reason"]
    with app.app_context():
        assert db.session.scalar(select(Passkey.sign_count)) == 1


def test_failed_passkeys_count_on_the_sign_in_throttle(app: Flask, device: SoftAuthenticator) -> None:
    client = app.test_client()
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"]):
        assert sign_in_with_passkey(client, device, bad_signature=True).status_code in (400, 429)
    response = sign_in_with_passkey(client, device)  # the right passkey, too late
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert not signed_in(client)


@pytest.mark.parametrize(
    "credential", ["", "{", "[]", '{"id": 5}', "x" * 70_000, '{"id": "AAAA", "response": 1}']
)
def test_hostile_answers_are_refused_without_an_error(
    app: Flask, device: SoftAuthenticator, credential: str
) -> None:
    client = app.test_client()
    options(client, "/sign-in/passkey/options", "/sign-in")
    response = post_form(client, "/sign-in/passkey", {"credential": credential}, token_from="/sign-in")
    assert response.status_code == 400
    assert not signed_in(client)


# --- a passkey as the person's second factor ------------------------------------------------


def test_someone_with_a_passkey_and_no_app_is_offered_the_passkey(
    app: Flask, person: User, device: SoftAuthenticator
) -> None:
    with app.app_context():
        db.session.execute(
            update(User).where(User.id == person.id).values(totp_secret=None, totp_confirmed_at=None)
        )
        db.session.execute(delete(RecoveryCode))
        db.session.commit()
    client = app.test_client()
    response = second_step_with_passkey(client, person.email, device)
    assert response.headers["Location"] == "/reviews/dashboard"
    client = app.test_client()
    sign_in(client, person.email)
    page = page_text(client.get("/sign-in/code"))
    assert "Use your passkey, or enter one of your recovery codes." in page


def test_an_administrators_reset_removes_the_passkeys(
    app: Flask, person: User, device: SoftAuthenticator
) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN)
    client = client_as(app, admin, through_forms=True)
    page = page_text(client.get(f"/admin/users/{person.id}"))
    assert "1 passkey" in page
    with app.app_context():
        services.reset_second_factor(db.session.get(User, person.id), db.session.get(User, admin.id))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Passkey)) == 0
    visitor = app.test_client()
    assert sign_in_with_passkey(visitor, device).status_code == 400
    assert sign_in(visitor, person.email).headers["Location"] == "/sign-in/set-up"


def test_the_recovery_codes_form_beside_the_passkeys_keeps_its_own_errors(app: Flask, person: User) -> None:
    client = client_as(app, person, through_forms=True)
    refused = post_form(
        client, "/account/sign-in/recovery-codes", {"password": "wrong"}, token_from="/account/sign-in"
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'href="#password">Your password is not right' in page and "passkey-password-error" not in page
    made = post_form(
        client, "/account/sign-in/recovery-codes", {"password": PASSWORD}, token_from="/account/sign-in"
    )
    assert made.status_code == 200 and "recovery-codes" in made.get_data(as_text=True)
