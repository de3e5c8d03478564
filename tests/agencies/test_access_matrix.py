"""Who may open what, over HTTP: every role against the records of their own and of others.

Two commissioned reviews. A has agencies X and Y in scope, B has X only; Z is in neither.
R1 leads A (accepted and declared), R2 is proposed on A but has not accepted, R3 is on nothing.
LX, LY and LZ lead agencies X, Y and Z. A asks X and Y for a chronology, B asks X; each request
carries entries and an uploaded PDF. Y's chronology on A has been accepted, so it is in A's
merged chronology and Y no longer has an open request on A.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func

from casework.agencies import services as contributions
from casework.agencies.chronology_csv import ChronologyRow
from casework.agencies.contributions import (
    ChronologyEntry,
    ContributionKind,
    ContributionRequest,
    RequestStatus,
)
from casework.auth.models import User
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.documents.models import Document
from casework.reviews import queries
from casework.reviews.models import Review
from tests.agencies.key_episodes import assert_not_marked
from tests.support.copies import replayed
from tests.support.files import CSV, PDF, upload
from tests.support.http import SIGN_IN, client_as, page_text, post_form
from tests.support.people import cast_roles, make_cast, three_agencies
from tests.support.worlds import (
    PSEUDONYMS,
    Loaded,
    MatrixWorld,
    assert_tables_cover_every_role,
    matrix_cases,
    matrix_fixtures,
    opened,
    two_reviews,
)

AGENCIES = three_agencies(X="Northshire Police", Y="Riverside NHS Trust", Z="Hilltop Academy")
AGENCY_NAMES = {key: name for key, (name, _) in AGENCIES.items()}
# The requests of the world: review, agency.
REQUESTS = ("A-X", "A-Y", "B-X")
ROLE_OF = cast_roles(AGENCIES)
PEOPLE = tuple(ROLE_OF)


@dataclass
class World(MatrixWorld):
    requests: dict[str, int] = field(default_factory=dict)  # "A-X" -> id
    documents: dict[str, int] = field(default_factory=dict)  # "A-X" -> id of its PDF
    entries: dict[str, list[int]] = field(default_factory=dict)  # "A-X" -> entry ids

    def eventpage_text(self, key: str) -> str:
        """The 'what happened' text of a request's first entry: unique to that request."""
        return f"Entry one of {key}: home visit recorded"


def build_world(app: Flask) -> World:
    """The world described at the top of this file, built through the services; uploads go to
    the app's UPLOAD_FOLDER."""
    with app.app_context():
        cast = make_cast(AGENCIES)
        world = two_reviews(World(cast), {"A": "XY", "B": "X"})
        manager = cast.user("board_manager")
        due = uk_today() + timedelta(days=30)
        asked = "Your agency's contact with the family during the scope period."
        made = contributions.request_contributions(
            world.review("A"),
            [cast.agency("X"), cast.agency("Y")],
            ContributionKind.CHRONOLOGY,
            asked,
            due,
            manager,
        )
        made += contributions.request_contributions(
            world.review("B"), [cast.agency("X")], ContributionKind.CHRONOLOGY, asked, due, manager
        )
        db.session.commit()
        for key, request in zip(REQUESTS, made, strict=True):
            world.requests[key] = request.id
            agency_lead = cast.user("L" + key[-1])
            first = contributions.add_chronology_entry(
                request,
                ChronologyRow(
                    uk_today() - timedelta(days=90), None, "Health visitor", world.eventpage_text(key), "Low"
                ),
                agency_lead,
            )
            second = contributions.add_chronology_entry(
                request,
                ChronologyRow(
                    uk_today() - timedelta(days=80), None, "Social worker", f"Entry two of {key}", ""
                ),
                agency_lead,
            )
            document = contributions.attach_document(request, upload(PDF, f"report-{key}.pdf"), agency_lead)
            db.session.commit()
            world.entries[key] = [first.id, second.id]
            world.documents[key] = document.id
        accepted = db.session.get(ContributionRequest, world.requests["A-Y"])
        contributions.submit_request(accepted, "All contact included.", cast.user("LY"), accepted.version)
        contributions.accept_request(accepted, cast.user("R1"), accepted.version)
        db.session.commit()
    return world


# --- helpers --------------------------------------------------------------------------------


