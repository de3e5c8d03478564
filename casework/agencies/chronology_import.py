"""Reading an agency's chronology upload (CSV).

Pure functions, no database. An upload is all or nothing: ``parse_chronology_csv`` returns every
row, or raises ``ChronologyCsvError`` listing every problem it found (row numbers as a spreadsheet
shows them: the heading row is row 1), so the agency can fix the file and upload it again.

Text is imported as typed; it is stored as data and escaped wherever it is shown. The apostrophe
the export puts in front of a would-be formula is dropped again.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import NoReturn

from casework.agencies.chronology_csv import TEMPLATE_COLUMNS, ChronologyRow
from casework.core.errors import DomainError

MAX_ROLE_LENGTH = 200
MAX_TEXT_LENGTH = 5000
MAX_PROBLEMS = 100  # listed one by one; the rest are counted
EARLIEST_YEAR = 1900

SAVE_AS_CSV_UTF8 = (
    'In Excel, choose File > Save As and pick "CSV UTF-8 (Comma delimited) (*.csv)" as the file type, '
    "then upload the new file."
)

_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d+)")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_HOURS_MINUTES = re.compile(r"(\d{1,2}):(\d{2})")
_DATE_FORMAT_HINT = "Enter the date as day/month/year, for example 31/12/2025"


@dataclass(frozen=True)
class CsvProblem:
    """One thing wrong with an upload. ``row`` counts as a spreadsheet does (the headings are row
    1); ``row`` and ``column`` are None for a problem with the whole file."""

    row: int | None
    column: str | None
    message: str


class ChronologyCsvError(DomainError):
    """The upload was refused: ``problems`` says why, ``summary`` is the line for the top of the page.

    ``total`` counts every problem found; past ``MAX_PROBLEMS`` the list ends with one entry that
    says how many more there are."""

    def __init__(self, problems: Sequence[CsvProblem], total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = len(self.problems) if total is None else total
        super().__init__(self.summary)

    @property
    def summary(self) -> str:
        noun = "problem" if self.total == 1 else "problems"
        return f"The file has {self.total:,} {noun}. Nothing from it has been imported."


def parse_chronology_csv(
    data: bytes, *, today: date, max_rows: int = 5000, max_bytes: int = 5 * 1024 * 1024
) -> list[ChronologyRow]:
    """Every entry in an uploaded file, or ChronologyCsvError listing everything wrong with it."""
    if len(data) > max_bytes:
        _refuse(
            f"The file is larger than {_size(max_bytes)}, which is the largest file that can be uploaded. "
            "Split the chronology into smaller files."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _refuse(f'The file is saved as "Unicode Text" (UTF-16), not as CSV UTF-8. {SAVE_AS_CSV_UTF8}')
    if b"\x00" in data:
        if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            _refuse(f"The file is an Excel workbook, not a CSV file. {SAVE_AS_CSV_UTF8}")
        _refuse(
            "The file contains binary data, so it is not a CSV file saved as UTF-8 text. " + SAVE_AS_CSV_UTF8
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        _refuse(
            "The file is not saved as UTF-8 text: there is a character that cannot be read on line "
            f"{line:,} (often £, é or a curly quote saved in another encoding). {SAVE_AS_CSV_UTF8}"
        )
    return parse_chronology_lines(io.StringIO(text, newline=""), today=today, max_rows=max_rows)


def parse_chronology_lines(lines: Iterable[str], *, today: date, max_rows: int = 5000) -> list[ChronologyRow]:
    """The rows of text already decoded, read lazily: ``lines`` may be any iterable of lines with
    their line endings (a generator, a text file opened with newline=""). Reading stops as soon as
    there are more than ``max_rows`` entries. ``parse_chronology_csv`` is the way in for uploads."""
    records = _Records(lines)
    problems = _Problems()
    rows: list[ChronologyRow] = []
    try:
        header = next((cells for cells in records if not _blank(cells)), None)
        if header is None:
            _refuse("The file is empty. Fill in the template and upload it again.")
        layout = _read_headings(records.number, header, problems)
        if layout is None:
            problems.refuse()
        entries = 0
        for cells in records:
            if _blank(cells):
                continue  # Excel's trailing empty rows, or a gap in the sheet
            entries += 1
            if entries > max_rows:
                _refuse(
                    f"The file has more than {max_rows:,} entries, which is the most one file can hold. "
                    "Split the chronology into smaller files."
                )
            row = _read_row(records.number, cells, layout, today, problems)
            if row is not None:
                rows.append(row)
    except _BinaryTextError:
        _refuse("The file contains binary data, so it is not a CSV file. " + SAVE_AS_CSV_UTF8)
    except csv.Error as error:
        _refuse(_unreadable(records.number + 1, error))
    if problems.total:
        problems.refuse()
    if not rows:
        _refuse("The file has the headings but no entries. Add the entries under the headings.")
    return rows


class _Records:
    """The CSV records of some lines, counting them as a spreadsheet numbers its rows."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._reader = csv.reader(_text_lines(lines))
        self.number = 0  # the row just read

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def __next__(self) -> list[str]:
        cells = next(self._reader)
        self.number += 1
        return cells


