"""Chronology CSV: the template, reading uploads (all or nothing, every problem with its
spreadsheet row and column) and the merged export, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, time

import pytest

from casework.agencies.chronology_csv import (
    CSV_ENCODING,
    EXPORT_COLUMNS,
    TEMPLATE_COLUMNS,
    ChronologyRow,
    ExportRow,
    chronology_csv_chunks,
    chronology_to_csv,
    template_csv,
)
from casework.agencies.chronology_import import (
    MAX_PROBLEMS,
    ChronologyCsvError,
    CsvProblem,
    parse_chronology_csv,
    parse_chronology_lines,
)
from casework.core.errors import DomainError

TODAY = date(2025, 6, 30)
HEADER = ",".join(TEMPLATE_COLUMNS)
GOOD = "03/02/2025,09:30,Health visitor,Home visit,Routine"
GOOD_ROW = ChronologyRow(date(2025, 2, 3), time(9, 30), "Health visitor", "Home visit", "Routine")


def lines(*rows: str, header: str = HEADER, newline: str = "\r\n") -> bytes:
    return "".join(f"{row}{newline}" for row in (header, *rows)).encode()


def written(*rows: Sequence[str], header: Sequence[str] = TEMPLATE_COLUMNS) -> bytes:
    """A file as the csv module (or Excel) quotes it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode()


def parse(data: bytes, **limits: int) -> list[ChronologyRow]:
    return parse_chronology_csv(data, today=TODAY, **limits)


def refused(data: bytes, **limits: int) -> ChronologyCsvError:
    with pytest.raises(ChronologyCsvError) as caught:
        parse(data, **limits)
    return caught.value


def only_problem(data: bytes, **limits: int) -> CsvProblem:
    error = refused(data, **limits)
    assert len(error.problems) == 1, error.problems
    return error.problems[0]


# --- the template ---------------------------------------------------------------------------


def test_template_columns() -> None:
    assert TEMPLATE_COLUMNS == ("date", "time", "practitioner_role", "event", "significance")


def test_template_is_plain_csv_with_crlf_line_endings() -> None:
    text = template_csv()
    assert text.endswith("\r\n")
    assert text.count("\n") == text.count("\r\n") == 3  # headings and two rows, no comments
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert records[0] == list(TEMPLATE_COLUMNS)
    assert all(len(record) == len(TEMPLATE_COLUMNS) for record in records)
    assert all("EXAMPLE" in record[3] for record in records[1:])


def test_template_parses_back_to_its_two_example_rows() -> None:
    text = template_csv()
    rows = parse(text.encode(CSV_ENCODING))
    examples = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert len(rows) == 2
    for row, cells in zip(rows, examples, strict=True):
        assert row.occurred_on.strftime("%d/%m/%Y") == cells[0]
        assert row.occurred_on < TODAY
        assert (row.occurred_at.strftime("%H:%M") if row.occurred_at else "") == cells[1]
        assert [row.practitioner_role, row.event, row.significance] == cells[2:]
    assert rows[0].occurred_at == time(9, 30)
    assert rows[1].occurred_at is None
    assert rows[1].significance == ""


# --- what is accepted -------------------------------------------------------------------------


def test_a_plain_file() -> None:
    assert parse(lines(GOOD)) == [GOOD_ROW]


def test_an_excel_file_with_a_bom_crlf_quotes_accents_and_trailing_empty_rows() -> None:
    data = (
        "\ufeffdate,time,practitioner_role,event,significance\r\n"
        '1/2/2025,14:05,"Social worker, assessment team",'
        '"Visit to Chloé; £20 food voucher given, ""urgent""",\r\n'
        ",,,,\r\n"
        ",,,,\r\n"
        "\r\n"
    ).encode()
    assert parse(data) == [
        ChronologyRow(
            date(2025, 2, 1),
            time(14, 5),
            "Social worker, assessment team",
            'Visit to Chloé; £20 food voucher given, "urgent"',
            "",
        )
    ]


def test_a_quoted_event_over_several_lines() -> None:
    data = lines('2025-02-03,,GP,"Appointment.\r\nMother said:\r\n""he is fine, really""",Missed cue')
    [row] = parse(data)
    assert row.event == 'Appointment.\nMother said:\n"he is fine, really"'
    assert row.occurred_on == date(2025, 2, 3)


def test_lf_line_endings_and_no_final_newline() -> None:
    assert parse(f"{HEADER}\n{GOOD}".encode()) == [GOOD_ROW]


