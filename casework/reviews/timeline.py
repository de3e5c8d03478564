"""The review's timeline in plain words: what happened to the review, who did it and when, one
sentence per audit event recorded against the review ("Sam Manager moved the review from
Decision to Commissioning on 3 March 2026").

The events are the audit trail's; this module only chooses which belong on the timeline (reads
such as downloads and views of identifying details stay in the audit log), groups them by kind
for the filter, and words them: one function per event kind in PHRASES, built from the event's
details and display labels, never raw values. An event kind with no phrase (a new one, or one
whose summary does not have the expected shape) falls back to its stored summary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import joinedload

from casework.core.audit import READS, AuditEvent
from casework.core.display import format_date, format_time
from casework.core.enums import LabelledEnum
from casework.core.paging import CountedPage, counted_page
from casework.core.timeutil import UK
from casework.reviews.timeline_phrases import PHRASES

PAGE_SIZE = 20
SYSTEM = "Casework"  # events with no person behind them (the worker, a command)


class TimelineKind(LabelledEnum):
    """The timeline's filter: what the events are about."""

    STAGES = "stages", "Stage changes"
    CONTRIBUTIONS = "contributions", "Contributions"
    DRAFTS = "drafts", "Drafts"
    PUBLICATION = "publication", "Publication"
    ACTIONS = "actions", "Actions"
    OTHER = "other", "Other"


KIND_ACTIONS: dict[TimelineKind, frozenset[str]] = {
    TimelineKind.STAGES: frozenset({"review_created", "stage_changed", "review_paused", "review_resumed"}),
    TimelineKind.CONTRIBUTIONS: frozenset(
        {
            "contributions_requested",
            "contribution_submitted",
            "contribution_accepted",
            "contribution_returned",
            "contribution_withdrawn",
            "chronology_imported",
            "document_uploaded",
            "key_episode_marked",
            "key_episode_unmarked",
        }
    ),
    TimelineKind.DRAFTS: frozenset(
        {"draft_uploaded", "draft_shared_for_accuracy", "accuracy_signed_off", "draft_shared_with_family"}
    ),
    TimelineKind.PUBLICATION: frozenset(
        {
            "anonymisation_checked",
            "anonymisation_checked_by_hand",
            "anonymisation_finding_resolved",
            "corrected_version_uploaded",
            "publication_details_saved",
            "publication_delayed",
            "publication_withdrawn",
            "notice_sent",
            "notice_corrected",
            "notice_comments_received",
            "notice_response_recorded",
            "home_office_step_recorded",
        }
    ),
    TimelineKind.ACTIONS: frozenset(
        {
            "finding_added",
            "recommendation_added",
            "recommendations_confirmed",
            "recommendation_repeated",
            "action_added",
            "action_progress",
            "action_verified",
            "action_returned",
            "deadline_change_requested",
            "deadline_change_approved",
            "deadline_change_refused",
            "outcome_measure_set",
            "outcome_remeasured",
            "outcome_not_pursued",
        }
    ),
}
KIND_OF = {action: kind for kind, actions in KIND_ACTIONS.items() for action in actions}
NAMED = frozenset(KIND_OF)


def kind_from(value: str | None) -> TimelineKind | None:
    """``?kind=``: a kind of the filter, or None (every kind) for anything else."""
    return TimelineKind(value) if value in set(TimelineKind) else None


def timeline_query(review_id: int, kind: TimelineKind | None) -> Select[tuple[AuditEvent]]:
    """The review's timeline events of ``kind`` (or every kind), newest first."""
    conditions: list[ColumnElement[bool]] = [
        AuditEvent.review_id == review_id,
        AuditEvent.action.not_in(READS),
    ]
    if kind == TimelineKind.OTHER:
        conditions.append(AuditEvent.action.not_in(NAMED))  # unknown kinds land here too
    elif kind is not None:
        conditions.append(AuditEvent.action.in_(KIND_ACTIONS[kind]))
    return (
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .options(joinedload(AuditEvent.actor))
    )


def timeline_page(review_id: int, kind: TimelineKind | None, page: int) -> CountedPage:
    return counted_page(timeline_query(review_id, kind), page, PAGE_SIZE)


@dataclass(frozen=True)
class Entry:
    """One event in words: the sentence, and for edits the list of what changed."""

    kind: TimelineKind
    sentence: str
    changes: list[str] = field(default_factory=list)


def describe(event: AuditEvent) -> Entry:
    who = event.actor.name if event.actor is not None else SYSTEM
    when = event.occurred_at.astimezone(UK)
    phrase = PHRASES.get(event.action)
    details = event.details if isinstance(event.details, dict) else {}
    try:
        said = phrase(event, details) if phrase else None
    except (KeyError, ValueError, TypeError):  # details of an older shape: the summary says it
        said = None
    kind = KIND_OF.get(event.action, TimelineKind.OTHER)
    on = f"on {format_date(when.date())} at {format_time(when)}"
    if said is None:
        return Entry(kind, f"{who} {on}: {event.summary}")
    return Entry(kind, f"{who} {said.what} {on}" + (f": {said.reason}" if said.reason else ""), said.changes)


def describe_all(events: Iterable[AuditEvent]) -> list[Entry]:
    return [describe(event) for event in events]
