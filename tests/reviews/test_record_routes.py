"""Review routes about one record declare the record's rule, and the views add no refusal of
their own: a person the rule lets through reaches the form (a message, a redirect, a 400 page),
never a 403 or 404 from the view."""

from __future__ import annotations

import pytest
from flask import Flask

from casework.auth.access import policy_of
from casework.auth.models import Role
from casework.core.extensions import db
from casework.reviews.models import Publication, Review
from casework.reviews.stages import ReviewStage
from tests.conftest import client_as, make_user, post_form
from tests.reviews.test_publishing import LEAKY, _final, case  # noqa: F401 (the fixture)
from tests.support.http import page_text

RECORD_ARGUMENTS = {"review_id", "assignment_id", "answer_id", "affiliation_id"}

PUBLICATION_CHANGES = ("details", "publish", "not-published", "delays", "corrected", "check", "withdraw")


def test_every_review_route_about_one_record_declares_its_rule(app: Flask) -> None:
    with app.test_request_context():
        rules = [
            (rule, policy_of(rule.endpoint))
            for rule in app.url_map.iter_rules()
            if app.view_functions[rule.endpoint].__module__.startswith("casework.reviews")
        ]
    undeclared = [
        rule.rule
        for rule, policy in rules
        if RECORD_ARGUMENTS & set(rule.arguments) and (policy is None or policy.kind != "object")
    ]
    assert undeclared == []
    assert len([policy for _, policy in rules if policy and policy.kind == "object"]) >= 35


def test_the_publication_page_has_one_route_per_change(app: Flask) -> None:
    with app.test_request_context():
        endpoints = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    for change in PUBLICATION_CHANGES:
        endpoint = endpoints[f"/reviews/<int:review_id>/publication/{change}"]
        with app.test_request_context():
            policy = policy_of(endpoint)
        assert policy is not None and policy.describe() == "Review.can_manage", change
    page = [rule for rule in app.url_map.iter_rules() if rule.rule == "/reviews/<int:review_id>/publication"]
    assert [sorted(rule.methods - {"HEAD", "OPTIONS"}) for rule in page] == [["GET"]]  # type: ignore[operator]


@pytest.mark.parametrize("change", PUBLICATION_CHANGES)
def test_publication_changes_follow_the_reviews_rule(app: Flask, case: dict, change: str) -> None:  # type: ignore[type-arg]  # noqa: F811
    """The lead reviewer sees the page but may not change it (403); another reviewer may not
    know the review exists (404); nothing changes either way."""
    _final(app, case, LEAKY)
    with app.app_context():
        stranger = make_user(Role.REVIEWER)
    page = f"/reviews/{case['review_id']}/publication"
    lead, other = client_as(app, case["lead"]), client_as(app, stranger)
    assert lead.get(page).status_code == 200
    assert post_form(lead, f"{page}/{change}", {}, token_from=page).status_code == 403
    assert post_form(other, f"{page}/{change}", {}, token_from="/reviews/").status_code == 404
    with app.app_context():
        assert db.session.get(Publication, case["review_id"]) is None


def test_a_refused_change_shows_the_page_again_with_its_form(app: Flask, case: dict) -> None:  # type: ignore[type-arg]  # noqa: F811
    _final(app, case, LEAKY)
    manager = client_as(app, case["manager"])
    page = f"/reviews/{case['review_id']}/publication"
    refused = post_form(manager, page + "/not-published", {"reason": "Sibling"}, token_from=page)
    assert refused.status_code == 400
    text = page_text(refused)
    assert "Enter the date the partners decided" in text and "<title>Error: " in text
    assert "Sibling" in text  # the refused form keeps what was typed
    with app.app_context():
        review = db.session.get(Review, case["review_id"])
        assert review is not None and review.stage == ReviewStage.PUBLICATION


def test_an_agency_lead_without_a_request_does_not_know_the_review(app: Flask, case: dict) -> None:  # type: ignore[type-arg]  # noqa: F811
    """The identifying details have their own rule (an open request); without one, every page of
    the review is unknown to them (404)."""
    with app.app_context():
        outsider = make_user(Role.AGENCY_LEAD)
    client = client_as(app, outsider)
    base = f"/reviews/{case['review_id']}"
    for path in (base, base + "/identifying-details", base + "/identifying-details/edit"):
        assert client.get(path).status_code == 404, path
