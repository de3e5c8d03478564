"""The action tracker over HTTP: filters, sorting, paging, counts and both exports, for a world
of real reviews, recommendations and actions built through the services; and the RAG rule in SQL
against the same rule in Python.

The world: agencies A (Alder Police), B (Birch Health Trust) and C (Cedar Academy), each with an
agency lead; a board manager; reviews R1 (agencies A and B) and R2 (A and C), each with two
recommendations and two actions per recommendation (see ACTIONS).
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import event, select
from werkzeug.datastructures import FileStorage

from casework.actions import services
from casework.actions.models import Action, ActionStatus, Recommendation, Theme
from casework.actions.rag import SOON, Rag, is_overdue, overdue_sql, rag_for, rag_sql, soon_limit
from casework.actions.tracker import (
    TrackerFilters,
    rag_page_query,
    rag_segments,
    tracker_query,
)
from casework.actions.tracker_counting import tracker_counts
from casework.agencies.models import Agency
from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.display import format_date
from casework.core.extensions import db
from casework.core.timeutil import UK, uk_today
from casework.core.workdays import WorkingCalendar, working_calendar
from casework.reviews.models import Review
from tests.conftest import client_as, make_agency, make_user
from tests.reviews.conftest import make_review
from tests.support.files import PDF
from tests.support.http import sign_in_fully
from tests.support.people import three_agencies
from tests.support.worlds import world_fixtures

AGENCIES = three_agencies(A="Alder Police", B="Birch Health Trust", C="Cedar Academy")
LEADS = {"A": "Ava Alder", "B": "Ben Birch", "C": "Cara Cedar"}
MANAGER = "Morgan Manager"
PARTNERSHIP = "The partnership"
FORMULA = '=HYPERLINK("https://example.org","Open")'
MINUS = "-10% repeat referrals within a year"

# review, recommendation number: (addressed to the partnership, agencies, theme indexes)
RECOMMENDATIONS = {
    ("R1", 1): (False, ("A", "B"), (0,)),
    ("R1", 2): (True, ("A",), (1,)),
    ("R2", 1): (False, ("A", "C"), (0, 1)),
    ("R2", 2): (True, ("C",), ()),
}


@dataclass(frozen=True)
class Spec:
    key: str
    review: str
    recommendation: int
    agency: str | None  # None: the partnership, owned by the board manager
    status: ActionStatus
    deadline: str  # "soon" (1 working day ahead), "later", "far", or "past" (set in the database)
    rag: Rag
    overdue: bool
    description: str = ""


ACTIONS = (
    Spec("on-track", "R1", 1, "A", ActionStatus.ON_TRACK, "far", Rag.GREEN, False),
    Spec("off-track", "R1", 1, "B", ActionStatus.OFF_TRACK, "later", Rag.RED, False),
    Spec("due-soon", "R1", 2, None, ActionStatus.NOT_STARTED, "soon", Rag.AMBER, False),
    Spec("formula", "R1", 2, "A", ActionStatus.NOT_STARTED, "far", Rag.GREEN, False, FORMULA),
    Spec("overdue", "R2", 1, "A", ActionStatus.ON_TRACK, "past", Rag.RED, True),
    Spec("verified-late", "R2", 1, "C", ActionStatus.VERIFIED, "past", Rag.VERIFIED, False),
    Spec("completed-late", "R2", 2, "C", ActionStatus.COMPLETED, "past", Rag.RED, True),
    Spec("at-risk-moved", "R2", 2, None, ActionStatus.AT_RISK, "later", Rag.AMBER, False),
    # completed two days before its deadline, which has since passed: waiting, not red, not overdue
    Spec("waiting", "R1", 1, "B", ActionStatus.COMPLETED, "past", Rag.AWAITING, False),
)
DEADLINE_CHANGES = {"at-risk-moved": 2}


@dataclass(frozen=True)
class Row:
    """What the tracker should show for one action of the world."""

    spec: Spec
    id: int
    review_id: int
    reference: str
    agency_id: int | None
    agency: str
    owner_id: int
    owner: str
    deadline: date
    original_deadline: date
    deadline_changes: int
    themes: frozenset[int]
    last_update: date | None
    description: str
    success_measure: str
    recommendation_text: str
    theme_names: str  # "; " between them, A to Z


@dataclass
class World:
    manager_email: str
    rows: dict[str, Row]
    reviews: dict[str, int]
    agencies: dict[str, int]
    owners: dict[str, int]
    themes: list[int]
    emails: dict[str, str]
    outsiders: dict[Role, int]  # people who own no action: a reviewer, an admin, another agency's lead

    def keys(self, condition: Any = lambda row: True) -> set[str]:
        return {key for key, row in self.rows.items() if condition(row)}


def _pdf() -> FileStorage:
    return FileStorage(io.BytesIO(PDF), filename="evidence.pdf", content_type="application/pdf")


def _deadline(kind: str, today: date) -> date:
    return {
        "soon": working_calendar().add_working_days(today, 1),
        "later": today + timedelta(days=90),
        "far": today + timedelta(days=120),
        "past": today + timedelta(days=120),  # moved into the past once created
    }[kind]


def _take_to(action: Action, status: ActionStatus, owner: User, manager: User) -> None:
    if status == ActionStatus.NOT_STARTED:
        return
    reported = ActionStatus.COMPLETED if status == ActionStatus.VERIFIED else status
    evidence = [_pdf()] if reported == ActionStatus.COMPLETED else []
    services.add_progress(action, reported, f"Now {reported.label.lower()}", evidence, owner, None)
    if status == ActionStatus.VERIFIED:
        services.verify_action(action, "The audit shows the change held", manager, None)


def build_world(app: Flask) -> World:
    with app.app_context():
        today = uk_today()
        agencies = {key: make_agency(name, kind) for key, (name, kind) in AGENCIES.items()}
        leads = {key: make_user(Role.AGENCY_LEAD, name=LEADS[key], agency=agencies[key]) for key in LEADS}
        manager = make_user(Role.BOARD_MANAGER, name=MANAGER)
        outsiders = {role: make_user(role).id for role in (Role.AGENCY_LEAD, Role.REVIEWER, Role.ADMIN)}
        reviews = {
            "R1": make_review(
                "CSPR", "awaiting_reviewer", by=manager, agencies=[agencies["A"], agencies["B"]]
            ),
            "R2": make_review(
                "CSPR", "awaiting_reviewer", by=manager, agencies=[agencies["A"], agencies["C"]]
            ),
        }
        review_ids = {key: review.id for key, review in reviews.items()}
        agency_ids = {key: agency.id for key, agency in agencies.items()}
        owner_ids = {key: lead.id for key, lead in leads.items()} | {"manager": manager.id}
        emails = {key: lead.email for key, lead in leads.items()}
        manager = db.session.get(User, manager.id)
        themes = list(db.session.execute(select(Theme).order_by(Theme.id)).scalars())[:2]
        recommendations: dict[tuple[str, int], Recommendation] = {}
        for (review_key, number), (to_partnership, addressed, theme_indexes) in RECOMMENDATIONS.items():
            recommendation = services.add_recommendation(
                db.session.get(Review, review_ids[review_key]),
                f"Recommendation {number} of {review_key}",
                to_partnership,
                [db.session.get(Agency, agency_ids[key]) for key in addressed],
                [themes[index] for index in theme_indexes],
                manager,
            )
            assert recommendation.number == number
            recommendations[(review_key, number)] = recommendation
        created: dict[str, Action] = {}
        for spec in ACTIONS:
            owner = manager if spec.agency is None else db.session.get(User, owner_ids[spec.agency])
            action = services.add_action(
                recommendations[(spec.review, spec.recommendation)],
                spec.description or f"Action {spec.key}",
                None if spec.agency is None else db.session.get(Agency, agency_ids[spec.agency]),
                owner,
                _deadline(spec.deadline, today),
                MINUS if spec.key == "formula" else f"Evidence for {spec.key}",
                manager,
            )
            _take_to(action, spec.status, owner, manager)
            for step in range(DEADLINE_CHANGES.get(spec.key, 0)):
                change = services.request_deadline_change(
                    action, action.deadline + timedelta(days=7 * (step + 1)), "Staff changes", manager
                )
                services.decide_deadline_change(change, True, "Agreed", manager)
            if spec.deadline == "past":  # the services refuse a past deadline
                action.deadline = action.original_deadline = today - timedelta(days=5)
            if spec.key == "waiting":  # the services record today as the day it was completed
                action.completed_on = action.deadline - timedelta(days=2)
            created[spec.key] = action
        db.session.commit()

        rows = {}
        for spec in ACTIONS:
            action = db.session.get(Action, created[spec.key].id)
            latest = max((update.at for update in action.updates), default=None)
            rows[spec.key] = Row(
                spec=spec,
                id=action.id,
                review_id=action.review_id,
                reference=action.review.reference,
                agency_id=action.agency_id,
                agency=action.agency.name if action.agency else PARTNERSHIP,
                owner_id=action.owner_id,
                owner=action.owner.name,
                deadline=action.deadline,
                original_deadline=action.original_deadline,
                deadline_changes=action.deadline_changes,
                themes=frozenset(theme.id for theme in action.recommendation.themes),
                last_update=uk_date(latest) if latest else None,
                description=action.description,
                success_measure=action.success_measure,
                recommendation_text=action.recommendation.text,
                theme_names="; ".join(theme.name for theme in action.recommendation.themes),
            )
        return World(
            manager_email=manager.email,
            rows=rows,
            reviews=review_ids,
            agencies=agency_ids,
            owners=owner_ids,
            themes=[theme.id for theme in themes],
            emails=emails,
            outsiders=outsiders,
        )


def uk_date(moment: datetime) -> date:
    return moment.astimezone(UK).date()


# Built once for the class that only reads it; exports and sign-ins add audit rows.
world, manager_client = world_fixtures(build_world, lambda world: world.manager_email, scope="class")


# --- reading the page ----------------------------------------------------------------------


def _table(page: str, testid: str) -> str:
    start = page.find(f'data-testid="{testid}"')
    if start < 0:
        return ""
    return page[start : page.index("</table>", start)]


def listed(response: Any) -> list[int]:
    assert response.status_code == 200, response.status_code
    return [
        int(i) for i in re.findall(r'data-action-id="(\d+)"', _table(response.get_data(True), "action-list"))
    ]


def _count_cells(row_html: str) -> dict[str, int]:
    """A row's counts by data-rag (a colour's value, or "total"), links and hidden words removed."""
    cells = re.findall(r'<td [^>]*data-rag="(\w+)">(.*?)</td>', row_html, re.S)
    return {rag: int(re.sub(r"<span.*?</span>|<[^>]+>", "", cell).strip()) for rag, cell in cells}


def agency_table(response: Any) -> dict[str, dict[str, int]]:
    """The table of agencies against colours: each row's name and its counts by data-rag."""
    section = _table(response.get_data(True), "counts-by-agency")
    rows = re.findall(r'<tr class="govuk-table__row" data-agency="[^"]+">(.*?)</tr>', section, re.S)
    table = {}
    for row in rows:
        name = re.search(r'<th scope="row"[^>]*>(?:\s*<a [^>]*>)?([^<]+)', row)
        assert name, row
        table[html.unescape(name.group(1)).strip()] = _count_cells(row)
    return table


