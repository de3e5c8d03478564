"""The scale benchmark: one year of a partnership's work (S1) beside ten years (S10), in PostgreSQL.

    .venv/bin/python scripts/bench.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--factor 10] [--runs 25] [--seconds 8] [--rebuild] [--out instance/bench-results.md] [--readme]

Builds (or copies from its cache, see scripts/bench_databases.py) both partnerships through the
services (scripts/bench_data.py), then prints side by side, from one run: for every main page the
SQL statements and the median time of interleaved requests at each scale and their ratio, with
the floors (the health check, the sign-in page, and the signed-in layout: the accessibility
statement, a page of static text in the layout); requests per second under gunicorn (2 workers)
for the dashboard and the action tracker against the signed-in floor; the daily reminder pass;
and the full CSV export of every action against a floor of one SQL query written with csv.
``--factor`` sets the larger scale (10: ten years).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

os.environ.setdefault("CASEWORK_INSTANCE_PATH", tempfile.mkdtemp(prefix="casework-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from casework import create_app
from casework.actions.models import Action, ProgressUpdate
from casework.auth.services import find_user_by_email
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import working_calendar
from casework.notifications.reminders import run_daily_pass
from config import DevelopmentConfig
from scripts import bench_data, bench_databases, bench_full_export, bench_load, bench_volume
from scripts.bench_report import DailyPass, PageFigures, Report, render
from tests.support.http import client_as
from tests.support.main_pages import demo_password
from tests.support.people import one_time_code
from tests.test_query_budgets import MANAGER, PAGES, demo_page_ids

ROOT = Path(__file__).resolve().parent.parent
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
FLOORS = [
    ("floor: health check", None, "/healthz"),
    ("floor: sign-in page", None, "/sign-in"),
    ("floor: signed-in layout", MANAGER, "/accessibility"),
]
EXTRA = [
    ("action tracker by RAG", MANAGER, "/actions/?sort=rag"),
    ("tracker CSV export", MANAGER, "/actions/export.csv"),
    ("tracker XLSX export", MANAGER, "/actions/export.xlsx"),
    ("reviews overdue", MANAGER, "/reviews/?due=overdue"),
]
# The pages about one review and its plan show the newest plan the benchmark built, of the size
# every plan has at both scales; the other pages about one review show the demo's.
OF_A_PLAN: dict[str, Callable[[dict[str, int | str]], str]] = {
    "review page": lambda ids: f"/reviews/{ids['bench_review']}",
    "action plan": lambda ids: f"/reviews/{ids['bench_review']}/action-plan",
    "action page": lambda ids: f"/actions/{ids['bench_action']}",
    "chronology": lambda ids: f"/reviews/{ids['bench_review']}/chronology",
}
SLOW_PAGE_BUDGET = 20.0  # seconds of requests per page and scale; slower pages are timed fewer times


def bench_app(url: str, uploads: Path) -> Flask:
    overrides = {
        "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
        "UPLOAD_FOLDER": uploads,
        "QUEUE_URL": f"sqlite:///{os.environ['CASEWORK_INSTANCE_PATH']}/queue-{abs(hash(url))}.db",
        "DEBUG": False,
        "TEMPLATES_AUTO_RELOAD": False,
        # The tracker's exports are timed as the file itself, streamed in the request (above this,
        # a person is offered the same file as a background job, written by the same code).
        "EXPORT_INLINE_ROWS": 10**9,
    }
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return create_app(type("BenchConfig", (DevelopmentConfig,), overrides))


def build(scale_name: str, url: str, uploads: Path, factor: float, part: int | None) -> None:
    """Into an empty database: the schema, then the partnership at this scale, its reviews built
    by two processes side by side (one for S1, which builds beside S10). With ``part``: only
    that process's share of the reviews."""
    import flask_migrate

    uploads.mkdir(parents=True, exist_ok=True)
    app = bench_app(url, uploads)
    scale = bench_data.ONE_YEAR if scale_name == "S1" else bench_data.ONE_YEAR.times(factor, scale_name)
    parts = 1 if scale_name == "S1" else 2
    started = time.perf_counter()
    with app.app_context():
        if part is not None:
            bench_data.build_part(scale, part, parts, progress=True)
            return
        flask_migrate.upgrade()
        bench_data.prepare(scale)
        command = [sys.executable, __file__, "--build", scale_name, url, "--uploads", str(uploads)]
        command += ["--factor", str(factor), "--part"]
        builders = [subprocess.Popen([*command, str(k)]) for k in range(parts)]  # noqa: S603
        if any(builder.wait() for builder in builders):
            raise SystemExit(f"Building the reviews of {scale_name} failed")
        held = bench_data.finish(scale)
    print(f"{scale_name} built in {time.perf_counter() - started:.0f} s: {dict(held)}", flush=True)