def test_columns_in_any_order_and_headings_in_any_case() -> None:
    data = lines(
        "Home visit, Routine ,  Health visitor ,09:30, 03/02/2025 ",
        header="\ufeff Event ,SIGNIFICANCE,Practitioner_Role,  time,Date",
    )
    assert parse(data) == [GOOD_ROW]


def test_bom_before_a_quoted_heading() -> None:
    data = '\ufeff"date","time","practitioner_role","event","significance"\r\n' + GOOD + "\r\n"
    assert parse(data.encode()) == [GOOD_ROW]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/02/2025", date(2025, 2, 3)),
        ("3/2/2025", date(2025, 2, 3)),
        ("2025-02-03", date(2025, 2, 3)),
        ("29/02/2024", date(2024, 2, 29)),
        ("30/06/2025", TODAY),
        ("01/01/1900", date(1900, 1, 1)),
    ],
)
def test_dates_accepted(text: str, expected: date) -> None:
    [row] = parse(lines(f"{text},,Nurse,Visit,"))
    assert row.occurred_on == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", None), ("00:00", time(0, 0)), ("9:05", time(9, 5)), ("09:05", time(9, 5)), ("23:59", time(23, 59))],
)
def test_times_accepted(text: str, expected: time | None) -> None:
    [row] = parse(lines(f"03/02/2025,{text},Nurse,Visit,"))
    assert row.occurred_at == expected


def test_text_at_the_limits_and_trimmed() -> None:
    role, event, significance = "r" * 200, "e" * 5000, "s" * 5000
    [row] = parse(written(["  03/02/2025 ", " 09:30 ", f"  {role}\t", f"\n{event}  ", f" {significance} "]))
    assert (row.practitioner_role, row.event, row.significance) == (role, event, significance)
    assert row.occurred_at == time(9, 30)


def test_text_that_looks_like_a_formula_is_kept_as_typed() -> None:
    [row] = parse(written(["03/02/2025", "", '=HYPERLINK("x")', "+44 7700 900000", "@mention -1"]))
    assert (row.practitioner_role, row.event, row.significance) == (
        '=HYPERLINK("x")',
        "+44 7700 900000",
        "@mention -1",
    )


def test_the_exports_apostrophe_is_dropped_but_other_apostrophes_are_kept() -> None:
    [row] = parse(written(["03/02/2025", "", "'=1+1", "'- bullet", "'quoted' text"]))
    assert (row.practitioner_role, row.event, row.significance) == ("=1+1", "- bullet", "'quoted' text")


def test_blank_rows_are_skipped_but_still_counted_as_rows() -> None:
    data = lines("", GOOD, ",,,,", "   ,  ,,,", "03/02/2025,,Nurse,,")
    problem = only_problem(data)
    assert (problem.row, problem.column) == (6, "event")


def test_blank_rows_before_the_headings() -> None:
    data = b"\r\n,,,,\r\n" + lines("03/02/2025,,,Visit,")
    problem = only_problem(data)
    assert (problem.row, problem.column) == (4, "practitioner_role")


def test_an_unheaded_empty_column_from_excel_is_ignored() -> None:
    assert parse(lines(f"{GOOD},", ",,,,,", header=f"{HEADER},")) == [GOOD_ROW]


# --- refusals of the whole file ------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b"\xef\xbb\xbf", b",,,,\r\n,,,,\r\n", b"   \n"])
def test_an_empty_file(data: bytes) -> None:
    problem = only_problem(data)
    assert problem == CsvProblem(None, None, problem.message)
    assert "The file is empty" in problem.message


@pytest.mark.parametrize("data", [lines(), lines("", ",,,,", ""), HEADER.encode()])
def test_headings_and_no_entries(data: bytes) -> None:
    problem = only_problem(data)
    assert problem.row is None
    assert "no entries" in problem.message


def test_latin_1_is_refused_with_the_way_to_save_as_utf_8() -> None:
    data = f"{HEADER}\r\n{GOOD}\r\n03/02/2025,,Nurse,Paid £20 to Zoë,\r\n".encode("latin-1")
    problem = only_problem(data)
    assert problem.row is None
    assert "not saved as UTF-8" in problem.message
    assert "line 3" in problem.message
    assert "CSV UTF-8" in problem.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf_16_is_refused(encoding: str) -> None:
    problem = only_problem(lines(GOOD).decode().encode(encoding))
    assert problem.row is None
    assert "CSV UTF-8" in problem.message


def test_a_nul_byte_is_binary_content() -> None:
    problem = only_problem(lines("03/02/2025,,Nurse,Visit\x00,"))
    assert problem.row is None
    assert "binary" in problem.message