def agency_counts(response: Any) -> dict[str, int]:
    return {name: cells["total"] for name, cells in agency_table(response).items() if name != "All"}


def rag_counts(response: Any) -> dict[str, int]:
    """The table's last row: every agency together, by colour (the colours' labels)."""
    totals = agency_table(response).get("All", {rag.value: 0 for rag in Rag})
    return {rag.label: totals[rag.value] for rag in Rag}


def ids(world: World, keys: set[str] | list[str]) -> set[int]:
    return {world.rows[key].id for key in keys}


def expected_counts(world: World, keys: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    by_agency: dict[str, int] = {}
    by_rag = {rag.label: 0 for rag in Rag}
    for key in keys:
        row = world.rows[key]
        by_agency[row.agency] = by_agency.get(row.agency, 0) + 1
        by_rag[row.spec.rag.label] += 1
    return by_agency, by_rag


# --- the list, its filters and its counts --------------------------------------------------


FILTERS: dict[str, tuple[Any, Any]] = {
    # name: (query string built from the world, which actions it keeps)
    "review": (lambda w: f"review={w.reviews['R1']}", lambda row: row.spec.review == "R1"),
    "agency": (lambda w: f"agency={w.agencies['A']}", lambda row: row.spec.agency == "A"),
    "partnership": (lambda w: "agency=partnership", lambda row: row.spec.agency is None),
    "owner": (lambda w: f"owner={w.owners['C']}", lambda row: row.spec.agency == "C"),
    "manager-owner": (lambda w: f"owner={w.owners['manager']}", lambda row: row.spec.agency is None),
    "status": (lambda w: "status=on_track", lambda row: row.spec.status == ActionStatus.ON_TRACK),
    "verified": (lambda w: "status=verified", lambda row: row.spec.status == ActionStatus.VERIFIED),
    "red": (lambda w: "rag=red", lambda row: row.spec.rag == Rag.RED),
    "amber": (lambda w: "rag=amber", lambda row: row.spec.rag == Rag.AMBER),
    "green": (lambda w: "rag=green", lambda row: row.spec.rag == Rag.GREEN),
    "awaiting": (lambda w: "rag=awaiting", lambda row: row.spec.rag == Rag.AWAITING),
    "rag-verified": (lambda w: "rag=verified", lambda row: row.spec.rag == Rag.VERIFIED),
    "overdue": (lambda w: "overdue=1", lambda row: row.spec.overdue),
    "theme-1": (lambda w: f"theme={w.themes[0]}", lambda row: row.spec.recommendation == 1),
    "theme-2": (
        lambda w: f"theme={w.themes[1]}",
        lambda row: (row.spec.review, row.spec.recommendation) in {("R1", 2), ("R2", 1)},
    ),
    "agency-and-red": (
        lambda w: f"agency={w.agencies['A']}&rag=red",
        lambda row: row.spec.agency == "A" and row.spec.rag == Rag.RED,
    ),
    "review-and-overdue": (
        lambda w: f"review={w.reviews['R2']}&overdue=1",
        lambda row: row.spec.review == "R2" and row.spec.overdue,
    ),
    "nothing-matches": (lambda w: f"agency={w.agencies['B']}&rag=green", lambda row: False),
}


# --- sorting -------------------------------------------------------------------------------

STATUS_ORDER = list(ActionStatus)
RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.AWAITING: 3, Rag.VERIFIED: 4}
SORT_KEYS = {
    "deadline": lambda row: (row.deadline, row.id),
    "review": lambda row: (row.reference, row.spec.recommendation, row.id),
    "agency": lambda row: (row.agency_id is not None, "" if row.agency_id is None else row.agency, row.id),
    "owner": lambda row: (row.owner, row.id),
    "status": lambda row: (STATUS_ORDER.index(row.spec.status), row.id),
    "rag": lambda row: (RAG_ORDER[row.spec.rag], row.id),
}


