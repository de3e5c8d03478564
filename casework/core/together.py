"""Several small selects of different columns run as one statement (UNION ALL), for a page that
gathers many kinds of thing (a board manager's "Needs your attention"): one round trip instead
of one per kind, whatever the number of kinds.

Each select keeps its own columns: the statement has a column for every column of every select,
each select filling its own and giving typed NULLs for the others' (so both SQLite and
PostgreSQL see one type per column), plus the number of the select a row came from. The rows
come back split by select, with the names of its columns.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, Select, cast, literal_column, null, union_all

from casework.core.extensions import db

PART = "part"


def _columns(query: Select[Any]) -> list[Any]:
    if query._order_by_clauses or query._limit_clause is not None or query._offset_clause is not None:
        raise ValueError("a select run together with others is neither ordered nor limited")
    return list(query.selected_columns)


def run_together(queries: Sequence[Select[Any]]) -> list[list[Any]]:
    """Every row of each query, in one statement: a list of rows per query, in their order.
    Rows are named tuples with the query's column names."""
    if not queries:
        return []
    columns = [_columns(query) for query in queries]
    # Each select's typed NULLs, made once and shared by every other select's part: building them
    # per part cost as many labels as the square of the number of selects.
    nulls = [
        [cast(null(), column.type).label(f"c{number}_{index}") for index, column in enumerate(those)]
        for number, those in enumerate(columns)
    ]
    parts = []
    for number, query in enumerate(queries):
        mine = [column.label(f"c{number}_{index}") for index, column in enumerate(columns[number])]
        selected = [literal_column(str(number), Integer).label(PART)]
        for other in range(len(queries)):
            selected += mine if other == number else nulls[other]
        parts.append(query.with_only_columns(*selected, maintain_column_froms=True))
    shapes = [
        namedtuple(f"Row{number}", query.selected_columns.keys(), rename=True)  # type: ignore[misc]
        for number, query in enumerate(queries)
    ]
    starts = [1 + sum(len(those) for those in columns[:number]) for number in range(len(queries))]
    found: list[list[Any]] = [[] for _ in queries]
    for row in db.session.execute(union_all(*parts)).all():
        number = row[0]
        start = starts[number]
        found[number].append(shapes[number](*row[start : start + len(columns[number])]))
    return found