def url_of(world: World, target: str) -> str:
    """A target such as "review:A", "request:A-X", "document:B-X", "mine" as the URL it names."""
    kind, _, key = target.partition(":")
    if kind == "mine":
        return "/agencies/mine"
    if kind == "reviews":
        return "/reviews/"
    if kind in ("request", "document"):
        number = world.requests[key] if kind == "request" else world.documents[key]
        return f"/agencies/requests/{number}" if kind == "request" else f"/documents/{number}"
    suffix = {
        "review": "",
        "chronology": "/chronology",
        "csv": "/chronology.csv",
        "ids": "/identifying-details",
    }
    return f"/reviews/{world.reviews[key]}{suffix[kind]}"


def _request_row(app: Flask, request_id: int) -> tuple[RequestStatus, int, int, int, str]:
    """What a refused change must leave alone: status, version, entries, documents, note."""
    with app.app_context():
        found = db.session.get(ContributionRequest, request_id)
        assert found is not None
        entries = db.session.scalar(
            db.select(func.count())
            .select_from(ChronologyEntry)
            .where(ChronologyEntry.request_id == request_id)
        )
        documents = db.session.scalar(
            db.select(func.count())
            .select_from(Document)
            .where(Document.contribution_request_id == request_id)
        )
        return found.status, found.version, entries or 0, documents or 0, found.response_note


def _identifier_views(app: Flask, review_id: int) -> list[tuple[int | None, int | None]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEvent.review_id, AuditEvent.actor_id)
            .where(AuditEvent.action == "identifiers_viewed", AuditEvent.review_id == review_id)
            .order_by(AuditEvent.id)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _review_table(page: str) -> str:
    """The list of reviews on /reviews/ ("" when there is none)."""
    match = re.search(r'data-testid="review-list".*?</table>', page, re.S)
    return match.group(0) if match else ""


# --- the matrix -----------------------------------------------------------------------------


TARGETS = (
    "review:A", "chronology:A", "csv:A", "ids:A",
    "review:B", "chronology:B", "csv:B", "ids:B",
    "request:A-X", "request:A-Y", "request:B-X",
    "document:A-X", "document:A-Y", "document:B-X",
    "mine", "reviews",
)  # fmt: skip

S = SIGN_IN
EXPECTED: dict[str, tuple[int | str, ...]] = {
    #               review A ............ review B ............ requests ....... documents ...... mine reviews
    #               page chr  csv  ids    page chr  csv  ids    A-X  A-Y  B-X   A-X  A-Y  B-X
    "board_manager": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200),
    "R1":            (200, 200, 200, 200, 404, 404, 404, 404, 200, 200, 404, 200, 200, 404, 403, 200),
    "R2":            (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403, 200),
    "R3":            (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403, 200),
    # An agency lead never opens a review; identifying details only while its request is open
    # (X's requests on A and B are open; Y's on A has been accepted).
    "LX":            (404, 404, 404, 200, 404, 404, 404, 200, 200, 404, 200, 200, 404, 200, 200, 403),
    "LY":            (404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 200, 404, 200, 403),
    "LZ":            (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 403),
    # A review's screens, a request's page and a download apply the record's own rule: an
    # administrator may not know the record exists (404). The lists are for case roles (403).
    "admin":         (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403, 403),
    "anonymous":     (S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S),
}  # fmt: skip

CASES = matrix_cases(EXPECTED, TARGETS)


def test_the_table_covers_every_role() -> None:
    assert_tables_cover_every_role(ROLE_OF, (EXPECTED, TARGETS))


shared_world, shared_clients = matrix_fixtures(build_world, PEOPLE)


