"""Review screens over HTTP: who may open what, what is recorded, bad input, lists and filters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.models import ClockDefinition, ClockUnit, Review, ReviewDeadline, ReviewType, RuleBasis
from casework.reviews.referral.rapid_review import RapidReviewDetails, save_rapid_review
from casework.reviews.referral.referral import ReferralDetails, create_referral
from casework.reviews.stages import ReviewStage
from tests.conftest import client_as, csrf_token, empty_database, make_agency, make_user, post_form
from tests.reviews.conftest import make_review
from tests.support.readonly import built_once


def _review(
    app: Flask, manager: User, code: str = "CSPR", stage: str = "referral", **kwargs: object
) -> Review:
    with app.app_context():
        return make_review(code, stage, by=manager, **kwargs)


def _reload(app: Flask, review_id: int) -> Review:
    with app.app_context():
        review = db.session.get(Review, review_id)
        assert review is not None
        review.stage  # noqa: B018 (load before the context closes)
        return review


def _events(app: Flask, action: str, review_id: int) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.execute(
                db.select(AuditEvent).where(AuditEvent.action == action, AuditEvent.review_id == review_id)
            ).scalars()
        )


def _date_fields(name: str, value: date) -> dict[str, list[str]]:
    return {name: [str(value.day), str(value.month), str(value.year)]}


REVIEW_PAGES = [
    "/reviews/{id}",
    "/reviews/{id}/referral",
    "/reviews/{id}/identifying-details",
    "/reviews/{id}/identifying-details/edit",
    "/reviews/{id}/rapid-review",
    "/reviews/{id}/decision",
    "/reviews/{id}/commissioning",
    "/reviews/{id}/pause",
    "/reviews/{id}/resume",
    "/reviews/{id}/deadlines/notification/extend",
]


@dataclass
class Outsiders:
    """A review at referral ("Child Q", by the manager) and people who may not open it."""

    review: Review
    people: dict[Role, int]  # a reviewer, an agency lead and an administrator


@pytest.fixture(scope="class")
def outsiders(app: Flask) -> Iterator[Outsiders]:
    def build() -> Outsiders:
        with app.app_context():
            manager = make_user(Role.BOARD_MANAGER, name="Morgan Price")
            people = {role: make_user(role).id for role in (Role.REVIEWER, Role.AGENCY_LEAD, Role.ADMIN)}
            review = make_review("CSPR", "referral", by=manager, pseudonym="Child Q")  # last: stays loaded
            return Outsiders(review, people)

    with built_once(app, build, may_add_to={"audit_events"}) as world:
        yield world


@pytest.mark.read_only
class TestWhoMayNotOpenReviews:
    """Only refused requests: the world is built once for the class, and checked unchanged."""

    @pytest.mark.parametrize("role", [Role.REVIEWER, Role.AGENCY_LEAD])
    def test_reviewers_and_agency_leads_cannot_open_reviews(
        self, app: Flask, outsiders: Outsiders, role: Role
    ) -> None:
        review = outsiders.review
        client = client_as(app, outsiders.people[role])
        for page in REVIEW_PAGES:
            assert client.get(page.format(id=review.id)).status_code == 404, page
        token = csrf_token(client, "/account")
        response = client.post(f"/reviews/{review.id}/move/begin_rapid_review", data={"csrf_token": token})
        assert response.status_code == 404
        assert _reload(app, review.id).stage == ReviewStage.REFERRAL
        assert _events(app, "identifiers_viewed", review.id) == []

    def test_administrators_have_no_access_to_case_records(self, app: Flask, outsiders: Outsiders) -> None:
        client = client_as(app, outsiders.people[Role.ADMIN])
        for page in REVIEW_PAGES:  # the review's own rule: an administrator may not know it exists
            assert client.get(page.format(id=outsiders.review.id)).status_code == 404, page
        assert client.get("/reviews/").status_code == 403

    def test_reviewer_list_shows_no_review_they_do_not_lead(self, app: Flask, outsiders: Outsiders) -> None:
        page = client_as(app, outsiders.people[Role.REVIEWER]).get("/reviews/?q=Child").get_data(as_text=True)
        assert outsiders.review.reference not in page and "Child Q" not in page


def test_identifying_details_are_shown_only_on_their_own_page_and_every_view_is_recorded(
    app: Flask, manager: User, manager_client: FlaskClient
) -> None:
    review = _review(app, manager)
    response = post_form(
        manager_client,
        f"/reviews/{review.id}/identifying-details/edit",
        {
            "version": review.version,
            "children-0-full_name": "Jamie Tester",
            **_date_fields("children-0-date_of_birth", date(2025, 9, 1)),
            "carers-0-full_name": "Alex Tester",
            "carers-0-relationship_to_child": "Mother",
            "address": "1 Example Street",
        },
    )
    assert response.status_code == 302
    detail = manager_client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Jamie Tester" not in detail and "1 Example Street" not in detail
    before = len(_events(app, "identifiers_viewed", review.id))
    shown = manager_client.get(f"/reviews/{review.id}/identifying-details").get_data(as_text=True)
    assert "Jamie Tester" in shown and "1 September 2025" in shown and "1 Example Street" in shown
    views = _events(app, "identifiers_viewed", review.id)
    assert len(views) == before + 1
    assert views[-1].actor_id == manager.id
    updates = _events(app, "identifiers_updated", review.id)
    assert updates and "Jamie" not in str(updates[0].details) and "Example" not in str(updates[0].details)


def test_more_than_the_allowed_children_or_a_future_birth_date_is_refused(
    app: Flask, manager: User, manager_client: FlaskClient
) -> None:
    review = _review(app, manager)
    tomorrow = uk_today() + timedelta(days=1)
    response = post_form(
        manager_client,
        f"/reviews/{review.id}/identifying-details/edit",
        {
            "version": review.version,
            "children-0-full_name": "Sam",
            **_date_fields("children-0-date_of_birth", tomorrow),
        },
    )
    assert response.status_code == 400
    assert "must be today or in the past" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Review, review.id).confidential is None


def test_a_referral_with_awareness_before_the_incident_is_refused_and_nothing_saved(
    app: Flask, manager_client: FlaskClient
) -> None:
    response = post_form(
        manager_client,
        "/reviews/new/CSPR",
        {
            "pseudonym": "Child Z",
            "incident_description": "Injuries",
            **_date_fields("incident_on", date(2026, 3, 10)),
            **_date_fields("became_aware_on", date(2026, 3, 9)),
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "must be the same as or after the incident date" in page
    assert 'href="#became_aware_on-day"' in page  # the error summary links to the date's Day box
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Review.id))).scalar_one() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"incident_on": ["31", "2", "2026"]}, "must be a real date"),
        ({"incident_on": ["", "2", "2026"]}, "must include a day, month and year"),
        ({"incident_on": None}, "Enter the date of the incident"),
        ({"pseudonym": ""}, "Enter the pseudonym"),
    ],
)
def test_referral_form_messages(app: Flask, manager_client: FlaskClient, fields: dict, message: str) -> None:
    data = {
        "pseudonym": "Child Z",
        "incident_description": "Injuries",
        "incident_on": ["1", "3", "2026"],
        "became_aware_on": ["2", "3", "2026"],
        **fields,
    }
    response = post_form(
        manager_client, "/reviews/new/CSPR", {k: v for k, v in data.items() if v is not None}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Review.id))).scalar_one() == 0


def test_skipping_a_stage_is_refused_with_a_message(
    app: Flask, manager: User, manager_client: FlaskClient
) -> None:
    review = _review(app, manager)
    token = csrf_token(manager_client, f"/reviews/{review.id}")
    response = manager_client.post(
        f"/reviews/{review.id}/move/complete_rapid_review",
        data={"csrf_token": token, "version": review.version},
        follow_redirects=True,
    )
    assert (
        "You cannot complete the rapid review while the review is at the referral stage"
        in response.get_data(as_text=True)
    )
    after = _reload(app, review.id)
    assert after.stage == ReviewStage.REFERRAL and after.version == review.version


def test_a_stale_form_never_overwrites_a_newer_change(
    app: Flask, manager: User, manager_client: FlaskClient
) -> None:
    review = _review(app, manager)
    other = client_as(app, manager)
    fields = {
        "incident_description": "Updated by the first manager",
        **_date_fields("incident_on", review.referral.incident_on),
        **_date_fields("became_aware_on", review.referral.became_aware_on),
        **_date_fields("panel_notified_on", review.referral.panel_notified_on),
    }
    first = post_form(
        other,
        f"/reviews/{review.id}/referral",
        {"pseudonym": "Child AA", "version": review.version, **fields},
    )
    assert first.status_code == 302
    stale = post_form(
        manager_client,
        f"/reviews/{review.id}/referral",
        {"pseudonym": "Child BB", "version": review.version, **fields},
    )
    assert stale.status_code == 400
    assert "Someone else changed this review" in stale.get_data(as_text=True)
    assert _reload(app, review.id).pseudonym == "Child AA"


def test_list_filters_and_search(app: Flask, manager: User, manager_client: FlaskClient) -> None:
    today = uk_today()
    overdue = _review(
        app,
        manager,
        "CSPR",
        "rapid_review",
        pseudonym="Child Late",
        incident_on=today - timedelta(days=80),
        became_aware_on=today - timedelta(days=79),
        panel_notified_on=today - timedelta(days=78),
    )
    fresh = _review(
        app,
        manager,
        "CSPR",
        "referral",
        pseudonym="Child New",
        incident_on=today - timedelta(days=1),
        became_aware_on=today,
        panel_notified_on=None,
    )
    adult = _review(app, manager, "SAR", "decision", pseudonym="Adult K")

    def listed(query: str) -> str:
        return manager_client.get(f"/reviews/?{query}").get_data(as_text=True)

    assert all(r.reference in listed("") for r in (overdue, fresh, adult))
    page = listed("due=overdue")
    assert overdue.reference in page and fresh.reference not in page and adult.reference not in page
    page = listed("due=soon")
    assert fresh.reference in page and overdue.reference not in page
    page = listed("type=SAR")
    assert adult.reference in page and overdue.reference not in page
    page = listed("stage=rapid_review")
    assert overdue.reference in page and fresh.reference not in page
    page = listed("q=child+new")
    assert fresh.reference in page and overdue.reference not in page
    page = listed(f"q={adult.reference.lower()}")
    assert adult.reference in page and fresh.reference not in page

    dashboard = manager_client.get("/reviews/dashboard").get_data(as_text=True)
    upcoming = dashboard.split('data-testid="upcoming-deadlines"')[1]
    assert upcoming.index(overdue.reference) < upcoming.index(fresh.reference)  # overdue first
    assert "Overdue" in upcoming


def test_the_list_is_paged(app: Flask, manager: User, manager_client: FlaskClient) -> None:
    with app.app_context():
        review_type = db.session.execute(db.select(ReviewType).where(ReviewType.code == "SAR")).scalar_one()
        me = db.session.get(User, manager.id)
        for number in range(27):
            create_referral(
                review_type,
                ReferralDetails(f"Adult {number}", date(2026, 1, 5), "Neglect", date(2026, 1, 6)),
                me,
            )
        db.session.commit()
    first = manager_client.get("/reviews/").get_data(as_text=True)
    assert "27 reviews" in first
    assert 'aria-label="Page 1" aria-current="page"' in first and 'href="/reviews/?page=2"' in first
    second = manager_client.get("/reviews/?page=2").get_data(as_text=True)
    assert second.count('class="govuk-table__row"') - 1 == 2


def test_a_closure_day_moves_working_day_deadlines(
    app: Flask, manager: User, manager_client: FlaskClient
) -> None:
    today = uk_today()
    review = _review(
        app,
        manager,
        "CSPR",
        "referral",
        incident_on=today - timedelta(days=1),
        became_aware_on=today,
        panel_notified_on=None,
    )
    with app.app_context():
        before = db.session.execute(
            db.select(ReviewDeadline.due_on).where(
                ReviewDeadline.review_id == review.id, ReviewDeadline.clock_key == "notification"
            )
        ).scalar_one()
    from casework.core.workdays import WorkingCalendar

    closed = WorkingCalendar().add_working_days(today, 1)
    response = post_form(
        manager_client,
        "/reviews/working-days",
        {**_date_fields("day", closed), "description": "Training day"},
    )
    assert response.status_code == 302
    with app.app_context():
        after = db.session.execute(
            db.select(ReviewDeadline.due_on).where(
                ReviewDeadline.review_id == review.id, ReviewDeadline.clock_key == "notification"
            )
        ).scalar_one()
    assert after == WorkingCalendar().add_working_days(before, 1)
    refused = post_form(
        manager_client,
        "/reviews/working-days",
        {**_date_fields("day", date(2026, 12, 25)), "description": "Christmas"},
    )
    assert refused.status_code == 400
    assert "already a weekend or bank holiday" in refused.get_data(as_text=True)


@pytest.fixture
def extra_review_type(app: Flask) -> Iterator[str]:
    """A type added as data, as a partnership would; removed afterwards (reference tables persist)."""
    with app.app_context():
        review_type = ReviewType(
            code="LCR",
            name="Local learning review",
            description="A shorter local review.",
            stage_keys=["referral", "decision", "commissioning", "awaiting_reviewer", "closed", "no_review"],
            decision_criteria=[{"key": "learning", "label": "There is useful learning"}],
            regard_circumstances=[],
        )
        review_type.clocks = [
            ClockDefinition(
                key="decide",
                label="Decide",
                start_event="became_aware",
                end_event="decision",
                amount=10,
                unit=ClockUnit.WORKING_DAYS,
                basis=RuleBasis.LOCAL_TARGET,
                position=0,
            ),
        ]
        db.session.add(review_type)
        db.session.commit()
        type_id = review_type.id
    yield "LCR"
    empty_database(app)  # its reviews and reference numbers first
    with app.app_context():
        db.session.execute(db.delete(ClockDefinition).where(ClockDefinition.review_type_id == type_id))
        db.session.execute(db.delete(ReviewType).where(ReviewType.id == type_id))
        db.session.commit()


def test_a_new_review_type_needs_no_code_change(
    app: Flask, manager_client: FlaskClient, extra_review_type: str
) -> None:
    assert "Start a LCR" in manager_client.get("/reviews/new").get_data(as_text=True)
    response = post_form(
        manager_client,
        "/reviews/new/LCR",
        {
            "pseudonym": "Child L",
            "incident_description": "Learning",
            **_date_fields("incident_on", date(2026, 3, 2)),
            **_date_fields("became_aware_on", date(2026, 3, 2)),
        },
    )
    assert response.status_code == 302
    page = manager_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "LCR-2026-001" in page
    assert "16 March 2026" in page  # 10 working days after Monday 2 March 2026
    assert "Move to decision" in page  # no rapid review stage for this type
    assert "Start the rapid review" not in page


def test_agencies_are_recorded_at_each_step(app: Flask, manager: User, manager_client: FlaskClient) -> None:
    with app.app_context():
        police = make_agency("Police Service")
    review = _review(app, manager, agencies=[])
    fields = {
        "pseudonym": review.pseudonym,
        "incident_description": "Injuries",
        "known_agencies": [str(police.id)],
        **_date_fields("incident_on", review.referral.incident_on),
        **_date_fields("became_aware_on", review.referral.became_aware_on),
        **_date_fields("panel_notified_on", review.referral.panel_notified_on),
    }
    assert (
        post_form(
            manager_client, f"/reviews/{review.id}/referral", {"version": review.version, **fields}
        ).status_code
        == 302
    )
    page = manager_client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Police Service" in page
    changed = _events(app, "referral_updated", review.id)
    assert changed and changed[-1].details["known_agencies"] == [[], ["Police Service"]]


def test_the_timeline_never_copies_free_text(app: Flask, manager: User) -> None:
    """Free text may name people despite the guidance: the timeline records only that it changed."""
    review = _review(app, manager, "CSPR", "rapid_review")
    with app.app_context():
        row = db.session.get(Review, review.id)
        save_rapid_review(
            row,
            RapidReviewDetails(facts_established="Jamie Tester was seen by the GP"),
            row.version,
        )
        db.session.commit()
    events = _events(app, "rapid_review_updated", review.id)
    assert events and "Jamie" not in str(events[-1].details)
    assert events[-1].details["facts_established"] == ["(text)", "(changed)"]
