"""One-time form keys: a form posted twice, or twenty times at once, creates one record.

The forms are fetched and posted the way a browser does it: the rendered page's hidden fields
(CSRF token, one-time key, row version) go back with the post.
"""

from __future__ import annotations

import functools
import html
import importlib
import inspect
import io
import pkgutil
import re
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy import func, select, update

import casework
from casework.actions.models import Action, Finding, ProgressUpdate, Recommendation
from casework.agencies.contributions import ChronologyEntry
from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.core.form_keys import (
    ALREADY_SENT,
    FormAlreadySentError,
    FormKey,
    OneTimeForm,
    claim_form_key,
    new_form_key,
)
from casework.core.timeutil import uk_today, utcnow
from casework.documents.models import Document
from casework.jobs.models import BackgroundJob
from tests.actions.test_action_plans import PDF, Ids, build_world, ids_of
from tests.agencies.test_contributions import HEADER, Case, _as, _ask
from tests.agencies.test_contributions import case as case
from tests.conftest import make_user
from tests.support.copies import replayed_in_context
from tests.support.http import client_as
from tests.support.queue import empty_queue as empty_queue  # a fixture
from tests.support.queue import run_worker
from tests.support.threads import run_side_by_side, when_thread_sends

_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.DOTALL)
_INPUT = re.compile(r"<input\b[^>]*>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


@pytest.fixture
def ids(app: Flask, folder: Path) -> Ids:
    return replayed_in_context(app, "form keys world", lambda: ids_of(build_world()))


def rendered_form(client: FlaskClient, page: str, marker: str) -> dict[str, str]:
    """The hidden fields of the form on ``page`` whose HTML contains ``marker``."""
    response = client.get(page)
    assert response.status_code == 200, page
    forms = [form for form in _FORM.findall(response.get_data(as_text=True)) if marker in form]
    assert len(forms) == 1, f"{len(forms)} forms on {page} contain {marker!r}"
    hidden = {}
    for tag in _INPUT.findall(forms[0]):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get("type") == "hidden":
            hidden[attributes["name"]] = html.unescape(attributes.get("value", ""))
    return hidden


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def page_text(client: FlaskClient, path: str) -> str:
    return html.unescape(client.get(path).get_data(as_text=True))


def _deadline() -> list[str]:
    day = uk_today() + timedelta(days=40)
    return [str(day.day), str(day.month), str(day.year)]


# Each: who posts, the page that shows the form, what identifies the form there, the fields the
# person fills in, and the records the post creates.
FORM_KINDS: dict[str, tuple[str, Callable[[Ids], str], str, Callable[[Ids], dict[str, Any]], type[Any]]] = {
    "progress update": (
        "lead_x",
        lambda ids: f"/actions/{ids.action}",
        "/progress",
        lambda ids: {"status": "on_track", "note": "Briefing drafted."},
        ProgressUpdate,
    ),
    "progress update with an evidence file": (
        "lead_x",
        lambda ids: f"/actions/{ids.action}",
        "/progress",
        lambda ids: {"status": "completed", "note": "Done.", "evidence": (io.BytesIO(PDF), "audit.pdf")},
        Document,
    ),
    "action": (
        "manager",
        lambda ids: f"/reviews/{ids.review}/recommendations/{ids.recommendation}/actions/new",
        'name="description"',
        lambda ids: {
            "description": "Add the baby-present question to the incident log.",
            "agency": str(ids.x),
            "owner": str(ids.users["lead_x"]),
            "deadline": _deadline(),
            "success_measure": "Audit of 50 logs shows the question answered.",
        },
        Action,
    ),
    "recommendation": (
        "reviewer",
        lambda ids: f"/reviews/{ids.review}/action-plan",
        'name="add_recommendation"',
        lambda ids: {
            "text": "Health should record who lives with a baby.",
            "agencies": [str(ids.y)],
            "add_recommendation": "Add recommendation",
        },
        Recommendation,
    ),
    "finding": (
        "reviewer",
        lambda ids: f"/reviews/{ids.review}/action-plan",
        'name="add_finding"',
        lambda ids: {"text": "Nobody asked who else lived there.", "add_finding": "Add finding"},
        Finding,
    ),
}


def _action_of(page: str, marker: str, client: FlaskClient) -> str:
    response = client.get(page)
    form = next(form for form in _FORM.findall(response.get_data(as_text=True)) if marker in form)
    action = re.search(r'action="([^"]*)"', form.split(">", 1)[0])
    return html.unescape(action.group(1)) if action else page


@pytest.mark.parametrize("kind", list(FORM_KINDS))
def test_the_same_rendered_form_posted_twice_creates_one_record(app: Flask, ids: Ids, kind: str) -> None:
    who, page_of, marker, fields_of, model = FORM_KINDS[kind]
    client = client_as(app, ids.emails[who])
    page = page_of(ids)
    action = _action_of(page, marker, client)
    hidden = rendered_form(client, page, marker)
    assert hidden.get("form_key")
    before = count(app, model)

    def post() -> Any:
        fields = fields_of(ids)  # a fresh file stream each time, as the browser sends it again
        return client.post(action, data={**hidden, **fields}, content_type="multipart/form-data")

    first = post()
    assert first.status_code == 302, first.get_data(as_text=True)[:2000]
    assert count(app, model) == before + 1
    second = post()
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]  # where the first post went
    assert count(app, model) == before + 1
    assert ALREADY_SENT in page_text(client, second.headers["Location"])
    if model is Document:
        assert len([path for path in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if path.is_file()]) == 1

    # The same form drawn again carries a new key, and sending it creates a second record.
    again = rendered_form(client, page, marker)
    assert again["form_key"] != hidden["form_key"]
    third = client.post(action, data={**again, **fields_of(ids)}, content_type="multipart/form-data")
    assert third.status_code == 302
    assert count(app, model) == before + 2


