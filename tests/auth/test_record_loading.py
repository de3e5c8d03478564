"""``@loads``: a route about one record loads it and applies the record's own rule."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_login import login_user

from casework.auth.access import can, loads, policy_of
from casework.auth.models import User
from casework.core.extensions import db
from casework.reviews.models import Review
from casework.reviews.stages import ReviewStage
from tests.conftest import app_beside
from tests.support.copies import replayed
from tests.support.http import client_as
from tests.support.people import AgencyType, make_cast
from tests.support.reviews import make_review


@pytest.fixture(scope="module")
def rules_app(app: Flask) -> Iterator[Flask]:
    """The suite's database, with two routes declared by record rules (one app for the module:
    its tests only send requests)."""
    other = app_beside(app)

    @loads(Review)
    def read(review: Review) -> str:
        return f"read {review.reference}"

    @loads(Review, may="manage")
    def manage(review: Review) -> str:
        return f"managed {review.reference}"

    other.add_url_rule("/test/<int:review_id>/read", "read", read)
    other.add_url_rule("/test/<int:review_id>/manage", "manage", manage, methods=["GET", "POST"])
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def world(app: Flask) -> dict[str, int]:
    return replayed(app, "record loading world", lambda: _build_world(app))


def _build_world(app: Flask) -> dict[str, int]:
    with app.app_context():
        cast = make_cast({"X": ("North Police", AgencyType.POLICE)})
        review = make_review(stage=ReviewStage.CONTRIBUTIONS, reviewer=cast.user("R1"))
        return {"review": review.id, **cast.user_ids}


@pytest.mark.parametrize(
    ("person", "read", "manage"),
    [
        ("board_manager", 200, 200),
        ("R1", 200, 403),  # leads the review: sees it, does not run it
        ("R3", 404, 404),  # on nothing: may not know the review exists
        ("LX", 404, 404),
        ("admin", 404, 404),
    ],
)
def test_each_person_gets_what_the_reviews_rules_say(
    rules_app: Flask, world: dict[str, int], person: str, read: int, manage: int
) -> None:
    client = client_as(rules_app, world[person])
    review_id = world["review"]
    assert client.get(f"/test/{review_id}/read").status_code == read
    answer = client.get(f"/test/{review_id}/manage")
    assert answer.status_code == manage
    if manage == 200:
        assert answer.get_data(as_text=True).startswith("managed CSPR-")


def test_a_missing_record_is_404_even_for_a_board_manager(rules_app: Flask, world: dict[str, int]) -> None:
    client = client_as(rules_app, world["board_manager"])
    assert client.get(f"/test/{world['review'] + 1000}/manage").status_code == 404


def test_signed_out_visitors_go_to_sign_in(rules_app: Flask, world: dict[str, int]) -> None:
    answer = rules_app.test_client().get(f"/test/{world['review']}/read")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/sign-in")


def test_the_declaration_names_the_model_and_the_rule(rules_app: Flask) -> None:
    with rules_app.test_request_context():
        policy = policy_of("manage")
    assert policy is not None
    declared = (policy.kind, policy.model, policy.ability, policy.argument)
    assert declared == ("object", Review, "manage", "review_id")
    assert policy.describe() == "Review.can_manage"


def test_a_rule_the_model_lacks_is_refused_when_the_route_is_declared() -> None:
    with pytest.raises(TypeError, match="no rule can_fly"):
        loads(Review, may="fly")


def test_the_view_must_take_the_record() -> None:
    with pytest.raises(TypeError, match="'review'"):
        loads(Review)(lambda review_id: "")


def test_templates_ask_the_same_rules(app: Flask, world: dict[str, int]) -> None:
    for person, expected in (("board_manager", (True, True)), ("R1", (True, False)), ("R3", (False, False))):
        with app.test_request_context():
            login_user(db.session.get(User, world[person]))
            review = db.session.get(Review, world["review"])
            assert (can("view", review), can("manage", review)) == expected, person
            assert can("manage_reviews") == (person == "board_manager")
