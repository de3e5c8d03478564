"""Settings → Reminders for board managers (access, bad input, concurrent edits, the audit trail),
and ``flask reminders send`` from the command line."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from casework.auth.models import Role
from casework.core.extensions import db
from casework.notifications.models import Reminder, ReminderKind, ReminderRule
from casework.reviews.models import ReviewType
from tests.notifications.due_world import TODAY, World, add_request, counts, working_days
from tests.support.http import SIGN_IN, assert_answer, client_as, page_text, post_form
from tests.support.people import make_user
from tests.support.rows import audit_trail

PAGE = "/reviews/reminders"


def default_rule(app: Flask, kind: ReminderKind = ReminderKind.REQUEST) -> tuple[int, int, int | None, int]:
    """(id, notice, escalation, version) of the kind's default rule."""
    with app.app_context():
        rule = db.session.execute(
            db.select(ReminderRule).where(ReminderRule.kind == kind, ReminderRule.review_type_id.is_(None))
        ).scalar_one()
        return rule.id, rule.due_soon_days, rule.escalate_after_days, rule.version


def type_id(app: Flask, code: str) -> int:
    with app.app_context():
        return db.session.execute(db.select(ReviewType.id).where(ReviewType.code == code)).scalar_one()


def overrides(app: Flask) -> set[tuple[str, int, int, int | None]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(ReminderRule).where(ReminderRule.review_type_id.is_not(None))
        ).scalars()
        return {(r.kind.value, r.review_type_id, r.due_soon_days, r.escalate_after_days) for r in rows}  # type: ignore[misc]


def save_rule(client: FlaskClient, rule_id: int, notice: str, escalation: str, version: int) -> TestResponse:
    """Send the rule's form: ``notice`` working days before, escalate ``escalation`` days after."""
    data = {"due_soon_days": notice, "escalate_after_days": escalation, "version": version}
    return post_form(client, f"{PAGE}/{rule_id}", data)


@pytest.fixture
def manager_client(app: Flask) -> FlaskClient:
    with app.app_context():
        return client_as(app, make_user(Role.BOARD_MANAGER, name="Morgan Price"))


@pytest.mark.parametrize("role", [None, Role.REVIEWER, Role.AGENCY_LEAD, Role.ADMIN, Role.BOARD_MANAGER])
def test_only_board_managers_reach_the_reminder_settings(app: Flask, role: Role | None) -> None:
    rule_id = default_rule(app)[0]
    with app.app_context():
        client = client_as(app, make_user(role) if role else None)
    expected = 200 if role == Role.BOARD_MANAGER else SIGN_IN if role is None else 403
    for path in (PAGE, f"{PAGE}/{rule_id}"):
        assert_answer(client.get(path), expected, role, path)
    if role == Role.BOARD_MANAGER:
        return
    data = {
        "due_soon_days": "9",
        "escalate_after_days": "",
        "kind": "request",
        "review_type": "1",
        "version": "1",
    }
    for path in (PAGE, f"{PAGE}/{rule_id}", f"{PAGE}/{rule_id}/remove"):
        if role is None:
            assert_answer(client.post(path, data=data), 400, path)  # no session, so no CSRF token
        else:
            assert_answer(post_form(client, path, data, token_from="/account"), 403, role, path)
    assert default_rule(app)[1:3] == (3, 5) and overrides(app) == set()


def test_the_page_lists_every_kinds_default_rule(app: Flask, manager_client: FlaskClient) -> None:
    text = page_text(manager_client.get(PAGE))
    for label in ("Contribution requests", "Factual accuracy answers", "Statutory deadlines", "Actions"):
        assert label in text
    assert "Outcome re-measures" in text and "the owner of the measure" in text
    assert text.count("Every type (default)") == 6
    assert "After 5 working days overdue, then the board managers" in text
    assert "Reminders and escalation" in page_text(manager_client.get("/reviews/dashboard"))


def test_a_board_manager_changes_a_default_rule_and_the_audit_trail_says_so(
    app: Flask, manager_client: FlaskClient
) -> None:
    rule_id, _, _, version = default_rule(app)
    response = save_rule(manager_client, rule_id, "7", "", version)
    assert response.status_code == 302 and response.headers["Location"] == PAGE
    assert default_rule(app)[1:3] == (7, None)
    [event] = audit_trail(app, "reminder_rule_changed")
    assert "Contribution requests (default): 7 working days' notice, escalate never" in event.summary


NOTICE_RANGE = "Enter the number of working days as a whole number from 0 to 60"
ESCALATION_RANGE = "as a whole number from 1 to 60, or leave it empty to never escalate"


@pytest.mark.parametrize(
    ("notice", "escalation", "message"),
    [
        *((notice, "5", NOTICE_RANGE) for notice in ("", "abc", "-1", "61", "1.5", "99999999999999999999")),
        *(("3", escalation, ESCALATION_RANGE) for escalation in ("0", "61", "two")),
    ],
)
def test_bad_numbers_are_refused_with_a_message_and_nothing_is_saved(
    app: Flask, manager_client: FlaskClient, notice: str, escalation: str, message: str
) -> None:
    rule_id, _, _, version = default_rule(app)
    response = save_rule(manager_client, rule_id, notice, escalation, version)
    assert response.status_code == 400
    assert message in page_text(response)
    assert default_rule(app) == (rule_id, 3, 5, version)
    assert audit_trail(app, "reminder_rule_changed") == []


def test_the_edges_of_the_ranges_are_accepted(app: Flask, manager_client: FlaskClient) -> None:
    rule_id, _, _, version = default_rule(app)
    response = save_rule(manager_client, rule_id, "0", "60", version)
    assert response.status_code == 302
    assert default_rule(app)[1:3] == (0, 60)


