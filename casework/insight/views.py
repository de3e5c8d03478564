"""The board's insight page: its charts, each with its data table and a CSV of that table."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from casework.actions.rag import soon_limit
from casework.agencies.chronology_csv import CSV_ENCODING, spreadsheet_safe
from casework.auth.access import current_person, roles
from casework.auth.models import Role, User
from casework.core.request_guards import as_id
from casework.core.timeutil import uk_today
from casework.insight import bp, charts, figures, overdue
from casework.insight.drawing import Chart, Table
from casework.insight.years import year_starting


@dataclass(frozen=True)
class Asked:
    """What the page was asked for: the review type to narrow to (None: every type), and whether
    the charts by year show every reporting year or the recent ones (the default: a board reads
    the last few years, and the page then costs the same after ten years as after two)."""

    user: User
    types: list[figures.TypeColumn]
    type_id: int | None
    every_year: bool = False

    @classmethod
    def from_request(cls) -> Asked:
        types = figures.review_types()
        wanted = as_id(request.args.get("type"))
        # A type that does not exist is ignored, as the tracker ignores stale filters.
        type_id = wanted if any(kind.id == wanted for kind in types) else None
        return cls(current_person(), types, type_id, request.args.get("years") == "all")

    @property
    def since(self) -> int | None:
        """The start year of the first reporting year the charts by year show (None: every year)."""
        return None if self.every_year else figures.first_recent_year(uk_today())

    @property
    def first_year_label(self) -> str:
        return year_starting(figures.first_recent_year(uk_today())).label

    def args_with(self, **changes: object) -> dict[str, object]:
        """The page's query-string arguments (defaults left out), with ``changes``."""
        values: dict[str, object] = {"type": self.type_id, "years": "all" if self.every_year else None}
        values.update(changes)
        return {name: value for name, value in values.items() if value is not None}

    @property
    def args(self) -> dict[str, object]:
        return self.args_with()


def _stages(asked: Asked) -> Chart:
    return charts.stages_chart(figures.stages_by_type(asked.user, asked.types, asked.type_id))


def _rapid_reviews(asked: Asked) -> Chart:
    return charts.rapid_reviews_chart(
        figures.rapid_reviews(asked.user, uk_today(), asked.type_id, asked.since)
    )


def _timeliness(asked: Asked) -> Chart:
    return charts.timeliness_chart(figures.timeliness(asked.user, uk_today(), asked.type_id, asked.since))


def _rag(asked: Asked) -> Chart:
    today = uk_today()
    return charts.rag_chart(figures.actions_by_rag(asked.user, today, soon_limit(today), asked.type_id))


def _overdue(asked: Asked) -> Chart:
    today = uk_today()
    return charts.overdue_chart(overdue.overdue_over_time(asked.user, today, asked.type_id), today)


def _themes(asked: Asked) -> Chart:
    return charts.themes_chart(figures.theme_recurrence(asked.user, uk_today(), asked.type_id, asked.since))


BUILDERS: dict[str, Callable[[Asked], Chart]] = {
    "stages": _stages,
    "rapid-reviews": _rapid_reviews,
    "timeliness": _timeliness,
    "actions-by-rag": _rag,
    "overdue-actions": _overdue,
    "themes": _themes,
}


@bp.route("/")
@roles(Role.BOARD_MANAGER)
def index() -> ResponseReturnValue:
    asked = Asked.from_request()
    return render_template(
        "insight/index.html",
        charts=[build(asked) for build in BUILDERS.values()],
        asked=asked,
        recent_years=figures.RECENT_YEARS,
    )


def table_csv(table: Table) -> str:
    """The table as CSV, exactly its cells, an apostrophe in front of any text a spreadsheet would
    run as a formula (a theme's or an agency's name is typed by people)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(heading) for heading in table.headings])
    for row in table.rows:
        writer.writerow([spreadsheet_safe(cell) if isinstance(cell, str) else str(cell) for cell in row])
    return out.getvalue()


@bp.route("/<any(" + ", ".join(f'"{key}"' for key in BUILDERS) + "):chart>.csv")
@roles(Role.BOARD_MANAGER)
def chart_csv(chart: str) -> ResponseReturnValue:
    build = BUILDERS.get(chart)
    if build is None:
        abort(404)
    made = build(Asked.from_request())
    return Response(
        table_csv(made.table).encode(CSV_ENCODING),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{chart}-{uk_today():%Y-%m-%d}.csv"'},
    )
