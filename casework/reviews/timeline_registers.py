"""The timeline's words for the registers kept beside a review (parallel processes, monitoring,
the family's involvement) and for the 7-minute briefing and its dissemination."""

from __future__ import annotations

from typing import Any

from casework.core.audit import AuditEvent
from casework.reviews.models import FamilyContactKind, ProcessKind, ProcessStatus
from casework.reviews.timeline_words import Phrase, Said, after, fixed, plural, process_kind, words

# --- the registers kept beside a review: parallel processes, monitoring, the family ----------


def _process(verb: str) -> Phrase:
    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        if d.get("kind") not in set(ProcessKind):
            return None
        status = (
            f" ({ProcessStatus(d['status']).label.lower()})" if d.get("status") in set(ProcessStatus) else ""
        )
        return Said(f"{verb} a parallel process: {process_kind(d['kind'])}{status}")

    return phrase


def _pause_cause_named(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    since = f" from {words(d['started_on'])}" if d.get("started_on") else ""
    if d.get("kind") in set(ProcessKind):
        return Said(f"recorded that the pause{since} was caused by the {process_kind(d['kind'])}")
    return Said(f"recorded that the pause{since} was caused by no process on the register")


def _on(d: dict[str, Any]) -> str:
    return f" of {words(d['on'])}" if d.get("on") else ""


def _family(verb: str) -> Phrase:
    # The kind of entry and its date only: the log's contents stay on its own page.
    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        if d.get("kind") not in set(FamilyContactKind):
            return None
        return Said(f"{verb} the family's involvement: {FamilyContactKind(d['kind']).label.lower()}{_on(d)}")

    return phrase


def _learning_kept(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    count = d.get("count")
    if not isinstance(count, int):
        return None
    return Said(f"kept the learning of a review not held locally as {plural(count, 'recommendation')}")


REGISTER_PHRASES: dict[str, Phrase] = {
    "process_added": _process("recorded"),
    "process_updated": _process("updated"),
    "pause_cause_named": _pause_cause_named,
    "monitoring_recorded": lambda event, d: Said(
        f"recorded monitoring of the review's time and quality{_on(d)}"
    ),
    "written_request_recorded": lambda event, d: Said(f"sent a written request to the lead reviewer{_on(d)}"),
    "monitoring_updated": fixed("corrected an entry of the monitoring log"),
    "written_request_answered": lambda event, d: Said(f"answered the written request{_on(d)}"),
    "family_involvement_recorded": _family("recorded"),
    "family_involvement_updated": _family("corrected"),
    "learning_kept": _learning_kept,
}


# --- the 7-minute briefing and its dissemination -------------------------------------------------


def _dated(d: dict[str, Any]) -> str:
    return f" on {words(d['on'])}" if d.get("on") else ""


def _briefing_sent(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = after(event.summary, r"7-minute briefing sent to (.+)")
    return Said(f"recorded the 7-minute briefing as sent to {found[1]}{_dated(d)}") if found else None


def _briefing_acknowledged(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = after(event.summary, r"(.+) acknowledged the 7-minute briefing")
    return Said(f"acknowledged the 7-minute briefing for {found[1]}") if found else None


def _learning_event(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    attended = d.get("attended")
    if not isinstance(attended, int):
        return None
    people = f"{attended} {'person' if attended == 1 else 'people'}"
    return Said(f"recorded a learning event held{_dated(d)}, attended by {people}")


def _audited(verb: str) -> Phrase:
    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        numbers = d.get("recommendations")
        if not isinstance(numbers, list):
            return None
        tested = (
            f" testing recommendation{'' if len(numbers) == 1 else 's'} {words(numbers)}" if numbers else ""
        )
        return Said(f"{verb} a practice audit{tested}")

    return phrase


BRIEFING_PHRASES: dict[str, Phrase] = {
    "briefing_drafted": fixed("drafted the 7-minute briefing from the review"),
    "briefing_saved": fixed("edited the 7-minute briefing"),
    "briefing_approved": fixed("approved the 7-minute briefing"),
    "briefing_reopened": fixed("reopened the 7-minute briefing for changes"),
    "briefing_offered": fixed("offered the 7-minute briefing on the public register"),
    "briefing_sent": _briefing_sent,
    "briefing_acknowledged": _briefing_acknowledged,
    "learning_event_recorded": _learning_event,
    "practice_audit_recorded": _audited("recorded"),
    "practice_audit_updated": _audited("updated"),
}
