"""The statutory clocks of a review: when each started, when it is due, and where it stands.

A clock is defined as data on the review type: "amount units after start_event, met by
end_event". Events are the dates recorded at each step, named in EVENTS below. Pauses move
the due date of a clock that is still running by the length of the pause (in the clock's own
unit); an extension replaces the due date and keeps the original visible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from casework.core.enums import TaggedEnum
from casework.core.timeutil import uk_today
from casework.core.workdays import WorkingCalendar, working_calendar
from casework.reviews.models import (
    CLOCK_EVENTS,
    ClockDefinition,
    ClockUnit,
    DeadlineExtension,
    DecisionOutcome,
    Review,
    ReviewDeadline,
    ReviewPause,
)
from casework.reviews.notices.rules import refresh_notices


@dataclass(frozen=True)
class Event:
    label: str
    read: Callable[[Review], date | None]


def _decision_to_review(review: Review) -> date | None:
    decision = review.decision
    return decision.decided_on if decision and decision.outcome == DecisionOutcome.LOCAL_REVIEW else None


def _signed_off(review: Review) -> date | None:
    """The review is completed when the partners sign off its final report (a SAR's clock is met
    then, not on publication)."""
    return review.completed_on


def _publication_settled(review: Review) -> date | None:
    if review.published_on:
        return review.published_on
    return review.publication.not_published_on if review.publication else None


_READERS: dict[str, Callable[[Review], date | None]] = {
    "incident": lambda r: r.referral.incident_on if r.referral else None,
    "became_aware": lambda r: r.referral.became_aware_on if r.referral else None,
    # The partnership's date stands in on records made before the local authority's was kept.
    "la_became_aware": lambda r: (
        (r.referral.la_became_aware_on or r.referral.became_aware_on) if r.referral else None
    ),
    "panel_notified": lambda r: r.referral.panel_notified_on if r.referral else None,
    "rapid_review_meeting": lambda r: r.rapid_review.meeting_on if r.rapid_review else None,
    "rapid_review_sent": lambda r: r.rapid_review.sent_to_panel_on if r.rapid_review else None,
    "panel_responded": lambda r: r.rapid_review.panel_responded_on if r.rapid_review else None,
    "decision": lambda r: r.decision.decided_on if r.decision else None,
    "decision_to_review": _decision_to_review,
    "commissioned": lambda r: r.terms.commissioned_on if r.terms else None,
    "completed": _signed_off,
    # Deciding not to publish is met by publishing the improvement information instead.
    "published": _publication_settled,
    "home_office_submitted": lambda r: next(
        (s.taken_on for s in r.home_office_steps if s.step == "submitted"), None
    ),
    "home_office_approved": lambda r: r.publication.home_office_approved_on if r.publication else None,
}
# Labels are the review types' vocabulary (CLOCK_EVENTS); every labelled event has a reader.
EVENTS: dict[str, Event] = {key: Event(label, _READERS[key]) for key, label in CLOCK_EVENTS.items()}


class DeadlineStatus(TaggedEnum):
    NOT_STARTED = "not_started", "Not started", "grey"
    DUE = "due", "Due", "blue"
    OVERDUE = "overdue", "Overdue", "red"
    PAUSED = "paused", "Paused", "yellow"
    MET_ON_TIME = "met_on_time", "Met on time", "green"
    MET_LATE = "met_late", "Met late", "orange"
    NOT_APPLICABLE = "not_applicable", "Not applicable", "grey"


@dataclass(frozen=True)
class Deadline:
    clock: ClockDefinition
    status: DeadlineStatus
    starts_on: date | None = None
    original_due_on: date | None = None
    due_on: date | None = None
    met_on: date | None = None
    extension: DeadlineExtension | None = None
    working_days_left: int | None = None  # negative when overdue

    @property
    def running(self) -> bool:
        return self.status in (DeadlineStatus.DUE, DeadlineStatus.OVERDUE)

    @property
    def moved(self) -> bool:
        return self.due_on != self.original_due_on


def due_after(start: date, clock: ClockDefinition, calendar: WorkingCalendar) -> date:
    if clock.unit == ClockUnit.WORKING_DAYS:
        return calendar.add_working_days(start, clock.amount)
    if clock.unit == ClockUnit.CALENDAR_DAYS:
        return start + timedelta(days=clock.amount)
    return start + relativedelta(months=clock.amount)


def _after_pause(
    due: date, pause_start: date, pause_end: date, unit: ClockUnit, calendar: WorkingCalendar
) -> date:
    if unit == ClockUnit.WORKING_DAYS:
        return calendar.add_working_days(due, calendar.working_days_between(pause_start, pause_end))
    return due + timedelta(days=(pause_end - pause_start).days)


def _apply_pauses(
    due: date,
    start: date,
    met: date | None,
    pauses: list[ReviewPause],
    clock: ClockDefinition,
    calendar: WorkingCalendar,
    today: date,
    since: date | None,
) -> date:
    for pause in sorted(pauses, key=lambda p: p.started_on):
        if since and pause.started_on < since:
            continue  # already weighed when the extension was agreed
        begins, ends = max(pause.started_on, start), pause.ended_on or today
        if ends <= begins:
            continue  # the pause was over before this clock started
        if begins > due or (met and begins >= met):
            continue  # a pause after the clock was met or had run out moves nothing
        due = _after_pause(due, begins, ends, clock.unit, calendar)
    return due


def deadline_for(review: Review, clock: ClockDefinition, calendar: WorkingCalendar, today: date) -> Deadline:
    start = EVENTS[clock.start_event].read(review)
    met = EVENTS[clock.end_event].read(review)
    if start is None:
        status = DeadlineStatus.NOT_APPLICABLE if review.is_ended else DeadlineStatus.NOT_STARTED
        return Deadline(clock, status, met_on=met)
    original = due_after(start, clock, calendar)
    extension = next((e for e in reversed(review.extensions) if e.clock_key == clock.key), None)
    base = extension.new_due_on if extension else original
    since = extension.agreed_on if extension else None
    due = _apply_pauses(base, start, met, review.pauses, clock, calendar, today, since)

    left = None
    if met:
        status = DeadlineStatus.MET_ON_TIME if met <= due else DeadlineStatus.MET_LATE
    elif review.is_ended:
        status = DeadlineStatus.NOT_APPLICABLE
    elif review.is_paused:
        status = DeadlineStatus.PAUSED
    else:
        status = DeadlineStatus.OVERDUE if today > due else DeadlineStatus.DUE
        left = calendar.working_days_between(today, due)
    return Deadline(clock, status, start, original, due, met, extension, left)


def deadlines_for(review: Review, today: date | None = None) -> list[Deadline]:
    calendar, today = working_calendar(), today or uk_today()
    # The clocks in force when the review started, whatever the type's rules say now.
    return [deadline_for(review, clock, calendar, today) for clock in review.clock_definitions]


def next_deadline(review: Review) -> Deadline | None:
    running = [d for d in deadlines_for(review) if d.running]
    return min(running, key=lambda d: d.due_on or date.max, default=None)


def refresh_deadlines(review: Review) -> None:
    """Store every clock's current state (a cache for lists and the dashboard)."""
    stored = {row.clock_key: row for row in review.deadlines}
    current = deadlines_for(review)
    for deadline in current:
        clock = deadline.clock
        values = {
            "label": clock.label,
            "statutory": clock.statutory,
            "position": clock.position,
            "starts_on": deadline.starts_on,
            "original_due_on": deadline.original_due_on,
            "due_on": deadline.due_on,
            "met_on": deadline.met_on,
            "running": deadline.running,
        }
        row = stored.pop(clock.key, None)
        if row is None:
            review.deadlines.append(ReviewDeadline(clock_key=clock.key, **values))
            continue
        for name, value in values.items():
            # Only what changed is set: an unchanged row is left clean, so no flush is spent on it.
            if getattr(row, name) != value:
                setattr(row, name, value)
    for row in stored.values():
        review.deadlines.remove(row)
    refresh_notices(review, lambda key: EVENTS[key].read(review), current)
