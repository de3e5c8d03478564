"""The action tracker's list as a CSV file or an Excel workbook.

The workbook is meant to be handed to a board as it is: a summary sheet (when it was exported,
the filters applied, and the agencies against their red, amber, green, awaiting and verified
counts, the same counts as the tracker page), then the actions with their recommendation's text
and themes, RAG cells in their colour, a frozen and filterable header row, and print set-up
(A4 landscape, fit to the page width, the header row repeated on every printed page).

Both are written from the rows' batches (tracker_rows.py) as they come, so a file of any size
needs the memory of one batch: the CSV as a chunk per batch, the workbook in openpyxl's
write-only mode.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from casework.actions.models import Theme
from casework.actions.rag import Rag
from casework.actions.tracker import PARTNERSHIP, TrackerFilters
from casework.actions.tracker_counting import TrackerCounts
from casework.actions.tracker_rows import ExportRow
from casework.agencies.chronology_csv import FORMULA_TRIGGERS, spreadsheet_safe
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core import streaming
from casework.core.display import format_datetime
from casework.core.extensions import db
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
WIDTHS = tuple(width for _, width in EXPORT_COLUMNS)
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


# --- CSV --------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _day(value: date | None) -> str:
    # DD/MM/YYYY, written once per day: a large file's rows share few days (deadlines, updates).
    return "" if value is None else value.strftime(DATE_FORMAT)


def _csv_row(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """One row's cells for the CSV writer, column by column as EXPORT_COLUMNS has them: text
    people typed made safe for spreadsheets, dates as DD/MM/YYYY; numbers, our own labels and
    empty cells (None) as the writer writes them."""
    safe = spreadsheet_safe
    return (
        safe(values[0]),  # review
        values[1],  # recommendation number
        safe(values[2]),
        safe(values[3]),  # theme names
        safe(values[4]),
        safe(values[5]),  # agency
        safe(values[6]),  # owner
        values[7],  # status
        values[8],  # RAG
        _day(values[9]),
        _day(values[10]),
        values[11],  # deadline changes
        values[12],  # overdue
        safe(values[13]),
        _day(values[14]),  # last update
        safe(values[15]),
        values[16],  # outcome
    )


def csv_chunks(batches: Iterable[list[ExportRow]]) -> Iterator[bytes]:
    """The rows as CSV for spreadsheets, a chunk of bytes per batch, in the order given: UTF-8
    with the byte order mark that makes Excel read it as such, dates DD/MM/YYYY, CRLF line ends,
    and an apostrophe in front of any text a spreadsheet would run as a formula."""
    return streaming.csv_chunks(
        EXPORT_HEADINGS, ([_csv_row(row.values) for row in batch] for batch in batches)
    )


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


def _print_setup(sheet: Any, title: str, info: ExportInfo, header_rows: str | None) -> None:
    """A4 landscape, as wide as the page, the header row on every page, and the export's date
    and page numbers in the margins."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows:
        sheet.print_title_rows = header_rows
    sheet.oddHeader.left.text = title
    sheet.oddHeader.right.text = f"Exported {format_datetime(info.exported_at)}"
    sheet.oddFooter.center.text = "Page &P of &N"


def write_xlsx(batches: Iterable[list[ExportRow]], info: ExportInfo, target: str | IO[bytes]) -> int:
    """The rows as an Excel workbook (the summary sheet, then the actions sheet) written to
    ``target``, a row at a time (openpyxl's write-only mode keeps no cell in memory); how many
    actions it holds."""
    workbook = Workbook(write_only=True)
    _write_summary(workbook.create_sheet("Summary"), info)
    count = _write_actions(workbook.create_sheet("Actions"), batches, info)
    workbook.save(target)
    return count


def export_xlsx(batches: Iterable[list[ExportRow]], info: ExportInfo) -> bytes:
    out = io.BytesIO()
    write_xlsx(batches, info, out)
    return out.getvalue()