def manager_code(app: Flask) -> str:
    """A one-time code for the board manager's second step (the test kit's recovery code)."""
    with app.app_context():
        manager = find_user_by_email(MANAGER)
        assert manager is not None
        return one_time_code(manager.id)


def page_ids() -> dict[str, int | str]:
    """The records the pages are about: the demo's, and the newest plan the benchmark built and
    the action of it with the most updates."""
    newest = db.session.execute(select(Action.review_id).order_by(Action.id.desc()).limit(1)).scalar_one()
    busiest = db.session.execute(
        select(ProgressUpdate.action_id)
        .join(Action, Action.id == ProgressUpdate.action_id)
        .where(Action.review_id == newest)
        .group_by(ProgressUpdate.action_id)
        .order_by(func.count().desc(), ProgressUpdate.action_id)
        .limit(1)
    ).scalar_one()
    return {"bench_review": newest, "bench_action": busiest, **demo_page_ids()}


@dataclass
class Scaled:
    """One scale's app, its signed-in clients and the paths of its pages."""

    name: str
    app: Flask
    clients: dict[str | None, FlaskClient]
    paths: dict[str, str]

    def client(self, who: str | None) -> FlaskClient:
        if who not in self.clients:
            self.clients[who] = (
                client_as(self.app, who, demo_password(who)) if who else self.app.test_client()
            )
        return self.clients[who]


def pages(scaled: Scaled) -> list[tuple[str, str | None]]:
    """Every page, in the report's order; their paths at this scale go in ``scaled.paths``."""
    with scaled.app.app_context():
        ids = page_ids()
    listed = [(page.name, page.who, OF_A_PLAN.get(page.name, page.path)(ids)) for page in PAGES]
    chosen = [*FLOORS, *listed, *EXTRA]
    scaled.paths = {name: path for name, _who, path in chosen}
    return [(name, who) for name, who, _path in chosen]


def timed_get(scaled: Scaled, who: str | None, path: str) -> tuple[float, int]:
    """One GET: its time in milliseconds and the SQL statements it issued (it must answer 200)."""
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    with scaled.app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        response = scaled.client(who).get(path)
        response.get_data()
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        event.remove(engine, "before_cursor_execute", count)
    if response.status_code != 200:
        raise SystemExit(f"{scaled.name} {path} answered {response.status_code}")
    return elapsed, statements


def measure_pages(scales: list[Scaled], runs: int) -> list[PageFigures]:
    """Each page warmed once at each scale, then ``runs`` requests interleaved between the
    scales (fewer for a page whose requests take seconds)."""
    figures = []
    listed = [pages(s) for s in scales]  # each scale's paths; the same pages at each
    for name, who in listed[0]:
        first = {s.name: timed_get(s, who, s.paths[name]) for s in scales}
        slowest = max(ms for ms, _ in first.values()) / 1000
        count = max(3, min(runs, int(SLOW_PAGE_BUDGET / max(slowest, 1e-3))))
        times: dict[str, list[float]] = {s.name: [] for s in scales}
        queries: dict[str, int] = {}
        for run in range(count):
            for s in scales if run % 2 == 0 else scales[::-1]:
                ms, statements = timed_get(s, who, s.paths[name])
                times[s.name].append(ms)
                queries[s.name] = statements
        medians = {scale: statistics.median(values) for scale, values in times.items()}
        figures.append(PageFigures(name, scales[-1].paths[name], queries, medians, count))
        print(f"  {name}: {queries} statements, {', '.join(f'{k} {v:.1f} ms' for k, v in medians.items())}")
    return figures


