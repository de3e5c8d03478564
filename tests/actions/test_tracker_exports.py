"""The tracker's exports at scale: rows read in batches with every cell computed by the database
(the same cells as the records say, read back from the CSV and the workbook), a fixed number of
queries however many actions there are, and exports above the inline limit written by the worker
as a background job whose file only the people allowed may download.

The tracker's content rules (filters, sorting, formulas, the workbook's finish) are in
test_tracker.py; here the actions are added in bulk (tests/support/bulk_actions.py) so that
there are more than a batch of them, with known update times, some with none."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casework.actions import services, tracker_rows
from casework.actions.models import Action, Recommendation, Theme
from casework.actions.rag import Rag, is_overdue, rag_of, soon_limit
from casework.actions.tracker import (
    PAGE_SIZE,
    SORT_KEYS,
    TrackerFilters,
    tracker_page,
    tracker_query,
)
from casework.actions.tracker_counting import tracker_counts
from casework.actions.tracker_export import EXPORT_HEADINGS
from casework.auth.models import Role, User
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.core.timeutil import UK, uk_today
from casework.documents.models import Document
from casework.documents.s3_store import S3Store
from casework.jobs.models import BackgroundJob, JobStatus
from tests.conftest import client_as, make_agency, make_user
from tests.reviews.conftest import make_review
from tests.support.bulk_actions import add_actions, last_update_day, updates_of
from tests.support.copies import replayed
from tests.support.queue import empty_queue as empty_queue  # a fixture
from tests.support.queue import run_worker
from tests.support.rows import audit_trail, stored
from tests.support.sql import statements

COUNT = 14  # actions: more than three batches of BATCH
BATCH = 4
PER_ACTION = 2  # updates per action on average: 0 to 4, every fifth action none


@dataclass(frozen=True)
class Bulk:
    manager: int
    other_manager: int
    lead: int
    reviewer: int
    recommendations: list[int]
    agency: int
    count: int


def build(app: Flask, count: int = COUNT) -> Bulk:
    with app.app_context():
        agency = make_agency("Alder Police")
        manager = make_user(Role.BOARD_MANAGER, name="Morgan Manager")
        other_manager = make_user(Role.BOARD_MANAGER)
        lead = make_user(Role.AGENCY_LEAD, agency=agency)
        reviewer = make_user(Role.REVIEWER)
        review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[agency])
        themes = list(db.session.execute(select(Theme).order_by(Theme.id).limit(2)).scalars())
        recommendations = [
            services.add_recommendation(
                review, f"Recommendation {n}", True, [stored(type(agency), agency.id)], themes[:n], manager
            )
            for n in range(3)
        ]
        bulk = Bulk(
            manager.id,
            other_manager.id,
            lead.id,
            reviewer.id,
            [r.id for r in recommendations],
            agency.id,
            count,
        )
        _add(bulk, 0, count)
        return bulk


def _add(bulk: Bulk, first: int, count: int) -> None:
    add_actions(
        [stored(Recommendation, rid) for rid in bulk.recommendations],
        owner_ids=[bulk.manager, bulk.lead],
        agency_ids=[None, bulk.agency],
        created_by_id=bulk.manager,
        count=count,
        updates_per_action=PER_ACTION,
        today=uk_today(),
        first_number=first,
    )
    db.session.commit()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def expected_rows(app: Flask) -> list[list[str]]:
    """Every action's cells worked out from its records in Python, the tracker's default order
    (soonest deadline first, then the action's id)."""
    with app.app_context():
        today = uk_today()
        soon = soon_limit(today)
        actions = db.session.execute(
            select(Action)
            .order_by(Action.deadline, Action.id)
            .options(
                selectinload(Action.updates),
                selectinload(Action.recommendation).selectinload(Recommendation.themes),
            )
        ).scalars()
        rows = []
        for action in actions:
            latest = max((update.at for update in action.updates), default=None)
            values = (
                action.review.reference,
                action.recommendation.number,
                action.recommendation.text,
                "; ".join(theme.name for theme in action.recommendation.themes),
                action.description,
                action.owner_label,
                action.owner.name,
                action.status.label,
                rag_of(action, today, soon).label,
                action.original_deadline,
                action.deadline,
                action.deadline_changes,
                "Yes" if is_overdue(action, today) else "No",
                action.success_measure,
                latest.astimezone(UK).date() if latest else None,
                action.recommendation.difference_from_earlier or "",
                action.recommendation.outcome_status(today).label,
            )
            rows.append([_cell(value) for value in values])
        return rows


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1  # one BOM, at the start
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx(data: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(data))["Actions"]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append([_cell(v.date() if isinstance(v, datetime) else v) for v in row])
    return rows


@pytest.fixture
def bulk(app: Flask) -> Bulk:
    return replayed(app, "tracker exports bulk", lambda: build(app))


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracker_rows, "BATCH", BATCH)


