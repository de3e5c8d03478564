"""The annual report pack page and its Word and Excel downloads, for board managers.

Both files are built in the request: the figures take a fixed number of queries and the
document a second or less, so no job is needed."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, flash, render_template, request, send_file
from flask.typing import ResponseReturnValue

from casework.auth.access import roles
from casework.auth.models import Role
from casework.core import audit
from casework.core.extensions import db
from casework.core.timeutil import uk_today, utcnow
from casework.insight.annual import bp
from casework.insight.annual.excel import XLSX_MIMETYPE, export_xlsx
from casework.insight.annual.figures import annual_figures, year_choices
from casework.insight.annual.sections import DEFINITIONS, AnnualFigures
from casework.insight.annual.word import DOCX_MIMETYPE, export_docx
from casework.insight.annual.year import FIRST_YEAR, ReportingYear, last_complete_year
from casework.insight.years import start_year_of, year_starting


def _chosen_year(today: date) -> tuple[int | None, str | None]:
    """The reporting year asked for (default: the last complete one), or what is wrong with it."""
    text = request.args.get("year", "").strip()
    if not text:
        return last_complete_year(today), None
    current = start_year_of(today)
    if not (text.isascii() and text.isdigit()):
        return None, "Enter the reporting year as the year it starts in, for example 2025 for 2025/26"
    if len(text) > 4 or not FIRST_YEAR <= int(text) <= current:
        first, last = year_starting(FIRST_YEAR).label, year_starting(current).label
        return None, f"Choose a reporting year from {first} to {last}"
    return int(text), None


@dataclass(frozen=True)
class Asked:
    figures: AnnualFigures | None  # None: the year asked for is not one
    choices: list[int]
    error: str | None


def _asked() -> Asked:
    today = uk_today()
    chosen, error = _chosen_year(today)
    choices = year_choices(today)
    if chosen is not None and chosen not in choices:
        choices = sorted({*choices, chosen}, reverse=True)
    figures = annual_figures(ReportingYear.starting(chosen), today) if chosen is not None else None
    return Asked(figures, choices, error)


def _page(asked: Asked) -> ResponseReturnValue:
    if asked.error:
        flash(asked.error, "error")
    html = render_template(
        "insight/annual.html",
        figures=asked.figures,
        choices=[(year, year_starting(year).label) for year in asked.choices],
        error=asked.error,
        definitions=DEFINITIONS,
    )
    return html, 400 if asked.error else 200


@bp.route("")
@roles(Role.BOARD_MANAGER)
def index() -> ResponseReturnValue:
    return _page(_asked())


def _download(
    extension: str, mimetype: str, write: Callable[[AnnualFigures, str, datetime], bytes]
) -> ResponseReturnValue:
    asked = _asked()
    figures = asked.figures
    if figures is None:
        return _page(asked)
    content = write(figures, current_app.config["PARTNERSHIP_NAME"], utcnow())
    label = figures.year.label
    audit.record(
        "annual_pack_exported",
        f"Annual report pack {label} exported as {extension.upper()}",
        details={"format": extension, "year": figures.year.start_year},
    )
    db.session.commit()
    return send_file(
        io.BytesIO(content),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"annual-report-pack-{label.replace('/', '-')}.{extension}",
    )


@bp.route("/pack.docx")
@roles(Role.BOARD_MANAGER)
def export_word() -> ResponseReturnValue:
    return _download("docx", DOCX_MIMETYPE, export_docx)


@bp.route("/pack.xlsx")
@roles(Role.BOARD_MANAGER)
def export_excel() -> ResponseReturnValue:
    return _download("xlsx", XLSX_MIMETYPE, export_xlsx)
