"""The action tracker's exports at scale: N actions with 4 progress updates each on average
(10 years of a busy partnership is about 25,000 actions and 100,000 updates), exported as CSV
and as an Excel workbook through the functions the request and the worker use, against a floor:
the same rows read with plain SQL (the export's own query as text) through the database driver
and written as they come with Python's csv module. Targets: the CSV export within 2x the floor,
and the memory each export takes (its peak as tracemalloc counts it) under 50 MiB whatever N is.
It also counts each one's queries and times the tracker's page (sorted by deadline and by RAG).

    .venv/bin/python scripts/bench_exports.py [--actions 25000] [--repeat 3]
        [--database postgresql://user@host/empty_database]

Other code calls :func:`measure_exports` (database URL, number of actions) for the figures as a
dict. By default it uses a scratch SQLite database; a database URL must name an EMPTY database,
which is migrated, filled, measured and emptied again (its tables are dropped at the end).
"""

from __future__ import annotations

import argparse
import csv
import gc
import logging
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("CASEWORK_INSTANCE_PATH", tempfile.mkdtemp(prefix="casework-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate
from sqlalchemy import MetaData, event, select

from casework import create_app
from casework.actions import services as actions
from casework.actions import tracker_export, tracker_exports, tracker_rows
from casework.actions.models import Theme
from casework.actions.tracker import TrackerFilters
from casework.agencies.models import Agency, AgencyType
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from config import DevelopmentConfig, normalise_database_url
from tests.support.bulk_actions import add_actions
from tests.support.http import client_as
from tests.support.people import make_user
from tests.support.reviews import make_review

UPDATES_PER_ACTION = 4
ACTIONS_PER_REVIEW = 250  # reviews and their recommendations grow with the actions
RECOMMENDATIONS_PER_REVIEW = 6


def _fill(actions_wanted: int) -> User:
    """The partnership's people, reviews, recommendations and ``actions_wanted`` actions with
    their updates; the board manager who exports."""
    today = uk_today()
    agencies = [Agency(name=f"Agency {n}", agency_type=AgencyType.POLICE) for n in range(12)]
    db.session.add_all(agencies)
    db.session.commit()
    manager = make_user(Role.BOARD_MANAGER, name="Morgan Manager", email="manager@example.org")
    leads = [make_user(Role.AGENCY_LEAD, agency=agency) for agency in agencies]
    themes = list(db.session.execute(select(Theme).order_by(Theme.id)).scalars())
    recommendations = []
    for number in range(max(1, actions_wanted // ACTIONS_PER_REVIEW)):
        review = make_review("CSPR", "awaiting_reviewer", by=manager, agencies=agencies[:3])
        for index in range(RECOMMENDATIONS_PER_REVIEW):
            recommendations.append(
                actions.add_recommendation(
                    review,
                    f"Recommendation {index} of review {number}: agencies share what they know sooner",
                    index % 2 == 0,
                    [db.session.get(Agency, agencies[index].id)],  # type: ignore[list-item]
                    themes[index % len(themes) : index % len(themes) + index % 3],
                    db.session.get(User, manager.id),  # type: ignore[arg-type]
                )
            )
    db.session.commit()
    add_actions(
        recommendations,
        owner_ids=[manager.id, *(lead.id for lead in leads)],
        agency_ids=[None, *(agency.id for agency in agencies)],
        created_by_id=manager.id,
        count=actions_wanted,
        updates_per_action=UPDATES_PER_ACTION,
        today=today - timedelta(days=1),
    )
    db.session.commit()
    found = db.session.get(User, manager.id)
    assert found is not None
    return found


@contextmanager
def _counting(engine: Any = None) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = engine if engine is not None else db.engine

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def floor_sql(manager: User) -> str:
    """The export's own query, as SQL text: the same rows and cells as the export reads (the
    colour, overdue, outcome and the latest update worked out by the database), for the floor."""
    info = tracker_exports.export_info(manager, TrackerFilters())
    query = tracker_rows.export_query(manager, TrackerFilters(), info.today, info.soon)
    return str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))


def _floor(sql: str, path: Path) -> int:
    """The floor: the rows fetched with plain SQL through the database driver and written as
    they come with the csv module; how many."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            count = 0
            while rows := cursor.fetchmany(1000):
                writer.writerows(rows)
                count += len(rows)
        cursor.close()
    finally:
        connection.close()
    return count


def _export_csv(manager: User, path: Path) -> int:
    info = tracker_exports.export_info(manager, TrackerFilters())
    with path.open("wb") as out:
        out.writelines(tracker_export.csv_chunks(tracker_exports.rows(manager, TrackerFilters(), info)))
    return info.counts.total


def _export_xlsx(manager: User, path: Path) -> int:
    info = tracker_exports.export_info(manager, TrackerFilters())
    with path.open("wb") as out:
        return tracker_export.write_xlsx(tracker_exports.rows(manager, TrackerFilters(), info), info, out)


def _best_time(work: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        db.session.commit()  # each run reads afresh
        gc.collect()
        began = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - began)
    db.session.commit()
    return best


def _peak_mib(work: Callable[[], Any]) -> float:
    """The most memory the work held above what was held before it, in MiB (tracemalloc)."""
    db.session.commit()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        work()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    db.session.commit()
    return (peak - before) / 1024 / 1024


def _queries(work: Callable[[], Any]) -> int:
    db.session.commit()
    with _counting() as seen:
        work()
    db.session.commit()
    return len(seen)


def _page(app: Any, manager_email: str, url: str, repeat: int) -> tuple[float, int]:
    """The best time of a GET of the tracker page and its count of queries."""
    client = client_as(app, manager_email)
    client.get(url)
    with app.app_context():
        engine = db.engine
    best, queries = float("inf"), 0
    for _ in range(repeat):
        with _counting(engine) as seen:
            began = time.perf_counter()
            response = client.get(url)
            best = min(best, time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
        queries = len(seen)
    return best, queries


def measure_exports(database_url: str, scale: int, *, repeat: int = 3) -> dict[str, Any]:
    """Fill the EMPTY database at ``database_url`` with ``scale`` actions (and 4 updates each on
    average), measure the exports and the tracker page, empty it again, and return the figures:
    seconds (the best of ``repeat`` runs), MiB of peak memory above the start, query counts, and
    ``csv_ratio``, the CSV export's time over the floor's (target: at most 2)."""
    instance = Path(os.environ["CASEWORK_INSTANCE_PATH"])
    overrides = {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "UPLOAD_FOLDER": instance / "uploads",
        "QUEUE_URL": f"sqlite:///{instance}/queue.db",
        "EXPORT_INLINE_ROWS": scale + 1,
    }
    if not logging.getLogger().handlers:  # the migrations then keep their progress to themselves
        logging.basicConfig(level=logging.WARNING)
    app = create_app(type("BenchConfig", (DevelopmentConfig,), overrides))
    scratch = Path(tempfile.mkdtemp(prefix="casework-bench-exports-"))
    floor_file, csv_file, xlsx_file = scratch / "floor.csv", scratch / "export.csv", scratch / "export.xlsx"
    figures: dict[str, Any] = {"actions": scale, "updates": scale * UPDATES_PER_ACTION}
    try:
        with app.app_context():
            flask_migrate.upgrade()
            began = time.perf_counter()
            manager = _fill(scale)
            manager_email = manager.email
            figures["database"] = db.engine.dialect.name
            figures["fill_s"] = time.perf_counter() - began
            sql = floor_sql(manager)
            assert _floor(sql, floor_file) == scale
            assert _export_csv(manager, csv_file) == scale
            figures["floor_csv_s"] = _best_time(lambda: _floor(sql, floor_file), repeat)
            figures["csv_s"] = _best_time(lambda: _export_csv(manager, csv_file), repeat)
            figures["csv_ratio"] = round(figures["csv_s"] / figures["floor_csv_s"], 2)
            figures["xlsx_s"] = _best_time(lambda: _export_xlsx(manager, xlsx_file), max(1, repeat - 1))
            figures["csv_peak_mib"] = round(_peak_mib(lambda: _export_csv(manager, csv_file)), 1)
            figures["xlsx_peak_mib"] = round(_peak_mib(lambda: _export_xlsx(manager, xlsx_file)), 1)
            figures["csv_queries"] = _queries(lambda: _export_csv(manager, csv_file))
            figures["xlsx_queries"] = _queries(lambda: _export_xlsx(manager, xlsx_file))
            figures["csv_mib"] = round(csv_file.stat().st_size / 1024 / 1024, 1)
            figures["xlsx_mib"] = round(xlsx_file.stat().st_size / 1024 / 1024, 1)
        # Outside the app context above: each request has its own, as in a server.
        for name, url in (("page", "/actions/"), ("rag_page", "/actions/?sort=rag")):
            seconds, queries = _page(app, manager_email, url, repeat)
            figures[f"{name}_s"], figures[f"{name}_queries"] = seconds, queries
    finally:
        with app.app_context():
            db.session.rollback()
            tables = MetaData()
            tables.reflect(db.engine)
            tables.drop_all(db.engine)
            db.engine.dispose()
        for path in (floor_file, csv_file, xlsx_file):
            path.unlink(missing_ok=True)
        scratch.rmdir()
    return {key: round(value, 3) if key.endswith("_s") else value for key, value in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing; the best is shown")
    parser.add_argument("--database", help="an empty database to use instead of a scratch SQLite file")
    options = parser.parse_args()
    url = options.database or f"sqlite:///{os.environ['CASEWORK_INSTANCE_PATH']}/bench.db"
    figures = measure_exports(url, options.actions, repeat=options.repeat)
    print(f"{figures['actions']:,} actions, {figures['updates']:,} updates, on {figures['database']}")
    print(f"  floor (plain SQL + csv)  {figures['floor_csv_s']:6.2f} s")
    print(
        f"  CSV export               {figures['csv_s']:6.2f} s  ({figures['csv_ratio']:.2f}x the floor), "
        f"peak {figures['csv_peak_mib']:.1f} MiB, {figures['csv_queries']} queries, "
        f"{figures['csv_mib']} MiB file"
    )
    print(
        f"  Excel export             {figures['xlsx_s']:6.2f} s, peak {figures['xlsx_peak_mib']:.1f} MiB, "
        f"{figures['xlsx_queries']} queries, {figures['xlsx_mib']} MiB file"
    )
    print(f"  tracker page             {figures['page_s']:6.3f} s, {figures['page_queries']} queries")
    print(f"  tracker page by RAG      {figures['rag_page_s']:6.3f} s, {figures['rag_page_queries']} queries")


if __name__ == "__main__":
    main()