# --- the rows, in batches ----------------------------------------------------------------------


def test_the_csv_holds_every_action_as_its_records_say_read_in_batches(
    app: Flask, bulk: Bulk, small_batches: None
) -> None:
    client = client_as(app, bulk.manager)
    with app.app_context(), statements() as seen:
        response = client.get("/actions/export.csv")
        data = response.data  # streamed: the rows are read as the body is
    assert response.status_code == 200 and response.mimetype == "text/csv"
    header, *body = _csv(data)
    assert header == list(EXPORT_HEADINGS)
    assert body == expected_rows(app)

    # the latest update's English date, and none for the actions without one
    last = {int(re.match(r"Action (\d+):", row[4])[1]): row[14] for row in body}  # type: ignore[index]
    assert last == {n: _cell(last_update_day(n, PER_ACTION)) for n in range(COUNT)}
    assert {n for n in range(COUNT) if updates_of(n, PER_ACTION) == 0} == {0, 5, 10}
    assert all(last[n] == "" for n in (0, 5, 10))
    # action 1's one update, at 23:31 UTC on 1 July, was made on 2 July in England
    assert last[1] == "02/07/2024"

    # one query for the rows and one for each batch's themes, none per row
    themes = [s for s in seen if "recommendation_themes" in s and "JOIN themes" in s]
    assert len(themes) == math.ceil(COUNT / BATCH) == 4
    rows = [s for s in seen if "max(progress_updates.at)" in s]
    assert len(rows) == 1


def test_the_workbook_holds_the_same_rows_read_in_batches(
    app: Flask, bulk: Bulk, small_batches: None
) -> None:
    client = client_as(app, bulk.manager)
    response = client.get("/actions/export.xlsx")
    assert response.status_code == 200
    header, *body = _xlsx(response.data)
    assert header == list(EXPORT_HEADINGS)
    assert body == expected_rows(app)
    sheet = load_workbook(io.BytesIO(response.data))["Actions"]
    assert sheet.auto_filter.ref == f"A1:Q{COUNT + 1}" and sheet.freeze_panes == "A2"


@pytest.mark.parametrize("url", ["/actions/export.csv", "/actions/export.xlsx", "/actions/"])
def test_the_queries_stay_the_same_as_the_actions_grow(app: Flask, bulk: Bulk, url: str) -> None:
    client = client_as(app, bulk.manager)
    client.get(url)  # the first request of a client loads what later ones have cached

    def counted() -> int:
        with app.app_context(), statements() as seen:
            response = client.get(url)
            assert response.status_code == 200 and response.data  # a streamed body read here
        return len(seen)

    before = counted()
    with app.app_context():
        _add(bulk, COUNT, 3 * COUNT)
    assert counted() == before
    assert before <= 15


# --- large exports in the background ----------------------------------------------------------


@pytest.fixture
def inline_limit(app: Flask, empty_queue: None) -> Iterator[None]:
    """Fewer actions than the world holds are written in the request."""
    before = app.config["EXPORT_INLINE_ROWS"]
    app.config["EXPORT_INLINE_ROWS"] = COUNT - 1
    yield
    app.config["EXPORT_INLINE_ROWS"] = before