def test_a_chronology_file_imported_twice_from_the_same_form_is_imported_once(
    app: Flask, case: Case, empty_queue: None
) -> None:
    request_id = _ask(app, case)
    lead = _as(app, case, "LX")
    page = f"/agencies/requests/{request_id}"
    hidden = rendered_form(lead, page, "/entries/import")
    rows = f"{HEADER}\r\n01/02/2025,,PC,Visit,\r\n02/02/2025,,PC,Call,\r\n".encode()

    def post() -> Any:
        file = (io.BytesIO(rows), "chronology.csv", "text/csv")
        return lead.post(
            f"{page}/entries/import", data={**hidden, "file": file}, content_type="multipart/form-data"
        )

    first, second = post(), post()
    assert first.status_code == second.status_code == 302, first.get_data(as_text=True)[:2000]
    assert second.headers["Location"] == first.headers["Location"]
    assert ALREADY_SENT in page_text(lead, second.headers["Location"])
    assert count(app, BackgroundJob) == 1  # one import started, run by the worker
    run_worker()
    assert count(app, ChronologyEntry) == 2


def test_a_new_user_posted_twice_is_created_once(app: Flask) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN)
        db.session.commit()
        email = admin.email
    client = client_as(app, email)
    hidden = rendered_form(client, "/admin/users/new", 'name="email"')
    data = {**hidden, "name": "Jamie Clark", "email": "jamie.clark@example.org", "role": Role.REVIEWER.value}
    first = client.post("/admin/users/new", data=data)
    assert first.status_code == 200 and "User added" in first.get_data(as_text=True)
    second = client.post("/admin/users/new", data=data)
    assert second.status_code == 302
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == "jamie.clark@example.org")).scalar_one()
        assert second.headers["Location"] == f"/admin/users/{user.id}"
        created = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user_created")
        assert db.session.scalar(created) == 1
    assert ALREADY_SENT in page_text(client, second.headers["Location"])


def test_a_refused_post_leaves_its_key_unused_and_the_page_offers_a_new_one(app: Flask, ids: Ids) -> None:
    client = client_as(app, ids.emails["lead_x"])
    page, action = f"/actions/{ids.action}", f"/actions/{ids.action}/progress"
    hidden = rendered_form(client, page, "/progress")
    refused = client.post(action, data={**hidden, "status": "completed", "note": "No evidence."})
    assert refused.status_code == 400
    assert "Attach evidence" in html.unescape(refused.get_data(as_text=True))
    assert hidden["form_key"] not in refused.get_data(as_text=True)  # the page shown again has a new key
    assert count(app, ProgressUpdate) == 0 and count(app, FormKey) == 0

    sent = client.post(action, data={**hidden, "status": "on_track", "note": "Briefing drafted."})
    assert sent.status_code == 302
    assert count(app, ProgressUpdate) == 1 and count(app, FormKey) == 1


