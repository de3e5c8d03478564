"""The review page's next step and the lifecycle's services never disagree: for every stage of
every review type (and the ways a move can still lack something), each move the page offers is
accepted by the service, and each "what is missing" it shows is the service's refusal, word for
word, linking to a page that opens. Buttons that do not apply to the stage are not shown."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from casework.actions import services as actions
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.lifecycle import TRANSITIONS, Move, missing_for
from casework.reviews.models import Review
from casework.reviews.referral.rapid_review import save_rapid_review
from casework.reviews.stages import ReviewStage
from tests.reviews.test_lifecycle import STAGES
from tests.support.http import client_as, page_text, post_form
from tests.support.people import make_user
from tests.support.reviews import (
    LATER_STAGES,
    REACHABLE_STAGES,
    make_review,
    rapid_review_details,
    review_dates,
    review_type,
)
from tests.support.rows import stored


def _with_unverified_action(review: Review, manager: User) -> None:
    recommendation = actions.add_recommendation(review, "Share what is known.", True, [], [], manager)
    actions.add_action(
        recommendation, "Audit sharing", None, manager, uk_today() + timedelta(days=30), "Audited", manager
    )


def _rapid_review_recorded(review: Review, manager: User) -> None:
    details = rapid_review_details(review_dates("CSPR"), agencies=[])
    save_rapid_review(review, details, review.version)


# (type, stage, what make_review is given, a change after it): every stage each type has, and
# each way a simple move can still need something.
CASES: list[tuple[str, str, dict[str, Any], Callable[[Review, User], None] | None]] = [
    (code, stage.value, {}, None)
    for code in ("CSPR", "SAR", "DHR")
    for stage in REACHABLE_STAGES + LATER_STAGES
    if not stage.is_ending and stage in STAGES[code]
] + [
    ("CSPR", "referral", {"panel_notified_on": None}, None),
    ("CSPR", "rapid_review", {}, _rapid_review_recorded),
    ("CSPR", "action_planning", {}, _with_unverified_action),
]


def _build(app: Flask, case: tuple[str, str, dict[str, Any], Any], folder: Any) -> tuple[int, int]:
    code, stage, dates, change = case
    with app.app_context():
        assert review_type(code).has_stage(ReviewStage(stage))
        manager = make_user(Role.BOARD_MANAGER)
        review = make_review(code, stage, by=manager, **dates)
        if change is not None:
            change(stored(Review, review.id), stored(User, manager.id))
            db.session.commit()
        return manager.id, review.id


def _offered(page: str, review_id: int) -> list[str]:
    return re.findall(rf'action="/reviews/{review_id}/move/([a-z_]+)"', page)


def _missing(page: str) -> list[tuple[str, str, str]]:
    """(move, link, link text) of each "what is missing" the page shows."""
    return re.findall(
        r'data-testid="missing" data-move="([a-z_]+)">.*?<a class="govuk-link" href="([^"]+)">([^<]+)</a>',
        page,
        re.S,
    )


SEEN: dict[str, set[str]] = {"offered": set(), "missing": set()}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}{'-' + '-'.join(c[2]) if c[2] else ''}")
def test_the_page_and_the_service_agree(app: Flask, folder: Any, case: Any) -> None:
    manager_id, review_id = _build(app, case, folder)
    client = client_as(app, manager_id)
    url = f"/reviews/{review_id}"
    page = page_text(client.get(url))
    offered, missing = _offered(page, review_id), _missing(page)
    assert not set(offered) & {move for move, _, _ in missing}, "a move offered and refused at once"

    for move, link, text in missing:
        SEEN["missing"].add(move)
        with app.app_context():
            expected = missing_for(stored(Review, review_id), Move(move))
        assert expected is not None and text == expected.step
        assert client.get(link).status_code == 200, link
        response = post_form(client, f"{url}/move/{move}", {}, token_from=url)
        assert expected.refusal in page_text(client.get(response.headers["Location"]))
        with app.app_context():
            assert stored(Review, review_id).stage == ReviewStage(case[1]), "a refused move changed the stage"

    # Each offered move is taken (on a fresh review if the page offers more than one).
    for number, move in enumerate(offered):
        SEEN["offered"].add(move)
        if number:
            manager_id, review_id = _build(app, case, folder)  # type: ignore[misc]
            client, url = client_as(app, manager_id), f"/reviews/{review_id}"
        response = post_form(client, f"{url}/move/{move}", {}, token_from=url)
        assert "govuk-error-summary" not in page_text(client.get(response.headers["Location"]))
        with app.app_context():
            assert stored(Review, review_id).stage == TRANSITIONS[Move(move)].destination, move


def test_every_kind_of_missing_and_of_move_was_met() -> None:
    """The walk above is not empty: it met every rule and every simple move (runs after it)."""
    if not SEEN["offered"]:
        pytest.skip("run with the walk")
    assert SEEN["missing"] >= {"begin_rapid_review", "complete_rapid_review", "start_contributions", "close"}
    assert SEEN["offered"] >= {"begin_rapid_review", "refer_for_decision", "complete_rapid_review", "close"}


def test_buttons_that_do_not_apply_are_not_shown(app: Flask, folder: Any) -> None:
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        early = make_review("CSPR", "decision", by=manager).id
        waiting = make_review("CSPR", "awaiting_reviewer", by=manager).id
        started = make_review("CSPR", "contributions", by=manager).id
    client = client_as(app, manager.id)

    def buttons(review_id: int) -> str:
        page = page_text(client.get(f"/reviews/{review_id}"))
        return page.split('data-testid="next-steps"', 1)[1].split('data-testid="clocks"', 1)[0]

    assert "Appoint a reviewer" not in buttons(early) and "Request contributions" not in buttons(early)
    assert "Appoint a reviewer" in buttons(waiting) and "Request contributions" in buttons(waiting)
    # Once the lead reviewer has accepted, appointing is no longer the page's button.
    assert "Appoint a reviewer" not in buttons(started) and "Request contributions" in buttons(started)
    assert "Appoint a co-reviewer" in page_text(client.get(f"/reviews/{started}"))
