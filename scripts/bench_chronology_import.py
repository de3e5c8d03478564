"""The chronology import: a 5,000-row file into an empty request, then into one already holding
10,000 entries. The import must not slow down with what the request holds (target: within 1.2x).

    .venv/bin/python scripts/bench_chronology_import.py [--rows 5000] [--held 10000] [--repeat 5]
        [--database postgresql://user@host/empty_database]

It times the two parts separately: the request (the upload checked, kept and the job queued) and
the job (the worker's import, through the same function the queue runs). Each case runs
``--repeat`` times: both requests are made before either import and the order alternates; the
best time of each is shown. By default it uses a scratch SQLite database; ``--database`` names an
EMPTY database to migrate and use instead (its tables are dropped at the end).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("CASEWORK_INSTANCE_PATH", tempfile.mkdtemp(prefix="casework-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate
from sqlalchemy import MetaData, func, insert, select

from casework import create_app
from casework.agencies import services as contributions
from casework.agencies.chronology_jobs import start_chronology_import
from casework.agencies.contributions import ChronologyEntry, ContributionKind, ContributionRequest
from casework.agencies.models import Agency, AgencyType
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.jobs import services as background
from casework.jobs.models import BackgroundJob, JobStatus
from config import DevelopmentConfig, normalise_database_url
from tests.support.reviews import make_review

HEADER = "date,time,practitioner_role,event,significance"


def chronology_file(rows: int) -> bytes:
    start = uk_today() - timedelta(days=900)
    lines = [HEADER]
    for number in range(rows):
        day = start + timedelta(days=number % 800)
        lines.append(
            f"{day:%d/%m/%Y},{number % 24:02d}:{number % 60:02d},Practitioner {number % 40},"
            f'"Visit {number}: seen at home, spoke with the family, notes made",Routine'
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def new_request(manager: User, lead: User, agency: Agency, held: int) -> int:
    """A chronology request of a commissioned review, holding ``held`` entries already."""
    review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=[agency])
    [request] = contributions.request_contributions(
        review,
        [db.session.get(Agency, agency.id)],  # type: ignore[list-item]
        ContributionKind.CHRONOLOGY,
        "Your contact with the family.",
        uk_today() + timedelta(days=30),
        db.session.get(User, manager.id),  # type: ignore[arg-type]
    )
    now, day = utcnow(), uk_today() - timedelta(days=1000)
    values = [
        {
            "request_id": request.id,
            "review_id": request.review_id,
            "agency_id": agency.id,
            "occurred_on": day + timedelta(days=number % 900),
            "occurred_at": None,
            "practitioner_role": "Earlier practitioner",
            "event": f"Entry held before the import, number {number}",
            "significance": "",
            "key_episode": False,
            "key_episode_note": "",
            "created_by_id": lead.id,
            "created_at": now,
        }
        for number in range(held)
    ]
    for start in range(0, len(values), 5000):
        db.session.execute(insert(ChronologyEntry), values[start : start + 5000])
    db.session.commit()
    return request.id


def import_into(request_id: int, lead_id: int, data: bytes) -> tuple[float, float, int]:
    """(seconds in the request, seconds in the job, entries the request holds after)."""
    began = time.perf_counter()
    request = db.session.get(ContributionRequest, request_id)
    lead = db.session.get(User, lead_id)
    assert request is not None and lead is not None
    job = start_chronology_import(request, data, "chronology.csv", lead)
    db.session.info.pop(background.JOBS_STARTED, None)  # run below, as the worker would
    db.session.commit()
    queued = time.perf_counter()
    assert background.run_job(job.id) == JobStatus.DONE, db.session.get(BackgroundJob, job.id).error  # type: ignore[union-attr]
    ran = time.perf_counter()
    held = db.session.scalar(
        select(func.count()).select_from(ChronologyEntry).where(ChronologyEntry.request_id == request_id)
    )
    db.session.commit()
    return queued - began, ran - queued, int(held or 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--held", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each case; the best is shown")
    parser.add_argument("--database", help="an empty database to use instead of a scratch SQLite file")
    options = parser.parse_args()
    instance = os.environ["CASEWORK_INSTANCE_PATH"]
    overrides = {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(options.database)
        if options.database
        else f"sqlite:///{instance}/bench.db",
        "UPLOAD_FOLDER": Path(instance) / "uploads",
        "QUEUE_URL": f"sqlite:///{instance}/queue.db",
    }
    app = create_app(type("BenchConfig", (DevelopmentConfig,), overrides))
    logging.getLogger("alembic").setLevel(logging.WARNING)
    data = chronology_file(options.rows)
    with app.app_context():
        flask_migrate.upgrade()
        try:
            police = Agency(name="Northshire Police", agency_type=AgencyType.POLICE)
            db.session.add(police)
            manager = User(name="Morgan", email="manager@example.org", role=Role.BOARD_MANAGER)
            lead = User(name="Priya", email="lead@example.org", role=Role.AGENCY_LEAD, agency=police)
            db.session.add_all([manager, lead])
            db.session.commit()
            print(f"{options.rows:,} rows, {len(data) / 1024 / 1024:.1f} MB, on {db.engine.dialect.name}")
            # Both requests are made before either import, so both go into a table of the same
            # size; the order alternates between runs, and the best time of each case is shown.
            best: dict[str, tuple[float, float]] = {}
            cases = [("empty", 0), (f"holding {options.held:,}", options.held)]
            for run in range(options.repeat):
                requests = {label: (new_request(manager, lead, police, held), held) for label, held in cases}
                for label, (request_id, held) in sorted(requests.items(), reverse=bool(run % 2)):
                    in_request, in_job, after = import_into(request_id, lead.id, data)
                    assert after == held + options.rows, after
                    previous = best.get(label, (in_request, in_job))
                    best[label] = (min(previous[0], in_request), min(previous[1], in_job))
            for label, _ in cases:
                in_request, in_job = best[label]
                print(f"  into a request {label:<16} request {in_request:5.2f} s, job {in_job:5.2f} s")
            empty, full = best[cases[0][0]][1], best[cases[1][0]][1]
            print(f"  ratio of the jobs (holding / empty): {full / empty:.2f}")
        finally:
            db.session.rollback()
            if options.database:
                tables = MetaData()
                tables.reflect(db.engine)
                tables.drop_all(db.engine)
            db.engine.dispose()


if __name__ == "__main__":
    main()
