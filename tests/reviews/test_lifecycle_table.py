"""The transition table decides which page takes each move: the generic move view takes only
the simple moves, each through the service registered for it; the review page's next steps are
the table's allowed moves, one link per form page."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.reviews.lifecycle import TRANSITIONS, Move, handler_for, takes
from casework.reviews.models import Review
from casework.reviews.stages import ReviewStage
from tests.conftest import client_as, make_user, post_form
from tests.reviews.conftest import make_review

SIMPLE = {
    Move.BEGIN_RAPID_REVIEW,
    Move.REFER_FOR_DECISION,
    Move.COMPLETE_RAPID_REVIEW,
    Move.START_CONTRIBUTIONS,
    Move.CLOSE,
}


def test_the_simple_moves_are_the_ones_the_move_view_took_before() -> None:
    assert {move for move, t in TRANSITIONS.items() if t.simple} == SIMPLE


@pytest.mark.parametrize("move", list(Move))
def test_every_move_names_a_page_that_takes_it(app: Flask, move: Move) -> None:
    transition = TRANSITIONS[move]
    endpoints = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    assert transition.endpoint in endpoints
    assert "review_id" in endpoints[transition.endpoint].arguments
    if transition.simple:
        assert handler_for(move) is not None  # registered by the service that takes it
        assert transition.done and not transition.link
    else:
        assert handler_for(move) is None and not transition.done


def test_a_move_taken_by_a_form_page_cannot_be_given_to_the_move_view() -> None:
    with pytest.raises(ValueError, match=r"reviews\.review_commissioning"):
        takes(Move.COMMISSION, lambda review, version, by: None)
    assert handler_for(Move.COMMISSION) is None


def _manager_and_review(app: Flask, stage: str) -> tuple[User, int]:
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER, name="Morgan Price")
        return manager, make_review("CSPR", stage, by=manager).id


@pytest.mark.parametrize("move", ["commission", "decide_local_review", "publish", "no_such_move"])
def test_the_move_view_refuses_what_the_table_gives_to_another_page(app: Flask, move: str) -> None:
    manager, review_id = _manager_and_review(app, "commissioning")
    client = client_as(app, manager)
    response = post_form(client, f"/reviews/{review_id}/move/{move}", {}, token_from=f"/reviews/{review_id}")
    assert response.status_code == 404
    with app.app_context():
        review = db.session.get(Review, review_id)
        assert review is not None and review.stage == ReviewStage.COMMISSIONING


def _next_steps(page: str) -> list[str]:
    block = page.split('data-testid="next-steps"', 1)[1].split("</div>", 1)[0]
    return [
        re.sub(r"\s+", " ", label).strip()
        for label in re.findall(r"<(?:button|a)[^>]*>([^<]*)</(?:button|a)>", block)
    ]


@pytest.mark.parametrize(
    ("stage", "steps"),
    [
        ("referral", ["Start the rapid review"]),  # a CSPR: no skipping the rapid review
        # Nothing recorded yet: what is missing instead of a button (tests/reviews/test_next_step.py).
        ("rapid_review", []),
        ("decision", ["Record the decision"]),  # three outcomes, one form page
        ("commissioning", ["Set terms of reference and commission"]),
    ],
)
def test_the_review_page_shows_the_tables_next_steps(app: Flask, stage: str, steps: list[str]) -> None:
    manager, review_id = _manager_and_review(app, stage)
    page = client_as(app, manager).get(f"/reviews/{review_id}").get_data(as_text=True)
    moves = {t.label for t in TRANSITIONS.values()} | {t.link for t in TRANSITIONS.values()}
    # the table's steps first, then only the page's other buttons (pause, appoint...)
    assert [label for label in _next_steps(page) if label in moves] == steps
    assert _next_steps(page)[: len(steps)] == steps