@pytest.mark.read_only
class TestReadOnlyMatrix:
    """Opening reviews, requests and documents only reads: one world, built once for the class."""

    @pytest.mark.parametrize(("person", "target", "expected"), CASES)
    def test_access(
        self,
        app: Flask,
        shared_world: World,
        shared_clients: dict[str, FlaskClient],
        person: str,
        target: str,
        expected,
    ) -> None:
        url = url_of(shared_world, target)
        # a refusal says nothing about the record it refused (the header names the user's own agency)
        own = AGENCY_NAMES.get(person[-1]) if person.startswith("L") else None
        names = [name for name in AGENCY_NAMES.values() if name != own]
        secrets = (*PSEUDONYMS.values(), *shared_world.references.values(), *names)
        response = opened(shared_clients[person], url, expected, secrets, person)
        if response is None:
            return
        kind, _, key = target.partition(":")
        if kind == "document":
            assert response.get_data() == PDF
            assert response.headers["Cache-Control"] == "no-store"
        elif kind == "csv":
            assert response.mimetype == "text/csv"
            assert shared_world.references[key] in response.headers["Content-Disposition"]
        elif kind in ("review", "chronology", "ids"):
            assert shared_world.references[key] in page_text(response)
        elif kind == "request":
            page = page_text(response)
            assert AGENCY_NAMES[key[-1]] in page and shared_world.eventpage_text(key) in page

    @pytest.mark.parametrize(
        ("person", "listed"),
        [("board_manager", {"A", "B"}), ("R1", {"A"}), ("R2", set()), ("R3", set())],
    )
    def test_review_list_shows_only_the_reviews_each_may_open(
        self, shared_world: World, shared_clients: dict[str, FlaskClient], person: str, listed: set[str]
    ) -> None:
        with Loaded(Review) as loaded:
            page = page_text(shared_clients[person].get("/reviews/"))
        table = _review_table(page)
        for key in ("A", "B"):
            assert (shared_world.references[key] in table) == (key in listed), (person, key)
            assert (PSEUDONYMS[key] in page) == (key in listed), (person, key)
        # filtered in SQL: a review the user may not open is never loaded for the list (R2's
        # appointment banner loads A, the review it has been asked to answer)
        banner = {shared_world.reviews["A"]} if person == "R2" else set()
        assert set(loaded.ids) <= {shared_world.reviews[key] for key in listed} | banner
        # R2's appointment waits for an answer: the banner names the review, nothing more
        pending = "Appointments waiting for your answer" in page
        assert pending == (person == "R2")
        if pending:
            assert f"{shared_world.references['A']}: co-reviewer" in page
            assert shared_world.references["B"] not in page

    @pytest.mark.parametrize("person", ["R2", "R3"])
    @pytest.mark.parametrize("search", ["A", "B", "pseudonym", "CSPR", "%", "_"])
    def test_a_search_finds_nothing_the_reviewer_may_not_open(
        self,
        app: Flask,
        shared_world: World,
        shared_clients: dict[str, FlaskClient],
        person: str,
        search: str,
    ) -> None:
        term = {
            "A": shared_world.references["A"],
            "B": shared_world.references["B"],
            "pseudonym": "Child",
        }.get(search, search)
        with Loaded(Review) as loaded:
            response = shared_clients[person].get("/reviews/", query_string={"q": term})
        page = page_text(response)
        assert response.status_code == 200
        assert "You are not leading any reviews yet" in page
        assert _review_table(page) == ""
        for key in ("A", "B"):
            assert PSEUDONYMS[key] not in page
        # only R2's appointment banner loads a review (A, which it was asked to answer)
        assert set(loaded.ids) <= ({shared_world.reviews["A"]} if person == "R2" else set())
        with app.app_context():
            user = db.session.get(User, shared_world.user_ids[person])
            found = db.session.execute(
                queries.review_list(user, queries.ReviewFilters(search=term))  # type: ignore[arg-type]
            ).all()
        assert found == []

    @pytest.mark.parametrize(
        ("person", "own", "others"),
        [("LX", ("A-X", "B-X"), ("A-Y",)), ("LY", ("A-Y",), ("A-X", "B-X")), ("LZ", (), REQUESTS)],
    )
    def test_an_agency_lead_lists_only_its_agencys_requests(
        self,
        app: Flask,
        shared_world: World,
        shared_clients: dict[str, FlaskClient],
        person: str,
        own: tuple[str, ...],
        others: tuple[str, ...],
    ) -> None:
        with Loaded(ContributionRequest) as loaded:
            response = shared_clients[person].get("/agencies/mine")
        page = page_text(response)
        assert response.status_code == 200
        assert set(loaded.ids) == {shared_world.requests[key] for key in own}
        for key in own:
            assert f'href="/agencies/requests/{shared_world.requests[key]}"' in page
        for key in others:
            assert f'href="/agencies/requests/{shared_world.requests[key]}"' not in page
        shown_reviews = {key[0] for key in own}
        for key in ("A", "B"):
            assert (shared_world.references[key] in page) == (key in shown_reviews), (person, key)
        mine = AGENCY_NAMES[person[-1]]
        for name in AGENCY_NAMES.values():
            assert (name in page) == (name == mine), (person, name)
        if not own:
            assert "Your agency has no contribution requests" in page

    def test_the_merged_chronology_holds_only_accepted_entries(
        self, shared_world: World, shared_clients: dict[str, FlaskClient]
    ) -> None:
        for person in ("board_manager", "R1"):
            page = page_text(shared_clients[person].get(url_of(shared_world, "chronology:A")))
            assert shared_world.eventpage_text("A-Y") in page
            assert shared_world.eventpage_text("A-X") not in page
            export = shared_clients[person].get(url_of(shared_world, "csv:A")).get_data(as_text=True)
            assert (
                shared_world.eventpage_text("A-Y") in export
                and shared_world.eventpage_text("A-X") not in export
            )


