"""The world the access tests share: people in every role around two commissioned reviews.

A and B are commissioned CSPRs by the cast's board manager. R1 leads A (appointed, accepted and
declared), R2 is proposed as A's co-reviewer and has not answered, R3 is on nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from werkzeug.test import TestResponse

from casework.auth.models import Role
from casework.core.extensions import db
from casework.reviews.appointments import services as appointments
from casework.reviews.models import AssignmentRole, Review
from tests.support.http import SIGN_IN, assert_answer, client_as
from tests.support.people import Cast
from tests.support.readonly import built_once
from tests.support.reviews import make_review
from tests.support.rows import stored

PSEUDONYMS = {"A": "Child Alder", "B": "Child Birch"}
W = TypeVar("W", bound="MatrixWorld")
T = TypeVar("T")


@dataclass
class MatrixWorld:
    """The people and the two reviews an access matrix runs over; each matrix adds its records."""

    cast: Cast
    reviews: dict[str, int] = field(default_factory=dict)  # "A" -> id
    references: dict[str, str] = field(default_factory=dict)
    assignments: dict[str, int] = field(default_factory=dict)  # "R1" -> its assignment on A

    @property
    def user_ids(self) -> dict[str, int]:
        return self.cast.user_ids

    def review(self, key: str) -> Review:
        return stored(Review, self.reviews[key])


def two_reviews(world: W, in_scope: dict[str, Iterable[str]]) -> W:
    """Adds reviews A and B to ``world``, with the agencies of ``in_scope`` ({"A": "XY", "B": "X"})
    in their scope, and R1's and R2's appointments on A."""
    cast = world.cast
    manager = cast.user("board_manager")
    for key in ("A", "B"):
        agencies = [cast.agency(agency) for agency in in_scope[key]]
        review = make_review(
            "CSPR", "awaiting_reviewer", by=manager, agencies=agencies, pseudonym=PSEUDONYMS[key]
        )
        world.reviews[key], world.references[key] = review.id, review.reference
    review_a = world.review("A")
    lead = appointments.assign_reviewer(
        review_a, cast.user("R1"), AssignmentRole.LEAD, manager, version=review_a.version
    )
    appointments.accept_appointment(lead, cast.user("R1"), declared=True)
    proposed = appointments.assign_reviewer(
        review_a, cast.user("R2"), AssignmentRole.CO_REVIEWER, manager, version=review_a.version
    )
    db.session.commit()
    world.assignments.update({"R1": lead.id, "R2": proposed.id})
    return world


def opened(
    client: FlaskClient, url: str, expected: int | str, secrets: Iterable[str], person: str
) -> TestResponse | None:
    """GET ``url`` as ``person``: the answer is the ``expected`` one, and a refusal shows none of
    ``secrets``. Returns the response when it is a page to check further (200), else None."""
    response = client.get(url)
    assert_answer(response, expected, person, url)
    if expected == SIGN_IN:
        return None
    if expected != 200:
        body = response.get_data()
        for secret in secrets:
            assert secret.encode() not in body, (person, url, secret)
        return None
    return response


def assert_tables_cover_every_role(
    role_of: dict[str, Role], *tables: tuple[dict[str, tuple[int | str, ...]], tuple[str, ...]]
) -> None:
    """Each (expected, targets) access table has a row for every person and the anonymous visitor
    and a column for every target, and the people hold every role."""
    assert set(role_of.values()) == set(Role)
    for expected, targets in tables:
        assert set(expected) == {*role_of, "anonymous"}
        assert all(len(row) == len(targets) for row in expected.values())


def matrix_cases(expected: dict[str, tuple[int | str, ...]], targets: tuple[str, ...]) -> list[Any]:
    """One test case per (person, target) of an access table, named "person-target"."""
    return [
        pytest.param(person, target, answer, id=f"{person}-{target}")
        for person, row in expected.items()
        for target, answer in zip(targets, row, strict=True)
    ]


def matrix_fixtures(build: Callable[[Flask], W], people: Iterable[str]) -> tuple[Any, Any]:
    """The class-scoped fixtures of a matrix's read-only tests: ``shared_world``, built once with
    its uploads in a folder of its own and checked unchanged after the class (downloads and views
    of identifiers add audit rows, which change no access), and ``shared_clients``, a signed-in
    client for each of ``people`` and a signed-out one named "anonymous"."""

    @pytest.fixture(scope="class")
    def shared_world(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[W]:
        folder = tmp_path_factory.mktemp("uploads")
        with built_once(app, lambda: build(app), may_add_to={"audit_events"}, uploads=folder) as world:
            yield world

    @pytest.fixture(scope="class")
    def shared_clients(app: Flask, shared_world: MatrixWorld) -> dict[str, FlaskClient]:
        return {
            person: client_as(app, shared_world.user_ids.get(person)) for person in (*people, "anonymous")
        }

    return shared_world, shared_clients


def world_fixtures(
    build: Callable[[Flask], T],
    manager: Callable[[T], int | str],
    *,
    scope: Literal["class", "module"],
    may_add_to: Iterable[str] = ("audit_events",),
) -> tuple[Any, Any]:
    """The fixtures of tests that only read one world: ``world``, built once for the ``scope``
    and checked unchanged after it (``may_add_to``: the tables a read writes to, the audit trail
    by default, as signing in and exporting record events), and ``manager_client``, signed in as
    the person ``manager`` names in the world (an id or an email)."""

    @pytest.fixture(scope=scope)
    def world(app: Flask) -> Iterator[T]:
        with built_once(app, lambda: build(app), may_add_to=may_add_to) as made:
            yield made

    @pytest.fixture(scope=scope)
    def manager_client(app: Flask, world: T) -> FlaskClient:
        return client_as(app, manager(world))

    return world, manager_client


class Loaded:
    """Collects the primary keys of every instance of a model loaded from the database: proof
    that a list was filtered in the query, not after loading."""

    def __init__(self, model: type) -> None:
        self.model = model
        self.ids: list[int] = []

    def __enter__(self) -> Loaded:
        event.listen(self.model, "load", self._loaded)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.model, "load", self._loaded)

    def _loaded(self, target: Any, context: Any) -> None:
        self.ids.append(target.id)
