"""The action tracker: the actions a user may see, filtered, counted and sorted in the database,
and the same list as a CSV file or an Excel workbook.

Filters come from the query string and a value that makes no sense is ignored rather than
refused: a link that was right yesterday (a theme since removed, a typed URL) still shows a list.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import ColumnElement, Select, case, exists, func, select
from sqlalchemy.orm import aliased, selectinload

from casework.actions.models import Action, ActionStatus, Recommendation, Theme, recommendation_themes
from casework.actions.rag import Rag, is_overdue, overdue_sql, rag_of, rag_sql
from casework.agencies.chronology_csv import FORMULA_TRIGGERS, spreadsheet_safe
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.request_guards import as_id, page_number
from casework.core.timeutil import UK
from casework.reviews.models import Review

PAGE_SIZE = 25
PARTNERSHIP = "partnership"
PARTNERSHIP_LABEL = "The partnership"
SORT_KEYS = ("deadline", "review", "agency", "owner", "status", "rag")
DEFAULT_SORT = "deadline"

# The order an action moves through, so sorting by status reads as progress rather than A to Z.
STATUS_ORDER = {status: index for index, status in enumerate(ActionStatus)}
# Worst first when ascending.
RAG_ORDER = {colour: index for index, colour in enumerate(Rag)}


def _whole_number(value: str | None) -> int | None:
    # No larger than an id column holds: PostgreSQL refuses a larger number rather than finding nothing.
    return as_id(value)


@dataclass(frozen=True)
class TrackerFilters:
    review_id: int | None = None
    agency: int | Literal["partnership"] | None = None  # an agency's id, the partnership, or any
    owner_id: int | None = None
    status: ActionStatus | None = None
    rag: Rag | None = None
    overdue: bool = False
    theme_id: int | None = None
    sort: str = DEFAULT_SORT
    descending: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> TrackerFilters:
        agency_arg = (args.get("agency") or "").strip()
        agency: int | Literal["partnership"] | None = (
            PARTNERSHIP if agency_arg == PARTNERSHIP else _whole_number(agency_arg)
        )
        status_arg, rag_arg = args.get("status") or "", args.get("rag") or ""
        sort = args.get("sort") or ""
        return cls(
            review_id=_whole_number(args.get("review")),
            agency=agency,
            owner_id=_whole_number(args.get("owner")),
            status=ActionStatus(status_arg) if status_arg in set(ActionStatus) else None,
            rag=Rag(rag_arg) if rag_arg in set(Rag) else None,
            overdue=args.get("overdue") in ("1", "yes", "true", "on"),
            theme_id=_whole_number(args.get("theme")),
            sort=sort if sort in SORT_KEYS else DEFAULT_SORT,
            descending=args.get("dir") == "desc",
            page=page_number(args.get("page")),
        )

    @property
    def any_set(self) -> bool:
        """Whether anything narrows the list (sorting and paging do not)."""
        return bool(self.filter_args())

    def filter_args(self) -> dict[str, str]:
        """The query-string arguments of the filters alone."""
        values = {
            "review": self.review_id,
            "agency": self.agency,
            "owner": self.owner_id,
            "status": self.status.value if self.status else None,
            "rag": self.rag.value if self.rag else None,
            "overdue": "1" if self.overdue else None,
            "theme": self.theme_id,
        }
        return {name: str(value) for name, value in values.items() if value is not None}

    def args(self, **changes: Any) -> dict[str, str]:
        """The query-string arguments that give this list (with ``changes``), defaults left out."""
        changed = replace(self, **changes)
        values = changed.filter_args()
        if changed.sort != DEFAULT_SORT or changed.descending:
            values["sort"] = changed.sort
            values["dir"] = "desc" if changed.descending else "asc"
        if changed.page > 1:
            values["page"] = str(changed.page)
        return values

    def sort_args(self, key: str) -> dict[str, str]:
        """The link of a column heading: sort by it, or reverse it if it is the sort already."""
        return self.args(sort=key, descending=not self.descending if key == self.sort else False, page=1)

    def aria_sort(self, key: str) -> str:
        if key != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"


# --- the list, in SQL ----------------------------------------------------------------------


def _conditions(user: User, filters: TrackerFilters, today: date, soon: date) -> list[ColumnElement[bool]]:
    conditions = [Action.visible_to(user)]
    if filters.review_id is not None:
        conditions.append(Action.review_id == filters.review_id)
    if filters.agency == PARTNERSHIP:
        conditions.append(Action.agency_id.is_(None))
    elif filters.agency is not None:
        conditions.append(Action.agency_id == filters.agency)
    if filters.owner_id is not None:
        conditions.append(Action.owner_id == filters.owner_id)
    if filters.status is not None:
        conditions.append(Action.status == filters.status)
    if filters.rag is not None:
        conditions.append(rag_sql(today, soon) == filters.rag.value)
    if filters.overdue:
        conditions.append(overdue_sql(today))
    if filters.theme_id is not None:
        conditions.append(
            exists().where(
                recommendation_themes.c.recommendation_id == Action.recommendation_id,
                recommendation_themes.c.theme_id == filters.theme_id,
            )
        )
    return conditions


def _ranked(column: ColumnElement[Any], order: Mapping[Any, int]) -> ColumnElement[int]:
    return case(*((column == value.value, rank) for value, rank in order.items()), else_=len(order))


def tracker_query(user: User, filters: TrackerFilters, today: date, soon: date) -> Select[tuple[Action]]:
    """The actions the user may see that pass the filters, sorted, the action's id breaking ties."""
    owner = aliased(User)
    sort_columns: dict[str, list[ColumnElement[Any]]] = {
        "deadline": [Action.deadline],
        "review": [Review.reference, Recommendation.number],
        # Partnership actions (no agency) together, before the agencies, on every database.
        "agency": [case((Action.agency_id.is_(None), 0), else_=1), Agency.name],
        "owner": [owner.name],
        "status": [_ranked(Action.status, STATUS_ORDER)],
        "rag": [_ranked(rag_sql(today, soon), RAG_ORDER)],
    }
    order = [*sort_columns[filters.sort], Action.id]
    return (
        select(Action)
        .join(Review, Review.id == Action.review_id)
        .join(Recommendation, Recommendation.id == Action.recommendation_id)
        .outerjoin(Agency, Agency.id == Action.agency_id)
        .join(owner, owner.id == Action.owner_id)
        .where(*_conditions(user, filters, today, soon))
        .order_by(*(column.desc() if filters.descending else column.asc() for column in order))
        .options(
            selectinload(Action.review),
            selectinload(Action.recommendation),
            selectinload(Action.agency),
            selectinload(Action.owner),
        )
    )


