"""What waits on someone's decision rather than on a due date: submissions to accept or return,
completed actions to verify, deadline changes asked for, accuracy comments to answer,
anonymisation findings to decide. The same shape as the finders in ``due``: one set-based query
per kind, the review's columns and the day the wait began, nothing that identifies a family.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import url_for
from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import aliased

from casework.actions.models import Action, ActionStatus, ChangeStatus, DeadlineChangeRequest, Recommendation
from casework.agencies.contributions import ContributionRequest, RequestEvent, RequestStatus
from casework.agencies.models import Agency
from casework.core.enums import LabelledEnum
from casework.core.timeutil import UK
from casework.notifications.due import REVIEW_COLUMNS, open_review
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
    date or a UTC time) and what a row is, as (what, link)."""

    kind: WaitingKind
    query: Callable[[], Select[Any]]
    describe: Callable[[Any], tuple[str, str, str]]  # (item, what, link)


def _submissions() -> Select[Any]:
    submitted = (
        select(func.max(RequestEvent.at))
        .where(
            RequestEvent.request_id == ContributionRequest.id, RequestEvent.status == RequestStatus.SUBMITTED
        )
        .scalar_subquery()
    )
    return (
        select(
            *REVIEW_COLUMNS,
            ContributionRequest.id.label("request_id"),
            ContributionRequest.kind.label("asked"),
            func.coalesce(submitted, ContributionRequest.requested_at).label("since"),
            Agency.name.label("agency"),
        )
        .join(Review, ContributionRequest.review_id == Review.id)
        .join(Agency, ContributionRequest.agency_id == Agency.id)
        .where(ContributionRequest.status == RequestStatus.SUBMITTED)
    )


def _verifications() -> Select[Any]:
    return (
        select(
            *REVIEW_COLUMNS,
            Action.id.label("action_id"),
            Action.completed_on.label("since"),
            Recommendation.number,
        )
        .join(Review, Action.review_id == Review.id)
        .join(Recommendation, Action.recommendation_id == Recommendation.id)
        .where(Action.status == ActionStatus.COMPLETED, Action.completed_on.is_not(None))
    )


def _deadline_changes() -> Select[Any]:
    return (
        select(
            *REVIEW_COLUMNS,
            Action.id.label("action_id"),
            DeadlineChangeRequest.id.label("change_id"),
            DeadlineChangeRequest.requested_at.label("since"),
            Recommendation.number,
        )
        .join(Action, DeadlineChangeRequest.action_id == Action.id)
        .join(Review, Action.review_id == Review.id)
        .join(Recommendation, Action.recommendation_id == Recommendation.id)
        .where(DeadlineChangeRequest.status == ChangeStatus.PENDING)
    )


def _comments() -> Select[Any]:
    return (
        select(
            *REVIEW_COLUMNS,
            AccuracyComment.id.label("comment_id"),
            AccuracyComment.created_at.label("since"),
            DraftVersion.number,
            Agency.name.label("agency"),
        )
        .join(AccuracyAnswer, AccuracyComment.answer_id == AccuracyAnswer.id)
        .join(AccuracyCheck, AccuracyAnswer.check_id == AccuracyCheck.id)
        .join(DraftVersion, AccuracyCheck.version_id == DraftVersion.id)
        .join(Review, DraftVersion.review_id == Review.id)
        .join(Agency, AccuracyAnswer.agency_id == Agency.id)
        .where(AccuracyComment.response.is_(None))
    )


def _findings() -> Select[Any]:
    # Only the latest check of a version counts: earlier checks' findings are decided no more.
    # Asked of each finding's check (is there a newer one of its version?), not by working out
    # the latest check of every version ever drafted.
    newer = aliased(AnonymisationCheck)
    superseded = exists().where(
        newer.version_id == AnonymisationCheck.version_id, newer.id > AnonymisationCheck.id
    )
    return (
        select(
            *REVIEW_COLUMNS,
            AnonymisationFinding.id.label("finding_id"),
            AnonymisationFinding.label.label("found"),
            AnonymisationCheck.ran_at.label("since"),
            ReviewType.code.label("type_code"),
        )
        .join(AnonymisationCheck, AnonymisationFinding.check_id == AnonymisationCheck.id)
        .join(DraftVersion, AnonymisationCheck.version_id == DraftVersion.id)
        .join(Review, DraftVersion.review_id == Review.id)
        .join(ReviewType, Review.review_type_id == ReviewType.id)
        .where(
            AnonymisationFinding.resolution.is_(None),
            AnonymisationFinding.no_longer_applies == "",
            ~superseded,
        )
    )


def _action_link(r: Any) -> str:
    return url_for("actions.action_detail", action_id=r.action_id)


WAITING: dict[WaitingKind, Waiting] = {
    source.kind: source
    for source in (
        Waiting(
            WaitingKind.SUBMISSION,
            _submissions,
            lambda r: (
                f"request:{r.request_id}",
                f"{r.asked.label} from {r.agency}, submitted",
                url_for("agencies.request_detail", request_id=r.request_id),
            ),
        ),
        Waiting(
            WaitingKind.VERIFICATION,
            _verifications,
            lambda r: (
                f"action:{r.action_id}",
                f"Action on recommendation {r.number}, completed",
                _action_link(r),
            ),
        ),
        Waiting(
            WaitingKind.DEADLINE_CHANGE,
            _deadline_changes,
            lambda r: (
                f"deadline:{r.change_id}",
                f"New deadline asked for an action on recommendation {r.number}",
                _action_link(r),
            ),
        ),
        Waiting(
            WaitingKind.COMMENT,
            _comments,
            lambda r: (
                f"comment:{r.comment_id}",
                f"Comment from {r.agency} on draft version {r.number}",
                url_for("reviews.review_drafts", review_id=r.id),
            ),
        ),
        Waiting(
            WaitingKind.FINDING,
            _findings,
            # The label says what kind of identifier was found, never its value.
            lambda r: (
                f"finding:{r.finding_id}",
                label_for_subject(r.type_code, r.found),  # "Adult 1" on a SAR, never "Child 1"
                url_for("reviews.review_publication", review_id=r.id),
            ),
        ),
    )
}


def _day(value: date | datetime) -> date:
    return value.astimezone(UK).date() if isinstance(value, datetime) else value


def waiting_from(source: Waiting, session: Any, *where: ColumnElement[bool]) -> list[WaitingItem]:
    """The source's items waiting on a running review, longest waiting first, in one query."""
    return waiting_items(source, session.execute(waiting_query(source, *where)).all())


def waiting_query(source: Waiting, *where: ColumnElement[bool]) -> Select[Any]:
    return source.query().where(and_(open_review(), *where))


def waiting_items(source: Waiting, rows: Any) -> list[WaitingItem]:
    items = []
    for row in rows:
        item, what, link = source.describe(row)
        items.append(
            WaitingItem(source.kind, item, row.id, row.reference, row.pseudonym, what, _day(row.since), link)
        )
    return sorted(items, key=lambda waiting: (waiting.since, waiting.item))