def _cell(sheet: Any, value: object, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    if isinstance(value, str):
        _write_text(cell, value)
    else:
        cell.value = value
    if font is not None:
        cell.font = font
    return cell


def _write_summary(sheet: Any, info: ExportInfo) -> None:
    """The export's date and filters, then the agencies against their colours; rows are written
    in order (write-only), the table two rows below the last filter."""
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 40  # also the export's date and the filters
    for column in range(3, len(Rag) + 3):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    _print_setup(sheet, "Action tracker: summary by agency", info, None)
    sheet.append([_cell(sheet, "Action tracker", Font(bold=True, size=14))])
    sheet.append([_cell(sheet, "Exported", BOLD), _cell(sheet, format_datetime(info.exported_at))])
    filters = info.filters or [("", "None: every action you may see")]
    for index, (what, value) in enumerate(filters):
        first = _cell(sheet, "Filters", BOLD) if index == 0 else None
        sheet.append([first, _cell(sheet, f"{what}: {value}" if what else value)])
    sheet.append([])
    headings = []
    for column, heading in enumerate(["Agency", *(colour.label for colour in Rag), "Total"], start=1):
        cell = _cell(sheet, heading, BOLD)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if 1 < column <= len(Rag) + 1:
            _colour(cell, list(Rag)[column - 2])
        headings.append(cell)
    sheet.append(headings)
    rows = [(line.name, line.by_rag, line.count) for line in info.counts.by_agency]
    rows.append(("All", info.counts.by_rag, info.counts.total))
    for offset, (name, by_rag, total) in enumerate(rows, start=1):
        font = BOLD if offset == len(rows) else None
        counts = [*(by_rag[colour] for colour in Rag), total]
        sheet.append([_cell(sheet, name, font), *(_cell(sheet, count, font) for count in counts)])


def _write_actions(sheet: Any, batches: Iterable[list[ExportRow]], info: ExportInfo) -> int:
    for column, (_heading, width) in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"  # written before the first row, in write-only mode
    _print_setup(sheet, "Action tracker", info, "1:1")
    header = []
    for heading in EXPORT_HEADINGS:
        cell = _cell(sheet, heading, BOLD)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    sheet.append(header)
    styles = _RowStyles(sheet)
    count = 0
    for batch in batches:
        for row in batch:
            sheet.append(styles.cells(row))
        count += len(batch)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EXPORT_COLUMNS))}{count + 1}"
    return count


class _RowStyles:
    """The actions' cells, made once and filled again for every row: write-only mode writes a
    row as soon as it is appended, so the same cells serve the next one. Each of the few styles
    they take is made once too, and copied (a short array of numbers) into a cell rather than
    looked up again by openpyxl, which costs more than the rest of writing the cell."""

    def __init__(self, sheet: Any) -> None:
        self.row = [WriteOnlyCell(sheet) for _ in EXPORT_COLUMNS]
        self.top = self._made(sheet, alignment=TOP)
        self.wrap = self._made(sheet, alignment=WRAP)
        self.day = self._made(sheet, alignment=TOP, number_format=XLSX_DATE_FORMAT)
        self.rag = {}
        for colour, (fill, text) in RAG_STYLES.items():
            wraps = len(colour.label) > WIDTHS[RAG_COLUMN - 1]
            self.rag[colour] = self._made(
                sheet,
                alignment=WRAP if wraps else TOP,
                fill=PatternFill(fill_type="solid", start_color=fill, end_color=fill),
                font=Font(bold=True, color=text),
            )

    @staticmethod
    def _made(sheet: Any, **parts: Any) -> Any:
        cell = WriteOnlyCell(sheet)
        for name, value in parts.items():
            setattr(cell, name, value)
        return cell._style

    def cells(self, row: ExportRow) -> list[WriteOnlyCell]:
        for column, (cell, value) in enumerate(zip(self.row, row.values, strict=True)):
            if isinstance(value, str):
                if column == RAG_COLUMN - 1:
                    cell._style = copy(self.rag[row.rag])
                else:
                    cell._style = copy(self.wrap if len(value) > WIDTHS[column] else self.top)
                _write_text(cell, value)  # after the style: it may add Excel's quote prefix
            else:
                cell._style = copy(self.day if isinstance(value, date) else self.top)
                cell.value = value
        return self.row