def test_an_excel_workbook_is_named_as_one() -> None:
    problem = only_problem(b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + b"\x00" * 20)
    assert "Excel workbook" in problem.message
    assert "CSV UTF-8" in problem.message


def test_a_file_over_the_size_limit() -> None:
    data = lines(*[GOOD] * 100)
    assert len(data) > 2048
    problem = only_problem(data, max_bytes=2048)
    assert problem.row is None
    assert "2 KB" in problem.message
    assert parse(data, max_bytes=len(data)) == [GOOD_ROW] * 100


def test_the_default_size_limit_is_5_mb() -> None:
    problem = only_problem(b"x" * (5 * 1024 * 1024 + 1))
    assert "5 MB" in problem.message


def test_the_row_limit_counts_entries_not_blank_rows() -> None:
    assert len(parse(lines(GOOD, GOOD, "", ",,,,", GOOD), max_rows=3)) == 3
    problem = only_problem(lines(GOOD, GOOD, GOOD, GOOD), max_rows=3)
    assert problem.row is None
    assert "more than 3 entries" in problem.message


def test_a_100000_row_file_is_refused_for_its_rows() -> None:
    """Refused at the row limit (the next test proves reading stops there; times live in the
    benchmark, not in tests)."""
    data = lines(*["03/02/2025,,Nurse,Visit,"] * 100_000)
    assert len(data) < 5 * 1024 * 1024  # refused for its rows, not its size
    problem = only_problem(data)
    assert "more than 5,000 entries" in problem.message


def test_reading_stops_at_the_row_limit() -> None:
    consumed = 0

    def endless() -> Iterator[str]:
        nonlocal consumed
        consumed += 1
        yield HEADER + "\r\n"
        for _ in range(100_000):
            consumed += 1
            yield GOOD + "\r\n"

    with pytest.raises(ChronologyCsvError) as caught:
        parse_chronology_lines(endless(), today=TODAY, max_rows=5000)
    assert "more than 5,000 entries" in caught.value.problems[0].message
    assert consumed == 1 + 5001


def test_rows_above_the_limit_are_not_checked() -> None:
    error = refused(lines(GOOD, GOOD, "not a date,,,,", "not a date,,,,"), max_rows=2)
    assert [problem.row for problem in error.problems] == [None]


def test_an_unclosed_quote_that_swallows_the_file() -> None:
    data = lines(GOOD, '03/02/2025,,Nurse,"Visit,', *["x" * 1000] * 140)
    problem = only_problem(data)
    assert problem.row is None
    assert "Row 3 cannot be read" in problem.message
    assert "quotation mark" in problem.message


def test_missing_columns_are_named() -> None:
    problem = only_problem(lines("03/02/2025,Nurse,Visit", header="date,practitioner_role,event"))
    assert (problem.row, problem.column) == (1, None)
    assert 'missing the columns "time" and "significance"' in problem.message


def test_unknown_columns_are_named_as_written() -> None:
    problem = only_problem(lines(f"{GOOD},x,y", header=f"{HEADER}, Notes ,Outcome"))
    assert (problem.row, problem.column) == (1, None)
    assert '"Notes" and "Outcome"' in problem.message


def test_missing_and_unknown_columns_together() -> None:
    error = refused(lines("03/02/2025,,Nurse,Visit,", header="date,time,role,event,significance"))
    assert [(p.row, p.column) for p in error.problems] == [(1, None), (1, None)]
    assert '"practitioner_role"' in error.problems[0].message
    assert '"role"' in error.problems[1].message
    assert error.summary == "The file has 2 problems. Nothing from it has been imported."


def test_a_repeated_heading() -> None:
    problem = only_problem(lines(f"{GOOD},x", header=f"{HEADER},Event"))
    assert (problem.row, problem.column) == (1, None)
    assert '"event"' in problem.message


def test_a_file_without_its_heading_row() -> None:
    problem = only_problem(f"{GOOD}\r\n{GOOD}\r\n".encode())
    assert (problem.row, problem.column) == (1, None)
    assert "headings" in problem.message


def test_the_export_itself_is_refused_for_its_extra_columns() -> None:
    export = chronology_to_csv([ExportRow(date(2025, 2, 3), None, "Police", "PC", "Visit", "", False)])
    problem = only_problem(export.encode(CSV_ENCODING))
    assert '"agency" and "key_episode"' in problem.message


