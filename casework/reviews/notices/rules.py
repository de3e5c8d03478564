"""When a review owes each notice its type requires, and by when. The clock module calls
``refresh_notices`` whenever it refreshes the review's deadlines, handing over how to read an
event's date, so this module needs nothing above the models."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Protocol

from dateutil.relativedelta import relativedelta
from sqlalchemy import exists, select

from casework.core.enums import TaggedEnum
from casework.core.extensions import db
from casework.core.workdays import WorkingCalendar, working_calendar
from casework.reviews.models import (
    ClockDefinition,
    DecisionOutcome,
    NoticeCondition,
    NoticeRequirement,
    NoticeTiming,
    PublicationDelay,
    Review,
    ReviewNotice,
)
from casework.reviews.models.types import ClockUnit, commencement


class HasDue(Protocol):
    @property
    def clock(self) -> ClockDefinition: ...
    @property
    def due_on(self) -> date | None: ...


class NoticeStatus(TaggedEnum):
    NOT_APPLICABLE = "not_applicable", "Not applicable", "grey"
    DUE = "due", "Due", "blue"
    OVERDUE = "overdue", "Overdue", "red"
    SENT = "sent", "Sent", "green"
    SENT_LATE = "sent_late", "Sent late", "orange"


def notice_status(notice: ReviewNotice, today: date) -> NoticeStatus:
    if notice.sent_on:
        late = notice.due_on is not None and notice.sent_on > notice.due_on
        return NoticeStatus.SENT_LATE if late else NoticeStatus.SENT
    if not notice.applies:
        return NoticeStatus.NOT_APPLICABLE
    if notice.due_on and today > notice.due_on:
        return NoticeStatus.OVERDUE
    return NoticeStatus.DUE


def review_started_on(review: Review) -> date | None:
    """The date a rule's coming into force is compared with: when the case became known."""
    referral = review.referral
    return (referral.la_became_aware_on or referral.became_aware_on) if referral else None


def condition_holds(review: Review, condition: NoticeCondition) -> bool:
    decision, publication = review.decision, review.publication
    if condition == NoticeCondition.ALWAYS:
        return True
    if condition == NoticeCondition.LOOKED_AFTER_CHILD_DIED:
        return bool(review.referral and review.referral.looked_after_child_died)
    if condition == NoticeCondition.DECISION_RECORDED:
        return decision is not None
    if condition == NoticeCondition.REVIEW_HELD:
        return decision is not None and decision.outcome == DecisionOutcome.LOCAL_REVIEW
    if condition == NoticeCondition.NOT_PUBLISHED:
        return publication is not None and publication.not_published_on is not None
    if condition == NoticeCondition.UNDER_DARDR:
        begun, started = commencement("dardr"), review_started_on(review)
        return begun is not None and started is not None and started >= begun
    if condition == NoticeCondition.PUBLICATION_DELAYED:
        delayed = exists().where(PublicationDelay.review_id == review.id)
        return bool(db.session.execute(select(delayed)).scalar())
    return False


def applies(review: Review, requirement: NoticeRequirement) -> bool:
    started = review_started_on(review)
    if started is not None and started < requirement.applies_from:
        return False  # the case came before the rule did
    return condition_holds(review, requirement.condition)


def due_on(
    requirement: NoticeRequirement,
    read: Callable[[str], date | None],
    deadlines: Iterable[HasDue],
    calendar: WorkingCalendar,
) -> date | None:
    amount = requirement.amount or 0
    if requirement.timing == NoticeTiming.BEFORE_PUBLICATION:
        # Before the report (or the information instead) is published: the latest date that
        # still leaves the notice period before the review's publication deadline; after, before
        # the day it was published.
        publication_due = read("published") or next(
            (d.due_on for d in deadlines if d.clock.end_event == "published" and d.due_on), None
        )
        return calendar.add_working_days(publication_due, -amount) if publication_due else None
    if requirement.timing == NoticeTiming.NO_SET_TIME or not requirement.start_event:
        return None
    start = read(requirement.start_event)
    if start is None:
        return None
    # The same arithmetic as a clock's (clock.due_after), without importing the clocks.
    unit = requirement.unit or ClockUnit.WORKING_DAYS
    if unit == ClockUnit.WORKING_DAYS:
        return calendar.add_working_days(start, amount)
    if unit == ClockUnit.CALENDAR_DAYS:
        return start + timedelta(days=amount)
    return start + relativedelta(months=amount)


def requirements_for(review: Review) -> list[NoticeRequirement]:
    # Through the type's relationship: loaded once per session, not queried at every step.
    return list(review.review_type.notice_requirements)


def refresh_notices(review: Review, read: Callable[[str], date | None], deadlines: Iterable[HasDue]) -> None:
    """Give the review one notice row per requirement of its type, each saying whether it is
    owed and by when (a cache for the dashboard; what was sent is never touched)."""
    requirements = requirements_for(review)
    if not requirements and not review.notices:
        return
    calendar, deadlines = working_calendar(), list(deadlines)
    stored = {notice.requirement_id: notice for notice in review.notices}
    for requirement in requirements:
        notice = stored.get(requirement.id)
        if notice is None:
            notice = ReviewNotice(requirement=requirement)
            review.notices.append(notice)
        owed = applies(review, requirement)
        due = due_on(requirement, read, deadlines, calendar) if owed else None
        if notice.applies != owed:
            notice.applies = owed
        if notice.due_on != due:
            notice.due_on = due
        if requirement.met_by_event and notice.sent_by_id is None:
            # Not recorded by anyone: sent when (and only while) the event that is the sending is.
            met = read(requirement.met_by_event)
            if notice.sent_on != met:
                notice.sent_on = met