# --- identifying details --------------------------------------------------------------------


@pytest.fixture
def world(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path)
    return replayed(app, "access matrix world", lambda: build_world(app))


def _advance(app: Flask, world: World, key: str, step: str) -> None:
    """Move a request on through the services, as the right person would."""
    with app.app_context():
        request = db.session.get(ContributionRequest, world.requests[key])
        manager = db.session.get(User, world.user_ids["board_manager"])
        agency_lead = db.session.get(User, world.user_ids["L" + key[-1]])
        if step == "submit":
            contributions.submit_request(request, "Done.", agency_lead, request.version)
        elif step == "return":
            contributions.return_request(request, "Add the GP's visits.", manager, request.version)
        elif step == "accept":
            contributions.accept_request(request, manager, request.version)
        elif step == "withdraw":
            contributions.withdraw_request(request, "No longer needed.", manager, request.version)
        db.session.commit()


def test_an_agency_lead_sees_identifiers_only_while_its_request_is_open(app: Flask, world: World) -> None:
    lx = client_as(app, world.user_ids.get("LX"))
    url = url_of(world, "ids:A")
    statuses = []
    for step, status in (
        (None, RequestStatus.REQUESTED),
        ("submit", RequestStatus.SUBMITTED),
        ("return", RequestStatus.RETURNED),
        ("submit", RequestStatus.SUBMITTED),
        ("accept", RequestStatus.ACCEPTED),
    ):
        if step:
            _advance(app, world, "A-X", step)
        assert _request_row(app, world.requests["A-X"])[0] == status
        statuses.append((status.value, lx.get(url).status_code))
    assert statuses == [
        ("requested", 200),
        ("submitted", 200),
        ("returned", 200),
        ("submitted", 200),
        ("accepted", 404),
    ]
    # its open request on B still opens B's details, and nothing of A
    assert lx.get(url_of(world, "ids:B")).status_code == 200
    request_page = page_text(lx.get(url_of(world, "request:A-X")))
    assert 'identifying-details"' not in request_page
    assert _identifier_views(app, world.reviews["A"]) == [(world.reviews["A"], world.user_ids["LX"])] * 4


def test_withdrawing_the_request_closes_the_identifiers_to_the_agency(app: Flask, world: World) -> None:
    lx = client_as(app, world.user_ids.get("LX"))
    assert lx.get(url_of(world, "ids:A")).status_code == 200
    _advance(app, world, "A-X", "withdraw")
    assert lx.get(url_of(world, "ids:A")).status_code == 404
    assert lx.get(url_of(world, "ids:B")).status_code == 200


def test_every_view_of_identifiers_is_recorded_with_the_viewer(app: Flask, world: World) -> None:
    review_id = world.reviews["A"]
    for person in ("board_manager", "R1", "LX"):
        response = client_as(app, world.user_ids.get(person)).get(url_of(world, "ids:A"))
        assert response.status_code == 200
        assert "Your view of this page has been recorded" in page_text(response)
    for person in ("R2", "R3", "LY", "LZ"):
        assert client_as(app, world.user_ids.get(person)).get(url_of(world, "ids:A")).status_code == 404
    assert _identifier_views(app, review_id) == [
        (review_id, world.user_ids[person]) for person in ("board_manager", "R1", "LX")
    ]
    # the view is recorded against the review, never shown on its timeline
    page = page_text(client_as(app, world.user_ids.get("board_manager")).get(url_of(world, "review:A")))
    assert "viewed the identifying details" not in page


