"""The insight page's figures against a small world with answers worked out by hand (see world.py),
its CSVs against its tables, and who may see it."""

from __future__ import annotations

import csv
import io
import re
import statistics
from datetime import date, timedelta
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.actions.rag import Rag, soon_limit
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.insight import figures, overdue
from casework.insight.charts import CHART_KEYS
from casework.insight.drawing import Dot, Drawing, Line, Rect, Series, Table, Text, nice_ticks
from casework.insight.plots import shade
from casework.insight.years import reporting_year, start_year_of, year_starting
from casework.reviews.stages import ReviewStage
from tests.insight.world import ACTIONS, World, build_world
from tests.support.http import SIGN_IN, assert_answer, client_as
from tests.support.worlds import world_fixtures

pytestmark = pytest.mark.read_only


# Signing in records audit events.
world, manager_client = world_fixtures(build_world, lambda world: world.manager_id, scope="module")


def _manager(world: World) -> User:
    found = db.session.get(User, world.manager_id)
    assert found is not None
    return found


def _labels_from(first: int, today: date) -> list[str]:
    return [reporting_year(date(year, 4, 1)).label for year in range(first, start_year_of(today) + 1)]


def test_reporting_years_run_april_to_march() -> None:
    assert reporting_year(date(2025, 4, 1)) == (date(2025, 4, 1), date(2026, 3, 31), "2025/26")
    assert reporting_year(date(2026, 3, 31)).label == "2025/26"
    assert reporting_year(date(1999, 12, 31)).label == "1999/00"


def test_scales_and_shades() -> None:
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(0) == [0, 1]
    assert shade(0, 5)[0] == "#ffffff"
    assert shade(5, 5)[0] == "#003078" and shade(5, 5)[1] == "#ffffff"
    assert shade(1, 5) != shade(5, 5)


def test_reviews_by_stage_and_type(app: Flask, world: World) -> None:
    with app.app_context():
        user = _manager(world)
        counts = figures.stages_by_type(user, figures.review_types())
        by_stage = {
            row.stage: {kind.code: row.by_type[kind.id] for kind in counts.types} for row in counts.rows
        }
        only_sar = figures.stages_by_type(user, figures.review_types(), world.type_ids["SAR"])
    assert by_stage == {
        ReviewStage.RAPID_REVIEW: {"CSPR": 1, "SAR": 0, "DHR": 0},
        ReviewStage.AWAITING_REVIEWER: {"CSPR": 1, "SAR": 1, "DHR": 0},
        ReviewStage.NO_REVIEW: {"CSPR": 1, "SAR": 0, "DHR": 0},
    }
    assert [kind.code for kind in only_sar.types] == ["SAR"]
    assert [(row.stage, row.total) for row in only_sar.rows] == [(ReviewStage.AWAITING_REVIEWER, 1)]


def test_rapid_reviews_and_what_they_became(app: Flask, world: World) -> None:
    with app.app_context():
        years = figures.rapid_reviews(_manager(world), world.today)
    assert [year.year.label for year in years] == _labels_from(2024, world.today)
    found = {year.year.label: {k.value: n for k, n in year.by_outcome.items() if n} for year in years}
    assert found.pop("2024/25") == {"no_review": 1}
    assert found.pop("2025/26") == {"local_review": 1}
    assert all(not counts for counts in found.values())


def test_timeliness_shares_and_median_delays(app: Flask, world: World) -> None:
    with app.app_context():
        found = figures.timeliness(_manager(world), world.today)
        only_sar = figures.timeliness(_manager(world), world.today, world.type_ids["SAR"])
    assert only_sar.cells == {} and only_sar.steps == []
    assert [step.key for step in found.steps] == ["notification", "rapid_review", "publication"]
    cells = {(key, year): cell for (key, year), cell in found.cells.items()}
    notification = cells.pop(("notification", 2024))
    assert (notification.measured, notification.within, notification.within_agreed) == (3, 1, 2)
    assert notification.median_days_late == statistics.median([5, 20])
    rapid = cells.pop(("rapid_review", 2025))  # overdue and not met: late by today
    assert (rapid.measured, rapid.within, rapid.within_agreed) == (1, 0, 0)
    assert rapid.median_days_late == (world.today - date(2025, 5, 1)).days
    publication = cells.pop(("publication", 2025))
    assert (publication.measured, publication.within, publication.median_days_late) == (1, 1, None)
    assert cells == {}, "the running clock within time and the Panel's response are not measured"


def test_actions_by_rag_with_the_partnership_first(app: Flask, world: World) -> None:
    with app.app_context():
        rows = figures.actions_by_rag(_manager(world), world.today, soon_limit(world.today))
    assert [(row.name, row.partnership) for row in rows] == [
        ("The partnership", True),
        ("=Xylem Health Trust", False),
    ]
    assert {k: n for k, n in rows[0].by_rag.items() if n} == {Rag.RED: 1}
    assert {k: n for k, n in rows[1].by_rag.items() if n} == {Rag.GREEN: 1, Rag.RED: 1, Rag.VERIFIED: 1}


