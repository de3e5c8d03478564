"""Hostile input, one class at a time: each gets a clear field error, a 400 page or a 404 (never a
500), and changes nothing. tests/test_fuzz_forms.py walks every form with generated values."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.forms import as_id, chosen_ids
from casework.core.request_guards import MAX_ID, page_number
from casework.core.timeutil import uk_today
from casework.reviews.clock import deadlines_for
from casework.reviews.drafts import services as drafts
from casework.reviews.models import Review
from casework.reviews.stages import ReviewStage
from tests.actions.test_action_plans import build_world, ids_of
from tests.conftest import client_as, csrf_token, make_user
from tests.reviews.conftest import make_review
from tests.reviews.test_drafts import _pdf as draft_pdf
from tests.reviews.test_drafts import case  # noqa: F401 (a fixture)

HUGE = "9" * 30
UNSTORABLE = "contains a character that cannot be saved"


def digest(app: Flask) -> dict[str, str]:
    """Every row of every table, hashed: what a refused request must leave alone (all but the
    browsers' sessions, which keep the refusal's message for the next page)."""
    with app.app_context():
        return {
            table.name: hashlib.sha256(
                repr(db.session.execute(select(table).order_by(*table.primary_key.columns)).all()).encode()
            ).hexdigest()
            for table in db.metadata.sorted_tables
            if table.name != "web_sessions"
        }


def unchanged(app: Flask, request: Callable[[], Any]) -> Any:
    before = digest(app)
    response = request()
    after = digest(app)
    assert {name for name in before if before[name] != after[name]} == set()
    return response


def form_data(client: FlaskClient, path: str) -> dict[str, Any]:
    """What the page's form would send as drawn (its first form posting to ``path``)."""
    page = lxml.html.fromstring(client.get(path).get_data(as_text=True))
    form = next(f for f in page.iter("form") if (f.get("action") or path) == path)
    data: dict[str, Any] = {}
    for element in form.iter("input", "select", "textarea"):
        name, kind = element.get("name"), (element.get("type") or "text").lower()
        if not name or kind in {"submit", "button"}:
            continue
        if kind in {"checkbox", "radio"}:
            if element.get("checked") is not None:
                data.setdefault(name, []).append(element.get("value", ""))
        elif element.tag == "select":
            chosen = [o.get("value", "") for o in element.iter("option") if o.get("selected") is not None]
            data[name] = chosen[0] if chosen else ""
        elif element.tag == "textarea":
            data[name] = element.text or ""
        else:
            data.setdefault(name, []).append(element.get("value", ""))
    return {
        key: value[0] if isinstance(value, list) and len(value) == 1 else value for key, value in data.items()
    }


def _review(app: Flask, stage: ReviewStage = ReviewStage.REFERRAL) -> int:
    with app.app_context():
        return make_review(stage=stage).id


# --- NUL characters ---------------------------------------------------------------------------


def test_a_nul_in_the_sign_in_form_gets_a_clear_page_and_records_nothing(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        user = make_user(Role.BOARD_MANAGER)
    token = csrf_token(client, "/sign-in")
    for data in ({"email": user.email + "\x00", "password": "x"}, {"email": user.email, "password": "a\x00"}):
        response = unchanged(app, lambda d=data: client.post("/sign-in", data={"csrf_token": token, **d}))
        assert response.status_code == 400
        assert UNSTORABLE in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/published-reviews/CSPR-2026-001%00/report",
        "/published-reviews/%00/briefing",
        "/published-reviews/?x=%00",
        "/sign-in?next=/reviews/%00",
        "/no-such-page%00",
    ],
)
def test_a_nul_in_a_public_url_gets_a_400_page(app: Flask, client: FlaskClient, path: str) -> None:
    response = unchanged(app, lambda: client.get(path))
    assert response.status_code == 400
    assert UNSTORABLE in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/reviews/?q=Child%00", "/agencies/?q=%00", "/actions/?q=a%00b", "/reviews/?type=%00"]
)
def test_a_nul_in_a_list_search_gets_a_400_page(app: Flask, manager_client: FlaskClient, path: str) -> None:
    response = unchanged(app, lambda: manager_client.get(path))
    assert response.status_code == 400
    assert UNSTORABLE in response.get_data(as_text=True)


def test_a_nul_in_a_form_field_saves_nothing(app: Flask, manager_client: FlaskClient) -> None:
    review_id = _review(app)
    path = f"/reviews/{review_id}/referral"
    data = form_data(manager_client, path)
    data["incident_description"] = "Seen at hospital\x00 twice."
    response = unchanged(app, lambda: manager_client.post(path, data=data))
    assert response.status_code == 400
    assert UNSTORABLE in response.get_data(as_text=True)
    # The same form without the character is saved: the refusal was the character, nothing else.
    data["incident_description"] = "Seen at hospital twice."
    assert manager_client.post(path, data=data).status_code == 302