# --- refusals of rows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (",,Nurse,Visit,", "date", "Enter the date"),
        ("31/02/2025,,Nurse,Visit,", "date", '"31/02/2025" is not a real date'),
        ("12/31/2024,,Nurse,Visit,", "date", '"12/31/2024" is not a real date'),
        ("00/01/2025,,Nurse,Visit,", "date", "is not a real date"),
        ("2025-13-01,,Nurse,Visit,", "date", "is not a real date"),
        ("03/02/25,,Nurse,Visit,", "date", "Write the year in full"),
        ("03-02-2025,,Nurse,Visit,", "date", '"03-02-2025" is not a date'),
        ("3 Feb 2025,,Nurse,Visit,", "date", "day/month/year"),
        ("45691,,Nurse,Visit,", "date", "is not a date"),
        ("03/02/2025 10:00,,Nurse,Visit,", "date", "is not a date"),
        ("01/07/2025,,Nurse,Visit,", "date", '"01/07/2025" is in the future'),
        ("2030-01-01,,Nurse,Visit,", "date", "is in the future"),
        ("31/12/1899,,Nurse,Visit,", "date", "before 1900"),
        ("0001-01-01,,Nurse,Visit,", "date", "before 1900"),
        ("03/02/2025,24:00,Nurse,Visit,", "time", '"24:00" is not a time'),
        ("03/02/2025,12:60,Nurse,Visit,", "time", "HH:MM"),
        ("03/02/2025,9.30,Nurse,Visit,", "time", "HH:MM"),
        ("03/02/2025,930,Nurse,Visit,", "time", "HH:MM"),
        ("03/02/2025,2:30 PM,Nurse,Visit,", "time", "24-hour clock"),
        ("03/02/2025,09:30:00,Nurse,Visit,", "time", "HH:MM"),
        ("03/02/2025,,,Visit,", "practitioner_role", "Enter the practitioner's role"),
        ("03/02/2025,,   ,Visit,", "practitioner_role", "Enter the practitioner's role"),
        (f"03/02/2025,,{'r' * 201},Visit,", "practitioner_role", "200 characters or fewer; this one has 201"),
        ("03/02/2025,,Nurse,,", "event", "Enter what happened"),
        (f"03/02/2025,,Nurse,{'e' * 5001},", "event", "5,000 characters or fewer; this one has 5,001"),
        (f"03/02/2025,,Nurse,Visit,{'s' * 5001}", "significance", "5,000 characters or fewer"),
        ("03/02/2025,,Nurse,Visit", None, "This row has 4 cells but the heading row has 5 cells"),
        ("03/02/2025,,Nurse,Visit,,", None, "This row has 6 cells but the heading row has 5 cells"),
        ("03/02/2025,,Nurse,Visit, with a comma,", None, "6 cells"),
    ],
)
def test_a_row_refused_with_its_row_and_column(row: str, column: str | None, message: str) -> None:
    error = refused(lines(GOOD, row, GOOD))
    assert len(error.problems) == 1, error.problems
    problem = error.problems[0]
    assert (problem.row, problem.column) == (3, column)
    assert message in problem.message
    assert error.summary == "The file has 1 problem. Nothing from it has been imported."


def test_row_numbers_count_the_lines_of_a_multi_line_cell_as_one_row() -> None:
    problem = only_problem(lines('03/02/2025,,Nurse,"one\r\ntwo\r\nthree",', "03/02/2025,,,Visit,"))
    assert (problem.row, problem.column) == (3, "practitioner_role")


def test_something_under_a_column_without_a_heading() -> None:
    problem = only_problem(lines(f"{GOOD},", f"{GOOD},stray note", header=f"{HEADER},"))
    assert (problem.row, problem.column) == (3, None)
    assert "Column F has no heading" in problem.message


def test_every_problem_of_every_row_is_listed_in_order() -> None:
    data = lines(
        ",,31/02/2025,7pm,",
        "Visit,Routine,03/02/2025,09:30,Nurse",
        "Visit,Routine,03/02/2025",
        f"Visit,{'s' * 5001},2099-01-01,,Nurse",
        header="event,significance,date,time,practitioner_role",
    )
    error = refused(data)
    assert [(p.row, p.column) for p in error.problems] == [
        (2, "date"),
        (2, "time"),
        (2, "practitioner_role"),
        (2, "event"),
        (4, None),
        (5, "date"),
        (5, "significance"),
    ]
    assert error.total == 7
    assert error.summary == "The file has 7 problems. Nothing from it has been imported."


