"""The overdue actions chart counts each action by where its dates fall among the chart's days:
checked against the rule itself (``_overdue_on``, one count per day) for actions dated on, just
before and just after every day, with several todays (a month's first and last day, a leap day);
the same actions by RAG per agency against each one's colour worked out in Python."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from casework.actions import services
from casework.actions.models import Action, Recommendation
from casework.actions.rag import Rag, rag_of, soon_limit
from casework.actions.tracker import PARTNERSHIP_LABEL
from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.insight import figures, overdue
from tests.support.bulk_actions import add_actions
from tests.support.people import make_agency, make_user
from tests.support.reviews import make_review
from tests.support.rows import stored

TODAYS = (date(2026, 12, 2), date(2026, 3, 31), date(2026, 3, 1), date(2024, 2, 29), date(2025, 1, 31))
PER_TODAY = 400


def _dates_around(days: list[date]) -> list[date]:
    near = {day + timedelta(days=shift) for day in days for shift in (-1, 0, 1)}
    return sorted(
        near | {days[0] - timedelta(days=400), days[-1] + timedelta(days=1), days[-1] + timedelta(days=90)}
    )


def _by_the_rule(user: User, days: list[date], type_id: int | None) -> list[int]:
    conditions = figures.actions_of(user, type_id)
    return [
        db.session.execute(
            select(func.count()).select_from(Action).where(*conditions, overdue.overdue_on(day))
        ).scalar_one()
        for day in days
    ]


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_each_days_count_is_the_rules(app: Flask, today: date) -> None:
    chance = random.Random(today.toordinal())
    with app.app_context():
        agency = make_agency("Alder Police")
        manager = make_user(Role.BOARD_MANAGER)
        review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[agency])
        recommendation = services.add_recommendation(
            review, "Share what is known.", True, [stored(Agency, agency.id)], [], manager
        )
        ids = add_actions(
            [stored(Recommendation, recommendation.id)],
            owner_ids=[manager.id],
            agency_ids=[None, agency.id],
            created_by_id=manager.id,
            count=PER_TODAY,
            updates_per_action=0,
            today=uk_today(),
        )
        days = overdue.overdue_days(today)
        near = _dates_around(days)
        dated = []
        for action_id in ids:
            created = chance.choice(near)
            deadline = chance.choice([day for day in near if day >= created] or [created])
            completed = chance.choice([None, None, *near])
            dated.append(
                {
                    "id": action_id,
                    "created_on": created,
                    "deadline": deadline,
                    "completed_on": completed,
                    "version": 1,
                }
            )
        db.session.execute(update(Action), dated)
        db.session.commit()

        user = stored(User, manager.id)
        points = overdue.overdue_over_time(user, today)
        assert [point.day for point in points] == days
        expected = _by_the_rule(user, days, None)
        assert [point.count for point in points] == expected
        assert sum(expected) > PER_TODAY // 4, "the dates chosen make many actions overdue on some day"

        # The same actions by RAG per agency, against each action's colour worked out in Python.
        soon = soon_limit(today)
        by_hand: dict[str, Counter[Rag]] = {}
        for action in db.session.execute(select(Action)).scalars():
            name = PARTNERSHIP_LABEL if action.agency_id is None else "Alder Police"
            by_hand.setdefault(name, Counter())[rag_of(action, today, soon)] += 1
        counted = {
            row.name: {k: n for k, n in row.by_rag.items() if n}
            for row in figures.actions_by_rag(user, today, soon)
        }
        assert counted == {name: dict(colours) for name, colours in by_hand.items()}
        assert set().union(*by_hand.values()) == set(Rag), "every colour is met"

        kind = review.review_type_id
        other = kind + 1000
        assert [point.count for point in overdue.overdue_over_time(user, today, kind)] == expected
        assert [point.count for point in overdue.overdue_over_time(user, today, other)] == [0] * len(days)