def test_a_nul_in_an_uploaded_file_name_saves_nothing(app: Flask, manager_client: FlaskClient) -> None:
    import io

    review_id = _review(app)
    token = csrf_token(manager_client, "/account")
    upload = (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "draft\x00.pdf")
    response = unchanged(
        app,
        lambda: manager_client.post(
            f"/reviews/{review_id}/drafts", data={"csrf_token": token, "document": upload, "summary": "x"}
        ),
    )
    assert response.status_code == 400
    assert UNSTORABLE in response.get_data(as_text=True)


# --- numbers too large ------------------------------------------------------------------------


@pytest.mark.parametrize("part", [0, 2])  # the day, the year
def test_a_30_digit_date_part_gets_a_field_error(app: Flask, manager_client: FlaskClient, part: int) -> None:
    review_id = _review(app)
    path = f"/reviews/{review_id}/referral"
    data = form_data(manager_client, path)
    parts = ["1", "2", "2026"]
    parts[part] = HUGE
    data["incident_on"] = parts
    response = unchanged(app, lambda: manager_client.post(path, data=data))
    assert response.status_code == 400
    assert "Date of the incident must be a real date" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/reviews/{HUGE}"),
        ("GET", "/reviews/9223372036854775808"),
        ("GET", f"/actions/{HUGE}"),
        ("GET", f"/documents/{HUGE}"),
        ("GET", f"/reviews/1/deadlines/publication/extend?x={HUGE}"),
        ("POST", f"/actions/{HUGE}/progress"),
        ("POST", f"/reviews/1/drafts/{HUGE}/share"),
        ("POST", f"/agencies/requests/{HUGE}/submit"),
    ],
)
def test_an_id_too_large_for_a_record_is_not_found(
    app: Flask, manager_client: FlaskClient, method: str, path: str
) -> None:
    token = csrf_token(manager_client, "/account")
    response = unchanged(app, lambda: manager_client.open(path, method=method, data={"csrf_token": token}))
    assert response.status_code == 404, f"{method} {path} -> {response.status_code}"


def test_the_largest_id_a_record_can_have_is_looked_up(app: Flask, manager_client: FlaskClient) -> None:
    assert manager_client.get(f"/reviews/{MAX_ID}").status_code == 404
    assert manager_client.get(f"/reviews/{MAX_ID + 1}").status_code == 404


@pytest.mark.parametrize("page", [HUGE, "-3", "0", "x", "\u00b2", "1e9"])
def test_a_page_number_out_of_range_shows_a_page(app: Flask, manager_client: FlaskClient, page: str) -> None:
    _review(app)
    for path in ("/reviews/", "/actions/", "/agencies/"):
        assert manager_client.get(path, query_string={"page": page}).status_code == 200, path


def test_the_audit_log_page_number_is_bounded(app: Flask) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN)
    client = client_as(app, admin)
    assert client.get("/admin/audit-log", query_string={"page": HUGE}).status_code == 200


def test_page_number_parsing() -> None:
    assert page_number(None) == 1
    assert page_number("3") == 3
    assert page_number(HUGE) == 1
    assert page_number("-2") == 1
    assert page_number("\u00b2") == 1
    assert page_number("999999") == 100_000


def test_ids_from_forms() -> None:
    assert as_id("12") == 12
    assert as_id(" 12 ") == 12
    for value in ("", " ", "0", "-1", HUGE, str(MAX_ID + 1), "\u00b2", "1.5", "x", None):
        assert as_id(value) is None, value
    assert chosen_ids(["3", "", HUGE, "3", "\uff19", "4"]) == {3, 4}


# --- ids in checkboxes and unknown or blank choices --------------------------------------------


def test_unknown_ids_in_checkboxes_get_a_field_error(app: Flask, manager_client: FlaskClient) -> None:
    review_id = _review(app, ReviewStage.RAPID_REVIEW)
    path = f"/reviews/{review_id}/rapid-review"
    for ids in (["", HUGE], ["", "9223372036854775808"], [" ", "12345678"], ["\u00b2"]):
        data = form_data(manager_client, path) | {"contributing_agencies": ids}
        response = unchanged(app, lambda d=data: manager_client.post(path, data=d))
        assert response.status_code == 400, ids
        assert "Select options from the list" in response.get_data(as_text=True)


def test_a_blank_choice_is_no_answer_and_an_unknown_one_a_field_error(
    app: Flask, manager_client: FlaskClient
) -> None:
    review_id = _review(app, ReviewStage.RAPID_REVIEW)
    path = f"/reviews/{review_id}/rapid-review"
    data = form_data(manager_client, path)
    unknown = unchanged(
        app, lambda: manager_client.post(path, data=data | {"recommendation": "not-a-status"})
    )
    assert unknown.status_code == 400
    assert "Not a valid choice" in unknown.get_data(as_text=True)
    response = manager_client.post(path, data=data | {"recommendation": " ", "panel_response": " "})
    assert response.status_code == 302
    with app.app_context():
        rapid = db.session.get(Review, review_id).rapid_review  # type: ignore[union-attr]
        assert rapid is not None and rapid.recommendation is None and rapid.panel_response is None


