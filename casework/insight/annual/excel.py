"""The annual report pack as an Excel workbook: an "About" sheet, a sheet of figures per section
(impact and the recommendations not pursued included) with native bar charts drawn from its
tables, and the adults' findings, actions done and recommendations not acted on, each on its own
sheet."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from casework.actions.tracker_export import XLSX_DATE_FORMAT, XLSX_MIMETYPE, _write_text
from casework.core.display import format_datetime
from casework.insight.annual.sections import (
    ADULTS,
    CHILDREN,
    DEFINITIONS,
    AgencyActions,
    AnnualFigures,
    Section,
)

__all__ = ["XLSX_MIMETYPE", "export_xlsx"]

SHEET_NAMES = {CHILDREN: "Children", ADULTS: "Adults"}
BOLD = Font(bold=True)
HEADING = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_name(section: Section) -> str:
    return SHEET_NAMES.get(section.code, "Domestic abuse deaths")


def _cell(sheet: Worksheet, row: int, column: int, value: object, font: Font | None = None) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        _write_text(cell, value)  # never a formula, whatever a record's text says
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = XLSX_DATE_FORMAT
    else:
        cell.value = value  # type: ignore[assignment]
    cell.alignment = WRAP
    if font is not None:
        cell.font = font


def _table(
    sheet: Worksheet, top: int, title: str, headings: Sequence[str], rows: Sequence[Sequence[object]]
) -> int:
    """A titled table from row ``top``; returns the row after it (and a blank one)."""
    _cell(sheet, top, 1, title, HEADING)
    for column, heading in enumerate(headings, start=1):
        _cell(sheet, top + 1, column, heading, BOLD)
    for offset, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            _cell(sheet, top + offset, column, value)
    return top + len(rows) + 3


def _bar_chart(sheet: Worksheet, title: str, first: int, last: int, columns: int, anchor: str) -> None:
    """A native bar chart of the table rows ``first`` to ``last`` (the headings row just above):
    the categories in column A, a series for each of the next ``columns`` columns."""
    if last < first:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.style = 10
    chart.height, chart.width = 7.5, 16
    data = Reference(sheet, min_col=2, max_col=1 + columns, min_row=first - 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
    sheet.add_chart(chart, anchor)


def _section_sheet(sheet: Worksheet, section: Section) -> None:
    sheet.column_dimensions["A"].width = 60
    for letter in "BCDEF":
        sheet.column_dimensions[letter].width = 16
    _cell(sheet, 1, 1, section.title, HEADING)
    row = _table(sheet, 3, "Figures for the year", ("Figure", "Number"), section.summary_rows())

    timeliness = (
        [("Notifications within 5 working days", section.notifications)] if section.is_children else []
    )
    if section.is_children:
        timeliness.append(("Rapid reviews within 15 working days", section.rapid_reviews))
    timeliness.append((f"Reviews {section.target_words}", section.concluded_in_time))
    top = row
    row = _table(
        sheet,
        top,
        "Timeliness",
        ("Clock", "On time", "Counted", "Per cent on time"),
        [(label, share.met, share.of, share.percent) for label, share in timeliness],
    )
    _bar_chart(sheet, "Timeliness: on time and counted", top + 2, top + 1 + len(timeliness), 2, "H3")

    row = _table(sheet, row, "Decisions", ("Outcome", "Decisions"), section.decision_rows())
    if section.is_adults:
        row = _table(
            sheet, row, "Reviews arranged, by mandate", ("Mandate", "Reviews"), section.mandate_rows()
        )

    top = row
    row = _table(sheet, top, "Themes of the reviews concluded", ("Theme", "Reviews"), section.themes)
    _bar_chart(sheet, "Themes of the reviews concluded", top + 2, top + 1 + len(section.themes), 1, "H20")

    lines = [*section.actions, section.action_totals] if section.actions else []
    top = row
    row = _table(
        sheet,
        top,
        "Actions by agency",
        AgencyActions.HEADINGS,
        [line.cells() for line in lines],
    )
    # The agencies, without the "All" line, so no bar dwarfs the others.
    _bar_chart(sheet, "Actions by agency", top + 2, top + 1 + len(section.actions), 4, "H37")

    impact = section.impact_rows()
    top = row
    row = _table(sheet, top, "Impact", ("Figure", "Number"), impact)
    _bar_chart(sheet, "Impact", top + 2, top + 1 + len(impact), 1, "H54")
    if not section.is_adults:  # the adults' are on their "not acted on" sheet
        _not_pursued_table(sheet, row, section)


def _not_pursued_table(sheet: Worksheet, top: int, section: Section) -> int:
    return _table(
        sheet,
        top,
        "Recommendations not acted on, with the reason",
        ("Review", "Recommendation", "Text", "Reason", "Decided"),
        [
            (f"{item.reference}: {item.name}", item.recommendation, item.text, item.reason, item.decided_on)
            for item in section.not_pursued
        ],
    )


def _adult_sheets(workbook: Workbook, section: Section) -> None:
    findings = workbook.create_sheet("Adults findings")
    findings.column_dimensions["A"].width = 16
    findings.column_dimensions["B"].width = 20
    findings.column_dimensions["C"].width = 14
    findings.column_dimensions["D"].width = 90
    _table(
        findings,
        1,
        "Reviews concluded in the year and their findings",
        ("Review", "Name", "Concluded", "Finding"),
        [
            (review.reference, review.name, review.concluded_on, text)
            for review in section.concluded_reviews
            for text in review.findings or ("No findings recorded",)
        ],
    )
    done = workbook.create_sheet("Adults actions done")
    for letter, width in zip("ABCDEF", (16, 14, 70, 30, 14, 14), strict=True):
        done.column_dimensions[letter].width = width
    _table(
        done,
        1,
        "Actions completed or verified in the year",
        ("Review", "Recommendation", "Action", "Owner", "Completed", "Verified"),
        [
            (
                item.reference,
                item.recommendation,
                item.description,
                item.agency,
                item.completed_on,
                item.verified_on,
            )
            for item in section.done
        ],
    )
    not_acted = workbook.create_sheet("Adults not acted on")
    for letter, width in zip("ABCDE", (30, 14, 70, 50, 14), strict=True):
        not_acted.column_dimensions[letter].width = width
    row = _not_pursued_table(not_acted, 1, section)
    _table(
        not_acted,
        row,
        "No action planned and no decision recorded",
        ("Review", "Recommendation", "Text"),
        [(item.reference, item.recommendation, item.text) for item in section.not_acted_on],
    )


def export_xlsx(figures: AnnualFigures, partnership: str, made_at: datetime) -> bytes:
    workbook = Workbook()
    about = workbook.active
    assert about is not None
    about.title = "About"
    about.column_dimensions["A"].width = 40
    about.column_dimensions["B"].width = 90
    year = figures.year
    _cell(about, 1, 1, f"Annual report pack {year.label}", HEADING)
    _cell(about, 2, 1, "Partnership", BOLD)
    _cell(about, 2, 2, partnership)
    _cell(about, 3, 1, "Reporting year", BOLD)
    _cell(about, 3, 2, f"1 April {year.start.year} to 31 March {year.end.year}")
    _cell(about, 4, 1, "Made", BOLD)
    _cell(about, 4, 2, format_datetime(made_at))
    if not figures.complete:
        _cell(about, 5, 2, "The year has not ended: the figures are for the year so far.")
    _table(about, 7, "How the figures are counted", ("Figure", "How it is counted"), DEFINITIONS)
    for section in figures.sections:
        _section_sheet(workbook.create_sheet(sheet_name(section)), section)
        if section.is_adults:
            _adult_sheets(workbook, section)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