@dataclass(frozen=True)
class _Layout:
    width: int  # cells in the heading row
    positions: dict[str, int]  # template column -> index
    unnamed: tuple[int, ...]  # indexes of cells with no heading


class _Problems:
    def __init__(self) -> None:
        self.listed: list[CsvProblem] = []
        self.total = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.listed) < MAX_PROBLEMS:
            self.listed.append(CsvProblem(row, column, message))

    def refuse(self) -> NoReturn:
        listed = list(self.listed)
        hidden = self.total - len(listed)
        if hidden:
            noun = "problem" if hidden == 1 else "problems"
            listed.append(
                CsvProblem(
                    None,
                    None,
                    f"And {hidden:,} more {noun}. Fix the ones listed and upload the file again to see them.",
                )
            )
        raise ChronologyCsvError(listed, total=self.total)


class _BinaryTextError(Exception):
    pass


def _refuse(message: str) -> NoReturn:
    raise ChronologyCsvError([CsvProblem(None, None, message)])


def _text_lines(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        if "\x00" in line:
            raise _BinaryTextError
        yield line


def _blank(cells: list[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def _heading(cell: str) -> str:
    return cell.replace("\ufeff", "").strip().lower()


def _read_headings(number: int, cells: list[str], problems: _Problems) -> _Layout | None:
    positions: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    unnamed: list[int] = []
    for index, cell in enumerate(cells):
        name = _heading(cell)
        if not name:
            unnamed.append(index)
        elif name not in TEMPLATE_COLUMNS:
            unknown.append(_shown(cell.replace("\ufeff", "").strip()))
        elif name in positions:
            repeated.append(name)
        else:
            positions[name] = index
    expected = ", ".join(TEMPLATE_COLUMNS)
    if not positions:
        problems.add(
            number,
            None,
            f"The first row must be the headings from the template ({expected}), "
            "but it has none of them. Download the template and copy your entries into it.",
        )
        return None
    missing = [name for name in TEMPLATE_COLUMNS if name not in positions]
    for message in _heading_problems(missing, unknown, repeated, expected):
        problems.add(number, None, message)
    if problems.total:
        return None
    return _Layout(len(cells), positions, tuple(unnamed))


def _heading_problems(
    missing: list[str], unknown: list[str], repeated: list[str], expected: str
) -> Iterator[str]:
    """What is wrong with a heading row that has some of the template's headings: each a
    problem of the row as a whole, in this order."""
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        yield (
            f"The file is missing the {noun} {_names(missing)}. The headings must be: {expected}. "
            "The time and significance cells can be left blank, but the columns must be there."
        )
    if unknown:
        noun = "a column" if len(unknown) == 1 else "columns"
        yield (
            f"The file has {noun} that the template does not have: {_names(unknown)}. "
            f"Remove {'it' if len(unknown) == 1 else 'them'}, or correct the heading. "
            f"The headings must be: {expected}."
        )
    if repeated:
        yield f"These headings appear more than once: {_names(sorted(set(repeated)))}."


def _read_row(
    number: int, cells: list[str], layout: _Layout, today: date, problems: _Problems
) -> ChronologyRow | None:
    before = problems.total
    if len(cells) != layout.width:
        problems.add(
            number,
            None,
            f"This row has {_cells(len(cells))} but the heading row has {_cells(layout.width)}. "
            "Check for a missing or extra comma, or a quotation mark that is not closed.",
        )
        return None
    for index in layout.unnamed:
        if cells[index].strip():
            problems.add(
                number,
                None,
                f"Column {_column_letter(index)} has no heading, so what is in it cannot be imported. "
                "Delete it, or move it into one of the template's columns.",
            )

    def value(column: str) -> str:
        return _imported_text(cells[layout.positions[column]])

    occurred_on = _read_date(number, value("date"), today, problems)
    occurred_at = _read_time(number, value("time"), problems)
    role = value("practitioner_role")
    event = value("event")
    significance = value("significance")
    if not role:
        problems.add(number, "practitioner_role", "Enter the practitioner's role.")
    _check_length(number, "practitioner_role", "The practitioner's role", role, MAX_ROLE_LENGTH, problems)
    if not event:
        problems.add(number, "event", "Enter what happened.")
    _check_length(number, "event", "What happened", event, MAX_TEXT_LENGTH, problems)
    _check_length(number, "significance", "The significance", significance, MAX_TEXT_LENGTH, problems)
    if problems.total != before or occurred_on is None:
        return None
    return ChronologyRow(occurred_on, occurred_at, role, event, significance)


def _imported_text(cell: str) -> str:
    """The cell as typed, trimmed, line breaks as LF, and without the apostrophe our own export
    puts in front of a would-be formula."""
    text = cell.strip().replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\n":
        text = text[1:].strip()
    return text


def _read_date(number: int, text: str, today: date, problems: _Problems) -> date | None:
    if not text:
        problems.add(number, "date", "Enter the date.")
        return None
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = match.groups()
        if len(year) == 2:
            problems.add(number, "date", f'Write the year in full in "{text}", for example 31/12/2025.')
            return None
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    else:
        problems.add(number, "date", f'"{_shown(text)}" is not a date. {_DATE_FORMAT_HINT}.')
        return None
    try:
        occurred_on = date(int(year), int(month), int(day))
    except ValueError:
        problems.add(
            number,
            "date",
            f'"{_shown(text)}" is not a real date. {_DATE_FORMAT_HINT}, with the day first.',
        )
        return None
    if occurred_on.year < EARLIEST_YEAR:
        problems.add(number, "date", f'"{text}" is before {EARLIEST_YEAR}. Check the year.')
        return None
    if occurred_on > today:
        problems.add(number, "date", f'"{text}" is in the future. Check the date.')
        return None
    return occurred_on


def _read_time(number: int, text: str, problems: _Problems) -> time | None:
    if not text:
        return None
    match = _HOURS_MINUTES.fullmatch(text)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    problems.add(
        number,
        "time",
        f'"{_shown(text)}" is not a time. Enter the time as HH:MM on the 24-hour clock, '
        "for example 14:30, or leave it blank.",
    )
    return None


def _check_length(number: int, column: str, what: str, text: str, limit: int, problems: _Problems) -> None:
    if len(text) > limit:
        problems.add(
            number,
            column,
            f"{what} must be {limit:,} characters or fewer; this one has {len(text):,}.",
        )


def _unreadable(number: int, error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return (
            f"Row {number:,} cannot be read: it has a cell of more than {csv.field_size_limit():,} "
            "characters, which usually means a quotation mark that is not closed."
        )
    return f"Row {number:,} cannot be read as CSV ({error}). {SAVE_AS_CSV_UTF8}"


def _names(names: Iterable[str]) -> str:
    quoted = [f'"{name}"' for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _cells(count: int) -> str:
    return f"{count} cell" if count == 1 else f"{count} cells"


def _shown(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):,.1f} MB".replace(".0 MB", " MB")
    if count >= 1024:
        return f"{count / 1024:,.1f} KB".replace(".0 KB", " KB")
    return f"{count:,} bytes"