def test_the_proposed_reviewer_gets_in_only_after_accepting(app: Flask, world: World) -> None:
    r2 = client_as(app, world.user_ids.get("R2"))
    for target in ("review:A", "chronology:A", "ids:A", "request:A-X", "document:A-X"):
        assert r2.get(url_of(world, target)).status_code == 404, target
    appointment = f"/reviews/appointments/{world.assignments['R2']}"
    response = post_form(r2, appointment, {"declared": "y"})
    assert response.status_code == 302, page_text(response)[:2000]
    for target in ("review:A", "chronology:A", "ids:A", "request:A-X", "document:A-X"):
        assert r2.get(url_of(world, target)).status_code == 200, target
    for target in ("review:B", "request:B-X", "document:B-X"):
        assert r2.get(url_of(world, target)).status_code == 404, target


# --- acting for another agency, or deciding on one's own ------------------------------------


def _entry_form(day: date) -> dict[str, object]:
    return {
        "occurred_on": [str(day.day), str(day.month), str(day.year)],
        "occurred_at": "10:15",
        "practitioner_role": "Response officer",
        "event": "Attended the flat",
        "significance": "",
    }


@pytest.mark.read_only
class TestRefusedChanges:
    """Changes refused to people who may not make them: the matrix's world, built once for the
    class and checked unchanged after it."""

    @pytest.fixture(scope="class")
    @classmethod
    def world(cls, shared_world: World) -> World:
        return shared_world

    def test_an_agency_lead_cannot_act_for_another_agency(self, app: Flask, world: World) -> None:
        ly = client_as(app, world.user_ids.get("LY"))
        request_id = world.requests["A-X"]
        base = f"/agencies/requests/{request_id}"
        before = _request_row(app, request_id)
        attempts: dict[str, dict[str, object]] = {
            "/entries": _entry_form(uk_today() - timedelta(days=3)),
            "/entries/import": {"file": (io.BytesIO(CSV), "chronology.csv", "text/csv")},
            "/documents": {"file": (io.BytesIO(PDF), "report.pdf", "application/pdf")},
            "/submit": {"note": "Submitted by someone else", "version": str(before[1])},
            f"/entries/{world.entries['A-X'][0]}/remove": {},
            "/accept": {"version": str(before[1])},
            "/return": {"version": str(before[1]), "comment": "Not good enough"},
            "/withdraw": {"version": str(before[1]), "comment": "Not wanted"},
        }
        for path, data in attempts.items():
            response = post_form(ly, base + path, data, token_from="/agencies/mine")
            assert response.status_code == 404, (path, response.status_code)
        assert _request_row(app, request_id) == before
        with app.app_context():
            documents = db.session.scalar(db.select(func.count()).select_from(Document))
        assert documents == len(world.documents)
        stored = [path for path in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if path.is_file()]
        assert len(stored) == len(world.documents)  # no file was written for the refused upload

    def test_an_entry_is_reached_only_through_its_own_request(self, app: Flask, world: World) -> None:
        """X's lead cannot remove Y's entry by putting its id under X's own request."""
        lx = client_as(app, world.user_ids.get("LX"))
        own = f"/agencies/requests/{world.requests['A-X']}"
        others = world.entries["A-Y"][0]
        response = post_form(lx, f"{own}/entries/{others}/remove", {}, token_from=own)
        assert response.status_code == 404
        with app.app_context():
            assert db.session.get(ChronologyEntry, others) is not None

    def test_a_refused_decision_answers_400_like_every_refused_form(self, app: Flask, world: World) -> None:
        """An illegal step (accepting what is not submitted) is a message, not an access refusal."""
        manager = client_as(app, world.user_ids.get("board_manager"))
        base = f"/agencies/requests/{world.requests['A-X']}"
        before = _request_row(app, world.requests["A-X"])
        response = post_form(manager, f"{base}/accept", {"version": str(before[1])}, token_from=base)
        assert response.status_code == 400
        assert "This request is requested, not submitted" in page_text(response)
        assert _request_row(app, world.requests["A-X"]) == before

    def test_an_agency_lead_cannot_mark_key_episodes_or_read_the_chronology(
        self, app: Flask, world: World
    ) -> None:
        ly = client_as(app, world.user_ids.get("LY"))
        entry = world.entries["A-Y"][0]  # accepted, in the merged chronology
        assert_not_marked(app, ly, world.reviews["A"], entry, "Mine", token_from="/agencies/mine")