# --- paging --------------------------------------------------------------------------------


def test_25_a_page_with_pages_that_keep_the_filters(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        today = uk_today()
        agency = make_agency("Alder Police")
        lead = make_user(Role.AGENCY_LEAD, name="Ava Alder", agency=agency)
        manager = make_user(Role.BOARD_MANAGER, name=MANAGER)
        review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[agency])
        manager = db.session.get(User, manager.id)
        recommendation = services.add_recommendation(
            db.session.get(Review, review.id), "Share records", True, [], [], manager
        )
        agency, lead = db.session.get(Agency, agency.id), db.session.get(User, lead.id)
        made = [
            services.add_action(
                recommendation, f"Step {n}", agency, lead, today + timedelta(days=30 + n), "Audit", manager
            )
            for n in range(30)
        ]
        services.add_action(recommendation, "Partnership step", None, manager, today, "Audit", manager)
        db.session.commit()
        agency_actions = [action.id for action in made]
        agency_id, manager_email = agency.id, manager.email
    assert sign_in_fully(client, manager_email).status_code == 302

    first = client.get(f"/actions/?agency={agency_id}")
    assert listed(first) == agency_actions[:25]
    page = first.get_data(True)
    assert "30 actions" in page and "Page 1 of 2" in page
    next_link = re.search(r'href="([^"]+)" rel="next"', page)
    assert next_link and html.unescape(next_link.group(1)) == f"/actions/?agency={agency_id}&page=2"
    assert 'aria-current="page"' in page

    second = client.get(html.unescape(next_link.group(1)))
    assert listed(second) == agency_actions[25:]
    assert f'href="/actions/?agency={agency_id}" rel="prev"' in second.get_data(True)

    backwards = client.get(f"/actions/?agency={agency_id}&sort=deadline&dir=desc&page=2")
    assert listed(backwards) == agency_actions[::-1][25:]
    assert "sort=deadline&amp;dir=desc" in backwards.get_data(True)

    beyond = client.get(f"/actions/?agency={agency_id}&page=9")
    assert listed(beyond) == []
    assert "There is no page 9" in beyond.get_data(True)

    # the export is the whole filtered list, not the page
    exported = client.get(f"/actions/export.csv?agency={agency_id}&page=2")
    assert len(_csv_rows(exported)) == 1 + 30


# --- exports -------------------------------------------------------------------------------

HEADINGS = [
    "Review",
    "Recommendation",
    "Recommendation text",
    "Themes",
    "Action",
    "Agency",
    "Owner",
    "Status",
    "RAG",
    "Original deadline",
    "Deadline",
    "Deadline changes",
    "Overdue",
    "Success measure",
    "Last update",
    "What is different this time",
    "Recommendation outcome",
]


