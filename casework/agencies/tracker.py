"""The contributions tracker: every agency's requests across the reviews a board manager runs,
filtered in the database, with the working days each is overdue and when it was last chased.

Filters come from the query string and a value that makes no sense is ignored rather than
refused: a link that was right yesterday (a request since accepted, a typed URL) still shows a list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import contains_eager

from casework.agencies.contributions import AWAITING_AGENCY, ContributionRequest, RequestStatus
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.request_guards import as_id, page_number
from casework.core.workdays import WorkingCalendar
from casework.notifications.models import Reminder
from casework.reviews.models import Review
from casework.reviews.stages import ENDINGS

PAGE_SIZE = 25
SEARCH_LENGTH = 100  # longer than any reference or pseudonym: the rest is not searched for


@dataclass(frozen=True)
class ContributionFilters:
    review_id: int | None = None
    agency_id: int | None = None
    status: RequestStatus | None = None
    overdue: bool = False
    search: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ContributionFilters:
        status = args.get("status") or ""
        return cls(
            review_id=as_id(args.get("review")),
            agency_id=as_id(args.get("agency")),
            status=RequestStatus(status) if status in set(RequestStatus) else None,
            overdue=args.get("overdue") in ("1", "yes", "true", "on"),
            search=(args.get("q") or "").strip()[:SEARCH_LENGTH],
            page=page_number(args.get("page")),
        )

    def filter_args(self) -> dict[str, str]:
        """The query-string arguments of the filters alone (paging left out)."""
        values = {
            "review": self.review_id,
            "agency": self.agency_id,
            "status": self.status.value if self.status else None,
            "overdue": "1" if self.overdue else None,
            "q": self.search or None,
        }
        return {name: str(value) for name, value in values.items() if value is not None}

    def args(self, **changes: Any) -> dict[str, str]:
        """The query string of this list (with ``changes``): the page is kept past page 1."""
        changed = replace(self, **changes)
        values = changed.filter_args()
        if changed.page > 1:
            values["page"] = str(changed.page)
        return values

    @property
    def any_set(self) -> bool:
        return bool(self.filter_args())


def overdue_sql(today: date) -> ColumnElement[bool]:
    """ContributionRequest.is_overdue as SQL, on a review that is still running."""
    return (
        ContributionRequest.status.in_(AWAITING_AGENCY)
        & (ContributionRequest.due_on < today)
        & Review.stage.not_in(ENDINGS)
    )


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its own % and _ taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def tracker_query(
    user: User, filters: ContributionFilters, today: date
) -> Select[tuple[ContributionRequest]]:
    """The requests the user may see, narrowed by the filters, with their review and agency
    loaded in the same statement: by review, then agency, then due date."""
    query = (
        select(ContributionRequest)
        .join(ContributionRequest.review)
        .join(ContributionRequest.agency)
        .where(ContributionRequest.visible_to(user))
        .options(contains_eager(ContributionRequest.review), contains_eager(ContributionRequest.agency))
        .order_by(Review.reference, Agency.name, ContributionRequest.due_on, ContributionRequest.id)
    )
    if filters.review_id is not None:
        query = query.where(ContributionRequest.review_id == filters.review_id)
    if filters.agency_id is not None:
        query = query.where(ContributionRequest.agency_id == filters.agency_id)
    if filters.status is not None:
        query = query.where(ContributionRequest.status == filters.status)
    if filters.overdue:
        query = query.where(overdue_sql(today))
    if filters.search:
        term = _like(filters.search)
        query = query.where(
            or_(
                func.lower(Review.reference).like(term, escape="\\"),
                func.lower(Review.pseudonym).like(term, escape="\\"),
                func.lower(Agency.name).like(term, escape="\\"),
            )
        )
    return query


@dataclass(frozen=True)
class FilterChoices:
    reviews: list[tuple[int, str]]  # (id, "reference (pseudonym)"), by reference
    agencies: list[tuple[int, str]]  # (id, name), A to Z


def filter_choices(user: User) -> FilterChoices:
    """The reviews and agencies that have requests the user may see: only the id and the text of
    each option are read (the review list holds every review that ever asked an agency for
    anything, hundreds after a few years, so whole records would cost more than the page's rows)."""
    visible = select(ContributionRequest).where(ContributionRequest.visible_to(user))
    review_ids = visible.with_only_columns(ContributionRequest.review_id)
    agency_ids = visible.with_only_columns(ContributionRequest.agency_id)
    reviews = (
        select(Review.id, Review.reference, Review.pseudonym)
        .where(Review.id.in_(review_ids))
        .order_by(Review.reference)
    )
    agencies = select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids)).order_by(Agency.name)
    return FilterChoices(
        [(id_, f"{reference} ({pseudonym})") for id_, reference, pseudonym in db.session.execute(reviews)],
        [(id_, name) for id_, name in db.session.execute(agencies)],
    )


def days_overdue(request: ContributionRequest, today: date, calendar: WorkingCalendar) -> int:
    """Working days past the due date while the agency still owes it; 0 otherwise."""
    if request.status not in AWAITING_AGENCY or request.review.is_ended or request.due_on >= today:
        return 0
    return calendar.working_days_between(request.due_on, today)


def last_chased(requests: list[ContributionRequest]) -> dict[int, date]:
    """The last day someone chased each request (by hand or by the daily pass), in one query."""
    items = {f"request:{request.id}": request.id for request in requests}
    if not items:
        return {}
    rows = db.session.execute(
        select(Reminder.item, func.max(Reminder.day)).where(Reminder.item.in_(items)).group_by(Reminder.item)
    )
    return {items[item]: day for item, day in rows}
