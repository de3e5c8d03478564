"""The action tracker's list as a CSV file or an Excel workbook.

The workbook is meant to be handed to a board as it is: a summary sheet (when it was exported,
the filters applied, and the agencies against their red, amber, green, awaiting and verified
counts, the same counts as the tracker page), then the actions with their recommendation's text
and themes, RAG cells in their colour, a frozen and filterable header row, and print set-up
(A4 landscape, fit to the page width, the header row repeated on every printed page).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from casework.actions.models import Action, Theme
from casework.actions.rag import Rag, is_overdue, rag_of
from casework.actions.tracker import PARTNERSHIP, TrackerCounts, TrackerFilters
from casework.agencies.chronology_csv import FORMULA_TRIGGERS, spreadsheet_safe
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.display import format_datetime
from casework.core.extensions import db
from casework.core.timeutil import UK
from casework.reviews.models import Review

EXPORT_COLUMNS: tuple[tuple[str, int], ...] = (  # heading, width in characters
    ("Review", 16),
    ("Recommendation", 16),
    ("Recommendation text", 50),
    ("Themes", 28),
    ("Action", 50),
    ("Agency", 28),
    ("Owner", 22),
    ("Status", 22),
    ("RAG", 14),
    ("Original deadline", 12),
    ("Deadline", 12),
    ("Deadline changes", 10),
    ("Overdue", 9),
    ("Success measure", 50),
    ("Last update", 12),
    ("What is different this time", 50),  # a recommendation repeating an earlier review's
    ("Recommendation outcome", 22),  # achieved only when re-measured, or not pursued by decision
)
EXPORT_HEADINGS = tuple(heading for heading, _ in EXPORT_COLUMNS)
RAG_COLUMN = EXPORT_HEADINGS.index("RAG") + 1
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "%d/%m/%Y"
XLSX_DATE_FORMAT = "dd/mm/yyyy"

# Each colour's fill and text, the GOV.UK palette's strong shades with text that reads on them.
RAG_STYLES: dict[Rag, tuple[str, str]] = {
    Rag.RED: ("D4351C", "FFFFFF"),
    Rag.AMBER: ("F47738", "0B0C0C"),
    Rag.GREEN: ("00703C", "FFFFFF"),
    Rag.AWAITING: ("1D70B8", "FFFFFF"),
    Rag.VERIFIED: ("B1B4B6", "0B0C0C"),
}


@dataclass(frozen=True)
class ExportInfo:
    """What an export says about itself besides the actions."""

    today: date
    soon: date
    exported_at: datetime
    filters: list[tuple[str, str]]  # (what, the value in words), in the form's order
    counts: TrackerCounts


def describe_filters(filters: TrackerFilters) -> list[tuple[str, str]]:
    """The filters applied, in words: names rather than ids (a record since removed says so)."""

    def name(model: type[Any], record_id: int, text: Any) -> str:
        record = db.session.get(model, record_id)
        return text(record) if record is not None else "(no longer exists)"

    described = []
    if filters.review_id is not None:
        described.append(("Review", name(Review, filters.review_id, lambda r: r.reference)))
    if filters.agency == PARTNERSHIP:
        described.append(("Agency", "The partnership"))
    elif filters.agency is not None:
        described.append(("Agency", name(Agency, filters.agency, lambda a: a.name)))
    if filters.owner_id is not None:
        described.append(("Owner", name(User, filters.owner_id, lambda u: u.name)))
    if filters.status is not None:
        described.append(("Status", filters.status.label))
    if filters.rag is not None:
        described.append(("RAG", filters.rag.label))
    if filters.overdue:
        described.append(("Overdue", "Overdue only"))
    if filters.theme_id is not None:
        described.append(("Theme", name(Theme, filters.theme_id, lambda t: t.name)))
    return described


def last_update_on(action: Action) -> date | None:
    """The UK date of the action's latest history entry (progress, return, deadline, verification)."""
    latest = max((update.at for update in action.updates), default=None)
    return latest.astimezone(UK).date() if latest else None


def _export_values(action: Action, today: date, soon: date) -> tuple[object, ...]:
    """One action's cells, in EXPORT_COLUMNS order: text, whole numbers, dates or None."""
    return (
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
        last_update_on(action),
        action.recommendation.difference_from_earlier or "",
        action.recommendation.outcome_status(today).label,
    )


# --- CSV --------------------------------------------------------------------------------------


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return str(value)