def _overdue_by_hand(day: date, today: date) -> int:
    count = 0
    for spec in ACTIONS:
        created, deadline = (
            today - timedelta(days=spec.created_ago),
            today - timedelta(days=spec.deadline_ago),
        )
        completed = None if spec.completed_ago is None else today - timedelta(days=spec.completed_ago)
        count += created <= day and deadline < day and (completed is None or completed > day)
    return count


def test_overdue_actions_at_each_month_end(app: Flask, world: World) -> None:
    with app.app_context():
        points = overdue.overdue_over_time(_manager(world), world.today)
    assert len(points) == overdue.OVERDUE_MONTHS
    assert points[-1].day == world.today
    assert all((point.day + timedelta(days=1)).day == 1 for point in points[:-1])
    assert points[-2].day == world.today.replace(day=1) - timedelta(days=1)  # last month's end
    assert [point.count for point in points] == [_overdue_by_hand(point.day, world.today) for point in points]
    assert points[-1].count == 1  # the partnership's; the late one was completed
    assert sum(point.count for point in points) >= 3  # the late one counted at a month end or more


def test_theme_recurrence_counts_reviews_per_theme_and_year(app: Flask, world: World) -> None:
    with app.app_context():
        user = _manager(world)
        found = figures.theme_recurrence(user, world.today)
        only_sar = figures.theme_recurrence(user, world.today, world.type_ids["SAR"])
    assert [year.label for year in found.years] == _labels_from(2024, world.today)
    first, second, third = world.themes
    rows = {row.name: {y: n for y, n in row.by_year.items() if n} for row in found.rows}
    assert rows == {first: {2024: 1, 2025: 2}, second: {2024: 1}, third: {2025: 2}}
    assert [row.name for row in found.rows] == [first, third, second]  # most reviews first
    assert {row.name: row.reviews for row in only_sar.rows} == {first: 1, third: 1}


def test_drawings_and_tables_write_escaped_svg_and_html() -> None:
    kinds = [Series("Solid", "#1d70b8", "solid"), Series("Striped", "#f47738", "stripes")]
    drawing = Drawing(
        height=100,
        series=kinds,
        rects=[
            Rect(1, 2.5, 3, 4, series=0, tip='<b>"A" & B</b>'),
            Rect(5, 6, 7, 8, series=1),
            Rect(9, 10, 11, 12, fill="#d2e2f1", stroke="#b1b4b6"),
        ],
        lines=[Line(0, 1, 2, 3, dashed=True)],
        path=[(1.5, 2), (3, 4)],
        dots=[Dot(1, 2, tip="1 & 2")],
        texts=[Text(10, 20, "=Agency <X>", anchor="middle", bold=True, chip=True), Text(1, 2, "7")],
    )
    assert str(drawing.shapes("themes")).split("\n") == [
        '<line x1="0" y1="1" x2="2" y2="3" stroke="#b1b4b6" stroke-width="1" stroke-dasharray="4 3"/>',
        '<rect x="1" y="2.5" width="3" height="4" fill="#1d70b8" stroke="#ffffff">'
        "<title>&lt;b&gt;&#34;A&#34; &amp; B&lt;/b&gt;</title></rect>",
        '<rect x="5" y="6" width="7" height="8" fill="url(#themes-pattern-1)" stroke="#ffffff"></rect>',
        '<rect x="9" y="10" width="11" height="12" fill="#d2e2f1" stroke="#b1b4b6"></rect>',
        '<polyline points="1.5,2 3,4" fill="none" stroke="#1d70b8" stroke-width="3"/>',
        '<circle cx="1" cy="2" r="4" fill="#1d70b8"><title>1 &amp; 2</title></circle>',
        '<rect x="-39.2" y="8.1" width="98.4" height="16.1" rx="2" fill="#ffffff"/>'
        '<text x="10" y="20" text-anchor="middle" font-size="14" font-weight="bold" fill="#0b0c0c">'
        "=Agency &lt;X&gt;</text>",
        '<text x="1" y="2" font-size="14" fill="#0b0c0c">7</text>',
    ]
    table = Table(
        ["Theme", "2024/25", "Share", "Note"], [["<Neglect>", 3, "50%", "n/a"], ["Risk", 0, "n/a", "late"]]
    )
    assert table.numeric_columns == {1, 2} and not table.numeric(0) and not table.numeric(3)
    assert str(table.body_rows()).split("\n") == [
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">&lt;Neglect&gt;</th>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">50%</td>'
        '<td class="govuk-table__cell">n/a</td></tr>',
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">Risk</th>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">0</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">n/a</td>'
        '<td class="govuk-table__cell">late</td></tr>',
    ]


