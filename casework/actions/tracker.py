"""The action tracker: the actions a user may see, filtered, counted and sorted in the database
(the exports are in tracker_export.py).

Filters come from the query string and a value that makes no sense is ignored rather than
refused: a link that was right yesterday (a theme since removed, a typed URL) still shows a list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Row, Select, case, exists, select, union_all
from sqlalchemy.orm import aliased, selectinload

from casework.actions.models import (
    Action,
    ActionStatus,
    Recommendation,
    Theme,
    recommendation_themes,
)
from casework.actions.rag import DONE, Rag, overdue_sql, rag_sql
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.request_guards import as_id, page_number
from casework.reviews.models import Review

if TYPE_CHECKING:  # the counts module reads this one's filters
    from casework.actions.tracker_counting import TrackerCounts

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


def filter_conditions(
    user: User, filters: TrackerFilters, today: date, soon: date
) -> list[ColumnElement[bool]]:
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


@cache
def owner_row() -> Any:
    """The owner's row, joined under its own name: an action names two people (owner,
    verifier). Made on first use, once every model is known."""
    return aliased(User, name="owner")


def _order(filters: TrackerFilters, today: date, soon: date) -> list[ColumnElement[Any]]:
    owner = owner_row()
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
    return [column.desc() if filters.descending else column.asc() for column in order]


ALL_JOINS = ("review", "recommendation", "agency", "owner")
# What each sort reads besides the action's own columns (the others read none).
SORT_JOINS = {"review": ("review", "recommendation"), "agency": ("agency",), "owner": ("owner",)}


def _joined(statement: Select[Any], joins: Sequence[str]) -> Select[Any]:
    """Joined to the action's review, recommendation, agency (if any) and owner, as named. Each
    is a required link (the agency outer-joined), so a join never drops an action."""
    owner = owner_row()
    onto = {
        "review": lambda s: s.join(Review, Review.id == Action.review_id),
        "recommendation": lambda s: s.join(Recommendation, Recommendation.id == Action.recommendation_id),
        "agency": lambda s: s.outerjoin(Agency, Agency.id == Action.agency_id),
        "owner": lambda s: s.join(owner, owner.id == Action.owner_id),
    }
    for name in joins:
        statement = onto[name](statement)
    return statement


def ordered(
    statement: Select[Any], user: User, filters: TrackerFilters, today: date, soon: date
) -> Select[Any]:
    """``statement`` (of actions, or of columns of an action's row) joined to what the tracker
    sorts and shows, limited to the actions the user may see that pass the filters, and sorted,
    the action's id breaking ties. The page and the exports share it, so they list alike."""
    return (
        _joined(statement, ALL_JOINS)
        .where(*filter_conditions(user, filters, today, soon))
        .order_by(*_order(filters, today, soon))
    )


def _shown() -> tuple[Any, ...]:
    """What each row of the page shows besides the action (made when asked: the models must
    all be known first)."""
    return (
        selectinload(Action.review),
        selectinload(Action.recommendation),
        selectinload(Action.agency),
        selectinload(Action.owner),
    )


def tracker_query(user: User, filters: TrackerFilters, today: date, soon: date) -> Select[tuple[Action]]:
    """The actions the user may see that pass the filters, sorted, the action's id breaking ties."""
    return ordered(select(Action), user, filters, today, soon).options(*_shown())


def _page_of(ids: Select[Any], filters: TrackerFilters, today: date, soon: date) -> Select[tuple[Action]]:
    """The actions ``ids`` selects, joined to what the page shows and sorted as the list is."""
    return (
        _joined(select(Action), ALL_JOINS)
        .where(Action.id.in_(ids))
        .order_by(*_order(filters, today, soon))
        .options(*_shown())
    )


def page_query(
    user: User, filters: TrackerFilters, today: date, soon: date, limit: int, offset: int
) -> Select[tuple[Action]]:
    """One page of :func:`tracker_query`, in one query that finds the page's actions before it
    joins anything to them: the sort is over the filtered actions' own columns (their deadline
    index, or the index holding what decides their colour), joined only to what it sorts by, and
    only the page's rows are then joined to what the page shows."""
    ids = (
        _joined(select(Action.id), SORT_JOINS.get(filters.sort, ()))
        .where(*filter_conditions(user, filters, today, soon))
        .order_by(*_order(filters, today, soon))
        .limit(limit)
        .offset(offset)
    )
    return _page_of(ids.scalar_subquery(), filters, today, soon)  # type: ignore[arg-type]


def _of_colour(colour: Rag, today: date, soon: date) -> ColumnElement[bool]:
    """The actions of one colour, said so that an index finds them: a verified action is one of
    that status (most actions, after years); any other is open or completed, few at any time,
    and its colour is then read from the full rule."""
    if colour == Rag.VERIFIED:
        return Action.status == ActionStatus.VERIFIED
    unverified = Action.status.not_in(DONE) | (Action.status == ActionStatus.COMPLETED)
    return unverified & (rag_sql(today, soon) == colour.value)


def rag_segments(
    by_rag: Mapping[Rag, int], descending: bool, limit: int, offset: int
) -> list[tuple[Rag, int, int]]:
    """The colours a page of the list sorted by RAG takes its actions from, each with how many
    to skip and take among that colour's actions (by id), given how many of each colour the
    filters find: the list is the colours one after another (worst first, or reversed)."""
    colours = sorted(Rag, key=RAG_ORDER.__getitem__, reverse=descending)
    segments, start = [], 0
    for colour in colours:
        end = start + by_rag.get(colour, 0)
        first, last = max(offset, start), min(offset + limit, end)
        if first < last:
            segments.append((colour, first - start, last - first))
        start = end
    return segments


def rag_page_query(
    user: User,
    filters: TrackerFilters,
    today: date,
    soon: date,
    by_rag: Mapping[Rag, int],
    limit: int,
    offset: int,
) -> Select[tuple[Action]] | None:
    """One page of the list sorted by RAG, without sorting every action by its colour: the counts
    (same filters, same day) say which colours the page spans, and each of those gives its share
    of the page in id order from an index. None when the page is past the last action."""
    conditions = filter_conditions(user, filters, today, soon)
    by_id = Action.id.desc() if filters.descending else Action.id.asc()
    parts = [
        select(Action.id)
        .where(*conditions, _of_colour(colour, today, soon))
        .order_by(by_id)
        .offset(skip)
        .limit(take)
        .subquery()
        for colour, skip, take in rag_segments(by_rag, filters.descending, limit, offset)
    ]
    if not parts:
        return None
    ids = union_all(*(select(part.c.id) for part in parts))
    return _page_of(ids, filters, today, soon)  # type: ignore[arg-type]


class TrackerPage(Pagination):
    """A page of the tracker for the pagination component. Its total is the counts' (the
    filtered actions are counted once, by :func:`tracker_counts`), its items :func:`page_query`
    (or :func:`rag_page_query`, which also reads the counts of each colour)."""

    def _query_items(self) -> list[Any]:
        make = self._query_args["make"]
        statement = make(self.per_page, self._query_offset)
        return [] if statement is None else list(db.session.execute(statement).scalars())

    def _query_count(self) -> int:
        return int(self._query_args["counts"].total)


def tracker_page(
    user: User, filters: TrackerFilters, today: date, soon: date, counts: TrackerCounts
) -> TrackerPage:
    """The page of the filtered, sorted actions the filters ask for (none past the last);
    ``counts`` are :func:`tracker_counts` of the same filters and day."""

    def make(limit: int, offset: int) -> Select[tuple[Action]] | None:
        if filters.sort == "rag":
            return rag_page_query(user, filters, today, soon, counts.by_rag, limit, offset)
        return page_query(user, filters, today, soon, limit, offset)

    return TrackerPage(page=filters.page, per_page=PAGE_SIZE, error_out=False, make=make, counts=counts)


@dataclass(frozen=True)
class FilterChoices:
    """What the filter lists offer, each an id and what the list shows of it (no more: the
    reviews with actions grow with the years, and each is one line of a list)."""

    reviews: Sequence[Row[tuple[int, str, str]]]  # id, reference, pseudonym
    agencies: Sequence[Row[tuple[int, str]]]  # id, name
    owners: Sequence[Row[tuple[int, str]]]  # id, name
    themes: list[Theme]


def filter_choices(user: User) -> FilterChoices:
    """What the filter lists offer: the reviews, agencies and owners that have actions the user may
    see, and every theme."""
    visible = select(Action).where(Action.visible_to(user))
    review_ids = visible.with_only_columns(Action.review_id)
    agency_ids = visible.with_only_columns(Action.agency_id).where(Action.agency_id.is_not(None))
    owner_ids = visible.with_only_columns(Action.owner_id)
    return FilterChoices(
        reviews=db.session.execute(
            select(Review.id, Review.reference, Review.pseudonym)
            .where(Review.id.in_(review_ids))
            .order_by(Review.reference)
        ).all(),
        agencies=db.session.execute(
            select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids)).order_by(Agency.name)
        ).all(),
        owners=db.session.execute(
            select(User.id, User.name).where(User.id.in_(owner_ids)).order_by(User.name, User.id)
        ).all(),
        themes=list(db.session.execute(select(Theme).order_by(Theme.name)).scalars()),
    )
