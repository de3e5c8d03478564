"""Earlier recommendations like a text, when the same wording recurs across many reviews: the
database returns only the candidates that can be shown, and the results are those of scoring
every earlier finding and recommendation in Python (the reference below), in the same order.

The world: eight earlier CSPRs over four years, each with the same recommendation (its themes
cycling through none, domestic abuse, both, information sharing), a recommendation of its own
wording and the same finding; review C, this year's, whose plan is being written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from rapidfuzz import utils
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casework.actions import resemblance, services
from casework.actions.models import Finding, Recommendation, Theme
from casework.actions.resemblance import FINDING, RECOMMENDATION, Probe, as_utc, find_many
from casework.auth.models import Role
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from tests.support.people import make_agency, make_user
from tests.support.readonly import built_once
from tests.support.reviews import make_review

REPEATED = "Police should share every domestic abuse incident where a baby lives with health visiting."
REWORDED = "Every domestic abuse incident where a baby lives should be shared by police with health visitors."
FINDING_TEXT = "Agencies knew of domestic abuse at home but did not share what they knew."


@dataclass(frozen=True)
class World:
    earlier: tuple[int, ...]  # reviews E0..E7, oldest first
    current: int
    abuse: int
    sharing: int


def build_world() -> World:
    today = uk_today()
    police = make_agency("Northshire Police")
    manager = make_user(Role.BOARD_MANAGER, name="Morgan Price")
    theme = {t.name: t for t in db.session.execute(select(Theme)).scalars()}
    abuse, sharing = theme["Domestic abuse"], theme["Information sharing"]
    cycle = [[], [abuse], [abuse, sharing], [sharing]]
    earlier = []
    for n in range(8):
        # Two reviews a year, four years back: ties of score go to the most recent year, then to
        # the latest written.
        review = make_review(
            "CSPR",
            "awaiting_reviewer",
            by=manager,
            agencies=[police],
            incident_on=today - timedelta(days=365 * (4 - n // 2) + 30),
        )
        added = [
            services.add_recommendation(review, REPEATED, True, [], cycle[n % 4], manager),
            services.add_recommendation(review, f"{REPEATED} Report number {n}.", True, [], [abuse], manager),
        ]
        services.add_finding(review, FINDING_TEXT, cycle[(n + 1) % 4], manager)
        if n % 3 == 0:
            services.confirm_recommendations(review, manager, {r.id: "A new protocol." for r in added})
        earlier.append(review.id)
    current = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[police])
    db.session.commit()
    return World(tuple(earlier), current.id, abuse.id, sharing.id)


@pytest.fixture(scope="class")
def world(app: Flask) -> Iterator[World]:
    def build() -> World:
        with app.app_context():
            return build_world()

    with built_once(app, build) as made:
        yield made


@pytest.fixture
def ctx(app: Flask, world: World) -> Iterator[World]:
    with app.app_context():
        yield world


def everything_scored(
    probe: Probe, kinds: Sequence[str], limit: int
) -> list[tuple[str, int, int, tuple[str, ...]]]:
    """The reference: every earlier finding and recommendation scored in Python, as the rules in
    resemblance's docstring say, best first, then the most recent review, then the latest written."""
    processed = utils.default_process(probe.text)
    items: list[tuple[str, Finding | Recommendation]] = []
    for kind, model in ((RECOMMENDATION, Recommendation), (FINDING, Finding)):
        if kind in kinds:
            rows = db.session.execute(select(model).options(selectinload(model.themes))).scalars()
            items += [(kind, item) for item in rows]
    kept = []
    for kind, item in items:
        if item.review_id == probe.exclude_review_id:
            continue
        if probe.before is not None and as_utc(item.created_at) > as_utc(probe.before):
            continue
        shared = tuple(sorted(t.name for t in item.themes if t.id in probe.theme_ids))
        base = resemblance.text_score(processed, utils.default_process(item.text))
        bonus = min(resemblance.MAX_THEME_BONUS, resemblance.THEME_BONUS * len(shared))
        score = min(100, round(base + bonus)) if processed else 0
        if score >= resemblance.SIMILAR:
            kept.append((score, item.review.year, item.id, kind, shared))
    kept.sort(key=lambda k: (-k[0], -k[1], -k[2]))
    return [(kind, item_id, score, shared) for score, _year, item_id, kind, shared in kept[:limit]]


