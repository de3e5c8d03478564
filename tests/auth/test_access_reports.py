"""Access reports: who saw a review's identifying details, documents and exports, and what one
person opened, against a trail of reads with known answers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.agencies.models import AgencyType
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.reviews.models import Review
from tests.support.http import SIGN_IN, assert_answer, client_as, page_text
from tests.support.people import CAST_NAMES, make_cast
from tests.support.readonly import built_once
from tests.support.reviews import make_review


@dataclass
class Trail:
    user_ids: dict[str, int]
    reviews: dict[str, int]
    references: dict[str, str]


# (who, what, review, when in UTC, from where): the reads the reports must find.
READS = [
    ("board_manager", "identifiers_viewed", "A", datetime(2026, 3, 1, 10, 0, tzinfo=UTC), "10.0.0.1"),
    ("R1", "document_downloaded", "A", datetime(2026, 3, 5, 9, 30, tzinfo=UTC), "10.0.0.2"),
    # 23:30 UTC on 31 March is 00:30 on 1 April in England (summer time): an April read.
    ("board_manager", "chronology_exported", "A", datetime(2026, 3, 31, 23, 30, tzinfo=UTC), "10.0.0.1"),
    ("R1", "identifiers_viewed", "B", datetime(2026, 4, 2, 14, 0, tzinfo=UTC), "10.0.0.2"),
    ("R1", "stage_changed", "A", datetime(2026, 3, 6, 8, 0, tzinfo=UTC), "10.0.0.2"),  # not a read
    ("R1", "actions_exported", None, datetime(2026, 4, 3, 8, 0, tzinfo=UTC), "=cmd|x"),  # no review
]
SPRING = "from-day=1&from-month=3&from-year=2026&to-day=30&to-month=4&to-year=2026"


def _build() -> Trail:
    cast = make_cast({"X": ("Northshire Police", AgencyType.POLICE)})
    manager = cast.user("board_manager")
    reviews = {
        "A": make_review(
            "CSPR", "contributions", by=manager, reviewer=cast.user("R1"), pseudonym="Child A"
        ).id,
        "B": make_review("CSPR", "awaiting_reviewer", by=manager, pseudonym="Child B").id,
    }
    for who, action, review, at, address in READS:
        db.session.add(
            AuditEvent(
                action=action,
                summary=f"{action} by {who}",
                actor_id=cast.user_ids[who],
                review_id=reviews[review] if review else None,
                occurred_at=at,
                ip_address=address,
            )
        )
    db.session.commit()
    references = {key: db.session.get(Review, review_id).reference for key, review_id in reviews.items()}
    return Trail(cast.user_ids, reviews, references)


@pytest.fixture(scope="module")
def trail(app: Flask) -> Iterator[Trail]:
    with built_once(app, lambda: _with_context(app), may_add_to={"audit_events"}) as world:
        yield world


def _with_context(app: Flask) -> Trail:
    with app.app_context():
        return _build()


@pytest.fixture(scope="module")
def clients(app: Flask, trail: Trail) -> dict[str, FlaskClient]:
    people = ("board_manager", "admin", "R1", "LX")
    return {person: client_as(app, trail.user_ids[person]) for person in people} | {
        "anonymous": client_as(app, None)
    }


def _rows(client: FlaskClient, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.read_only
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (SPRING, ["Chronology exported", "Document downloaded", "Identifying details viewed"]),
        (SPRING + "&kind=identifiers_viewed", ["Identifying details viewed"]),
        ("from-day=1&from-month=4&from-year=2026&to-day=1&to-month=4&to-year=2026", ["Chronology exported"]),
        (
            "from-day=1&from-month=3&from-year=2026&to-day=31&to-month=3&to-year=2026",
            ["Document downloaded", "Identifying details viewed"],
        ),
    ],
)
def test_a_reviews_report_lists_its_reads_in_the_chosen_dates(
    clients: dict[str, FlaskClient], trail: Trail, query: str, expected: list[str]
) -> None:
    rows = _rows(clients["board_manager"], f"/reviews/{trail.reviews['A']}/access.csv?{query}")
    assert rows[0] == ["When", "Who", "Role", "What", "Review", "Details", "From address"]
    assert [row[3] for row in rows[1:]] == expected  # newest first; B's read and the stage change left out


@pytest.mark.read_only
def test_a_reviews_report_filters_by_person(clients: dict[str, FlaskClient], trail: Trail) -> None:
    url = f"/reviews/{trail.reviews['A']}/access.csv?{SPRING}&person={trail.user_ids['R1']}"
    [_, row] = _rows(clients["admin"], url)
    assert row[1:4] == [CAST_NAMES["R1"], "Independent reviewer", "Document downloaded"]
    assert row[6] == "10.0.0.2"


@pytest.mark.read_only
def test_a_persons_report_spans_reviews_and_makes_formulas_inert(
    clients: dict[str, FlaskClient], trail: Trail
) -> None:
    rows = _rows(clients["admin"], f"/admin/users/{trail.user_ids['R1']}/access.csv?{SPRING}")
    with_review = [(row[3], row[4]) for row in rows[1:]]
    assert with_review == [
        ("Actions exported", ""),
        ("Identifying details viewed", trail.references["B"]),
        ("Document downloaded", trail.references["A"]),
    ]
    assert rows[1][6] == "'=cmd|x"


@pytest.mark.read_only
def test_viewing_or_exporting_a_report_is_itself_recorded(
    app: Flask, clients: dict[str, FlaskClient], trail: Trail
) -> None:
    def recorded(action: str) -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).where(AuditEvent.action == action))

    viewed, exported = recorded("access_report_viewed"), recorded("access_report_exported")
    page = clients["board_manager"].get(f"/reviews/{trail.reviews['A']}/access")
    assert page.status_code == 200
    assert "Access report viewed" in page_text(page)  # this very view, at the top
    clients["admin"].get(f"/admin/users/{trail.user_ids['R1']}/access.csv")
    assert (recorded("access_report_viewed"), recorded("access_report_exported")) == (
        viewed + 1,
        exported + 1,
    )


@pytest.mark.read_only
@pytest.mark.parametrize(
    ("person", "review_report", "person_report"),
    [
        ("board_manager", 200, 403),
        ("admin", 200, 200),
        ("R1", 403, 403),  # leads review A, yet may not see who read it
        ("LX", 404, 403),
        ("anonymous", SIGN_IN, SIGN_IN),
    ],
)
def test_who_may_see_the_reports(
    clients: dict[str, FlaskClient],
    trail: Trail,
    person: str,
    review_report: int | str,
    person_report: int | str,
) -> None:
    client = clients[person]
    for suffix in ("", ".csv"):
        assert_answer(client.get(f"/reviews/{trail.reviews['A']}/access{suffix}"), review_report, person)
        assert_answer(
            client.get(f"/admin/users/{trail.user_ids['R1']}/access{suffix}"), person_report, person
        )


@pytest.mark.read_only
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from-day=31&from-month=2&from-year=2026", "From must be a real date"),
        ("from-day=x&from-month=&from-year=99999999999999999999", "From must be a real date"),
        (SPRING.replace("from-month=3", "from-month=5"), "To must be the same as or after From"),
        ("kind=<script>&person=abc&page=-4", "Identifying details viewed"),  # ignored: everything
    ],
)
def test_bad_filters_get_a_message_never_an_error(
    clients: dict[str, FlaskClient], trail: Trail, query: str, message: str
) -> None:
    response = clients["board_manager"].get(f"/reviews/{trail.reviews['A']}/access?{query}")
    assert response.status_code == 200
    assert message in page_text(response)