def test_an_entry_is_marked_only_through_its_own_review(app: Flask, world: World) -> None:
    """R1 leads A, not B: an entry of B cannot be marked through A's chronology."""
    _advance(app, world, "B-X", "submit")
    _advance(app, world, "B-X", "accept")
    r1 = client_as(app, world.user_ids.get("R1"))
    entry_b = world.entries["B-X"][0]
    for review in ("A", "B"):
        assert_not_marked(app, r1, world.reviews[review], entry_b, "Not mine to mark", token_from="/reviews/")


def test_only_a_board_manager_may_change_identifiers(app: Flask, world: World) -> None:
    url = url_of(world, "ids:A") + "/edit"
    assert client_as(app, world.user_ids.get("board_manager")).get(url).status_code == 200
    # LX reads the details for its open request but may not see the review: not found.
    for person, status in (("R1", 403), ("LX", 404), ("LY", 404), ("R2", 404)):
        assert client_as(app, world.user_ids.get(person)).get(url).status_code == status, person
    # only the board manager's view of the form was recorded
    assert _identifier_views(app, world.reviews["A"]) == [
        (world.reviews["A"], world.user_ids["board_manager"])
    ]


def _submitted(app: Flask, world: World, key: str) -> None:
    _advance(app, world, key, "submit")
    assert _request_row(app, world.requests[key])[0] == RequestStatus.SUBMITTED


def test_an_agency_lead_cannot_accept_or_return_its_own_submission(app: Flask, world: World) -> None:
    _submitted(app, world, "A-X")
    lx = client_as(app, world.user_ids.get("LX"))
    base = f"/agencies/requests/{world.requests['A-X']}"
    page = page_text(lx.get(base))
    assert "Accept the submission" not in page and "Return to the agency" not in page
    before = _request_row(app, world.requests["A-X"])
    # The agency may see its request but not decide on it: the route's rule refuses (403).
    for decision, data in (
        ("accept", {}),
        ("return", {"comment": "Sending it back to myself"}),
        ("withdraw", {"comment": "Taking it back"}),
    ):
        response = post_form(lx, f"{base}/{decision}", {"version": str(before[1]), **data}, token_from=base)
        assert response.status_code == 403, (decision, response.status_code)
    assert _request_row(app, world.requests["A-X"]) == before


@pytest.mark.parametrize("person", ["R2", "R3"])
def test_a_reviewer_not_accepted_on_the_review_cannot_decide_a_submission(
    app: Flask, world: World, person: str
) -> None:
    _submitted(app, world, "A-X")
    client = client_as(app, world.user_ids.get(person))
    base = f"/agencies/requests/{world.requests['A-X']}"
    before = _request_row(app, world.requests["A-X"])
    for decision in ("accept", "return"):
        response = post_form(
            client,
            f"{base}/{decision}",
            {"version": str(before[1]), "comment": "Looks fine"},
            token_from="/reviews/",
        )
        assert response.status_code == 404, (decision, response.status_code)
    assert _request_row(app, world.requests["A-X"]) == before


def test_the_accepted_reviewer_can_decide_but_not_on_another_review(app: Flask, world: World) -> None:
    _submitted(app, world, "A-X")
    _submitted(app, world, "B-X")
    r1 = client_as(app, world.user_ids.get("R1"))
    b_before = _request_row(app, world.requests["B-X"])
    refused = post_form(
        r1,
        f"/agencies/requests/{world.requests['B-X']}/accept",
        {"version": str(b_before[1])},
        token_from="/reviews/",
    )
    assert refused.status_code == 404
    assert _request_row(app, world.requests["B-X"]) == b_before
    base = f"/agencies/requests/{world.requests['A-X']}"
    version = _request_row(app, world.requests["A-X"])[1]
    accepted = post_form(r1, f"{base}/accept", {"version": str(version)}, token_from=base)
    assert accepted.status_code == 302
    assert _request_row(app, world.requests["A-X"])[0] == RequestStatus.ACCEPTED
