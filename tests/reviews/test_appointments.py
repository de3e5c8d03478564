"""Appointing independent reviewers: conflicts of interest with the agencies in scope (and their
written override), the reviewer's acceptance with a declaration or refusal with a reason, one
lead at a time, and conflicts found later when the scope or the reviewer's links change."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from flask import Flask
from flask.testing import FlaskClient

from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.errors import ConcurrentEditError, DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.appointments import services as appointments
from casework.reviews.models import AssignmentRole, AssignmentStatus, Review, ReviewerAssignment
from casework.reviews.stages import ReviewStage
from tests.conftest import client_as, make_user, post_form
from tests.reviews.conftest import make_review
from tests.support.copies import replayed
from tests.support.http import page_text
from tests.support.people import THREE_AGENCIES, make_agencies
from tests.support.rows import audit_trail, stored

LEAD, CO = AssignmentRole.LEAD, AssignmentRole.CO_REVIEWER


@dataclass
class Setting:
    """A commissioned review (awaiting a reviewer) with X and Y in scope; W is outside it."""

    review_id: int
    agencies: dict[str, int]
    users: dict[str, User]


@pytest.fixture
def setting(app: Flask) -> Setting:
    return replayed(app, "appointments setting", lambda: _build_setting(app))


def _build_setting(app: Flask) -> Setting:
    with app.app_context():
        agencies = make_agencies(THREE_AGENCIES)
        users = {
            "board_manager": make_user(Role.BOARD_MANAGER, name="Morgan Price"),
            "R1": make_user(Role.REVIEWER, name="Robin Reviewer"),
            "R2": make_user(Role.REVIEWER, name="Sam Second"),
            "R3": make_user(Role.REVIEWER, name="Terry Third"),
        }
        review = make_review(
            "CSPR", "awaiting_reviewer", by=users["board_manager"], agencies=[agencies["X"], agencies["Y"]]
        )
        for user in users.values():
            db.session.refresh(user)  # usable after the context ends
        return Setting(review.id, {key: agency.id for key, agency in agencies.items()}, users)


# --- helpers --------------------------------------------------------------------------------


def _as(app: Flask, setting: Setting, person: str) -> FlaskClient:
    return client_as(app, setting.users[person])


def _user(setting: Setting, person: str) -> User:
    return stored(User, setting.users[person].id)


def _agency(setting: Setting, key: str) -> Agency:
    return stored(Agency, setting.agencies[key])


def _review(setting: Setting, review_id: int | None = None) -> Review:
    return stored(Review, review_id or setting.review_id)


def _affiliate(
    app: Flask,
    setting: Setting,
    person: str,
    agency: str,
    ended_on: date | None = None,
    started_on: date = date(2015, 4, 1),
    nature: str = "Employed as a detective sergeant",
) -> None:
    with app.app_context():
        appointments.add_affiliation(
            _user(setting, person), _agency(setting, agency), started_on, ended_on, nature
        )
        db.session.commit()


def _assign(
    app: Flask,
    setting: Setting,
    person: str,
    role: AssignmentRole = LEAD,
    reason: str = "",
    review_id: int | None = None,
) -> int:
    with app.app_context():
        review = _review(setting, review_id)
        assignment = appointments.assign_reviewer(
            review, _user(setting, person), role, _user(setting, "board_manager"), reason, review.version
        )
        db.session.commit()
        return assignment.id


def _accept(app: Flask, setting: Setting, assignment_id: int, person: str) -> None:
    with app.app_context():
        assignment = db.session.get(ReviewerAssignment, assignment_id)
        appointments.accept_appointment(assignment, _user(setting, person), declared=True)  # type: ignore[arg-type]
        db.session.commit()


def _decline(app: Flask, setting: Setting, assignment_id: int, person: str, reason: str) -> None:
    """``person`` declines the appointment, giving ``reason``."""
    with app.app_context():
        assignment = db.session.get(ReviewerAssignment, assignment_id)
        appointments.decline_appointment(assignment, _user(setting, person), reason)  # type: ignore[arg-type]
        db.session.commit()


def _assignment(app: Flask, assignment_id: int) -> dict[str, object]:
    with app.app_context():
        found = db.session.get(ReviewerAssignment, assignment_id)
        assert found is not None
        return {
            "status": found.status,
            "role": found.role,
            "overridden": list(found.overridden_conflicts),
            "reason": found.override_reason,
            "flagged": list(found.flagged_conflicts),
            "declaration": found.declaration,
        }


def _assignments(app: Flask, setting: Setting) -> list[tuple[str, AssignmentRole, AssignmentStatus]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(ReviewerAssignment)
            .where(ReviewerAssignment.review_id == setting.review_id)
            .order_by(ReviewerAssignment.id)
        ).scalars()
        return [(a.reviewer.name, a.role, a.status) for a in rows]


def _stage(app: Flask, setting: Setting) -> ReviewStage:
    with app.app_context():
        return _review(setting).stage


def _version(app: Flask, setting: Setting) -> str:
    with app.app_context():
        return str(_review(setting).version)


def _refused(app: Flask, setting: Setting, person: str, role: AssignmentRole = LEAD, reason: str = "") -> str:
    with app.app_context(), pytest.raises(DomainError) as refusal:
        review = _review(setting)
        appointments.assign_reviewer(
            review, _user(setting, person), role, _user(setting, "board_manager"), reason, review.version
        )
    return refusal.value.message


def _years_ago(years: int, days: int = 0) -> date:
    return uk_today() - relativedelta(years=years) - timedelta(days=days)


# --- conflicts at appointment ---------------------------------------------------------------


def test_a_current_link_with_an_agency_in_scope_blocks_the_appointment(app: Flask, setting: Setting) -> None:
    _affiliate(app, setting, "R1", "X")
    message = _refused(app, setting, "R1")
    assert "Robin Reviewer has a conflict of interest" in message
    assert "Northshire Police: Employed as a detective sergeant (current)" in message
    assert _assignments(app, setting) == []
    assert audit_trail(app, "reviewer_assigned") == []


@pytest.mark.parametrize(
    ("ended", "conflict"),
    [
        (lambda: uk_today() - timedelta(days=30), True),
        (lambda: _years_ago(4), True),
        (lambda: _years_ago(5, days=-1), True),  # a day inside the five years
        (lambda: _years_ago(5, days=1), False),  # a day outside
        (lambda: _years_ago(12), False),
    ],
    ids=["a-month-ago", "4-years-ago", "just-inside-5-years", "just-outside-5-years", "12-years-ago"],
)
def test_a_link_that_ended_counts_for_five_years(app: Flask, setting: Setting, ended, conflict: bool) -> None:  # type: ignore[no-untyped-def]
    assert app.config["CONFLICT_YEARS"] == 5
    _affiliate(app, setting, "R1", "Y", ended_on=ended(), started_on=date(2000, 1, 1), nature="Ward nurse")
    if conflict:
        assert "Riverside NHS Trust: Ward nurse (ended" in _refused(app, setting, "R1")
        assert _assignments(app, setting) == []
    else:
        _assign(app, setting, "R1")
        assert _assignments(app, setting) == [("Robin Reviewer", LEAD, AssignmentStatus.PROPOSED)]


@pytest.mark.parametrize(
    ("years", "ended_years_ago", "conflict"), [(2, 3, False), (2, 1, True), (10, 7, True)]
)
def test_the_conflict_window_follows_the_setting(
    app: Flask,
    setting: Setting,
    monkeypatch: pytest.MonkeyPatch,
    years: int,
    ended_years_ago: int,
    conflict: bool,
) -> None:
    monkeypatch.setitem(app.config, "CONFLICT_YEARS", years)
    _affiliate(app, setting, "R1", "X", ended_on=_years_ago(ended_years_ago), started_on=date(2000, 1, 1))
    with app.app_context():
        found = appointments.conflicts_for(_user(setting, "R1"), _review(setting))
    assert bool(found) == conflict
    page = page_text(_as(app, setting, "board_manager").get(f"/reviews/{setting.review_id}/reviewers/assign"))
    assert f"ended in the last {years} years" in page


def test_a_link_with_an_agency_outside_the_scope_is_no_conflict(app: Flask, setting: Setting) -> None:
    _affiliate(app, setting, "R1", "W", nature="School governor")
    assignment_id = _assign(app, setting, "R1")
    assert _assignment(app, assignment_id)["overridden"] == []


def test_a_conflict_is_overridden_only_with_a_written_reason(app: Flask, setting: Setting) -> None:
    _affiliate(app, setting, "R1", "X")
    assert "conflict of interest" in _refused(app, setting, "R1", reason="   ")
    reason = "The only reviewer with a police background; the link was a secondment outside this area."
    assignment_id = _assign(app, setting, "R1", reason=f"  {reason}  ")
    conflict = "Northshire Police: Employed as a detective sergeant (current)"
    assert _assignment(app, assignment_id) | {"declaration": ""} == {
        "status": AssignmentStatus.PROPOSED,
        "role": LEAD,
        "overridden": [conflict],
        "reason": reason,
        "flagged": [],
        "declaration": "",
    }
    [event] = audit_trail(app, "reviewer_assigned")
    assert event.review_id == setting.review_id
    assert event.details == {
        "reviewer": "Robin Reviewer",
        "role": "lead",
        "conflicts": [conflict],
        "override_reason": reason,
    }
    assert "despite a recorded conflict of interest" in event.summary
    page = page_text(_as(app, setting, "board_manager").get(f"/reviews/{setting.review_id}"))
    reviewers = re.search(r'data-testid="reviewers".*?</table>', page, re.S)
    assert reviewers is not None
    assert "Appointed despite a conflict" in reviewers.group(0)
    assert conflict in reviewers.group(0) and reason in reviewers.group(0)


def test_the_override_reason_is_not_kept_without_a_conflict(app: Flask, setting: Setting) -> None:
    assignment_id = _assign(app, setting, "R1", reason="Just in case")
    assert _assignment(app, assignment_id)["reason"] == ""


def test_appointing_over_http_names_the_conflict_and_records_the_override(
    app: Flask, setting: Setting
) -> None:
    _affiliate(app, setting, "R1", "X")
    manager = _as(app, setting, "board_manager")
    url = f"/reviews/{setting.review_id}/reviewers/assign"
    assert "Robin Reviewer (possible conflict of interest)" in page_text(manager.get(url))
    form = {"reviewer": str(setting.users["R1"].id), "role": "lead", "version": _version(app, setting)}
    refused = post_form(manager, url, form)
    assert refused.status_code == 400
    assert "conflict of interest with an agency in scope: Northshire Police" in page_text(refused)
    assert _assignments(app, setting) == []
    done = post_form(manager, url, {**form, "override_reason": "Secondment ended; agreed by the partners."})
    assert done.status_code == 302
    assert _assignments(app, setting) == [("Robin Reviewer", LEAD, AssignmentStatus.PROPOSED)]
    assert "Appointed despite a conflict" in page_text(manager.get(done.headers["Location"]))


# --- who can be appointed, and when --------------------------------------------------------


@pytest.mark.parametrize("stage", ["referral", "rapid_review", "decision", "commissioning"])
def test_a_reviewer_cannot_be_appointed_before_the_review_is_commissioned(
    app: Flask, setting: Setting, stage: str
) -> None:
    with app.app_context():
        early = make_review(
            "CSPR", stage, by=_user(setting, "board_manager"), agencies=[_agency(setting, "X")]
        )
        with pytest.raises(DomainError, match="Commission the review before appointing a reviewer"):
            appointments.assign_reviewer(
                early, _user(setting, "R1"), LEAD, _user(setting, "board_manager"), "", early.version
            )
        db.session.rollback()
        assert db.session.get(Review, early.id).assignments == []  # type: ignore[union-attr]


@pytest.mark.parametrize("role", [Role.BOARD_MANAGER, Role.AGENCY_LEAD, Role.ADMIN, "inactive reviewer"])
def test_only_an_active_reviewer_can_be_appointed(app: Flask, setting: Setting, role) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        person = make_user(Role.REVIEWER, active=False) if role == "inactive reviewer" else make_user(role)
        review = _review(setting)
        with pytest.raises(DomainError, match="Only an active independent reviewer can be appointed"):
            appointments.assign_reviewer(
                review,
                db.session.get(User, person.id),
                LEAD,
                _user(setting, "board_manager"),
                "",
                review.version,
            )
    assert _assignments(app, setting) == []


def test_a_stale_version_is_refused(app: Flask, setting: Setting) -> None:
    stale = _version(app, setting)
    _assign(app, setting, "R2", CO)
    with app.app_context(), pytest.raises(ConcurrentEditError):
        appointments.assign_reviewer(
            _review(setting), _user(setting, "R1"), LEAD, _user(setting, "board_manager"), "", int(stale)
        )
    manager = _as(app, setting, "board_manager")
    url = f"/reviews/{setting.review_id}/reviewers/assign"
    response = post_form(
        manager, url, {"reviewer": str(setting.users["R1"].id), "role": "lead", "version": stale}
    )
    assert response.status_code == 400
    assert "Someone else changed this review" in page_text(response)
    assert _assignments(app, setting) == [("Sam Second", CO, AssignmentStatus.PROPOSED)]


def test_a_reviewer_is_appointed_once(app: Flask, setting: Setting) -> None:
    _assign(app, setting, "R1", CO)
    assert "Robin Reviewer is already appointed to this review" in _refused(app, setting, "R1", LEAD)


def test_only_one_live_lead(app: Flask, setting: Setting) -> None:
    first = _assign(app, setting, "R1", LEAD)
    assert _refused(app, setting, "R2", LEAD) == "This review already has a lead reviewer"
    _assign(app, setting, "R2", CO)  # a co-reviewer is fine
    _accept(app, setting, first, "R1")
    assert _refused(app, setting, "R3", LEAD) == "This review already has a lead reviewer"
    with app.app_context():
        assignment = db.session.get(ReviewerAssignment, first)
        appointments.withdraw_appointment(assignment, "Unwell", _review(setting).version)  # type: ignore[arg-type]
        db.session.commit()
    _assign(app, setting, "R3", LEAD)  # the lead's place is free again
    assert _assignments(app, setting) == [
        ("Robin Reviewer", LEAD, AssignmentStatus.WITHDRAWN),
        ("Sam Second", CO, AssignmentStatus.PROPOSED),
        ("Terry Third", LEAD, AssignmentStatus.PROPOSED),
    ]


def test_a_declined_lead_frees_the_place(app: Flask, setting: Setting) -> None:
    first = _assign(app, setting, "R1", LEAD)
    _decline(app, setting, first, "R1", "I taught the mother's social worker")
    _assign(app, setting, "R2", LEAD)
    assert [status for _, _, status in _assignments(app, setting)] == [
        AssignmentStatus.DECLINED,
        AssignmentStatus.PROPOSED,
    ]


# --- the reviewer's answer ------------------------------------------------------------------


def test_accepting_needs_the_declaration(app: Flask, setting: Setting) -> None:
    assignment_id = _assign(app, setting, "R1")
    with app.app_context(), pytest.raises(DomainError, match="Confirm the declaration of independence"):
        appointments.accept_appointment(
            db.session.get(ReviewerAssignment, assignment_id),  # type: ignore[arg-type]
            _user(setting, "R1"),
            declared=False,
        )
    reviewer = _as(app, setting, "R1")
    url = f"/reviews/appointments/{assignment_id}"
    response = post_form(reviewer, url, {})
    assert response.status_code == 400
    assert "Confirm the declaration of independence to accept" in page_text(response)
    assert _assignment(app, assignment_id)["status"] == AssignmentStatus.PROPOSED
    assert _stage(app, setting) == ReviewStage.AWAITING_REVIEWER
    assert reviewer.get(f"/reviews/{setting.review_id}").status_code == 404


def test_the_lead_accepting_starts_agency_contributions(app: Flask, setting: Setting) -> None:
    co = _assign(app, setting, "R2", CO)
    _accept(app, setting, co, "R2")
    assert _stage(app, setting) == ReviewStage.AWAITING_REVIEWER  # a co-reviewer does not start it
    lead = _assign(app, setting, "R1", LEAD)
    reviewer = _as(app, setting, "R1")
    response = post_form(reviewer, f"/reviews/appointments/{lead}", {"declared": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reviews/{setting.review_id}"
    assert _stage(app, setting) == ReviewStage.CONTRIBUTIONS
    state = _assignment(app, lead)
    assert state["status"] == AssignmentStatus.ACCEPTED
    assert state["declaration"] == appointments.DECLARATION
    events = audit_trail(app, "appointment_accepted")
    assert [e.actor_id for e in events] == [setting.users["R2"].id, setting.users["R1"].id]
    assert reviewer.get(f"/reviews/{setting.review_id}").status_code == 200


def test_a_lead_accepting_during_a_pause_starts_contributions_once_resumed(
    app: Flask, setting: Setting
) -> None:
    from casework.reviews.referral.pausing import pause_review

    with app.app_context():
        review = _review(setting)
        pause_review(
            review,
            uk_today(),
            "Criminal trial",
            "The partners",
            review.version,
            _user(setting, "board_manager"),
        )
        db.session.commit()
    lead = _assign(app, setting, "R1", LEAD)
    _accept(app, setting, lead, "R1")
    assert _stage(app, setting) == ReviewStage.AWAITING_REVIEWER  # nothing moves while paused
    manager = _as(app, setting, "board_manager")
    resumed = post_form(
        manager,
        f"/reviews/{setting.review_id}/resume",
        {
            "ended_on": [str(uk_today().day), str(uk_today().month), str(uk_today().year)],
            "version": _version(app, setting),
        },
    )
    assert resumed.status_code == 302, page_text(resumed)[:2000]
    if _stage(app, setting) == ReviewStage.AWAITING_REVIEWER:
        # not moved on by the resumption: the board manager must at least be able to move it on
        post_form(
            manager,
            f"/reviews/{setting.review_id}/move/start_contributions",
            {"version": _version(app, setting)},
            token_from=f"/reviews/{setting.review_id}",
        )
    assert _stage(app, setting) == ReviewStage.CONTRIBUTIONS


def test_declining_needs_a_reason(app: Flask, setting: Setting) -> None:
    assignment_id = _assign(app, setting, "R1")
    with pytest.raises(DomainError, match="Say why you are declining"):
        _decline(app, setting, assignment_id, "R1", "  ")
    reviewer = _as(app, setting, "R1")
    url = f"/reviews/appointments/{assignment_id}/decline"
    refused = post_form(
        reviewer, url, {"decline": "1", "reason": ""}, token_from=url.removesuffix("/decline")
    )
    assert refused.status_code == 400
    assert "Say why you are declining" in page_text(refused)
    assert _assignment(app, assignment_id)["status"] == AssignmentStatus.PROPOSED
    declined = post_form(
        reviewer,
        url,
        {"decline": "1", "reason": "I know the family's GP socially"},
        token_from=url.removesuffix("/decline"),
    )
    assert declined.status_code == 302
    assert _assignment(app, assignment_id)["status"] == AssignmentStatus.DECLINED
    [event] = audit_trail(app, "appointment_declined")
    assert "I know the family's GP socially" in event.summary and event.actor_id == setting.users["R1"].id
    assert _stage(app, setting) == ReviewStage.AWAITING_REVIEWER
    # nothing is left to answer
    with app.app_context(), pytest.raises(DomainError, match="nothing to accept"):
        appointments.accept_appointment(
            db.session.get(ReviewerAssignment, assignment_id),  # type: ignore[arg-type]
            _user(setting, "R1"),
            declared=True,
        )


def test_a_refused_decline_is_shown_as_an_error_page(app: Flask, setting: Setting) -> None:
    assignment_id = _assign(app, setting, "R1")
    page_url = f"/reviews/appointments/{assignment_id}"
    refused = post_form(_as(app, setting, "R1"), page_url + "/decline", {"reason": ""}, token_from=page_url)
    page = page_text(refused)
    assert "Say why you are declining" in page
    assert refused.status_code == 400
    assert "govuk-error-summary" in page
    assert "<title>Error: " in page


def test_a_reviewer_cannot_answer_someone_elses_appointment(app: Flask, setting: Setting) -> None:
    assignment_id = _assign(app, setting, "R2", LEAD)
    other = _as(app, setting, "R3")
    url = f"/reviews/appointments/{assignment_id}"
    assert other.get(url).status_code == 404
    token_page = "/reviews/profile"
    assert post_form(other, url, {"declared": "y"}, token_from=token_page).status_code == 404
    assert post_form(other, url + "/decline", {"reason": "Not me"}, token_from=token_page).status_code == 404
    assert _assignment(app, assignment_id)["status"] == AssignmentStatus.PROPOSED
    assert _stage(app, setting) == ReviewStage.AWAITING_REVIEWER
    with app.app_context():
        assignment = db.session.get(ReviewerAssignment, assignment_id)
        with pytest.raises(DomainError, match="This appointment is not yours"):
            appointments.accept_appointment(assignment, _user(setting, "R3"), declared=True)  # type: ignore[arg-type]
        with pytest.raises(DomainError, match="This appointment is not yours"):
            appointments.decline_appointment(assignment, _user(setting, "R3"), "Not me")  # type: ignore[arg-type]
    # board managers appoint; they do not answer for the reviewer
    assert _as(app, setting, "board_manager").get(url).status_code == 403


def test_the_proposed_reviewer_sees_only_what_they_need_to_decide(app: Flask, setting: Setting) -> None:
    assignment_id = _assign(app, setting, "R1")
    reviewer = _as(app, setting, "R1")
    page = page_text(reviewer.get(f"/reviews/appointments/{assignment_id}"))
    assert "Declaration of independence" in page and appointments.DECLARATION in page
    assert "Northshire Police" in page  # the agencies in scope, to check for conflicts
    assert "Admitted to hospital" not in page  # not the incident, before accepting
    assert reviewer.get(f"/reviews/{setting.review_id}").status_code == 404


# --- conflicts found later ------------------------------------------------------------------


def _reviewers_table(app: Flask, setting: Setting) -> str:
    page = page_text(_as(app, setting, "board_manager").get(f"/reviews/{setting.review_id}"))
    found = re.search(r'data-testid="reviewers".*?</table>', page, re.S)
    assert found is not None
    return found.group(0)


def test_adding_an_agency_to_the_scope_flags_new_conflicts(app: Flask, setting: Setting) -> None:
    lead = _assign(app, setting, "R1", LEAD)
    _accept(app, setting, lead, "R1")
    co = _assign(app, setting, "R2", CO)
    gone = _assign(app, setting, "R3", CO)
    _decline(app, setting, gone, "R3", "Too busy")
    _affiliate(app, setting, "R1", "W", nature="School governor")
    _affiliate(app, setting, "R2", "W", ended_on=_years_ago(9), started_on=date(2005, 1, 1), nature="Teacher")
    _affiliate(app, setting, "R3", "W", nature="Head teacher")
    assert _assignment(app, lead)["flagged"] == []  # W is not in scope yet

    manager = _as(app, setting, "board_manager")
    url = f"/reviews/{setting.review_id}/scope/add"
    response = post_form(
        manager,
        url,
        {
            "agency": str(setting.agencies["W"]),
            "role_note": "The child's school",
            "version": _version(app, setting),
        },
    )
    assert response.status_code == 302, page_text(response)[:2000]
    page = page_text(manager.get(response.headers["Location"]))
    assert (
        "Possible conflicts of interest found: Robin Reviewer: Hilltop Academy: School governor (current)"
        in page
    )

    assert _assignment(app, lead)["flagged"] == ["Hilltop Academy: School governor (current)"]
    assert _assignment(app, co)["flagged"] == []  # that link ended more than five years ago
    assert _assignment(app, gone)["flagged"] == []  # a declined appointment is not rechecked
    [event] = audit_trail(app, "conflict_flagged")
    assert event.review_id == setting.review_id
    assert event.details == {"conflicts": ["Hilltop Academy: School governor (current)"]}
    [scope] = audit_trail(app, "scope_changed")
    assert scope.details == {"added": "Hilltop Academy", "role": "The child's school"}
    table = _reviewers_table(app, setting)
    row = re.search(r"<tr[^>]*>\s*<td[^>]*>Robin Reviewer</td>.*?</tr>", table, re.S)
    assert row is not None and "New conflict" in row.group(0)
    assert "Hilltop Academy: School governor (current)" in row.group(0)
    assert table.count("New conflict") == 1
    # the review keeps its reviewer: a flagged conflict is for the board manager to resolve
    assert _stage(app, setting) == ReviewStage.CONTRIBUTIONS
    assert _as(app, setting, "R1").get(f"/reviews/{setting.review_id}").status_code == 200


def test_a_conflict_already_overridden_is_not_flagged_again(app: Flask, setting: Setting) -> None:
    _affiliate(app, setting, "R1", "X")
    lead = _assign(app, setting, "R1", LEAD, reason="Agreed by the partners")
    _affiliate(app, setting, "R1", "W", nature="Parent governor")
    with app.app_context():
        review = _review(setting)
        found = appointments.add_to_scope(review, _agency(setting, "W"), "", review.version)
        db.session.commit()
    assert found == ["Robin Reviewer: Hilltop Academy: Parent governor (current)"]
    state = _assignment(app, lead)
    assert state["overridden"] == ["Northshire Police: Employed as a detective sergeant (current)"]
    assert state["flagged"] == ["Hilltop Academy: Parent governor (current)"]


def test_adding_an_agency_already_in_scope_is_refused(app: Flask, setting: Setting) -> None:
    with app.app_context():
        review = _review(setting)
        with pytest.raises(DomainError, match="Northshire Police is already in scope"):
            appointments.add_to_scope(review, _agency(setting, "X"), "", review.version)


def test_declaring_a_new_link_rechecks_the_appointments_held(app: Flask, setting: Setting) -> None:
    lead = _assign(app, setting, "R1", LEAD)
    _accept(app, setting, lead, "R1")
    reviewer = _as(app, setting, "R1")
    today = uk_today()

    def declare(agency: str, nature: str):  # type: ignore[no-untyped-def]
        return post_form(
            reviewer,
            "/reviews/profile/affiliations",
            {
                "agency": str(setting.agencies[agency]),
                "nature": nature,
                "started_on": [str(today.day), str(today.month), str(today.year - 1)],
                "ended_on": ["", "", ""],
            },
            token_from="/reviews/profile",
        )

    outside = declare("W", "Governor")
    assert outside.status_code == 302, page_text(outside)[:2000]
    assert _assignment(app, lead)["flagged"] == []
    assert audit_trail(app, "conflict_flagged") == []

    inside = declare("Y", "Locum paediatrician")
    assert inside.status_code == 302, page_text(inside)[:2000]
    assert _assignment(app, lead)["flagged"] == ["Riverside NHS Trust: Locum paediatrician (current)"]
    [event] = audit_trail(app, "conflict_flagged")
    assert event.review_id == setting.review_id and event.actor_id == setting.users["R1"].id
    assert len(audit_trail(app, "affiliation_declared")) == 2
    table = _reviewers_table(app, setting)
    assert "New conflict" in table and "Riverside NHS Trust: Locum paediatrician (current)" in table


def test_a_new_link_flags_a_proposed_appointment_too_but_not_another_review(
    app: Flask, setting: Setting
) -> None:
    proposed = _assign(app, setting, "R2", CO)
    with app.app_context():
        other = make_review(
            "CSPR", "awaiting_reviewer", by=_user(setting, "board_manager"), agencies=[_agency(setting, "W")]
        )
    elsewhere = _assign(app, setting, "R2", LEAD, review_id=other.id)
    _affiliate(app, setting, "R2", "X", nature="Special constable")
    assert _assignment(app, proposed)["flagged"] == ["Northshire Police: Special constable (current)"]
    assert _assignment(app, elsewhere)["flagged"] == []