@dataclass(frozen=True)
class AgencyCount:
    """One row of the table of agencies against colours."""

    agency_id: int | None  # None: the partnership
    name: str
    by_rag: dict[Rag, int]  # every colour, zero included

    @property
    def count(self) -> int:
        return sum(self.by_rag.values())


@dataclass(frozen=True)
class TrackerCounts:
    by_agency: list[AgencyCount]  # the partnership first, then the agencies A to Z

    @property
    def by_rag(self) -> dict[Rag, int]:
        """Every colour across the agencies, zero included."""
        return {colour: sum(row.by_rag[colour] for row in self.by_agency) for colour in Rag}

    @property
    def total(self) -> int:
        return sum(row.count for row in self.by_agency)


def tracker_counts(user: User, filters: TrackerFilters, today: date, soon: date) -> TrackerCounts:
    """How many of the filtered actions each agency (and the partnership) holds of each colour, in
    one query."""
    # Grouped through a subquery: PostgreSQL would not match a CASE with bound values in GROUP BY
    # to the same CASE in the select list.
    coloured = (
        select(Action.agency_id, Agency.name, rag_sql(today, soon).label("rag"))
        .select_from(Action)
        .outerjoin(Agency, Agency.id == Action.agency_id)
        .where(*_conditions(user, filters, today, soon))
        .subquery()
    )
    rows = db.session.execute(
        select(coloured.c.agency_id, coloured.c.name, coloured.c.rag, func.count()).group_by(
            coloured.c.agency_id, coloured.c.name, coloured.c.rag
        )
    ).all()
    found: dict[tuple[int | None, str], dict[Rag, int]] = {}
    for agency_id, name, colour, count in rows:
        found.setdefault((agency_id, name or PARTNERSHIP_LABEL), {c: 0 for c in Rag})[Rag(colour)] = count
    by_agency = sorted(
        (AgencyCount(agency_id, name, counts) for (agency_id, name), counts in found.items()),
        key=lambda row: (row.agency_id is not None, row.name.casefold(), row.agency_id or 0),
    )
    return TrackerCounts(by_agency=by_agency)