def export_csv(actions: Iterable[Action], info: ExportInfo) -> str:
    """The actions as CSV for spreadsheets, in the order given: dates DD/MM/YYYY, CRLF line ends,
    and an apostrophe in front of any text a spreadsheet would run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADINGS)
    for action in actions:
        writer.writerow([_csv_cell(value) for value in _export_values(action, info.today, info.soon)])
    return out.getvalue()


# --- Excel ------------------------------------------------------------------------------------

# Characters XML 1.0 cannot hold; openpyxl refuses them, so they are dropped from the workbook.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


def _write_text(cell: Any, text: str) -> None:
    """Text cells are typed as strings, so openpyxl never writes one as a formula; those that
    look like one also get Excel's quote prefix, so editing the cell later keeps it as text."""
    cell.value = _NOT_IN_XML.sub("", text)
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def _colour(cell: Any, rag: Rag) -> None:
    fill, text = RAG_STYLES[rag]
    cell.fill = PatternFill(fill_type="solid", start_color=fill, end_color=fill)
    cell.font = Font(bold=True, color=text)


def _print_setup(sheet: Worksheet, title: str, info: ExportInfo, header_rows: str | None) -> None:
    """A4 landscape, as wide as the page, the header row on every page, and the export's date
    and page numbers in the margins."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows:
        sheet.print_title_rows = header_rows
    sheet.oddHeader.left.text = title
    sheet.oddHeader.right.text = f"Exported {format_datetime(info.exported_at)}"
    sheet.oddFooter.center.text = "Page &P of &N"


def export_xlsx(actions: Iterable[Action], info: ExportInfo) -> bytes:
    """The actions as an Excel workbook: the summary sheet, then the actions sheet."""
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Summary"
    _write_summary(summary, info)
    _write_actions(workbook.create_sheet("Actions"), actions, info)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_summary(sheet: Worksheet, info: ExportInfo) -> None:
    sheet["A1"] = "Action tracker"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"], sheet["B2"] = "Exported", format_datetime(info.exported_at)
    sheet["A3"] = "Filters"
    row = 3
    for row, (what, value) in enumerate(info.filters or [("", "None: every action you may see")], start=3):
        _write_text(sheet.cell(row=row, column=2), f"{what}: {value}" if what else value)
    for cell in (sheet["A2"], sheet["A3"]):
        cell.font = BOLD
    table = row + 2
    headings = ["Agency", *(colour.label for colour in Rag), "Total"]
    for column, heading in enumerate(headings, start=1):
        cell = sheet.cell(row=table, column=column, value=heading)
        cell.font, cell.alignment = BOLD, Alignment(wrap_text=True, vertical="top")
        if 1 < column <= len(Rag) + 1:
            _colour(cell, list(Rag)[column - 2])
    rows = [(line.name, line.by_rag, line.count) for line in info.counts.by_agency]
    rows.append(("All", info.counts.by_rag, info.counts.total))
    for offset, (name, by_rag, total) in enumerate(rows, start=1):
        _write_text(sheet.cell(row=table + offset, column=1), name)
        for column, count in enumerate([*(by_rag[colour] for colour in Rag), total], start=2):
            sheet.cell(row=table + offset, column=column, value=count)
    for cell in sheet[table + len(rows)]:
        cell.font = BOLD
    sheet.column_dimensions["A"].width = 40
    for column in range(2, len(headings) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.column_dimensions["B"].width = 40  # also the export's date and the filters
    _print_setup(sheet, "Action tracker: summary by agency", info, None)


def _write_actions(sheet: Worksheet, actions: Iterable[Action], info: ExportInfo) -> None:
    for column, (heading, width) in enumerate(EXPORT_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=column)
        _write_text(cell, heading)
        cell.font, cell.alignment = BOLD, Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(column)].width = width
    row = 1
    for row, action in enumerate(actions, start=2):
        _write_row(sheet, row, _export_values(action, info.today, info.soon))
        _colour(sheet.cell(row=row, column=RAG_COLUMN), rag_of(action, info.today, info.soon))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EXPORT_COLUMNS))}{row}"
    _print_setup(sheet, "Action tracker", info, "1:1")


def _write_row(sheet: Worksheet, row: int, values: Sequence[object]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            _write_text(cell, value)
            cell.alignment = WRAP if len(value) > EXPORT_COLUMNS[column - 1][1] else TOP
        elif isinstance(value, date):
            cell.value = value
            cell.number_format = XLSX_DATE_FORMAT
            cell.alignment = TOP
        else:
            cell.value = value
            cell.alignment = TOP