def _csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def _dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _exports(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        exported = select(AuditEvent).where(AuditEvent.action == "actions_exported").order_by(AuditEvent.id)
        return list(db.session.execute(exported).scalars())


# --- access --------------------------------------------------------------------------------

TRACKER_URLS = ("/actions/", "/actions/export.csv", "/actions/export.xlsx")


@pytest.mark.parametrize("url", TRACKER_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_filters_read_from_the_query_string() -> None:
    parsed = TrackerFilters.from_args(
        {"review": "4", "agency": "partnership", "owner": "7", "status": "at_risk", "rag": "amber"}
        | {"overdue": "1", "theme": "2", "sort": "rag", "dir": "desc", "page": "3"}
    )
    assert parsed == TrackerFilters(
        4, "partnership", 7, ActionStatus.AT_RISK, Rag.AMBER, True, 2, "rag", True, 3
    )
    assert parsed.args(page=1) == {
        "review": "4",
        "agency": "partnership",
        "owner": "7",
        "status": "at_risk",
        "rag": "amber",
        "overdue": "1",
        "theme": "2",
        "sort": "rag",
        "dir": "desc",
    }
    assert TrackerFilters.from_args({"agency": "0", "page": "-2", "owner": "٣"}) == TrackerFilters()


# --- the world's tracker: list, filters, counts, sorting, exports and access ---------------------


@pytest.mark.read_only
class TestOneWorld:
    """Tests that only read the world: it is built once for the class, and checked unchanged."""

    def test_the_tracker_lists_every_action_soonest_deadline_first(
        self, manager_client: FlaskClient, world: World
    ) -> None:
        response = manager_client.get("/actions/")
        rows = sorted(world.rows.values(), key=lambda row: (row.deadline, row.id))
        assert listed(response) == [row.id for row in rows]
        by_agency, by_rag = expected_counts(world, world.keys())
        assert (
            agency_counts(response)
            == by_agency
            == {
                "Alder Police": 3,
                "Birch Health Trust": 2,
                "Cedar Academy": 2,
                PARTNERSHIP: 2,
            }
        )
        assert rag_counts(response) == by_rag
        assert by_rag == {"Red": 3, "Amber": 2, "Green": 2, "Awaiting verification": 1, "Verified": 1}
        assert next(iter(agency_counts(response))) == PARTNERSHIP  # the partnership's own row comes first
        assert "9 actions" in response.get_data(True)

    def test_the_agency_table_shows_each_agency_against_each_colour(
        self, app: Flask, manager_client: FlaskClient, world: World
    ) -> None:
        table = agency_table(manager_client.get("/actions/"))
        expected: dict[str, dict[str, int]] = {}
        for row in world.rows.values():
            cells = expected.setdefault(row.agency, {rag.value: 0 for rag in Rag} | {"total": 0})
            cells[row.spec.rag.value] += 1
            cells["total"] += 1
        expected["All"] = {rag.value: len(world.keys(lambda r, c=rag: r.spec.rag == c)) for rag in Rag}
        expected["All"]["total"] = len(world.rows)
        assert table == expected
        # the agency that is behind shows at a glance: Birch has one red and one waiting, none green
        assert table["Birch Health Trust"] == {
            "red": 1, "amber": 0, "green": 0, "awaiting": 1, "verified": 0, "total": 2
        }  # fmt: skip
        # each count links to the list of those actions
        page = manager_client.get("/actions/").get_data(True)
        birch = world.agencies["B"]
        assert f'href="/actions/?agency={birch}&amp;rag=awaiting"' in page
        # worked out in one query, whatever the number of agencies
        with app.app_context():
            statements: list[str] = []
            listen = lambda *args: statements.append(args[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listen)
            try:
                manager = db.session.execute(
                    select(User).where(User.email == world.manager_email)
                ).scalar_one()
                today = uk_today()
                soon = soon_limit(today)  # the closure days are read once, before the counts
                statements.clear()
                counts = tracker_counts(manager, TrackerFilters(), today, soon)
            finally:
                event.remove(db.engine, "before_cursor_execute", listen)
            assert len(statements) == 1, statements
            assert {row.name: row.count for row in counts.by_agency} == agency_counts(
                manager_client.get("/actions/")
            )

    def test_an_action_completed_in_time_shows_awaiting_verification_not_overdue(
        self, manager_client: FlaskClient, world: World
    ) -> None:
        waiting = world.rows["waiting"]
        assert waiting.deadline < uk_today()
        page = manager_client.get("/actions/").get_data(True)
        row_html = page[page.index(f'data-action-id="{waiting.id}"') :].split("</tr>")[0]
        assert "Awaiting verification" in row_html and "govuk-tag--blue" in row_html
        assert "Overdue" not in row_html and "govuk-tag--red" not in row_html

    def test_each_row_links_to_its_review_and_action_and_shows_its_deadline_history(
        self, manager_client: FlaskClient, world: World
    ) -> None:
        page = manager_client.get("/actions/").get_data(True)
        moved, overdue = world.rows["at-risk-moved"], world.rows["overdue"]
        row_html = page[page.index(f'data-action-id="{moved.id}"') :].split("</tr>")[0]
        assert f'href="/reviews/{moved.review_id}"' in row_html
        assert f'href="/actions/{moved.id}"' in row_html
        assert f"Changed 2 times; originally {format_date(moved.original_deadline)}" in row_html
        assert "govuk-tag--orange" in row_html and "Amber" in row_html
        assert "Overdue" not in row_html
        overdue_html = page[page.index(f'data-action-id="{overdue.id}"') :].split("</tr>")[0]
        assert "Overdue" in overdue_html and "govuk-tag--red" in overdue_html
        assert "Changed" not in overdue_html
        assert FORMULA not in page and FORMULA in html.unescape(page)  # shown as typed, escaped

    @pytest.mark.parametrize("name", list(FILTERS))
    def test_each_filter_keeps_only_its_actions_and_the_counts_follow(
        self, manager_client: FlaskClient, world: World, name: str
    ) -> None:
        query, keeps = FILTERS[name]
        expected = world.keys(keeps)
        assert expected or name == "nothing-matches"
        response = manager_client.get(f"/actions/?{query(world)}")
        assert set(listed(response)) == ids(world, expected)
        by_agency, by_rag = expected_counts(world, expected)
        assert agency_counts(response) == by_agency
        assert rag_counts(response) == by_rag
        if not expected:
            assert "No actions match these filters" in response.get_data(True)

    def test_overdue_means_past_the_deadline_and_not_verified(
        self, manager_client: FlaskClient, world: World
    ) -> None:
        response = manager_client.get("/actions/?overdue=1")
        assert set(listed(response)) == ids(world, {"overdue", "completed-late"})
        assert world.rows["verified-late"].deadline < uk_today()  # past, but verified: not overdue

    def test_bad_filter_values_are_ignored(self, manager_client: FlaskClient, world: World) -> None:
        response = manager_client.get(
            "/actions/?agency=abc&owner=-3&status=finished&rag=purple&theme=%F0%9F%98%80&overdue=maybe"
            "&sort=secret&dir=sideways&page=zero&review=1e3"
        )
        assert set(listed(response)) == ids(world, world.keys())

    def test_the_filter_form_shows_the_choices_and_what_is_selected(
        self, manager_client: FlaskClient, world: World
    ) -> None:
        page = manager_client.get(f"/actions/?agency={world.agencies['C']}&rag=red&overdue=1").get_data(True)
        assert f'<option value="{world.agencies["C"]}" selected>Cedar Academy</option>' in page
        assert '<option value="red" selected>Red</option>' in page
        assert 'name="overdue" type="checkbox" value="1" checked' in page
        for name in (*LEADS.values(), MANAGER):
            assert f">{name}</option>" in page

    @pytest.mark.parametrize("direction", ["asc", "desc"])
    @pytest.mark.parametrize("key", list(SORT_KEYS))
    def test_sorting_by_each_column_both_ways(
        self, manager_client: FlaskClient, world: World, key: str, direction: str
    ) -> None:
        rows = sorted(world.rows.values(), key=SORT_KEYS[key], reverse=direction == "desc")
        response = manager_client.get(f"/actions/?sort={key}&dir={direction}")
        assert listed(response) == [row.id for row in rows]
        state = "ascending" if direction == "asc" else "descending"
        assert re.search(rf'aria-sort="{state}">\s*<a [^>]*data-sort="{key}"', response.get_data(True))

    def test_sorting_keeps_the_filters_and_the_headings_reverse_the_current_sort(
        self, manager_client: FlaskClient, world: World
    ) -> None:
        agency = world.agencies["A"]
        page = manager_client.get(f"/actions/?agency={agency}&sort=owner").get_data(True)
        links = {
            key: html.unescape(href) for href, key in re.findall(r'href="([^"]+)" data-sort="(\w+)"', page)
        }
        assert len(links) == 6
        assert links["owner"] == f"/actions/?agency={agency}&sort=owner&dir=desc"
        assert links["deadline"] == f"/actions/?agency={agency}"  # the default sort
        assert links["rag"] == f"/actions/?agency={agency}&sort=rag&dir=asc"
        assert 'name="sort" value="owner"' in page  # filtering again keeps the sort

    def test_the_csv_export_holds_the_filtered_actions(
        self, app: Flask, manager_client: FlaskClient, world: World
    ) -> None:
        exports = len(_exports(app))  # the class's earlier tests export too
        response = manager_client.get(f"/actions/export.csv?review={world.reviews['R2']}&sort=owner")
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        header, *body = _csv_rows(response)
        assert header == HEADINGS
        expected = sorted(
            (world.rows[key] for key in world.keys(lambda row: row.spec.review == "R2")),
            key=SORT_KEYS["owner"],
        )
        assert [(cells[0], cells[4]) for cells in body] == [
            (row.reference, row.description) for row in expected
        ]
        for cells, row in zip(body, expected, strict=True):
            assert len(cells) == len(HEADINGS)
            assert cells == [
                row.reference,
                str(row.spec.recommendation),
                row.recommendation_text,
                row.theme_names,
                row.description,
                row.agency,
                row.owner,
                row.spec.status.label,
                row.spec.rag.label,
                _dmy(row.original_deadline),
                _dmy(row.deadline),
                str(row.deadline_changes),
                "Yes" if row.spec.overdue else "No",
                row.success_measure,
                _dmy(row.last_update),
                "",  # no recommendation here repeats an earlier one
                "No measure set",  # verified actions or not, no outcome is measured here
            ]
        moved = next(cells for cells in body if cells[4] == "Action at-risk-moved")
        assert moved[5] == PARTNERSHIP and moved[11] == "2" and moved[9] != moved[10]
        assert moved[14] == _dmy(uk_today())
        assert any(";" in cells[3] for cells in body)  # R2's first recommendation has two themes

        [event] = _exports(app)[exports:]
        assert event.details == {
            "format": "csv",
            "filters": {"review": str(world.reviews["R2"])},
            "actions": 4,
        }
        assert event.review_id == world.reviews["R2"]

    def test_the_csv_export_neutralises_text_a_spreadsheet_would_run(
        self, manager_client: FlaskClient, world: World
    ) -> None:
        _, *body = _csv_rows(manager_client.get(f"/actions/export.csv?agency={world.agencies['A']}"))
        formula = next(cells for cells in body if FORMULA in cells[4])
        assert formula[4] == "'" + FORMULA
        assert formula[13] == "'" + MINUS
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cells in body for cell in cells)
        assert len(body) == 3

    def test_the_xlsx_export_is_a_real_workbook_of_the_filtered_actions(
        self, app: Flask, manager_client: FlaskClient, world: World
    ) -> None:
        exports = len(_exports(app))  # the class's earlier tests export too
        response = manager_client.get("/actions/export.xlsx?rag=red&sort=rag")
        assert response.status_code == 200
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        assert response.headers["Content-Disposition"].endswith('.xlsx"')
        workbook = load_workbook(io.BytesIO(response.data))
        assert workbook.sheetnames == ["Summary", "Actions"]
        sheet = workbook["Actions"]
        assert [cell.value for cell in sheet[1]] == HEADINGS
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        red = sorted(
            (world.rows[key] for key in world.keys(lambda row: row.spec.rag == Rag.RED)), key=lambda r: r.id
        )
        assert sheet.max_row == 1 + len(red) == 4
        assert sheet.auto_filter.ref == "A1:Q4"
        assert sheet.column_dimensions["E"].width > sheet.column_dimensions["I"].width
        for values, row in zip(sheet.iter_rows(min_row=2), red, strict=True):
            assert values[0].value == row.reference
            assert values[1].value == row.spec.recommendation
            assert (values[2].value, values[3].value or "") == (row.recommendation_text, row.theme_names)
            assert values[8].value == "Red"
            assert values[12].value == ("Yes" if row.spec.overdue else "No")
            for cell, day in ((values[9], row.original_deadline), (values[10], row.deadline)):
                assert isinstance(cell.value, datetime | date)
                assert (cell.value.date() if isinstance(cell.value, datetime) else cell.value) == day
                assert cell.number_format == "dd/mm/yyyy"
            last = values[14]
            assert (last.value.date() if isinstance(last.value, datetime) else last.value) == row.last_update
        [event] = _exports(app)[exports:]
        assert event.details == {"format": "xlsx", "filters": {"rag": "red"}, "actions": 3}

    def test_the_xlsx_export_is_finished_for_a_board(
        self, app: Flask, manager_client: FlaskClient, world: World
    ) -> None:
        """RAG cells in their colours, the summary by agency with the page's counts, the filters
        and the export's date, and a print set-up: landscape, one page wide, header repeated."""
        agency = world.agencies["A"]
        before = datetime.now(UK).replace(second=0, microsecond=0)
        workbook = load_workbook(
            io.BytesIO(manager_client.get(f"/actions/export.xlsx?agency={agency}&overdue=1").data)
        )
        after = datetime.now(UK)
        summary, sheet = workbook["Summary"], workbook["Actions"]

        # the filters in words and the date, at the top of the summary
        assert summary["A1"].value == "Action tracker"
        exported = summary["B2"].value
        assert summary["A2"].value == "Exported" and re.fullmatch(
            r"\d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}", exported
        )
        assert datetime.strptime(exported, "%d %B %Y at %H:%M").replace(tzinfo=UK) >= before - timedelta(
            minutes=1
        )
        assert datetime.strptime(exported, "%d %B %Y at %H:%M").replace(tzinfo=UK) <= after
        assert (summary["A3"].value, summary["B3"].value, summary["B4"].value) == (
            "Filters", "Agency: Alder Police", "Overdue: Overdue only"
        )  # fmt: skip

        # the table of agencies against colours: the same counts as the tracker page
        values = [[cell.value for cell in row] for row in summary.iter_rows(min_row=6)]
        assert values[0] == ["Agency", *(rag.label for rag in Rag), "Total"]
        page = agency_table(manager_client.get(f"/actions/?agency={agency}&overdue=1"))
        assert {row[0]: row[1:] for row in values[1:]} == {
            name: [cells[rag.value] for rag in Rag] + [cells["total"]] for name, cells in page.items()
        }
        assert values[-1][0] == "All" and all(cell.font.bold for cell in summary[6 + len(values) - 1])
        red_heading = summary.cell(row=6, column=2)
        assert red_heading.fill.fgColor.rgb.endswith("D4351C")

        # RAG cells in their colour, on the full export
        full = load_workbook(io.BytesIO(manager_client.get("/actions/export.xlsx").data))["Actions"]
        colours = {
            row[8].value: (row[8].fill.fill_type, row[8].fill.fgColor.rgb[-6:], row[8].font.color.rgb[-6:])
            for row in full.iter_rows(min_row=2)
        }
        assert colours == {
            "Red": ("solid", "D4351C", "FFFFFF"),
            "Amber": ("solid", "F47738", "0B0C0C"),
            "Green": ("solid", "00703C", "FFFFFF"),
            "Awaiting verification": ("solid", "1D70B8", "FFFFFF"),
            "Verified": ("solid", "B1B4B6", "0B0C0C"),
        }
        assert full["A2"].fill.fill_type is None  # only the RAG cells are coloured

        # frozen header, auto-filter, sensible widths, and the print set-up
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:Q")
        widths = {heading: full.column_dimensions[chr(64 + i)].width for i, heading in enumerate(HEADINGS, 1)}
        assert all(8 <= width <= 60 for width in widths.values())
        assert widths["Action"] > widths["Owner"] > widths["Overdue"]
        for printed in (sheet, summary):
            assert printed.page_setup.orientation == "landscape"
            assert printed.page_setup.fitToWidth == 1 and printed.page_setup.fitToHeight == 0
            assert printed.sheet_properties.pageSetUpPr.fitToPage
            assert printed.oddHeader.right.text.startswith("Exported ")
        assert sheet.print_title_rows == "$1:$1"

    def test_the_export_summary_says_when_no_filter_applies_and_names_the_ones_that_do(
        self, manager_client: FlaskClient, world: World
    ) -> None:
        plain = load_workbook(io.BytesIO(manager_client.get("/actions/export.xlsx").data))["Summary"]
        assert plain["B3"].value == "None: every action you may see"
        query = f"review={world.reviews['R2']}&agency=partnership&owner={world.owners['manager']}"
        query += f"&status=at_risk&rag=amber&theme={world.themes[1]}"
        named = load_workbook(io.BytesIO(manager_client.get(f"/actions/export.xlsx?{query}").data))["Summary"]
        lines = [named.cell(row=row, column=2).value for row in range(3, 9)]
        assert lines[0].startswith("Review: CSPR-") and lines[1:5] == [
            "Agency: The partnership", f"Owner: {MANAGER}", "Status: At risk", "RAG: Amber"
        ]  # fmt: skip
        assert lines[5].startswith("Theme: ") and str(world.themes[1]) not in lines[5]

    def test_the_xlsx_export_never_writes_a_formula(self, manager_client: FlaskClient, world: World) -> None:
        workbook = load_workbook(io.BytesIO(manager_client.get("/actions/export.xlsx").data))
        sheet = workbook["Actions"]
        assert sheet.max_row == 1 + len(ACTIONS)
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not any(cell.data_type == "f" for cell in cells)
        formula = next(cell for cell in cells if cell.value == FORMULA)
        assert formula.data_type == "s" and formula.quotePrefix  # kept as text, also when edited later
        minus = next(cell for cell in cells if cell.value == MINUS)
        assert minus.data_type == "s" and minus.quotePrefix

    @pytest.mark.parametrize("role", [Role.AGENCY_LEAD, Role.REVIEWER, Role.ADMIN])
    def test_only_board_managers_reach_the_tracker(self, app: Flask, world: World, role: Role) -> None:
        client = client_as(app, world.outsiders[role])
        exports = len(_exports(app))
        for url in TRACKER_URLS:
            response = client.get(url)
            assert response.status_code == 403, url
            assert b"Action " not in response.data
        assert len(_exports(app)) == exports

    def test_an_agency_lead_of_an_agency_with_actions_is_refused_too(self, app: Flask, world: World) -> None:
        client = client_as(app, world.owners["A"])
        for url in TRACKER_URLS:
            assert client.get(f"{url}?agency={world.agencies['A']}").status_code == 403, url

    @pytest.mark.parametrize("url", TRACKER_URLS)
    def test_a_review_that_does_not_exist_is_not_found(
        self, app: Flask, manager_client: FlaskClient, world: World, url: str
    ) -> None:
        missing = max(world.reviews.values()) + 1000
        exports = len(_exports(app))
        assert manager_client.get(f"{url}?review={missing}").status_code == 404
        assert len(_exports(app)) == exports

    def test_the_queries_apply_each_users_access_rule_in_sql(self, app: Flask, world: World) -> None:
        """The tracker is for board managers, but its queries hold for anyone: a lead sees only
        their agency's actions, and the counts are of those alone."""
        with app.app_context():
            today = uk_today()
            soon = soon_limit(today)
            lead = db.session.execute(select(User).where(User.email == world.emails["C"])).scalar_one()
            found = db.session.execute(tracker_query(lead, TrackerFilters(), today, soon)).scalars().all()
            assert {action.id for action in found} == ids(world, {"verified-late", "completed-late"})
            counts = tracker_counts(lead, TrackerFilters(), today, soon)
            assert [(row.name, row.count) for row in counts.by_agency] == [("Cedar Academy", 2)]
            assert counts.by_rag == {Rag.RED: 1, Rag.AMBER: 0, Rag.GREEN: 0, Rag.AWAITING: 0, Rag.VERIFIED: 1}
            reviewer = db.session.get(User, world.outsiders[Role.REVIEWER])
            assert (
                db.session.execute(tracker_query(reviewer, TrackerFilters(), today, soon)).scalars().all()
                == []
            )


# --- the RAG rule in SQL and in Python -----------------------------------------------------

# Thursday 27 August 2026; Monday 31 August is the summer bank holiday, so the tenth working
# day after it (the end of "soon") is Friday 11 September, a day later than without the holiday.
RAG_TODAY = date(2026, 8, 27)
OFFSETS = (-2, -1, 0, 1, 2, 9, 10, 11)  # working days from RAG_TODAY to the deadline
R, A, G, W, V = Rag.RED, Rag.AMBER, Rag.GREEN, Rag.AWAITING, Rag.VERIFIED
# (status, the day it was completed relative to its deadline: None, "today" or "in time")
RAG_TABLE = {
    (ActionStatus.NOT_STARTED, None): (R, R, A, A, A, A, A, G),
    (ActionStatus.ON_TRACK, None): (R, R, A, A, A, A, A, G),
    (ActionStatus.AT_RISK, None): (R, R, A, A, A, A, A, A),
    (ActionStatus.OFF_TRACK, None): (R, R, R, R, R, R, R, R),
    (ActionStatus.COMPLETED, "today"): (R, R, W, W, W, W, W, W),  # late when the deadline had passed
    (ActionStatus.COMPLETED, "in time"): (W, W, W, W, W, W, W, W),  # on its deadline day
    (ActionStatus.COMPLETED, None): (R, R, G, G, G, G, G, G),  # no day recorded: never "in time"
    (ActionStatus.VERIFIED, "today"): (V, V, V, V, V, V, V, V),
}


def test_the_rag_table_crosses_a_bank_holiday() -> None:
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(date(2026, 8, 31))
    assert calendar.add_working_days(RAG_TODAY, 2) == date(2026, 9, 1)
    assert soon_limit(RAG_TODAY, calendar) == calendar.add_working_days(RAG_TODAY, SOON) == date(2026, 9, 11)


def test_rag_in_sql_gives_the_same_colour_as_rag_in_python(app: Flask) -> None:
    calendar = WorkingCalendar()  # England and Wales bank holidays, no closure days
    soon = soon_limit(RAG_TODAY, calendar)
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        agency = make_agency()
        review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[agency])
        manager = db.session.get(User, manager.id)
        recommendation = services.add_recommendation(
            db.session.get(Review, review.id), "Share records", True, [], [], manager
        )
        cases: dict[int, tuple[ActionStatus, date, date | None, Rag]] = {}
        for (status, completed), colours in RAG_TABLE.items():
            for offset, colour in zip(OFFSETS, colours, strict=True):
                action = services.add_action(
                    recommendation, f"{status} {offset}", None, manager, uk_today(), "Audit", manager
                )
                # the table's own day, whatever today is: set in the database, as no service may
                action.status = status
                action.deadline = calendar.add_working_days(RAG_TODAY, offset)
                action.completed_on = {None: None, "today": RAG_TODAY, "in time": action.deadline}[completed]
                cases[action.id] = (status, action.deadline, action.completed_on, colour)
        db.session.commit()

        in_sql = dict(db.session.execute(select(Action.id, rag_sql(RAG_TODAY, soon))).all())
        assert len(in_sql) == len(cases) == len(RAG_TABLE) * len(OFFSETS)
        for action_id, (status, deadline, completed_on, colour) in cases.items():
            in_python = rag_for(status, deadline, RAG_TODAY, soon, completed_on)
            assert (status, deadline, completed_on, in_python) == (status, deadline, completed_on, colour)
            in_database = Rag(in_sql[action_id])
            assert (status, deadline, completed_on, in_database) == (status, deadline, completed_on, colour)
        # and "overdue" in SQL agrees with Python: past the deadline, not verified, not done in time
        overdue = set(db.session.execute(select(Action.id).where(overdue_sql(RAG_TODAY))).scalars())
        assert overdue == {i for i in cases if is_overdue(db.session.get(Action, i), RAG_TODAY)}
        assert overdue == {i for i, case in cases.items() if case[3] == R and case[1] < RAG_TODAY}

        # and the tracker's RAG filter and counts use the same rule
        for colour in Rag:
            filtered = tracker_query(manager, TrackerFilters(rag=colour), RAG_TODAY, soon)
            found = {action.id for action in db.session.execute(filtered).scalars()}
            assert found == {action_id for action_id, case in cases.items() if case[3] == colour}
        counts = tracker_counts(manager, TrackerFilters(), RAG_TODAY, soon)
        assert counts.by_rag == {colour: sum(case[3] == colour for case in cases.values()) for colour in Rag}

        # and a page of the list sorted by RAG, taken colour by colour from the counts, holds the
        # same actions in the same order as the whole list sorted at once: every page size and
        # start, across the colours' boundaries, both ways, under filters too
        for filters in (
            TrackerFilters(sort="rag"),
            TrackerFilters(sort="rag", descending=True),
            TrackerFilters(sort="rag", status=ActionStatus.COMPLETED),
            TrackerFilters(sort="rag", descending=True, overdue=True),
            TrackerFilters(sort="rag", rag=Rag.AMBER),
        ):
            whole = [
                a.id for a in db.session.execute(tracker_query(manager, filters, RAG_TODAY, soon)).scalars()
            ]
            by_rag = tracker_counts(manager, filters, RAG_TODAY, soon).by_rag
            assert sum(by_rag.values()) == len(whole)
            for limit in (1, 3, 7, 25):
                for offset in range(len(whole) + 2):
                    query = rag_page_query(manager, filters, RAG_TODAY, soon, by_rag, limit, offset)
                    # Their ids only: what each row shows (loaded after it) is the pages' to test.
                    ids = None if query is None else query.with_only_columns(Action.id)
                    page = [] if ids is None else list(db.session.execute(ids).scalars())
                    assert page == whole[offset : offset + limit], (filters, limit, offset)


def test_a_page_sorted_by_rag_spans_the_colours_its_rows_fall_in() -> None:
    by_rag = {R: 3, A: 0, G: 2, W: 1, V: 10}
    assert rag_segments(by_rag, False, 4, 0) == [(R, 0, 3), (G, 0, 1)]
    assert rag_segments(by_rag, False, 4, 4) == [(G, 1, 1), (W, 0, 1), (V, 0, 2)]
    assert rag_segments(by_rag, False, 4, 12) == [(V, 6, 4)]
    assert rag_segments(by_rag, False, 4, 16) == []  # past the last
    # descending: verified first, red last
    assert rag_segments(by_rag, True, 4, 8) == [(V, 8, 2), (W, 0, 1), (G, 0, 1)]
    assert rag_segments(by_rag, True, 25, 0) == [(V, 0, 10), (W, 0, 1), (G, 0, 2), (R, 0, 3)]
    assert rag_segments({}, False, 25, 0) == []


# --- the counts, kept between changes ------------------------------------------------------


def test_the_counts_are_worked_out_again_after_any_change_and_only_then(app: Flask) -> None:
    """Kept under the token the database changes on every write to what they count, whatever
    code writes (here plain SQL, as a script would): never stale, and not read on every view."""
    with app.app_context():
        manager = make_user(Role.BOARD_MANAGER)
        agency = make_agency("Alder Police")
        review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[agency])
        manager = db.session.get(User, manager.id)
        recommendation = services.add_recommendation(
            db.session.get(Review, review.id), "Share records", True, [], [], manager
        )
        for n in range(3):
            services.add_action(recommendation, f"Action {n}", None, manager, uk_today(), "Audit", manager)
        db.session.commit()
        today = uk_today()
        soon = soon_limit(today)
        theme_id = db.session.execute(select(Theme.id).order_by(Theme.id).limit(1)).scalar_one()

        def counts(**filters: Any) -> dict[tuple[str, Rag], int]:
            found = tracker_counts(manager, TrackerFilters(**filters), today, soon)
            return {(row.name, colour): n for row in found.by_agency for colour, n in row.by_rag.items() if n}

        assert counts() == {(PARTNERSHIP, Rag.AMBER): 3}
        assert counts(theme_id=theme_id) == {}
        seen: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert counts() == {(PARTNERSHIP, Rag.AMBER): 3}
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert len(seen) == 1 and "tracker_versions" in seen[0]  # the token alone
        db.session.commit()

        with db.engine.begin() as connection:  # an action moved to the agency and verified
            connection.exec_driver_sql(
                f"UPDATE actions SET status = 'verified', agency_id = {agency.id} "
                "WHERE description = 'Action 0'"
            )
        assert counts() == {(PARTNERSHIP, Rag.AMBER): 2, ("Alder Police", Rag.VERIFIED): 1}
        with db.engine.begin() as connection:  # the agency renamed
            connection.exec_driver_sql(
                f"UPDATE agencies SET name = 'Alder Constabulary' WHERE id = {agency.id}"
            )
        assert counts() == {(PARTNERSHIP, Rag.AMBER): 2, ("Alder Constabulary", Rag.VERIFIED): 1}
        with db.engine.begin() as connection:  # a theme given to the recommendation
            connection.exec_driver_sql(
                "INSERT INTO recommendation_themes (recommendation_id, theme_id) "
                f"VALUES ({recommendation.id}, {theme_id})"
            )
        assert counts(theme_id=theme_id) == {
            (PARTNERSHIP, Rag.AMBER): 2,
            ("Alder Constabulary", Rag.VERIFIED): 1,
        }
        with db.engine.begin() as connection:  # an action removed
            connection.exec_driver_sql("DELETE FROM actions WHERE description = 'Action 1'")
        assert counts() == {(PARTNERSHIP, Rag.AMBER): 1, ("Alder Constabulary", Rag.VERIFIED): 1}
        # and another day's colours are that day's
        later = tracker_counts(
            manager, TrackerFilters(), today - timedelta(days=400), soon_limit(today - timedelta(days=400))
        )
        assert later.by_rag[Rag.GREEN] == 1