def test_more_than_a_hundred_problems_ends_with_a_count_of_the_rest() -> None:
    error = refused(lines(*[GOOD] * 10, *["03/02/2025,,,Visit,"] * 150))
    assert error.total == 150
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert error.problems[MAX_PROBLEMS - 1] == CsvProblem(
        MAX_PROBLEMS + 11, "practitioner_role", "Enter the practitioner's role."
    )
    assert error.problems[-1].row is None
    assert error.problems[-1].message.startswith("And 50 more problems.")
    assert error.summary == "The file has 150 problems. Nothing from it has been imported."


def test_the_error_is_a_domain_error_whose_message_is_the_summary() -> None:
    error = refused(lines("03/02/2025,,,Visit,"))
    assert isinstance(error, DomainError)
    assert error.message == str(error) == error.summary


# --- the merged export ---------------------------------------------------------------------


def test_the_export() -> None:
    text = chronology_to_csv(
        [
            ExportRow(date(2025, 2, 3), time(9, 5), "Police", "PC", "Called to the home", "", True),
            ExportRow(date(2025, 2, 4), None, "Health", "GP", "Appointment, missed", "First DNA", False),
        ]
    )
    assert text == (
        "date,time,agency,practitioner_role,event,significance,key_episode\r\n"
        "03/02/2025,09:05,Police,PC,Called to the home,,Yes\r\n"
        '04/02/2025,,Health,GP,"Appointment, missed",First DNA,No\r\n'
    )
    assert chronology_to_csv([]) == ",".join(EXPORT_COLUMNS) + "\r\n"


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://example.com","click")', '\'=HYPERLINK("http://example.com","click")'),
        ("+44 7700 900000", "'+44 7700 900000"),
        ("-2 days", "'-2 days"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\ncmd"),
        ("Normal text", "Normal text"),
        ("a=b, c+d", "a=b, c+d"),
        ("'already quoted", "'already quoted"),
        ("", ""),
    ],
)
def test_the_export_neutralises_formulas_in_every_text_cell(text: str, cell: str) -> None:
    export = chronology_to_csv([ExportRow(date(2025, 2, 3), None, text, text, text, text, False)])
    [_, row] = list(csv.reader(io.StringIO(export, newline="")))
    assert row[2:6] == [cell] * 4


def test_line_breaks_in_the_export_are_lf_inside_quotes() -> None:
    export = chronology_to_csv(
        [ExportRow(date(2025, 2, 3), None, "Police", "PC", "one\r\ntwo\rthree", "", False)]
    )
    assert '"one\ntwo\nthree"' in export


def drop_columns(exported: str, *names: str) -> bytes:
    """One agency's rows of an export, as the template: without the columns named."""
    records = list(csv.reader(io.StringIO(exported, newline="")))
    keep = [index for index, name in enumerate(records[0]) if name not in names]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[record[i] for i in keep] for record in records])
    return out.getvalue().encode(CSV_ENCODING)


def test_an_exported_agency_chronology_reads_back_unchanged() -> None:
    rows = [
        ChronologyRow(date(2025, 2, 3), time(9, 5), "PC", 'Called to the home, "shouting" reported', ""),
        ChronologyRow(date(1999, 12, 31), None, "=cmd|' /C calc'!A0", "- bullet\n- list", "+ more"),
        ChronologyRow(TODAY, time(23, 59), "@team", "Line one\nLine two", "-1 point\n=2"),
        ChronologyRow(date(2025, 1, 1), time(0, 0), "Nurse", "Visit (£20, Zoë)", "Tab\tinside"),
    ]
    export = chronology_to_csv(
        ExportRow(
            r.occurred_on, r.occurred_at, "Police", r.practitioner_role, r.event, r.significance, i == 0
        )
        for i, r in enumerate(rows)
    )
    assert parse(drop_columns(export, "agency", "key_episode")) == rows


def test_the_streamed_export_is_the_same_file_written_a_chunk_per_batch() -> None:
    entries = [
        ExportRow(
            date(2025, 2, n), time(9, n) if n % 2 else None, "Police", "PC", f"=Visit {n}", "", n % 3 == 0
        )
        for n in range(1, 8)
    ]
    chunks = list(chronology_csv_chunks([entries[:3], entries[3:6], entries[6:]]))
    assert len(chunks) == 4  # one per batch, then the end
    assert chunks[0].startswith(b"\xef\xbb\xbf") and b"".join(chunks[1:]).count(b"\xef\xbb\xbf") == 0
    assert b"".join(chunks) == ("\ufeff" + chronology_to_csv(entries)).encode()
    assert b"".join(chunks).count(b"'=Visit") == 7
