"""The scale benchmark's builder makes valid data, and its printer writes readable Markdown.

The builder runs here at a fiftieth of a year (one review, taken to its action plan through the
services, and the bulk copied from the rows the services made); the benchmark runs it at one
and ten years in PostgreSQL (scripts/bench.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework.actions.models import Action, ProgressUpdate, UpdateKind
from casework.core.audit import AuditEvent
from casework.core.extensions import db
from casework.core.timeutil import UK, uk_today
from casework.reviews.models import Review
from casework.reviews.stages import ReviewStage
from scripts import bench_volume
from scripts.bench_data import EARLIER, ONE_YEAR, TEN_YEARS, build_partnership, plans
from scripts.bench_report import DailyPass, ExportFigures, PageFigures, Report, Throughput, render, table
from tests.support.demo import load_demo

TINY = ONE_YEAR.times(0.02, "S0.02")


def test_the_scales_are_the_ones_asked_for() -> None:
    assert (ONE_YEAR.reviews, ONE_YEAR.actions, ONE_YEAR.updates) == (50, 2_500, 10_000)
    assert (ONE_YEAR.audit_rows, ONE_YEAR.chronology) == (25_000, 3_000)
    assert (TEN_YEARS.reviews, TEN_YEARS.actions, TEN_YEARS.audit_rows) == (500, 25_000, 250_000)
    assert (TINY.reviews, TINY.actions, TINY.updates, TINY.chronology) == (1, 50, 200, 60)


def test_the_schedule_spreads_reviews_over_the_years_and_ends_the_newest_early() -> None:
    today = uk_today()
    schedule = plans(ONE_YEAR, today)
    planned = [plan for plan in schedule if plan.stop == ReviewStage.ACTION_PLANNING]
    assert len(planned) == 40 and sum(plan.actions for plan in schedule) == ONE_YEAR.actions
    assert {plan.stop for plan in schedule[40:]} == set(EARLIER)
    assert all(plan.referred_on < today and plan.day("plan") <= today for plan in schedule)
    assert schedule[0].referred_on <= today - timedelta(days=365)
    assert [plan.referred_on for plan in schedule] == sorted(plan.referred_on for plan in schedule)


def test_the_builder_makes_valid_data_at_a_tiny_scale(app: Flask) -> None:
    with app.app_context():
        load_demo(app)
        before = bench_volume.counts()
        held = build_partnership(TINY)
        review = db.session.execute(select(Review).where(Review.pseudonym == "Child 1")).scalar_one()
        assert review.stage == ReviewStage.ACTION_PLANNING and review.publication is not None
        assert held["reviews"] == before["reviews"] + 1
        assert held["actions"] == before["actions"] + TINY.actions
        assert held["chronology entries"] == before["chronology entries"] + TINY.chronology
        # The audit rows the services wrote may pass a tiny scale's count on their own.
        assert held["progress updates"] == TINY.updates and held["audit rows"] >= TINY.audit_rows
        # Every action's status is its latest update's, which the service made: the copies are older.
        latest = (
            select(ProgressUpdate.action_id, func.max(ProgressUpdate.at).label("at"))
            .group_by(ProgressUpdate.action_id)
            .subquery()
        )
        rows = db.session.execute(
            select(Action, ProgressUpdate)
            .join(latest, latest.c.action_id == Action.id)
            .join(
                ProgressUpdate, (ProgressUpdate.action_id == Action.id) & (ProgressUpdate.at == latest.c.at)
            )
            .where(Action.review_id == review.id)
        ).all()
        assert len(rows) == TINY.actions
        assert all(action.status == update.status for action, update in rows)
        copies = db.session.execute(
            select(func.count(ProgressUpdate.id))
            .join(Action, Action.id == ProgressUpdate.action_id)
            .where(Action.review_id == review.id, ProgressUpdate.kind == UpdateKind.PROGRESS)
        ).scalar_one()
        assert copies > TINY.actions  # the earlier updates were added, each with its audit row
        progress = db.session.execute(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.action == "action_progress", AuditEvent.review_id == review.id
            )
        ).scalar_one()
        assert progress == copies
        # Every date the services stamped is on or before today, and the review began a year back.
        assert review.created_at.astimezone(UK).date() < uk_today() - timedelta(days=100)
        newest = db.session.execute(select(func.max(AuditEvent.occurred_at))).scalar_one()
        assert newest.astimezone(UK).date() <= uk_today()


@pytest.fixture
def report() -> Report:
    report = Report(["S1", "S10"], {"S1": {"actions": 2_500}, "S10": {"actions": 25_000}})
    report.pages = [
        PageFigures("dashboard", "/reviews/dashboard", {"S1": 20, "S10": 20}, {"S1": 50.0, "S10": 75.0}, 25)
    ]
    report.throughput = [
        Throughput("dashboard", "/reviews/dashboard", {"S1": 30.0, "S10": 20.0}, {"S1": 60.0, "S10": 90.0})
    ]
    report.daily = [DailyPass("S10", 1.5, {"SELECT": 14, "INSERT": 2}, 300, 250, 4)]
    report.export = ExportFigures("S10", 25_000, 12.0, 300.0, 0.5, 20.0, 9_000_000)
    report.notes = ["A note."]
    return report


def test_the_printer_writes_markdown_tables(report: Report) -> None:
    text = render(report)
    assert "| actions | 2,500 | 25,000 |" in text
    assert "| dashboard (`/reviews/dashboard`) | 20 | 20 | 50.0 | 75.0 | 1.50 | 25 |" in text
    assert "| dashboard (`/reviews/dashboard`) | 30.0 | 20.0 | 60.0 | 90.0 |" in text
    assert "| S10 | 1.5 | 300 | 250 | 4 | 2 | 14 |" in text
    assert "| floor: one SQL query written with csv | 0.5 | 20.0 |" in text
    assert text.endswith("- A note.\n")
    for block in text.split("\n\n"):
        if block.startswith("|"):
            widths = {line.count("|") for line in block.splitlines()}
            assert len(widths) == 1, block  # every row has as many cells as the headings


def test_a_table_aligns_numbers_right_and_escapes_bars() -> None:
    assert table(["a", "n"], [["x|y", 1_234_567]]).splitlines() == [
        "| a | n |",
        "| --- | ---: |",
        "| x\\|y | 1,234,567 |",
    ]