@dataclass(frozen=True)
class FilterChoices:
    reviews: list[Review]
    agencies: list[Agency]
    owners: list[User]
    themes: list[Theme]


def filter_choices(user: User) -> FilterChoices:
    """What the filter lists offer: the reviews, agencies and owners that have actions the user may
    see, and every theme."""
    visible = select(Action).where(Action.visible_to(user))
    review_ids = visible.with_only_columns(Action.review_id)
    agency_ids = visible.with_only_columns(Action.agency_id).where(Action.agency_id.is_not(None))
    owner_ids = visible.with_only_columns(Action.owner_id)
    return FilterChoices(
        reviews=list(
            db.session.execute(
                select(Review).where(Review.id.in_(review_ids)).order_by(Review.reference)
            ).scalars()
        ),
        agencies=list(
            db.session.execute(
                select(Agency).where(Agency.id.in_(agency_ids)).order_by(Agency.name)
            ).scalars()
        ),
        owners=list(
            db.session.execute(
                select(User).where(User.id.in_(owner_ids)).order_by(User.name, User.id)
            ).scalars()
        ),
        themes=list(db.session.execute(select(Theme).order_by(Theme.name)).scalars()),
    )


# --- exports -------------------------------------------------------------------------------

EXPORT_COLUMNS: tuple[tuple[str, int], ...] = (  # heading, width in characters
    ("Review", 16),
    ("Recommendation", 16),
    ("Action", 60),
    ("Agency", 30),
    ("Owner", 24),
    ("Status", 30),
    ("RAG", 8),
    ("Original deadline", 18),
    ("Deadline", 12),
    ("Deadline changes", 18),
    ("Overdue", 10),
    ("Success measure", 60),
    ("Last update", 13),
)
EXPORT_HEADINGS = tuple(heading for heading, _ in EXPORT_COLUMNS)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "%d/%m/%Y"
XLSX_DATE_FORMAT = "dd/mm/yyyy"


def last_update_on(action: Action) -> date | None:
    """The UK date of the action's latest history entry (progress, return, deadline, verification)."""
    latest = max((update.at for update in action.updates), default=None)
    return latest.astimezone(UK).date() if latest else None


def _export_values(action: Action, today: date, soon: date) -> tuple[object, ...]:
    """One action's cells, in EXPORT_COLUMNS order: text, whole numbers, dates or None."""
    return (
        action.review.reference,
        action.recommendation.number,
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
    )


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return str(value)


def export_csv(actions: Iterable[Action], today: date, soon: date) -> str:
    """The actions as CSV for spreadsheets, in the order given: dates DD/MM/YYYY, CRLF line ends,
    and an apostrophe in front of any text a spreadsheet would run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADINGS)
    for action in actions:
        writer.writerow([_csv_cell(value) for value in _export_values(action, today, soon)])
    return out.getvalue()


# Characters XML 1.0 cannot hold; openpyxl refuses them, so they are dropped from the workbook.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _write_text(cell: Any, text: str) -> None:
    """Text cells are typed as strings, so openpyxl never writes one as a formula; those that
    look like one also get Excel's quote prefix, so editing the cell later keeps it as text."""
    cell.value = _NOT_IN_XML.sub("", text)
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def export_xlsx(actions: Iterable[Action], today: date, soon: date) -> bytes:
    """The actions as an Excel workbook: one sheet, "Actions", with a bold, frozen header row and
    an auto-filter; dates are real date cells shown as dd/mm/yyyy."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Actions"
    bold = Font(bold=True)
    for column, (heading, width) in enumerate(EXPORT_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=column)
        _write_text(cell, heading)
        cell.font = bold
        sheet.column_dimensions[get_column_letter(column)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    row = 1
    for row, action in enumerate(actions, start=2):
        _write_row(sheet, row, _export_values(action, today, soon), wrap, top)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EXPORT_COLUMNS))}{row}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_row(sheet: Any, row: int, values: Sequence[object], wrap: Alignment, top: Alignment) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            _write_text(cell, value)
            cell.alignment = wrap if len(value) > EXPORT_COLUMNS[column - 1][1] else top
        elif isinstance(value, date):
            cell.value = value
            cell.number_format = XLSX_DATE_FORMAT
            cell.alignment = top
        else:
            cell.value = value
            cell.alignment = top