def _start(client: FlaskClient, extension: str, query: str = "") -> int:
    """Ask for the export, then prepare it from the page that offers to; the job's id."""
    offer = client.get(f"/actions/export.{extension}{query}")
    assert offer.status_code == 200 and offer.mimetype == "text/html"
    text = offer.get_data(as_text=True)
    assert f"These filters select {COUNT} actions" in text
    form = re.search(r'<form method="post" action="(/actions/export/[^"]+)".*?</form>', text, re.S)
    assert form, text
    fields = dict(re.findall(r'<input name="(\w+)" type="hidden" value="([^"]*)"', form[0]))
    assert set(fields) == {"csrf_token", "form_key"}
    response = client.post(form[1].replace("&amp;", "&"), data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.fullmatch(r"/jobs/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match[1])


def _result(app: Flask, job_id: int) -> BackgroundJob:
    with app.app_context():
        job = stored(BackgroundJob, job_id)
        db.session.expunge(job)
        return job


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_large_export_is_written_by_the_worker_and_downloaded_from_its_page(
    app: Flask, bulk: Bulk, inline_limit: None, small_batches: None, extension: str
) -> None:
    client = client_as(app, bulk.manager)
    exports = len(audit_trail(app, "actions_exported"))
    job_id = _start(client, extension, "?sort=deadline&dir=asc")
    assert len(audit_trail(app, "actions_exported")) == exports  # nothing exported yet
    queued = _result(app, job_id)
    assert queued.status == JobStatus.QUEUED and queued.progress_total == COUNT
    assert queued.parameters == {"format": extension, "args": {}}

    assert run_worker() == ["run_background_job"]
    job = _result(app, job_id)
    assert job.status == JobStatus.DONE, job.error
    assert job.message == f"{COUNT} actions exported." and job.result_document_id is not None

    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    link = f"/documents/{job.result_document_id}"
    assert f'href="{link}"' in page and f"actions-{uk_today():%Y-%m-%d}.{extension}" in page
    assert "Back to the action tracker" in page
    download = client.get(link)
    assert download.status_code == 200
    rows = _csv(download.data) if extension == "csv" else _xlsx(download.data)
    assert rows == [list(EXPORT_HEADINGS), *expected_rows(app)]

    [event] = audit_trail(app, "actions_exported")[exports:]
    assert event.actor_id == bulk.manager
    assert event.details == {"format": extension, "filters": {}, "actions": COUNT}

    # the people allowed (who started it, and the board managers who see every action) download
    # it; anyone else is told neither the job nor the file exists
    assert client_as(app, bulk.other_manager).get(link).status_code == 200
    for outsider in (bulk.lead, bulk.reviewer):
        other = client_as(app, outsider)
        assert other.get(link).status_code == 404
        assert other.get(f"/jobs/{job_id}").status_code == 404


def test_the_job_exports_the_filters_it_was_asked_for(app: Flask, bulk: Bulk, inline_limit: None) -> None:
    """The filters travel with the job; a filtered list under the limit is written at once."""
    client = client_as(app, bulk.manager)
    query = f"?agency={bulk.agency}&sort=owner&dir=desc"
    small = client.get(f"/actions/export.csv{query}")
    assert small.status_code == 200 and small.mimetype == "text/csv"
    filtered = _csv(small.data)
    assert len(filtered) == 1 + COUNT // 2

    with app.app_context():
        _add(bulk, COUNT, COUNT)  # now the agency's actions pass the limit too
    offer = client.get(f"/actions/export.csv{query}").get_data(as_text=True)
    assert f"These filters select {COUNT} actions" in offer
    job_id = _start(client, "csv", query)
    assert _result(app, job_id).parameters == {
        "format": "csv",
        "args": {"agency": str(bulk.agency), "sort": "owner", "dir": "desc"},
    }
    run_worker()
    job = _result(app, job_id)
    assert job.status == JobStatus.DONE
    rows = _csv(client.get(f"/documents/{job.result_document_id}").data)
    assert len(rows) == 1 + COUNT
    assert {row[5] for row in rows[1:]} == {"Alder Police"}
    owners = [row[6] for row in rows[1:]]
    assert owners == sorted(owners, reverse=True)


def test_only_board_managers_may_start_an_export(app: Flask, bulk: Bulk, inline_limit: None) -> None:
    for person in (bulk.lead, bulk.reviewer):
        client = client_as(app, person)
        assert client.get("/actions/export.csv").status_code == 403
        token_page = client.get("/account").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page)[1]  # type: ignore[index]
        assert client.post("/actions/export/csv", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(BackgroundJob.id)) is None
        assert not db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "actions_exported"))


def test_the_result_is_kept_in_the_object_store_every_server_shares(
    app: Flask, bulk: Bulk, inline_limit: None, object_store: S3Store
) -> None:
    """Run by a worker on any machine: the file goes to the configured store, not a local folder."""
    client = client_as(app, bulk.manager)
    job_id = _start(client, "csv")
    run_worker()
    job = _result(app, job_id)
    assert job.status == JobStatus.DONE, job.error
    with app.app_context():
        document = stored(Document, job.result_document_id)  # type: ignore[arg-type]
        assert object_store.exists(document.stored_name)
        assert document.detected_type == "csv" and document.review_id is None
    download = client.get(f"/documents/{job.result_document_id}")
    assert download.status_code == 200
    assert _csv(download.data) == [list(EXPORT_HEADINGS), *expected_rows(app)]


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_each_page_holds_the_next_actions_of_the_whole_sorted_list(app: Flask, sort: str) -> None:
    """The page finds its rows before joining what it shows: page by page, the same list in the
    same order as the whole list sorted at once, both ways, under a filter too."""
    bulk = build(app, count=2 * PAGE_SIZE + 7)
    with app.app_context():
        today = uk_today()
        soon = soon_limit(today)
        manager = stored(User, bulk.manager)
        for filters in (
            TrackerFilters(sort=sort),
            TrackerFilters(sort=sort, descending=True),
            TrackerFilters(sort=sort, agency=bulk.agency, rag=Rag.RED),
        ):
            whole = [a.id for a in db.session.execute(tracker_query(manager, filters, today, soon)).scalars()]
            counts = tracker_counts(manager, filters, today, soon)
            total = counts.total
            assert total == len(whole) > 0
            paged: list[int] = []
            for number in range(1, 5):
                page = tracker_page(manager, replace(filters, page=number), today, soon, counts)
                assert page.total == total and page.pages == math.ceil(total / PAGE_SIZE)
                paged += [action.id for action in page.items]
            assert paged == whole, filters