def test_a_save_over_someone_elses_change_is_refused(app: Flask, manager_client: FlaskClient) -> None:
    rule_id, _, _, version = default_rule(app)
    with app.app_context():
        other = client_as(app, make_user(Role.BOARD_MANAGER))
    assert save_rule(other, rule_id, "4", "6", version).status_code == 302
    stale = save_rule(manager_client, rule_id, "9", "", version)
    assert stale.status_code == 400
    assert "Someone else changed this reminder rule while you were editing it" in page_text(stale)
    assert default_rule(app)[1:3] == (4, 6)


def test_a_rule_for_one_review_type_is_added_then_removed(app: Flask, manager_client: FlaskClient) -> None:
    sar = type_id(app, "SAR")
    added = post_form(
        manager_client,
        PAGE,
        {"kind": "request", "review_type": str(sar), "due_soon_days": "10", "escalate_after_days": "2"},
    )
    assert added.status_code == 302
    assert overrides(app) == {("request", sar, 10, 2)}
    page = page_text(manager_client.get(PAGE))
    assert "Safeguarding Adults Review" in page or "SAR" in page
    with app.app_context():
        rule = db.session.execute(
            db.select(ReminderRule).where(ReminderRule.review_type_id == sar)
        ).scalar_one()
        rule_id, version = rule.id, rule.version
    removed = post_form(manager_client, f"{PAGE}/{rule_id}/remove", {"version": version}, token_from=PAGE)
    assert removed.status_code == 302
    assert overrides(app) == set()
    assert [
        e.action for e in audit_trail(app, "reminder_rule_added") + audit_trail(app, "reminder_rule_removed")
    ] == [
        "reminder_rule_added",
        "reminder_rule_removed",
    ]


@pytest.mark.parametrize(
    ("kind", "review_type", "message"),
    [
        *((kind, "SAR", "Select the kind of reminder") for kind in ("", "nonsense")),
        *(("request", review_type, "Select the type of review") for review_type in ("", "999999", "x\u0661")),
    ],
)
def test_an_override_needs_a_kind_and_a_type(
    app: Flask, manager_client: FlaskClient, kind: str, review_type: str, message: str
) -> None:
    chosen = str(type_id(app, "SAR")) if review_type == "SAR" else review_type
    response = post_form(
        manager_client,
        PAGE,
        {"kind": kind, "review_type": chosen, "due_soon_days": "4", "escalate_after_days": ""},
    )
    assert response.status_code == 400 and message in page_text(response)
    assert overrides(app) == set()


def test_a_second_rule_for_the_same_kind_and_type_is_refused(app: Flask, manager_client: FlaskClient) -> None:
    sar = type_id(app, "SAR")
    data = {"kind": "action", "review_type": str(sar), "due_soon_days": "4", "escalate_after_days": ""}
    assert post_form(manager_client, PAGE, data).status_code == 302
    again = post_form(manager_client, PAGE, {**data, "due_soon_days": "8"})
    assert again.status_code == 400
    assert "already has its own rule for actions; change that one instead" in page_text(again)
    assert overrides(app) == {("action", sar, 4, None)}


def test_a_default_rule_cannot_be_removed(app: Flask, manager_client: FlaskClient) -> None:
    rule_id, _, _, version = default_rule(app)
    response = post_form(manager_client, f"{PAGE}/{rule_id}/remove", {"version": version}, token_from=PAGE)
    assert response.status_code == 302
    assert "The default rule of each kind stays" in page_text(manager_client.get(PAGE))
    assert default_rule(app)[0] == rule_id


def test_an_unknown_rule_is_not_found(manager_client: FlaskClient) -> None:
    assert manager_client.get(f"{PAGE}/999999").status_code == 404
    assert post_form(manager_client, f"{PAGE}/999999/remove", {}, token_from=PAGE).status_code == 404


# --- the command line --------------------------------------------------------------------------


def run(app: Flask, *args: str) -> tuple[int, str]:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["reminders", "send", *args])
        return result.exit_code, result.output


def test_the_command_sends_the_pass_for_a_date_and_prints_what_it_queued(app: Flask, world: World) -> None:
    with app.app_context():
        add_request(world, "X", working_days(-5))
    day = TODAY.isoformat()
    code, dry = run(app, "--date", day, "--dry-run")
    assert code == 0 and counts(app) == (0, 0, 0)
    assert "Would queue 4 digest(s) and 4 reminder(s) for 14 December 2026" in dry
    code, output = run(app, "--date", day)
    assert code == 0
    with app.app_context():
        lead = world.email("LX")
        assert f"{lead}: 1 due or overdue; 1 new reminder(s), digest" in output
        assert f"{world.email('M1')}: 1 due or overdue, 1 escalated; 1 new reminder(s), digest" in output
        assert world.email("Moff") not in output
    assert (
        "Queued 4 digest(s) and 4 reminder(s) for 14 December 2026: 1 item(s) due or overdue, 4 person(s)"
        in output
    )
    assert counts(app) == (4, 4, 4)
    code, again = run(app, "--date", day)
    assert "digest already sent" in again and "Queued 0 digest(s) and 0 reminder(s)" in again
    assert counts(app) == (4, 4, 4)


def test_the_command_says_when_the_day_is_not_a_working_day(app: Flask, world: World) -> None:
    code, output = run(app, "--date", "2026-12-25")
    assert code == 0 and "25 December 2026 is not a working day" in output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Reminder)).scalar_one() == 0


@pytest.mark.parametrize("bad", ["2026-02-30", "14/12/2026", "tomorrow"])
def test_the_command_refuses_a_date_it_cannot_read(app: Flask, bad: str) -> None:
    code, output = run(app, "--date", bad)
    assert code == 2 and "Invalid value for '--date'" in output