def test_a_key_that_storage_never_issued_is_refused_with_a_message(app: Flask, ids: Ids) -> None:
    client = client_as(app, ids.emails["lead_x"])
    hidden = rendered_form(client, f"/actions/{ids.action}", "/progress")
    for bad in ("x" * 500, "not a key!", "'; drop table form_keys; --"):
        response = client.post(
            f"/actions/{ids.action}/progress",
            data={**hidden, "form_key": bad, "status": "on_track", "note": "Briefing drafted."},
        )
        assert response.status_code == 400
        assert "This form could not be sent. Reload the page and try again." in html.unescape(
            response.get_data(as_text=True)
        )
    assert count(app, ProgressUpdate) == 0 and count(app, FormKey) == 0


def test_every_render_gives_a_new_key(app: Flask, ids: Ids) -> None:
    client = client_as(app, ids.emails["reviewer"])
    page = f"/reviews/{ids.review}/action-plan"
    keys = {
        rendered_form(client, page, marker)["form_key"] for marker in ("add_recommendation", "add_finding")
    }
    keys |= {rendered_form(client, page, "add_finding")["form_key"] for _ in range(3)}
    assert len(keys) == 5


def _concurrent_posts(app: Flask, ids: Ids, posts: int) -> list[int]:
    """``posts`` clients, one thread each, post the same rendered progress form at once."""
    first = client_as(app, ids.emails["lead_x"])
    hidden = rendered_form(first, f"/actions/{ids.action}", "/progress")
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = first.get_cookie(name)
    assert cookie is not None
    clients = []
    for _ in range(posts):
        other = app.test_client()
        other.set_cookie(name, cookie.value)  # the same signed-in browser session
        clients.append(other)
    start = threading.Barrier(posts)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def send(client: FlaskClient) -> None:
        try:
            start.wait(timeout=60)
            response = client.post(
                f"/actions/{ids.action}/progress",
                data={**hidden, "status": "on_track", "note": "Briefing drafted."},
            )
            statuses.append(response.status_code)
        except BaseException as error:  # reported below, with the thread's own traceback
            errors.append(error)

    run_side_by_side([functools.partial(send, client) for client in clients], timeout=120)
    assert not errors, errors
    return statuses


def test_twenty_concurrent_posts_of_the_same_progress_update_create_one(app: Flask, ids: Ids) -> None:
    """Real threads, each with its own test client, request context and database connection,
    against the same database. On PostgreSQL the posts run at the same time and wait on the
    unique key; on SQLite the writes serialise."""
    statuses = _concurrent_posts(app, ids, 20)
    assert statuses == [302] * 20
    with app.app_context():
        notes = db.session.scalars(select(ProgressUpdate.note).where(ProgressUpdate.action_id == ids.action))
        assert list(notes) == ["Briefing drafted."]
        assert db.session.scalar(select(func.count()).select_from(FormKey)) == 1
        assert db.session.get(Action, ids.action).version == 2  # changed once


def test_a_second_post_sent_while_the_first_is_running_waits_for_it_then_changes_nothing(
    app: Flask,
) -> None:
    """The unique key, not the check made before validating, is what stops a post sent while the
    first is still running: the second waits until the first commits, then is turned away."""
    key = new_form_key()
    claimed, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def post(name: str, then: Callable[[], None]) -> None:
        try:
            with app.test_request_context(method="POST", data={"form_key": key}):
                form = OneTimeForm(meta={"csrf": False})
                try:
                    row = claim_form_key(form)
                except FormAlreadySentError as sent:
                    outcome[name] = ("already sent", sent.sent_to)
                    return
                assert row is not None
                row.sent_to = f"/{name}"
                then()
                db.session.commit()
                outcome[name] = ("committed", row.sent_to)
        except BaseException as error:
            outcome[name] = error

    def hold() -> None:
        claimed.set()
        release.wait(timeout=30)

    first = threading.Thread(target=post, args=("first", hold))
    first.start()
    assert claimed.wait(timeout=30)
    second = threading.Thread(target=post, args=("second", lambda: None))
    with app.app_context():
        engine = db.engine
    with when_thread_sends(engine, second, "INSERT") as inserting:
        second.start()
        assert inserting.wait(timeout=30)
        second.join(timeout=0.2)
        assert second.is_alive()  # its insert waits on the first post's key
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert outcome == {"first": ("committed", "/first"), "second": ("already sent", "/first")}
    assert count(app, FormKey) == 1


