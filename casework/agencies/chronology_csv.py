"""Chronologies as CSV: the columns, the agencies' upload template, and the merged export.

Pure functions, no database. Reading an upload is :mod:`casework.agencies.chronology_import`.

The export is what goes back into spreadsheets, so that is where formula injection is
neutralised: a cell that starts with =, +, -, @, a tab or a carriage return gets a leading
apostrophe. Reading a file drops that apostrophe again, so an exported chronology can be uploaded
without change.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time

from casework.core.streaming import csv_chunks

TEMPLATE_COLUMNS = ("date", "time", "practitioner_role", "event", "significance")
EXPORT_COLUMNS = ("date", "time", "agency", "practitioner_role", "event", "significance", "key_episode")

# Excel opens a CSV as UTF-8 only when it starts with a byte order mark: encode downloads with this.
CSV_ENCODING = "utf-8-sig"

# Characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_TEMPLATE_EXAMPLES = (
    (
        "14/03/2023",
        "09:30",
        "Health visitor (example)",
        "EXAMPLE ROW, replace it with your own entries. Home visit to Child A (a fictional child) "
        "and their mother. Child A was seen asleep in a cot; mother said she was coping.",
        "EXAMPLE: first visit after the referral. Child A's father was not seen or asked about.",
    ),
    (
        "02/05/2023",
        "",
        "School nurse (example)",
        "EXAMPLE ROW, replace it with your own entries. Telephone call from Child A's school: "
        "Child A had missed five days that month.",
        "",
    ),
)


@dataclass(frozen=True)
class ChronologyRow:
    occurred_on: date
    occurred_at: time | None
    practitioner_role: str
    event: str
    significance: str


@dataclass(frozen=True)
class ExportRow:
    """One entry of the merged chronology, as the export writes it."""

    occurred_on: date
    occurred_at: time | None
    agency: str
    practitioner_role: str
    event: str
    significance: str
    key_episode: bool


# --- the template and the export ------------------------------------------------------------------


def template_csv() -> str:
    """The template agencies download: the headings and two fictional example rows, CRLF like Excel."""
    return _write_csv(TEMPLATE_COLUMNS, _TEMPLATE_EXAMPLES)


def _export_cells(entry: ExportRow) -> tuple[str, ...]:
    return (
        entry.occurred_on.strftime("%d/%m/%Y"),
        entry.occurred_at.strftime("%H:%M") if entry.occurred_at else "",
        entry.agency,
        entry.practitioner_role,
        entry.event,
        entry.significance,
        "Yes" if entry.key_episode else "No",
    )


def chronology_to_csv(entries: Iterable[ExportRow]) -> str:
    """The merged chronology for spreadsheets, in the order given. Dates are DD/MM/YYYY, times
    HH:MM, and any cell a spreadsheet would run as a formula starts with an apostrophe."""
    return _write_csv(EXPORT_COLUMNS, (_export_cells(entry) for entry in entries))


def chronology_csv_chunks(batches: Iterable[Iterable[ExportRow]]) -> Iterator[bytes]:
    """:func:`chronology_to_csv` as UTF-8 bytes (with the byte order mark Excel needs), a chunk
    per batch of entries, for a chronology of any length."""
    rows = (
        [[spreadsheet_safe(cell) for cell in _export_cells(entry)] for entry in batch] for batch in batches
    )
    return csv_chunks(EXPORT_COLUMNS, rows)


def spreadsheet_safe(value: str) -> str:
    """The cell as a spreadsheet should get it: line breaks as Excel writes them (LF), and an
    apostrophe in front of anything a spreadsheet would read as a formula."""
    text = value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    return f"'{text}" if value.startswith(FORMULA_TRIGGERS) else text


def _write_csv(headings: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return out.getvalue()