@pytest.mark.usefixtures("folder")
def test_a_blank_status_when_returning_an_action_is_not_a_500(app: Flask) -> None:
    with app.app_context():
        ids = ids_of(build_world())
    manager = client_as(app, ids.emails["manager"])
    token = csrf_token(manager, f"/actions/{ids.action}")
    response = manager.post(
        f"/actions/{ids.action}/return", data={"csrf_token": token, "status": " ", "note": "More evidence."}
    )
    assert response.status_code == 400  # the form is shown again with its message
    assert "<title>Error: " in response.get_data(as_text=True)


# An unknown move is not found; a NUL in the path is refused as bad input before routing.
@pytest.mark.parametrize(("move", "status"), [("not-a-move", 404), ("%00", 400), ("__class__", 404)])
def test_an_unknown_move_in_the_url_changes_nothing(
    app: Flask, manager_client: FlaskClient, move: str, status: int
) -> None:
    review_id = _review(app)
    token = csrf_token(manager_client, f"/reviews/{review_id}")
    response = unchanged(
        app, lambda: manager_client.post(f"/reviews/{review_id}/move/{move}", data={"csrf_token": token})
    )
    assert response.status_code == status


# --- a step that does not apply now ------------------------------------------------------------


def test_resuming_a_review_that_is_not_paused_is_refused_with_a_message(
    app: Flask, manager_client: FlaskClient
) -> None:
    review_id = _review(app)
    for method in ("GET", "POST"):
        token = csrf_token(manager_client, "/account")
        data = {"csrf_token": token, "ended_on": ["1", "2", "2026"]}
        response = unchanged(
            app,
            lambda m=method, d=data: manager_client.open(f"/reviews/{review_id}/resume", method=m, data=d),
        )
        assert response.status_code == 302
        assert response.headers["Location"] == f"/reviews/{review_id}"
        assert "This review is not paused" in manager_client.get(f"/reviews/{review_id}").get_data(
            as_text=True
        )


def test_extending_a_clock_without_a_due_date_is_refused_with_a_message(
    app: Flask, manager_client: FlaskClient
) -> None:
    review_id = _review(app)
    with app.app_context():
        review = db.session.get(Review, review_id)
        assert review is not None
        idle = next(d for d in deadlines_for(review) if not d.due_on)
        key, label = idle.clock.key, idle.clock.label
    response = unchanged(app, lambda: manager_client.get(f"/reviews/{review_id}/deadlines/{key}/extend"))
    assert response.status_code == 302
    page = html.unescape(manager_client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"'{label}' is not running, so it cannot be extended" in page


@pytest.mark.parametrize("agency", [HUGE, "\u00b2", "-1", "x"])
def test_a_chronology_filter_with_an_impossible_agency_shows_the_chronology(
    app: Flask, manager_client: FlaskClient, agency: str
) -> None:
    review_id = _review(app, ReviewStage.AWAITING_REVIEWER)
    for path in (f"/reviews/{review_id}/chronology", f"/reviews/{review_id}/chronology.csv"):
        response = manager_client.get(path, query_string={"agency": agency, "from": "99999-01-01"})
        assert response.status_code == 200, path


@pytest.mark.parametrize("answer", [" ", "not-a-response", HUGE])
def test_a_blank_or_unknown_answer_to_an_accuracy_comment_is_refused_with_a_message(
    app: Flask,
    case: dict,  # type: ignore[type-arg]  # noqa: F811 (the fixture imported above)
    answer: str,
) -> None:
    with app.app_context():
        review = db.session.get(Review, case["review_id"])
        assert review is not None
        lead, police_lead = (db.session.get(User, case[key].id) for key in ("lead", "police_lead"))
        draft = drafts.upload_draft(review, draft_pdf(), "First draft", lead, None)
        police = db.session.get(Agency, case["police"].id)
        check = drafts.share_for_accuracy(draft, [police], uk_today() + timedelta(days=10), case["manager"])
        comment = drafts.add_accuracy_comment(check.answers[0], "p. 4", "Wrong date", police_lead)
        drafts.sign_off_answer(check.answers[0], False, police_lead)
        db.session.commit()
        path = f"/reviews/{review.id}/drafts/comments/{comment.id}/respond"
    client = client_as(app, case["lead"].email)
    token = csrf_token(client, "/account")
    response = unchanged(app, lambda: client.post(path, data={"csrf_token": token, "response": answer}))
    assert response.status_code == 302
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "govuk-error-summary" in page or "Select" in page
