"""Long lists read and written a batch at a time: the rows of one query as they come from the
database (a server-side cursor on PostgreSQL), and CSV files written a chunk per batch, so an
export of any length holds one batch in memory and may start reaching the browser at once."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Row, Select

from casework.core.extensions import db

BATCH = 1000
# The byte order mark makes Excel read the file as UTF-8; the encoder writes it once, at the start.
CSV_ENCODING = "utf-8-sig"


def batches_of(query: Select[Any], batch: int | None = None) -> Iterator[Sequence[Row[Any]]]:
    """The query's rows, ``batch`` (BATCH) at a time, as plain rows (no ORM objects: select
    columns). Run on the session's connection, in its transaction, when the first batch is
    asked for."""
    size = batch or BATCH
    result = db.session.connection().execute(query, execution_options={"yield_per": size})
    yield from result.partitions(size)


def csv_chunks(headings: Sequence[str], batches: Iterable[Iterable[Sequence[Any]]]) -> Iterator[bytes]:
    """A CSV file as bytes, a chunk per batch of rows: UTF-8 with its byte order mark, CRLF line
    ends (what spreadsheets expect), None written as an empty cell. The cells are written as
    given: making text safe for spreadsheets is the caller's."""
    encoder = codecs.getincrementalencoder(CSV_ENCODING)()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    for rows in batches:
        writer.writerows(rows)
        yield encoder.encode(out.getvalue())
        out.seek(0)
        out.truncate()
    yield encoder.encode(out.getvalue(), final=True)