# --- every form that changes something carries a key -----------------------------------------

# Forms with no key, and why: signing in and out and setting a password create nothing twice; the
# second factor's forms replace what they make (a second post of new recovery codes or a new app
# leaves the last ones shown working, as a new set-password link does); a passkey's answer is used
# once by its challenge, and a passkey removed twice is refused as gone.
KEYLESS_FORMS = {
    "SignInForm",
    "SignOutForm",
    "SetPasswordForm",
    "ChangePasswordForm",
    "SignInCodeForm",
    "AuthenticatorForm",
    "ReplaceAuthenticatorForm",
    "ConfirmPasswordForm",
    "PasskeySignInForm",
    "RemovePasskeyForm",
}
KEYLESS_PAGES = {
    "auth/sign_in.html",
    "auth/set_password.html",
    "auth/change_password.html",
    "auth/sign_in_code.html",
    "auth/set_up_authenticator.html",
    "auth/two_factor.html",
    "auth/_passkey_button.html",
    "auth/remove_passkey.html",
}
KEYLESS_ACTION = "url_for('auth.sign_out')"  # in base.html


def test_every_form_class_carries_a_key() -> None:
    for module in pkgutil.walk_packages(casework.__path__, "casework."):
        importlib.import_module(module.name)
    forms: set[type] = set()
    queue = [FlaskForm]
    while queue:
        for subclass in queue.pop().__subclasses__():
            if subclass.__module__.startswith("casework.") and subclass not in forms:
                forms.add(subclass)
                queue.append(subclass)
            elif subclass.__module__.startswith(("flask_wtf", "wtforms")):
                queue.append(subclass)
    assert len(forms) > 40
    without = {form.__name__ for form in forms if not issubclass(form, OneTimeForm)}
    assert without == KEYLESS_FORMS


def test_every_post_form_in_the_templates_sends_a_key() -> None:
    templates = Path(inspect.getfile(casework)).parent / "templates"
    missing = []
    for template in templates.rglob("*.html"):
        if str(template.relative_to(templates)) in KEYLESS_PAGES:
            continue
        for form in _FORM.findall(template.read_text()):
            if 'method="post"' not in form or KEYLESS_ACTION in form:
                continue
            if not any(sends_key in form for sends_key in ("form_key", "form_fields(", "form_hidden(")):
                missing.append(f"{template.relative_to(templates)}: {form[:120]}")
    assert missing == []


# --- keys expire -----------------------------------------------------------------------------


def test_purge_form_keys_removes_only_old_keys(app: Flask, ids: Ids) -> None:
    client = client_as(app, ids.emails["lead_x"])
    for note in ("First.", "Second."):
        hidden = rendered_form(client, f"/actions/{ids.action}", "/progress")
        response = client.post(
            f"/actions/{ids.action}/progress", data={**hidden, "status": "on_track", "note": note}
        )
        assert response.status_code == 302
    with app.app_context():
        oldest = db.session.scalar(select(func.min(FormKey.id)))
        db.session.execute(
            update(FormKey).where(FormKey.id == oldest).values(created_at=utcnow() - timedelta(days=31))
        )
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["purge-form-keys"])
        assert result.exit_code == 0, result.output
        assert "Removed 1 form key(s) older than 30 days." in result.output
        assert list(db.session.scalars(select(FormKey.id))) != [oldest]
        assert db.session.scalar(select(func.count()).select_from(FormKey)) == 1
        assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 2