def found(
    probes: Sequence[Probe], kinds: Sequence[str], limit: int
) -> list[list[tuple[str, int, int, tuple[str, ...]]]]:
    return [
        [(r.kind, r.id, r.score, r.shared_themes) for r in matches]
        for matches in find_many(probes, kinds, limit)
    ]


def written_at(review_id: int) -> datetime:
    """When the review's repeated recommendation was written."""
    return db.session.execute(
        select(Recommendation.created_at).where(
            Recommendation.review_id == review_id, Recommendation.text == REPEATED
        )
    ).scalar_one()


BOTH = (RECOMMENDATION, FINDING)


@pytest.mark.read_only
class TestRepeatedWording:
    @pytest.mark.parametrize("text", [REPEATED, REWORDED, FINDING_TEXT])
    @pytest.mark.parametrize("themes", ["none", "abuse", "both"])
    @pytest.mark.parametrize("kinds", [BOTH, (RECOMMENDATION,)])
    def test_the_results_are_those_of_scoring_everything(
        self, ctx: World, text: str, themes: str, kinds: tuple[str, ...]
    ) -> None:
        theme_ids = {"none": frozenset(), "abuse": {ctx.abuse}, "both": {ctx.abuse, ctx.sharing}}[themes]
        probe = Probe(text, frozenset(theme_ids), ctx.current)
        for limit in (1, 3, resemblance.LIMIT):
            expected = everything_scored(probe, kinds, limit)
            # The world holds matches for each probe, but no recommendation like the finding.
            assert expected or (text, kinds) == (FINDING_TEXT, (RECOMMENDATION,))
            assert found([probe], kinds, limit) == [expected]

    def test_a_saved_probe_sees_only_what_was_written_before_it(self, ctx: World) -> None:
        middle = written_at(ctx.earlier[4])
        probe = Probe(REPEATED, frozenset({ctx.abuse}), ctx.current, before=middle)
        expected = everything_scored(probe, BOTH, resemblance.LIMIT)
        assert found([probe], BOTH, resemblance.LIMIT) == [expected]
        assert expected != everything_scored(Probe(REPEATED, frozenset({ctx.abuse}), ctx.current), BOTH, 5)

    def test_probes_written_at_different_moments_and_of_different_reviews_each_get_their_own(
        self, ctx: World
    ) -> None:
        probes = [
            Probe(REPEATED, frozenset({ctx.abuse}), ctx.current, before=written_at(ctx.earlier[2])),
            Probe(REPEATED, frozenset({ctx.sharing}), ctx.earlier[7], before=written_at(ctx.earlier[6])),
            Probe(REWORDED, frozenset(), ctx.earlier[0]),
            Probe(FINDING_TEXT, frozenset({ctx.abuse, ctx.sharing}), None, before=written_at(ctx.earlier[5])),
        ]
        for limit in (1, resemblance.LIMIT):
            assert found(probes, BOTH, limit) == [everything_scored(p, BOTH, limit) for p in probes]
        # Confirming a plan asks with every probe of one review, each saved at its own moment.
        same_review = [
            Probe(REPEATED, frozenset({ctx.abuse}), ctx.current, before=written_at(review_id))
            for review_id in ctx.earlier[1::2]
        ]
        expected = [everything_scored(p, (RECOMMENDATION,), 1) for p in same_review]
        assert found(same_review, (RECOMMENDATION,), 1) == expected

    def test_more_themes_than_one_mask_holds(self, ctx: World) -> None:
        # Ids below every real theme's fill the first masks: the real themes fall in a later one.
        many = frozenset(range(-resemblance.MASK_BITS - 10, 0)) | {ctx.abuse, ctx.sharing}
        probe = Probe(REWORDED, many, ctx.current)
        expected = everything_scored(probe, BOTH, resemblance.LIMIT)
        assert any(shared for _kind, _id, _score, shared in expected)
        assert found([probe], BOTH, resemblance.LIMIT) == [expected]
