"""Chronology imports run as background jobs: the request checks and keeps the file and queues the
job, the worker takes it from the real queue and adds every entry in a few bulk INSERTs in one
transaction, and the job's page follows it (refreshing itself, without JavaScript, until it ends).
The job machinery itself: queued -> running -> done or failed, claimed by one worker only."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func
from werkzeug.test import TestResponse

from casework.agencies import services as contributions
from casework.agencies.chronology_import import parse_chronology_csv
from casework.agencies.contributions import ChronologyEntry
from casework.auth.models import Role, User
from casework.core.errors import DomainError
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.documents.models import Document
from casework.jobs import services as background
from casework.jobs.kinds import JobKind, JobResult, Progress, register_kind
from casework.jobs.models import BackgroundJob, JobStatus
from casework.notifications import jobs as worker_tasks
from casework.notifications.queue import huey
from tests.agencies.test_contributions import HEADER, Case, _as, _ask, _contribution, _step, _user
from tests.agencies.test_contributions import case as case  # a fixture
from tests.conftest import client_as, make_user, post_form
from tests.support.http import page_text
from tests.support.queue import empty_queue as empty_queue  # a fixture
from tests.support.queue import run_worker
from tests.support.rows import audit_trail, stored

GOOD_CSV = (
    "\ufeff" + HEADER + "\r\n"
    "14/02/2025,09:30,Response officer,Attended a report of shouting,Referral not made\r\n"
    '2025-01-03,,Neighbourhood officer,"Visited after a neighbour\'s call, nobody answered",Low\r\n'
    '20/03/2025,23:05,Call handler,"=HYPERLINK(""http://example.org"")",\r\n'
    ",,,,\r\n"
    '21/03/2025,, Health visitor ,"  Two lines:\r\nseen and weighed  ",\'=1+1\r\n'
).encode()
REFRESH = re.compile(r'<meta http-equiv="refresh" content="2"')


@pytest.fixture(autouse=True)
def _queue(empty_queue: None) -> None:
    """Every test here starts and ends with an empty queue."""


def _upload(client: FlaskClient, request_id: int, data: bytes, name: str = "chronology.csv") -> TestResponse:
    page = f"/agencies/requests/{request_id}"
    return post_form(
        client, f"{page}/entries/import", {"file": (io.BytesIO(data), name, "text/csv")}, token_from=page
    )


def _job(app: Flask, job_id: int) -> BackgroundJob:
    with app.app_context():
        job = stored(BackgroundJob, job_id)
        db.session.expunge(job)
        return job


def _job_id(response: TestResponse) -> int:
    assert response.status_code == 302, page_text(response)[:3000]
    match = re.fullmatch(r"/jobs/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match[1])


def _entries(app: Flask, request_id: int) -> list[tuple[object, ...]]:
    """Every field an entry takes from the file or the request, in file order."""
    with app.app_context():
        return [
            (
                e.review_id,
                e.occurred_on,
                e.occurred_at,
                e.practitioner_role,
                e.event,
                e.significance,
                e.key_episode,
                e.key_episode_note,
                e.created_by_id,
            )
            for e in db.session.execute(
                db.select(ChronologyEntry)
                .where(ChronologyEntry.request_id == request_id)
                .order_by(ChronologyEntry.id)
            ).scalars()
        ]


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(func.count()).select_from(model)) or 0)


def _many_rows(count: int) -> bytes:
    day = uk_today() - timedelta(days=400)
    rows = "".join(
        f"{day + timedelta(days=n % 300):%d/%m/%Y},{n % 24:02d}:15,Officer {n % 7},Visit {n},Routine\r\n"
        for n in range(count)
    )
    return (HEADER + "\r\n" + rows).encode()


# --- the import, end to end ------------------------------------------------------------------


def test_the_file_is_checked_and_queued_in_the_request_and_imported_by_the_worker(
    app: Flask, case: Case
) -> None:
    request_id = _ask(app, case)
    lx = _as(app, case, "LX")
    response = _upload(lx, request_id, GOOD_CSV, "police chronology.csv")
    job_id = _job_id(response)

    # Nothing is imported by the request itself: the job waits in the queue.
    job = _job(app, job_id)
    assert (job.status, job.kind, job.progress_done, job.progress_total) == (
        JobStatus.QUEUED,
        "chronology_import",
        0,
        4,
    )
    assert (job.subject_type, job.subject_id, job.review_id) == (
        "ContributionRequest",
        request_id,
        case.review_id,
    )
    assert _entries(app, request_id) == []
    assert huey.pending_count() == 1
    waiting = lx.get(f"/jobs/{job_id}")
    assert waiting.status_code == 200
    text = page_text(waiting)
    assert REFRESH.search(text) and "Waiting to start" in text and "0 of 4 entries done" in text
    assert "The file has been checked and is being imported." in text
    assert "police chronology.csv" in text and "Back to the request" in text

    assert run_worker() == ["run_background_job"]
    job = _job(app, job_id)
    assert (job.status, job.progress_done, job.message) == (JobStatus.DONE, 4, "4 entries imported.")
    assert job.started_at is not None and job.finished_at is not None and job.error is None

    # The rows are the ones the typed path makes from the same file (today's import added each
    # row through it), field for field.
    other = _ask(app, case, "Y")
    with app.app_context():
        for row in parse_chronology_csv(GOOD_CSV, today=uk_today()):
            contributions.add_chronology_entry(_contribution(other), row, _user(case, "LY"))
        db.session.commit()
    imported, typed = _entries(app, request_id), _entries(app, other)
    assert [entry[:-1] for entry in imported] == [entry[:-1] for entry in typed]
    assert {entry[-1] for entry in imported} == {case.users["LX"].id}
    assert [entry[3:6] for entry in imported] == [
        ("Response officer", "Attended a report of shouting", "Referral not made"),
        ("Neighbourhood officer", "Visited after a neighbour's call, nobody answered", "Low"),
        ("Call handler", '=HYPERLINK("http://example.org")', ""),
        ("Health visitor", "Two lines:\nseen and weighed", "=1+1"),
    ]
    [audited] = audit_trail(app, "chronology_imported")
    assert audited.details == {"rows": 4} and audited.review_id == case.review_id
    assert audited.actor_id == case.users["LX"].id and audited.ip_address == "127.0.0.1"
    assert audited.summary == f"4 chronology entries imported for {case.names['X']}"

    done = page_text(lx.get(f"/jobs/{job_id}"))
    assert not REFRESH.search(done)
    assert "4 entries imported." in done and 'data-testid="job-back"' in done
    assert f'href="/agencies/requests/{request_id}#entries"' in done

    # The request lists its imports, for whoever may follow them: the way back to the job's page.
    for person in ("LX", "board_manager"):
        request_page = page_text(_as(app, case, person).get(f"/agencies/requests/{request_id}"))
        assert f'href="/jobs/{job_id}">police chronology.csv</a>' in request_page, person
        assert "finished, 4 entries imported." in request_page
    reviewer_page = page_text(_as(app, case, "R1").get(f"/agencies/requests/{request_id}"))
    assert 'data-testid="imports"' not in reviewer_page  # the reviewer reads the entries, not the jobs

    # Run again (a repeated wake-up, the periodic pass): nothing is added twice.
    worker_tasks.run_background_job(job_id)
    worker_tasks.run_waiting_jobs.call_local()
    assert run_worker() == ["run_background_job"]
    assert len(_entries(app, request_id)) == 4
    assert len(audit_trail(app, "chronology_imported")) == 1


def test_the_kept_file_is_downloaded_only_by_whom_may_see_the_job(app: Flask, case: Case) -> None:
    request_id = _ask(app, case)
    job_id = _job_id(_upload(_as(app, case, "LX"), request_id, GOOD_CSV))
    document_id = _job(app, job_id).input_document_id
    with app.app_context():
        document = stored(Document, document_id)
        assert (document.detected_type, document.contribution_request_id) == ("csv", None)
    url = f"/documents/{document_id}"
    assert _as(app, case, "LX").get(url).status_code == 200
    assert _as(app, case, "board_manager").get(url).status_code == 200
    for other in ("LY", "R1"):
        assert _as(app, case, other).get(url).status_code == 404, other


def test_a_bad_file_is_refused_in_the_request_with_its_problems_and_nothing_is_queued(
    app: Flask, case: Case
) -> None:
    request_id = _ask(app, case)
    data = f"{HEADER}\r\n01/02/2025,09:30,PC,Good row,\r\n31/02/2025,,PC,No such day,\r\n".encode()
    response = _upload(_as(app, case, "LX"), request_id, data)
    assert response.status_code == 400
    page = page_text(response)
    assert "The chronology file could not be imported" in page and "is not a real date" in page
    assert huey.pending_count() == 0
    assert _count(app, BackgroundJob) == _count(app, Document) == 0


def test_a_request_that_changed_before_the_worker_ran_fails_the_job_and_imports_nothing(
    app: Flask, case: Case
) -> None:
    request_id = _ask(app, case)
    contributions_typed = date(2025, 1, 1)
    with app.app_context():
        contributions.add_chronology_entry(
            _contribution(request_id),
            parse_chronology_csv(
                f"{HEADER}\r\n{contributions_typed:%d/%m/%Y},,PC,Typed,\r\n".encode(), today=uk_today()
            )[0],
            _user(case, "LX"),
        )
        db.session.commit()
    lx = _as(app, case, "LX")
    job_id = _job_id(_upload(lx, request_id, GOOD_CSV))
    _step(app, case, request_id, "submit", "LX", "All we hold.")
    assert run_worker() == ["run_background_job"]
    job = _job(app, job_id)
    assert job.status == JobStatus.FAILED
    assert job.message == "This request is submitted; it cannot be changed now"
    assert len(_entries(app, request_id)) == 1
    assert audit_trail(app, "chronology_imported") == []
    page = page_text(lx.get(f"/jobs/{job_id}"))
    assert "This did not finish" in page and job.message in page and not REFRESH.search(page)


def test_a_failure_after_rows_were_inserted_leaves_none_of_them(
    app: Flask, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id = _ask(app, case)
    job_id = _job_id(_upload(_as(app, case, "LX"), request_id, GOOD_CSV))
    monkeypatch.setattr(contributions, "IMPORT_BATCH", 2)  # two INSERTs before the failure

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("database connection lost: server at 10.0.0.5 closed the connection")

    monkeypatch.setattr(contributions.audit, "record", broken)
    assert run_worker() == ["run_background_job"]
    monkeypatch.undo()
    job = _job(app, job_id)
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("The file could not be imported. Nothing from it has been imported.")
    assert job.error is not None and "10.0.0.5" in job.error  # kept for the log...
    page = page_text(_as(app, case, "LX").get(f"/jobs/{job_id}"))
    assert job.message in page and "10.0.0.5" not in page and "OSError" not in page  # ...never shown
    assert _entries(app, request_id) == []


def test_rows_go_in_a_few_bulk_inserts_without_reading_the_entries_already_there(
    app: Flask, case: Case
) -> None:
    request_id = _ask(app, case)
    with app.app_context():
        for row in parse_chronology_csv(_many_rows(3), today=uk_today()):
            contributions.add_chronology_entry(_contribution(request_id), row, _user(case, "LX"))
        db.session.commit()
    job_id = _job_id(_upload(_as(app, case, "LX"), request_id, _many_rows(2500)))
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()).lower())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert run_worker() == ["run_background_job"]
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert _job(app, job_id).status == JobStatus.DONE
    inserts = [s for s in statements if s.startswith("insert into chronology_entries")]
    assert 3 <= len(inserts) <= 5, len(inserts)  # 2,500 rows in batches of 1,000, not 2,500 INSERTs
    assert not [s for s in statements if s.startswith("select") and "from chronology_entries" in s]
    progress = [s for s in statements if s.startswith("update background_jobs set progress_done")]
    # Counted after each batch where the database lets another connection write meanwhile.
    assert len(progress) == (0 if engine.dialect.name == "sqlite" else 3)
    assert len(_entries(app, request_id)) == 2503


# --- the job's page ----------------------------------------------------------------------------


# Who may follow a job: the person who started it and the board managers; for anyone else the
# job does not exist. Hostile ids find nothing, and never reach the database as an error.
FOLLOWERS: dict[str | None, int | str] = {
    "LX": 200,
    "board_manager": 200,
    "LY": 404,
    "LW": 404,
    "R1": 404,
    None: "sign-in",
}
HOSTILE = {
    **{path: 404 for path in ("0", "-1", "abc", "1.5", "99999999999", "2147483648", "1/2", "1%0A")},
    "1%00": 400,  # no record can hold a NUL: the page that says so
}


def test_who_may_follow_a_job_and_hostile_ids(app: Flask, case: Case) -> None:
    request_id = _ask(app, case)
    job_id = _job_id(_upload(_as(app, case, "LX"), request_id, GOOD_CSV))
    for person, expected in FOLLOWERS.items():
        client = client_as(app, None) if person is None else _as(app, case, person)
        response = client.get(f"/jobs/{job_id}")
        if expected == "sign-in":
            assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
        else:
            assert response.status_code == expected, person
    lx = _as(app, case, "LX")
    for path, expected in HOSTILE.items():
        assert lx.get(f"/jobs/{path}").status_code == expected, path
    assert lx.get(f"/jobs/{job_id + 1}").status_code == 404


# --- the job machinery -------------------------------------------------------------------------

SEEN: list[tuple[JobStatus, int]] = []


def _probe(job: BackgroundJob, progress: Progress) -> JobResult:
    """A kind of job for these tests: notes the status it runs in, and fails when asked to."""
    SEEN.append((db.session.get(BackgroundJob, job.id).status, job.progress_total))  # type: ignore[union-attr]
    if job.progress_total == 13:
        raise DomainError("The thirteenth item was missing.")
    if job.progress_total == 666:
        raise KeyError("secret internals")
    progress(job.progress_total)
    return JobResult(f"{job.progress_total} things done.")


PROBE_KIND = JobKind("probe", "Probing", "things", _probe, lambda job: None, "The probe did not finish.")
register_kind(PROBE_KIND)


@pytest.fixture
def people(app: Flask) -> dict[str, User]:
    """Someone who starts jobs, someone else in the same role, a board manager, a reviewer."""
    with app.app_context():
        people = {
            "starter": make_user(Role.AGENCY_LEAD),
            "other lead": make_user(Role.AGENCY_LEAD),
            "board manager": make_user(Role.BOARD_MANAGER),
            "reviewer": make_user(Role.REVIEWER),
        }
        for person in people.values():
            db.session.refresh(person)  # usable after the context ends
        return people


def _start_probe(app: Flask, people: dict[str, User], total: int) -> int:
    with app.app_context():
        job = background.start_job(PROBE_KIND, by=stored(User, people["starter"].id), total=total)
        db.session.commit()
        return job.id


def test_queued_then_running_then_done(app: Flask, people: dict[str, User]) -> None:
    SEEN.clear()
    job_id = _start_probe(app, people, 3)
    assert _job(app, job_id).status == JobStatus.QUEUED
    assert run_worker() == ["run_background_job"]
    assert SEEN == [(JobStatus.RUNNING, 3)]
    job = _job(app, job_id)
    assert (job.status, job.message, job.progress_done, job.percent) == (
        JobStatus.DONE,
        "3 things done.",
        3,
        100,
    )


def test_a_job_is_claimed_by_one_worker_only(app: Flask, people: dict[str, User]) -> None:
    SEEN.clear()
    job_id = _start_probe(app, people, 2)
    lx = client_as(app, people["starter"])
    with app.app_context():
        assert background.claim(job_id) is True
        assert background.claim(job_id) is False  # a second worker finds it taken
        assert background.run_job(job_id) is None  # and does not run it
    assert SEEN == []
    running = page_text(lx.get(f"/jobs/{job_id}"))
    assert REFRESH.search(running) and "In progress" in running and "0 of 2 things done" in running


def test_a_job_refused_with_a_reason_fails_with_that_reason(app: Flask, people: dict[str, User]) -> None:
    job_id = _start_probe(app, people, 13)
    run_worker()
    job = _job(app, job_id)
    assert (job.status, job.message) == (JobStatus.FAILED, "The thirteenth item was missing.")
    assert job.finished_at is not None


def test_an_unexpected_failure_is_logged_not_shown(
    app: Flask, people: dict[str, User], caplog: pytest.LogCaptureFixture
) -> None:
    job_id = _start_probe(app, people, 666)
    run_worker()
    job = _job(app, job_id)
    assert (job.status, job.message) == (JobStatus.FAILED, "The probe did not finish.")
    assert job.error is not None and "secret internals" in job.error and "secret internals" in caplog.text
    page = page_text(client_as(app, people["board manager"]).get(f"/jobs/{job_id}"))
    assert "The probe did not finish." in page and "secret internals" not in page


def test_the_periodic_pass_runs_jobs_whose_wake_up_was_lost_and_gives_up_on_stalled_ones(
    app: Flask, people: dict[str, User]
) -> None:
    lost = _start_probe(app, people, 1)
    stalled = _start_probe(app, people, 2)
    with app.app_context():
        assert background.claim(stalled)
        db.session.execute(
            db.update(BackgroundJob)
            .where(BackgroundJob.id == stalled)
            .values(started_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
    huey.flush()  # the wake-ups are lost
    worker_tasks.run_waiting_jobs.call_local()
    assert _job(app, lost).status == JobStatus.DONE
    job = _job(app, stalled)
    assert job.status == JobStatus.FAILED and "stopped before it finished" in job.message


def test_a_commit_that_fails_queues_no_job(app: Flask, people: dict[str, User]) -> None:
    with app.app_context():
        background.start_job(PROBE_KIND, by=stored(User, people["starter"].id), total=1)
        db.session.rollback()
        db.session.commit()
    assert huey.pending_count() == 0
    assert _count(app, BackgroundJob) == 0


def test_only_the_starter_and_board_managers_see_a_job(app: Flask, people: dict[str, User]) -> None:
    job_id = _start_probe(app, people, 1)
    with app.app_context():
        visible = {
            name: db.session.scalar(
                db.select(func.count())
                .select_from(BackgroundJob)
                .where(BackgroundJob.id == job_id, BackgroundJob.visible_to(stored(User, user.id)))
            )
            for name, user in people.items()
        }
        job = stored(BackgroundJob, job_id)
        rule = {name: job.can_view(stored(User, user.id)) for name, user in people.items()}
    assert visible == {"starter": 1, "other lead": 0, "board manager": 1, "reviewer": 0}
    assert rule == {name: bool(count) for name, count in visible.items()}