def daily_pass(scaled: Scaled) -> DailyPass:
    """The morning's reminder pass on the latest working day, timed, its statements counted by kind."""
    kinds: Counter[str] = Counter()

    def count(conn, cursor, statement: str, *_args: object) -> None:  # type: ignore[no-untyped-def]
        kinds[statement.lstrip().split(None, 1)[0].upper()] += 1

    with scaled.app.app_context():
        calendar, day = working_calendar(), uk_today()
        while not calendar.is_working_day(day):
            day = day.fromordinal(day.toordinal() - 1)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            started = time.perf_counter()
            report = run_daily_pass(day)
            seconds = time.perf_counter() - started
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    return DailyPass(scaled.name, seconds, dict(kinds), report.items, report.reminders, report.digests)


def sizes(scaled: Scaled) -> dict[str, int]:
    with scaled.app.app_context():
        return dict(bench_volume.counts())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=bench_databases.SERVER, help="the PostgreSQL server")
    parser.add_argument("--factor", type=float, default=10, help="the larger scale, in years")
    parser.add_argument("--runs", type=int, default=25, help="interleaved requests per page and scale")
    parser.add_argument("--seconds", type=float, default=8, help="of load per page under gunicorn")
    parser.add_argument("--rebuild", action="store_true", help="build again even if cached")
    parser.add_argument("--out", type=Path, default=Path("instance/bench-results.md"))
    parser.add_argument("--readme", action="store_true", help="put the figures in the README too")
    parser.add_argument("--build", nargs=2, metavar=("SCALE", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--uploads", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--part", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.build:
        build(*options.build, options.uploads, options.factor, options.part)
        return
    run(options)


def run(options: argparse.Namespace) -> None:
    large = "S10" if options.factor == 10 else f"S{options.factor:g}"
    names = ["S1", large]
    server = options.database_url
    os.environ["CASEWORK_BENCH_FACTOR"] = str(options.factor)
    built = bench_databases.ensure_built(server, names, options.rebuild, options.factor)
    with (
        bench_databases.working_copy(server, built[0]) as small_url,
        bench_databases.working_copy(server, built[1]) as large_url,
    ):
        urls = {"S1": (small_url, built[0].uploads), large: (large_url, built[1].uploads)}
        scales = [Scaled(name, bench_app(*urls[name]), {}, {}) for name in names]
        report = Report(names, {s.name: sizes(s) for s in scales})
        print("Pages:", flush=True)
        report.pages = measure_pages(scales, options.runs)
        print("The daily reminder pass:", flush=True)
        report.daily = [daily_pass(s) for s in scales]
        print("The full export:", flush=True)
        with scales[-1].app.app_context():
            report.export = bench_full_export.MEASURE_FULL_EXPORT(
                scales[-1].app, scales[-1].client(MANAGER), large
            )
        print("Throughput under gunicorn:", flush=True)
        codes = {s.name: partial(manager_code, s.app) for s in scales}
        keys = {s.name: str(s.app.secret_key) for s in scales}
        report.throughput = bench_load.throughput(
            {s.name: urls[s.name] for s in scales}, options.seconds, codes, keys
        )
    if large != "S10":
        report.notes.append(f"{large} is {options.factor:g} years, not ten: a smaller scale than asked for.")
    text = render(report)
    print("\n" + text)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(text)
    print(f"Written to {options.out}")
    if options.readme:
        readme = ROOT / "README.md"
        before, rest = readme.read_text().split(README_START, 1)
        after = rest.split(README_END, 1)[1]
        readme.write_text(f"{before}{README_START}\n{text}{README_END}{after}")
        print(f"and to {readme}")


if __name__ == "__main__":
    main()