# --- the page and its downloads -------------------------------------------------------------------

_TABLE = re.compile(r'<table class="govuk-table" data-table="([a-z-]+)">(.*?)</table>', re.S)
_ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)


def _tables(page: str) -> dict[str, list[list[str]]]:
    found = {}
    for key, table in _TABLE.findall(page):
        rows = [[unescape(cell).strip() for cell in _CELL.findall(row)] for row in _ROW.findall(table)]
        found[key] = rows
    return found


def test_the_page_draws_every_chart_and_each_csv_is_its_table(manager_client: FlaskClient) -> None:
    response = manager_client.get("/insight/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('role="img"') == len(CHART_KEYS)
    tables = _tables(page)
    assert list(tables) == list(CHART_KEYS)
    for key in CHART_KEYS:
        download = manager_client.get(f"/insight/{key}.csv")
        assert download.status_code == 200 and download.mimetype == "text/csv"
        assert f'filename="{key}-' in download.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
        on_page = [[cell.lstrip("'") for cell in row] for row in rows]
        assert on_page == tables[key], key
    rag = list(
        csv.reader(io.StringIO(manager_client.get("/insight/actions-by-rag.csv").data.decode("utf-8-sig")))
    )
    assert rag[2][0] == "'=Xylem Health Trust", "a name a spreadsheet would run is made text"
    assert manager_client.get("/insight/nothing.csv").status_code == 404


def test_filtering_by_type_narrows_the_page_and_its_csvs(manager_client: FlaskClient, world: World) -> None:
    sar = world.type_ids["SAR"]
    page = manager_client.get(f"/insight/?type={sar}").get_data(as_text=True)
    assert f'/insight/stages.csv?type={sar}"' in page
    rows = list(
        csv.reader(
            io.StringIO(manager_client.get(f"/insight/stages.csv?type={sar}").data.decode("utf-8-sig"))
        )
    )
    assert rows == [["Stage", "SAR", "Total"], ["Awaiting reviewer", "1", "1"]]
    for nonsense in ("999999", "abc", "-1", "1" * 40):
        assert manager_client.get(f"/insight/?type={nonsense}").status_code == 200


@pytest.mark.parametrize("path", ["/insight/", "/insight/themes.csv"])
def test_only_board_managers_see_insight(app: Flask, world: World, path: str) -> None:
    assert_answer(app.test_client().get(path), SIGN_IN, path)
    for role, person in world.outsiders.items():
        assert_answer(client_as(app, person).get(path), 403, role, path)


def test_the_charts_by_year_keep_to_the_recent_years_unless_asked_for_every_one(
    app: Flask, world: World
) -> None:
    """Four years on, the world's 2024/25 and 2025/26 fall out of the recent years' window."""
    later = date(world.today.year + 4, 6, 1)
    since = figures.first_recent_year(later)
    assert since == start_year_of(later) - (figures.RECENT_YEARS - 1)
    with app.app_context():
        user = _manager(world)
        every = figures.theme_recurrence(user, later)
        recent = figures.theme_recurrence(user, later, since=since)
        recent_from_2025 = figures.theme_recurrence(user, world.today, since=2025)
        timeliness = figures.timeliness(user, world.today, since=2025)
        rapid = figures.rapid_reviews(user, world.today, since=2025)
    assert every.years[0].start.year == 2024 and every.rows
    assert recent.rows == [] and [year.start.year for year in recent.years] == [start_year_of(later)]
    first, _second, third = world.themes
    assert {row.name: {y: n for y, n in row.by_year.items() if n} for row in recent_from_2025.rows} == {
        first: {2025: 2},
        third: {2025: 2},
    }
    assert timeliness.years[0].start.year >= 2025 and all(year >= 2025 for _key, year in timeliness.cells)
    assert rapid[0].year.start.year >= 2025


def test_the_page_says_which_years_it_shows_and_keeps_the_choice(manager_client: FlaskClient) -> None:
    page = manager_client.get("/insight/").get_data(as_text=True)
    first = year_starting(figures.first_recent_year(uk_today())).label
    assert f"show the last {figures.RECENT_YEARS} reporting years, from {first}" in page
    assert 'href="/insight/?years=all"' in page and "Show every reporting year" in page
    every = manager_client.get("/insight/?years=all").get_data(as_text=True)
    assert "show every reporting year with records" in every
    assert f"Show the last {figures.RECENT_YEARS} reporting years" in every
    assert 'name="years" value="all"' in every  # the type filter keeps the choice
    assert '/insight/themes.csv?years=all"' in every  # and so do the downloads
    assert manager_client.get("/insight/themes.csv?years=all").status_code == 200
