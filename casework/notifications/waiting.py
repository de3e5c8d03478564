"""What waits on someone's decision rather than on a due date: submissions to accept or return,
completed actions to verify, deadline changes asked for, accuracy comments to answer,
anonymisation findings to decide. The same shape as the finders in ``due``: one set-based query
per kind, the review's columns and the day the wait began, nothing that identifies a family.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import aliased

from casework.actions.models import Action, ActionStatus, ChangeStatus, DeadlineChangeRequest, Recommendation
from casework.agencies.contributions import ContributionRequest, RequestEvent, RequestStatus
from casework.agencies.models import Agency
from casework.core.enums import LabelledEnum
from casework.core.timeutil import UK
from casework.notifications.due import open_review
from casework.notifications.rows import Page, Rows, Words, by_kind, worded
from casework.reviews.models import (
    AccuracyAnswer,
    AccuracyCheck,
    AccuracyComment,
    AnonymisationCheck,
    AnonymisationFinding,
    DraftVersion,
    Review,
    ReviewType,
)
from casework.reviews.models.types import label_for_subject


class WaitingKind(LabelledEnum):
    SUBMISSION = "submission", "Submissions to accept or return"
    VERIFICATION = "verification", "Completed actions awaiting verification"
    DEADLINE_CHANGE = "deadline_change", "Deadline changes asked for"
    COMMENT = "comment", "Factual accuracy comments to answer"
    FINDING = "finding", "Anonymisation findings waiting for a decision"


@dataclass(frozen=True)
class WaitingItem:
    kind: WaitingKind
    item: str
    review_id: int
    reference: str
    pseudonym: str
    what: str
    since: date
    link: str


@dataclass(frozen=True)
class Waiting:
    """One kind of thing waiting: the query (rows have the review's columns and ``since``, a
    date or a UTC time) and, in words over a row, what the item is."""

    kind: WaitingKind
    query: Rows
    item: Words
    what: Words
    page: Page

    def describe(self, row: Any) -> tuple[str, str, str]:
        """(item, what, link)."""
        return worded(self.item, row), worded(self.what, row), self.page.link(row)


# When a request was last submitted (a returned one may be submitted again), else asked.
_SUBMITTED = (
    select(func.max(RequestEvent.at))
    .where(RequestEvent.request_id == ContributionRequest.id, RequestEvent.status == RequestStatus.SUBMITTED)
    .scalar_subquery()
)
_SUBMISSIONS = Rows(
    (
        ContributionRequest.id.label("request_id"),
        ContributionRequest.kind.label("asked"),
        func.coalesce(_SUBMITTED, ContributionRequest.requested_at).label("since"),
        Agency.name.label("agency"),
    ),
    joins=(ContributionRequest.review, ContributionRequest.agency),
    where=(ContributionRequest.status == RequestStatus.SUBMITTED,),
)


_VERIFICATIONS = Rows(
    (Action.id.label("action_id"), Action.completed_on.label("since"), Recommendation.number),
    joins=(Action.review, Action.recommendation),
    where=(Action.status == ActionStatus.COMPLETED, Action.completed_on.is_not(None)),
)


_DEADLINE_CHANGES = Rows(
    (
        Action.id.label("action_id"),
        DeadlineChangeRequest.id.label("change_id"),
        DeadlineChangeRequest.requested_at.label("since"),
        Recommendation.number,
    ),
    joins=(DeadlineChangeRequest.action, Action.review, Action.recommendation),
    where=(DeadlineChangeRequest.status == ChangeStatus.PENDING,),
)


_COMMENTS = Rows(
    (
        AccuracyComment.id.label("comment_id"),
        AccuracyComment.created_at.label("since"),
        DraftVersion.number,
        Agency.name.label("agency"),
    ),
    joins=(
        AccuracyComment.answer,
        AccuracyAnswer.check,
        AccuracyCheck.version,
        DraftVersion.review,
        AccuracyAnswer.agency,
    ),
    where=(AccuracyComment.response.is_(None),),
)


# Only the latest check of a version counts: earlier checks' findings are decided no more. Asked
# of each finding's check (is there a newer one of its version?), not by working out the latest
# check of every version ever drafted.
_NEWER = aliased(AnonymisationCheck)
_SUPERSEDED = exists().where(
    _NEWER.version_id == AnonymisationCheck.version_id, _NEWER.id > AnonymisationCheck.id
)
_FINDINGS = Rows(
    (
        AnonymisationFinding.id.label("finding_id"),
        AnonymisationFinding.label.label("found"),
        AnonymisationCheck.ran_at.label("since"),
        ReviewType.code.label("type_code"),
    ),
    joins=(AnonymisationFinding.check, AnonymisationCheck.version, DraftVersion.review, Review.review_type),
    where=(
        AnonymisationFinding.resolution.is_(None),
        AnonymisationFinding.no_longer_applies == "",
        ~_SUPERSEDED,
    ),
)


ACTION_PAGE = Page("actions.action_detail", action_id="action_id")

WAITING: dict[WaitingKind, Waiting] = by_kind(
    Waiting(
        WaitingKind.SUBMISSION,
        _SUBMISSIONS,
        "request:{request_id}",
        "{asked.label} from {agency}, submitted",
        Page("agencies.request_detail", request_id="request_id"),
    ),
    Waiting(
        WaitingKind.VERIFICATION,
        _VERIFICATIONS,
        "action:{action_id}",
        "Action on recommendation {number}, completed",
        ACTION_PAGE,
    ),
    Waiting(
        WaitingKind.DEADLINE_CHANGE,
        _DEADLINE_CHANGES,
        "deadline:{change_id}",
        "New deadline asked for an action on recommendation {number}",
        ACTION_PAGE,
    ),
    Waiting(
        WaitingKind.COMMENT,
        _COMMENTS,
        "comment:{comment_id}",
        "Comment from {agency} on draft version {number}",
        Page("reviews.review_drafts", review_id="id"),
    ),
    Waiting(
        WaitingKind.FINDING,
        _FINDINGS,
        "finding:{finding_id}",
        # The label says what kind of identifier was found, never its value: "Adult 1" on a
        # SAR, never "Child 1".
        lambda r: label_for_subject(r.type_code, r.found),
        Page("reviews.review_publication", review_id="id"),
    ),
)


def _day(value: date | datetime) -> date:
    return value.astimezone(UK).date() if isinstance(value, datetime) else value


def waiting_from(source: Waiting, session: Any, *where: ColumnElement[bool]) -> list[WaitingItem]:
    """The source's items waiting on a running review, longest waiting first, in one query."""
    return waiting_items(source, session.execute(waiting_query(source, *where)).all())


def waiting_query(source: Waiting, *where: ColumnElement[bool]) -> Select[Any]:
    return source.query.select().where(and_(open_review(), *where))


def waiting_items(source: Waiting, rows: Any) -> list[WaitingItem]:
    items = []
    for row in rows:
        item, what, link = source.describe(row)
        items.append(
            WaitingItem(source.kind, item, row.id, row.reference, row.pseudonym, what, _day(row.since), link)
        )
    return sorted(items, key=lambda waiting: (waiting.since, waiting.item))
